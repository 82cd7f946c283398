"""The panel can change on the day: add, withdraw, mark absent and reinstate, with a reason."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from competition import services as competition_services
from competition.models import Event, Judge, SignInCard
from competition.services import ActionRefused
from scoring.results.services import publish_competition
from tests.competition_setup import competition_in_scoring
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGES = {
    "withdraw": competition_services.withdraw_judge,
    "absent": competition_services.mark_judge_absent,
}


@pytest.fixture
def scoring(street_staff_carol):
    judges = [UserFactory(first_name=name) for name in ("张评委", "李评委", "王评委")]
    return competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol, judges=judges
    )


def seat(competition, name: str) -> Judge:
    return competition.judges.get(user__first_name=name)


def test_a_judge_added_during_scoring_needs_a_reason_which_is_logged(scoring, street_staff_carol):
    newcomer = UserFactory(first_name="赵评委")
    with translation.override("en"), pytest.raises(ActionRefused, match="Give the reason"):
        competition_services.add_judge(
            competition=scoring, user=newcomer, role="area_chief", by=street_staff_carol, reason=" "
        )
    assert not scoring.judges.filter(user=newcomer).exists()

    judge = competition_services.add_judge(
        competition=scoring,
        user=newcomer,
        role="area_chief",
        by=street_staff_carol,
        reason="替换缺席的李评委",
    )

    assert judge.status == Judge.Status.ACTIVE
    logged = scoring.events.filter(kind=Event.Kind.PANEL).latest("pk")
    assert (logged.by, logged.text) == (street_staff_carol, "加入：赵评委 · 替换缺席的李评委")


def test_a_judge_added_in_draft_needs_no_reason(street_staff_carol):
    draft = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol, open_it=False
    )
    competition_services.add_judge(
        competition=draft, user=UserFactory(), role="observer", by=street_staff_carol, reason=""
    )
    assert draft.judges.count() == 2


def test_withdrawing_records_when_and_why_logs_it_and_revokes_the_judges_cards(
    scoring, street_staff_carol
):
    competition_services.issue_cards(competition=scoring, by=street_staff_carol)
    li = seat(scoring, "李评委")

    competition_services.withdraw_judge(judge=li, reason="临时有公务", by=street_staff_carol)

    li.refresh_from_db()
    assert (li.status, li.status_reason) == ("withdrawn", "临时有公务")
    assert li.status_changed_at is not None
    logged = scoring.events.latest("pk")
    assert (logged.kind, logged.by, logged.note) == (
        "judge_withdrawn",
        street_staff_carol,
        "李评委 · 临时有公务",
    )
    with translation.override("zh-hans"):
        assert logged.get_kind_display() == "评委退出评委组"
    assert SignInCard.objects.get(judge=li).revoked_at is not None
    # The others' cards still work.
    assert SignInCard.objects.filter(judge__competition=scoring, revoked_at=None).count() == 2


def test_absent_then_back_on_the_panel_each_logged_with_its_reason(scoring, street_staff_carol):
    wang = seat(scoring, "王评委")

    competition_services.mark_judge_absent(judge=wang, reason="未到场", by=street_staff_carol)
    wang.refresh_from_db()
    assert wang.status == "absent"
    competition_services.reinstate_judge(judge=wang, reason="已到场", by=street_staff_carol)

    wang.refresh_from_db()
    assert (wang.status, wang.status_reason) == ("active", "已到场")
    assert list(scoring.events.order_by("pk").values_list("kind", "note"))[-2:] == [
        ("judge_absent", "王评委 · 未到场"),
        ("judge_reinstated", "王评委 · 已到场"),
    ]


@pytest.mark.parametrize("change", [*CHANGES, "reinstate"])
def test_every_change_of_status_needs_a_reason_and_without_one_changes_nothing(
    scoring, street_staff_carol, change
):
    zhang = seat(scoring, "张评委")
    if change == "reinstate":
        competition_services.mark_judge_absent(judge=zhang, reason="未到场", by=street_staff_carol)
    service = CHANGES.get(change, competition_services.reinstate_judge)
    before = (Judge.objects.get(pk=zhang.pk).status, Event.objects.count())

    with translation.override("en"), pytest.raises(ActionRefused) as refused:
        service(judge=zhang, reason="  ", by=street_staff_carol)

    assert str(refused.value) == "Give the reason for changing the panel during scoring."
    assert (Judge.objects.get(pk=zhang.pk).status, Event.objects.count()) == before


@pytest.mark.parametrize("status", ["draft", "closed", "published"])
@pytest.mark.parametrize("change", list(CHANGES))
def test_the_status_changes_only_during_scoring(street_staff_carol, status, change):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street,
        staff=street_staff_carol,
        open_it=status != "draft",
    )
    if status in ("closed", "published"):
        competition_services.transition(
            competition=competition, action="close", by=street_staff_carol
        )
    if status == "published":
        for contestant in competition.contestants.all():  # nobody scored: publish nobody
            competition_services.set_absent(
                contestant=contestant, absent=True, by=street_staff_carol
            )
        publish_competition(competition=competition, by=street_staff_carol)
    judge = competition.judges.get()
    events = Event.objects.count()

    with translation.override("en"), pytest.raises(ActionRefused, match="Not possible now"):
        CHANGES[change](judge=judge, reason="临时有公务", by=street_staff_carol)

    assert Judge.objects.get(pk=judge.pk).status == "active"
    assert Event.objects.count() == events


def test_adding_a_judge_is_refused_once_closed(scoring, street_staff_carol):
    competition_services.transition(competition=scoring, action="close", by=street_staff_carol)
    with pytest.raises(ActionRefused):
        competition_services.add_judge(
            competition=scoring,
            user=UserFactory(),
            role="area_chief",
            by=street_staff_carol,
            reason="替换",
        )
    assert scoring.judges.count() == 3


def test_the_same_status_twice_is_refused(scoring, street_staff_carol):
    li = seat(scoring, "李评委")
    competition_services.withdraw_judge(judge=li, reason="临时有公务", by=street_staff_carol)
    with translation.override("en"), pytest.raises(ActionRefused) as refused:
        competition_services.withdraw_judge(judge=li, reason="again", by=street_staff_carol)
    assert str(refused.value) == "李评委 is already withdrawn from the panel."
    with translation.override("en"), pytest.raises(ActionRefused) as refused:
        competition_services.reinstate_judge(
            judge=seat(scoring, "张评委"), reason="?", by=street_staff_carol
        )
    assert str(refused.value) == "张评委 is already on the panel."
    assert Judge.objects.get(pk=li.pk).status_reason == "临时有公务"


def test_counting_judges_are_the_active_non_observers(scoring, street_staff_carol):
    zhang, li, wang = (seat(scoring, n) for n in ("张评委", "李评委", "王评委"))
    observer = competition_services.add_judge(
        competition=scoring,
        user=UserFactory(),
        role="observer",
        by=street_staff_carol,
        reason="列席",
    )
    competition_services.withdraw_judge(judge=li, reason="临时有公务", by=street_staff_carol)
    competition_services.mark_judge_absent(judge=wang, reason="未到场", by=street_staff_carol)

    assert list(scoring.judges.counting()) == [zhang]
    assert set(scoring.judges.active()) == {zhang, observer}
    assert list(Judge.objects.filter(competition=scoring).counting()) == [zhang]


def test_new_cards_are_issued_only_to_active_judges(scoring, street_staff_carol):
    li = seat(scoring, "李评委")
    competition_services.withdraw_judge(judge=li, reason="临时有公务", by=street_staff_carol)

    issued = competition_services.issue_cards(competition=scoring, by=street_staff_carol)

    assert {j.display_name for j, _token in issued} == {"张评委", "王评委"}
    assert not SignInCard.objects.filter(judge=li).exists()


def test_a_card_no_longer_signs_in_a_judge_who_left_the_panel(scoring, street_staff_carol):
    issued = {
        j.display_name: token
        for j, token in competition_services.issue_cards(competition=scoring, by=street_staff_carol)
    }
    wang = seat(scoring, "王评委")
    competition_services.mark_judge_absent(judge=wang, reason="未到场", by=street_staff_carol)
    # Even a card not revoked (say, restored from a backup) no longer signs them in.
    SignInCard.objects.filter(judge=wang).update(revoked_at=None)

    assert competition_services.find_card(issued["王评委"]) is None
    assert competition_services.redeem_card(token=issued["王评委"]) is None
    assert competition_services.find_card(issued["张评委"]) is not None


def test_the_database_refuses_a_judge_out_of_the_panel_without_when_and_why(scoring):
    judge = scoring.judges.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Judge.objects.filter(pk=judge.pk).update(status="withdrawn")
    with pytest.raises(IntegrityError), transaction.atomic():
        Judge.objects.filter(pk=judge.pk).update(status="gone")
    assert Judge.objects.get(pk=judge.pk).status == "active"
