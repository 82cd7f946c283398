"""The grading rules moved into scoring/domain.py: database-free, each rule at its edges."""

from scoring.domain import Grade
from scoring.models import Ballot, GradeOverride, PaperTally

# ---- One list of grades ----


def test_grade_is_the_one_list_of_stored_values_and_names():
    assert Grade.values == ["excellent", "competent", "basic", "incompetent"]
    assert [str(label) for label in Grade.labels] == [
        "优秀",
        "称职",
        "基本称职",
        "不称职",
    ]
    assert [g.level for g in Grade] == [3, 2, 1, 0]


def test_ballots_and_overrides_offer_the_grades():
    assert Ballot.Choice is Grade
    assert GradeOverride._meta.get_field("grade").choices == Grade.choices
    assert PaperTally._meta.get_field("basic").verbose_name == Grade.BASIC.label
