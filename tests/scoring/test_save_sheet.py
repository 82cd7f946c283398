"""save_sheet: the one path by which points reach the database."""

from decimal import Decimal

import pytest
from django.utils import translation

from competition import services as competition_services
from competition.models import Problem
from competition.services import ActionRefused
from scoring.models import Score, ScoreSheet, SheetRevision
from scoring.sheets.services import SheetInvalid, save_sheet
from tests.competition_setup import competition_in_scoring, full_points
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def judge_alice(db):
    return UserFactory(username="alice_judge", first_name="王建华")


@pytest.fixture
def competition(street_staff_carol, judge_alice):
    return competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol, judges=[judge_alice]
    )


@pytest.fixture
def seat(competition):
    return competition.judges.get()


@pytest.fixture
def first(competition):
    return competition.contestants.order_by("order").first()


def stored() -> tuple:
    return (
        sorted(ScoreSheet.objects.values_list("id", "status", "version", "comment")),
        sorted(Score.objects.values_list("sheet_id", "criterion__code", "points")),
        SheetRevision.objects.count(),
        Problem.objects.count(),
    )


def save(seat, contestant, points, *, version=1, submit=True, **kwargs):
    return save_sheet(
        judge=seat,
        contestant=contestant,
        points=points,
        version=version,
        submit=submit,
        by=kwargs.pop("by", seat.user),
        **kwargs,
    )


def test_submit_stores_every_point_and_an_audit_revision(competition, seat, first, judge_alice):
    points = full_points(competition)
    result = save(seat, first, points, comment="  很好  ", problems=["道路破损", "", "道路破损"])

    assert result.applied and result.version == 1
    sheet = ScoreSheet.objects.get()
    assert (sheet.status, sheet.version, sheet.comment) == ("submitted", 1, "很好")
    assert sheet.submitted_at is not None
    assert {s.criterion.code: s.points for s in sheet.scores.all()} == {
        code: Decimal(v) for code, v in points.items()
    }
    revision = SheetRevision.objects.get()
    assert (revision.by, revision.version, revision.old) == (judge_alice, 1, None)
    assert revision.new["points"]["political"] == "16.00"
    # Repeated lines are one problem, tied to the contestant's village.
    problem = Problem.objects.get()
    assert (problem.text, problem.village_id, list(problem.raisers.all())) == (
        "道路破损",
        first.village_id,
        [seat],
    )


def test_revision_keeps_old_and_new_values(competition, seat, first):
    save(seat, first, full_points(competition, 0.8))
    save(seat, first, full_points(competition, 0.9), version=2)

    latest = SheetRevision.objects.order_by("-version").first()
    assert latest.old["points"]["political"] == "16.00"
    assert latest.new["points"]["political"] == "18.00"
    assert latest.old["status"] == latest.new["status"] == "submitted"


def test_draft_may_be_partial_but_submit_needs_every_item(competition, seat, first):
    save(seat, first, {"political": "10"}, submit=False)
    assert ScoreSheet.objects.get().status == "draft"
    before = stored()

    with translation.override("en"), pytest.raises(SheetInvalid) as error:
        save(seat, first, {"political": "10"}, version=2)

    assert error.value.errors["integrity"] == "Give points for every item before submitting."
    assert stored() == before


@pytest.mark.parametrize(
    ("points", "field", "message"),
    [
        ({"political": "20.5"}, "political", "At most 20 points."),
        ({"governance": "11"}, "governance", "At most 10 points."),
        ({"political": "-1"}, "political", "Points cannot be negative."),
        ({"political": "abc"}, "political", "Enter a number."),
        ({"political": "12.3"}, "political", "Use steps of 0.5 points."),
        ({"livelihood": "5"}, "livelihood", "“livelihood” is not a criterion of this competition."),
        ({"nonsense": "5"}, "nonsense", "“nonsense” is not a criterion of this competition."),
    ],
)
def test_bad_points_are_refused_with_a_clear_message_and_nothing_stored(
    competition, seat, first, points, field, message
):
    before = stored()
    with translation.override("en"), pytest.raises(SheetInvalid) as error:
        save(seat, first, full_points(competition) | points)
    assert error.value.errors[field] == message
    assert stored() == before


def test_too_long_comment_and_too_many_problems_are_refused(competition, seat, first):
    with pytest.raises(SheetInvalid) as error:
        save(seat, first, full_points(competition), comment="x" * 2001, problems=["p"] * 21)
    assert set(error.value.errors) == {"comment", "problems"}
    assert stored()[0] == []


def test_a_resent_version_is_answered_without_change(competition, seat, first):
    save(seat, first, full_points(competition))
    before = stored()

    result = save(seat, first, full_points(competition))

    assert (result.applied, result.stale, result.version) == (False, False, 1)
    assert stored() == before


def test_the_same_version_with_other_points_is_refused_as_not_used(competition, seat, first):
    # Two phones (or the paper sheet typed by staff) both send version 1 with other points:
    # the second is not a resend, and its sender must hear that it was not used.
    save(seat, first, full_points(competition))
    before = stored()

    result = save(seat, first, full_points(competition, 0.5))

    assert (result.applied, result.stale, result.version) == (False, True, 1)
    assert stored() == before


def test_an_older_version_never_replaces_a_newer_one(competition, seat, first):
    save(seat, first, full_points(competition, 0.9), version=5)
    before = stored()

    result = save(seat, first, full_points(competition, 0.5), version=3)

    assert (result.applied, result.stale, result.version) == (False, True, 5)
    assert stored() == before


def test_a_submitted_sheet_stays_submitted_when_revised_as_draft(competition, seat, first):
    save(seat, first, full_points(competition))
    save(seat, first, full_points(competition, 0.9), version=2, submit=False)
    sheet = ScoreSheet.objects.get()
    assert (sheet.status, sheet.version) == ("submitted", 2)


@pytest.mark.parametrize("action", ["close"])
def test_a_write_after_close_is_refused_and_changes_nothing(
    competition, seat, first, street_staff_carol, action
):
    save(seat, first, full_points(competition))
    competition_services.transition(competition=competition, action=action, by=street_staff_carol)
    before = stored()

    with translation.override("en"), pytest.raises(ActionRefused) as error:
        save(seat, first, full_points(competition, 0.5), version=2)

    assert str(error.value) == "Scores are not accepted: the competition is closed."
    assert stored() == before


def test_a_recused_or_absent_contestant_cannot_be_scored(
    competition, seat, first, street_staff_carol
):
    competition_services.set_recusals(judge=seat, contestants=[first], by=street_staff_carol)
    second = competition.contestants.order_by("order")[1]
    competition_services.set_absent(contestant=second, absent=True, by=street_staff_carol)

    with translation.override("en"):
        with pytest.raises(ActionRefused, match="recused"):
            save(seat, first, full_points(competition))
        with pytest.raises(ActionRefused, match="absent"):
            save(seat, second, full_points(competition))
    assert stored()[0] == []


def test_a_judge_cannot_score_another_competitions_contestant(
    competition, seat, other_street, street_staff_carol
):
    other = competition_in_scoring(street=other_street, staff=street_staff_carol)
    stranger = other.contestants.first()
    with pytest.raises(ActionRefused):
        save(seat, stranger, full_points(other))
    assert stored()[0] == []


def test_paper_entry_by_staff_is_recorded_as_theirs(competition, seat, first, street_staff_carol):
    save(seat, first, full_points(competition), by=street_staff_carol)
    sheet = ScoreSheet.objects.get()
    assert sheet.entered_by == street_staff_carol
    assert SheetRevision.objects.get().by == street_staff_carol


def test_problems_taken_out_disappear_unless_staff_took_them_up(competition, seat, first):
    save(seat, first, full_points(competition), problems=["道路破损", "账目不清"])
    Problem.objects.filter(text="账目不清").update(owner="村委会", status="in_progress")

    save(seat, first, full_points(competition), version=2, problems=["饮水困难"])

    assert sorted(Problem.objects.values_list("text", flat=True)) == ["账目不清", "饮水困难"]

    save(seat, first, full_points(competition), version=3, problems=[])  # every line taken out

    assert list(Problem.objects.values_list("text", flat=True)) == ["账目不清"]


@pytest.mark.parametrize("optional", [("governance",), ("governance", "livelihood", "reserve")])
def test_a_save_makes_the_same_number_of_queries_whatever_the_criteria(
    street_staff_carol, judge_alice, optional
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    competition = competition_in_scoring(
        street=street_staff_carol.membership.street,
        staff=street_staff_carol,
        judges=[judge_alice],
        optional=optional,
    )
    seat, first = competition.judges.get(), competition.contestants.order_by("order").first()
    save(seat, first, full_points(competition, 0.8))
    points = full_points(competition, 0.9)
    with CaptureQueriesContext(connection) as queries:
        save(seat, first, points, version=2)
    # savepoint, lock the judge's seat, competition (absent or recused?), criteria, lock sheet,
    # scores as they stand, sheet update, write the changed scores, revision, release savepoint
    # (no stale scores to delete, no problems raised before or now)
    assert len(queries) == 10, [q["sql"][:70] for q in queries]
