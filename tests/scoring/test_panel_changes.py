"""A judge withdrawn or marked absent during scoring: their sheets stay but count nowhere, they
cannot score any more, the board says so, and staff change the panel from the setup page."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from competition import services as competition_services
from competition.models import Event, Judge
from competition.services import ActionRefused
from scoring.models import ScoreSheet, SheetRevision
from scoring.results import document as results
from scoring.results import queries
from scoring.sheets.services import save_sheet
from tests.competition_setup import competition_in_scoring, full_points
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Percent of the maximum each judge gives the first contestant (five items of 20 points).
# Five sheets: 100 and 80 are dropped, the panel score is 90.00. Without the 100 there are four
# sheets, and their plain mean is 87.50.
PERCENTS = [90, 95, 100, 85, 80]


def points_for(competition, percent) -> dict[str, str]:
    return {c.code: str(Decimal(percent) / 5) for c in competition.criteria.all()}


@pytest.fixture
def scored(street_staff_carol):
    """In scoring; five judges have submitted their sheets for the first contestant."""
    judges = [UserFactory(username=f"judge{i}", first_name=f"评委{i}") for i in range(5)]
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street,
        staff=street_staff_carol,
        judges=judges,
        optional=(),
    )
    first = competition.contestants.order_by("order").first()
    for seat, percent in zip(competition.judges.order_by("pk"), PERCENTS, strict=True):
        save_sheet(
            judge=seat,
            contestant=first,
            points=points_for(competition, percent),
            version=1,
            submit=True,
            by=seat.user,
        )
    return competition


def seat(competition, username: str) -> Judge:
    return competition.judges.select_related("user").get(user__username=username)


def first_row(competition) -> dict:
    [row] = [r for r in results.build_document(competition)["contestants"] if r["order"] == 1]
    return row


def test_a_withdrawn_judges_sheet_stays_but_no_longer_counts_in_the_results(
    scored, street_staff_carol
):
    assert first_row(scored)["panel_score"] == "90.00"
    judge2 = seat(scored, "judge2")
    sheet = ScoreSheet.objects.get(judge=judge2)

    competition_services.withdraw_judge(
        judge=judge2, reason="与参赛书记系亲属", by=street_staff_carol
    )
    competition_services.transition(competition=scored, action="close", by=street_staff_carol)

    row = first_row(scored)
    assert row["panel_score"] == "87.50"
    assert sorted(s["judge"] for s in row["sheets"]) == ["评委0", "评委1", "评委3", "评委4"]
    assert not any(s["dropped"] for s in row["sheets"])  # four sheets: the plain mean
    # Kept, as it was: in the database and in its history.
    assert ScoreSheet.objects.get(pk=sheet.pk).status == "submitted"
    assert SheetRevision.objects.filter(sheet=sheet).count() == 1


def test_a_judge_back_on_the_panel_counts_again(scored, street_staff_carol):
    judge2 = seat(scored, "judge2")
    competition_services.mark_judge_absent(judge=judge2, reason="未到场", by=street_staff_carol)
    assert first_row(scored)["panel_score"] == "87.50"

    competition_services.reinstate_judge(judge=judge2, reason="误标缺席", by=street_staff_carol)

    assert first_row(scored)["panel_score"] == "90.00"


def test_an_absent_judges_sheets_do_not_count_either(scored, street_staff_carol):
    competition_services.mark_judge_absent(
        judge=seat(scored, "judge0"), reason="未到场", by=street_staff_carol
    )
    # 95, 100, 85, 80: four sheets, mean 90.00; what changed is who counts.
    row = first_row(scored)
    assert sorted(s["judge"] for s in row["sheets"]) == ["评委1", "评委2", "评委3", "评委4"]
    assert row["panel_score"] == "90.00"
    assert not any(s["dropped"] for s in row["sheets"])


def test_the_history_of_a_withdrawn_judges_sheet_is_still_shown(client, scored, street_staff_carol):
    judge2 = seat(scored, "judge2")
    sheet = ScoreSheet.objects.get(judge=judge2)
    competition_services.withdraw_judge(judge=judge2, reason="临时有公务", by=street_staff_carol)
    client.force_login(street_staff_carol)

    page = client.get(reverse("scoring:history", args=[scored.pk, sheet.pk]))

    shown = [revision for revision, _before, _after in page.context["revisions"]]
    assert shown == list(sheet.revisions.all())
    assert "评委2" in page.content.decode()


@pytest.mark.parametrize("change", ["withdraw", "absent"])
def test_a_judge_off_the_panel_cannot_save_or_submit(scored, street_staff_carol, change):
    judge1 = seat(scored, "judge1")
    stale = seat(scored, "judge1")  # read before the change: the save checks under the lock
    service = (
        competition_services.withdraw_judge
        if change == "withdraw"
        else competition_services.mark_judge_absent
    )
    service(judge=judge1, reason="临时有公务", by=street_staff_carol)
    second = scored.contestants.order_by("order")[1]
    first = scored.contestants.order_by("order")[0]
    before = list(ScoreSheet.objects.values_list("pk", "version", "status"))
    message = {
        "withdraw": "This judge has been withdrawn from the panel: sheets are no longer accepted.",
        "absent": "This judge is marked absent: sheets are no longer accepted.",
    }[change]

    for judge in (judge1, stale):
        for contestant, submit in ((second, False), (second, True), (first, True)):
            with translation.override("en"), pytest.raises(ActionRefused) as refused:
                save_sheet(
                    judge=judge,
                    contestant=contestant,
                    points=points_for(scored, 70),
                    version=2,
                    submit=submit,
                    by=judge.user,
                )
            assert str(refused.value) == message

    assert list(ScoreSheet.objects.values_list("pk", "version", "status")) == before
    assert SheetRevision.objects.count() == 5


def test_staff_cannot_type_in_a_paper_sheet_for_a_withdrawn_judge(
    client, scored, street_staff_carol
):
    judge1 = seat(scored, "judge1")
    competition_services.withdraw_judge(judge=judge1, reason="临时有公务", by=street_staff_carol)
    second = scored.contestants.order_by("order")[1]
    client.force_login(street_staff_carol)
    data = {f"p-{k}": v for k, v in full_points(scored).items()} | {
        "version": "1",
        "action": "submit",
    }

    response = client.post(reverse("scoring:entry", args=[scored.pk, judge1.pk, second.pk]), data)

    assert response.status_code == 400
    assert "该评委已退出评委组，不再接收其评分表。" in response.content.decode()
    assert not ScoreSheet.objects.filter(judge=judge1, contestant=second).exists()


def test_the_judge_is_told_in_their_language_and_offered_no_form(
    client, scored, street_staff_carol
):
    judge1 = seat(scored, "judge1")
    competition_services.withdraw_judge(judge=judge1, reason="临时有公务", by=street_staff_carol)
    second = scored.contestants.order_by("order")[1]
    client.force_login(judge1.user)
    told = "您已退出本场评委组，不能再评分。您的评分表仍保留，但不计入成绩。"

    listing = client.get(reverse("scoring:contestants", args=[scored.pk])).content.decode()
    sheet_page = client.get(reverse("scoring:sheet", args=[scored.pk, second.pk])).content.decode()
    mine = client.get(reverse("scoring:judge")).content.decode()

    assert told in listing
    assert reverse("scoring:sheet", args=[scored.pk, second.pk]) not in listing
    assert told in sheet_page and 'id="sheet"' not in sheet_page
    assert "已退出" in mine


def test_a_save_from_the_phone_is_refused_with_the_reason(client, scored, street_staff_carol):
    judge3 = seat(scored, "judge3")
    competition_services.mark_judge_absent(judge=judge3, reason="未到场", by=street_staff_carol)
    second = scored.contestants.order_by("order")[1]
    client.force_login(judge3.user)
    data = {f"p-{k}": v for k, v in full_points(scored).items()} | {
        "version": "1",
        "action": "submit",
    }

    reply = client.post(
        reverse("scoring:sheet", args=[scored.pk, second.pk]),
        data,
        headers={"accept": "application/json"},
    )

    assert reply.status_code == 403
    assert reply.json() == {
        "result": "refused",
        "errors": {"refused": "您在本场已被标记为缺席，不能再评分。如有误，请联系街道工作人员。"},
        "version": 0,
    }
    assert not ScoreSheet.objects.filter(judge=judge3, contestant=second).exists()


def test_the_board_shows_who_left_the_panel_and_expects_nothing_of_them(
    client, scored, street_staff_carol
):
    judge2, judge4 = seat(scored, "judge2"), seat(scored, "judge4")
    competition_services.withdraw_judge(judge=judge2, reason="临时有公务", by=street_staff_carol)
    competition_services.mark_judge_absent(judge=judge4, reason="未到场", by=street_staff_carol)

    board = queries.progress_board(scored)

    first_cells = {cell.judge_id: cell for cell in board.rows[0][1]}
    assert (first_cells[judge2.pk].status, first_cells[judge2.pk].percent) == (
        "withdrawn",
        Decimal(100),
    )
    assert first_cells[judge2.pk].sheet_id == ScoreSheet.objects.get(judge=judge2).pk
    assert [cell.status for _c, cells in board.rows[1:] for cell in cells] == [
        "none",
        "none",
        "withdrawn",
        "none",
        "absent",
    ] * 2
    # Three contestants × three judges still on the panel; three of their sheets are in.
    assert (board.submitted, board.expected) == (3, 9)

    client.force_login(street_staff_carol)
    page = client.get(reverse("scoring:board", args=[scored.pk])).content.decode()
    assert "已退出，不计分 (100.00%)" in page
    assert "缺席，不计分" in page
    assert "已提交的计分评分表：3 / 9（33%）" in page
    entry = reverse("scoring:entry", args=[scored.pk, judge2.pk, board.rows[1][0].pk])
    assert entry not in page  # no paper entry for them


def test_staff_withdraw_a_judge_from_the_setup_page_with_a_reason(
    client, scored, street_staff_carol
):
    judge1 = seat(scored, "judge1")
    client.force_login(street_staff_carol)
    url = reverse("scoring:judge_status", args=[scored.pk, judge1.pk])
    setup = client.get(reverse("scoring:setup", args=[scored.pk])).content.decode()
    assert url in setup and "退出评委组" in setup

    refused = client.post(url, {"status": "withdrawn", "reason": ""}, follow=True)
    assert "评分期间调整评委，请填写原因。" in refused.content.decode()
    assert Judge.objects.get(pk=judge1.pk).status == "active"

    done = client.post(url, {"status": "withdrawn", "reason": "临时有公务"})
    assert done.url == reverse("scoring:setup", args=[scored.pk])
    page = client.get(done.url).content.decode()
    assert "评委已退出评委组。" in page
    assert "已退出" in page and "临时有公务" in page
    assert "恢复评分资格" in page  # the way back
    assert Judge.objects.get(pk=judge1.pk).status == "withdrawn"
    assert scored.events.filter(kind=Event.Kind.JUDGE_WITHDRAWN, note="评委1 · 临时有公务").exists()

    back = client.post(url, {"status": "active", "reason": "误操作"}, follow=True)
    assert "评委已恢复评分资格。" in back.content.decode()
    assert Judge.objects.get(pk=judge1.pk).status == "active"


def test_a_panel_change_once_closed_is_refused_with_the_reason(client, scored, street_staff_carol):
    judge1 = seat(scored, "judge1")
    competition_services.transition(competition=scored, action="close", by=street_staff_carol)
    client.force_login(street_staff_carol)
    events = Event.objects.count()

    response = client.post(
        reverse("scoring:judge_status", args=[scored.pk, judge1.pk]),
        {"status": "absent", "reason": "未到场"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert "Not possible now: the competition is closed." in response.content.decode()
    assert (Judge.objects.get(pk=judge1.pk).status, Event.objects.count()) == ("active", events)


def test_staff_add_a_judge_during_scoring_only_with_a_reason(client, scored, street_staff_carol):
    client.force_login(street_staff_carol)
    url = reverse("scoring:judge_add", args=[scored.pk])
    users = type(street_staff_carol).objects.count()

    refused = client.post(url, {"name": "赵评委", "role": "area_chief"}, follow=True)

    assert "评分期间调整评委，请填写原因。" in refused.content.decode()
    assert not scored.judges.filter(user__first_name="赵评委").exists()
    assert type(street_staff_carol).objects.count() == users  # no account left behind

    client.post(url, {"name": "赵评委", "role": "area_chief", "reason": "替换缺席的评委4"})

    added = scored.judges.get(user__first_name="赵评委")
    assert added.is_active
    logged = scored.events.filter(kind="panel").latest("pk")
    assert logged.text == "加入：赵评委 · 替换缺席的评委4"
    # The newcomer scores at once.
    second = scored.contestants.order_by("order")[1]
    saved = save_sheet(
        judge=added,
        contestant=second,
        points=full_points(scored),
        version=1,
        submit=True,
        by=added.user,
    )
    assert saved.applied
