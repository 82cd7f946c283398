"""The judge's pages over HTTP: the JSON reply the outbox reads, the plain form, query counts."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from competition import services as competition_services
from scoring.models import ScoreSheet
from scoring.sheets.services import save_sheet
from tests.competition_setup import competition_in_scoring, full_points
from tests.factories import StreetFactory, UserFactory

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def judge_alice(db):
    return UserFactory(username="alice_judge", first_name="王建华")


@pytest.fixture
def competition(street_staff_carol, judge_alice):
    return competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol, judges=[judge_alice]
    )


def sheet_url(competition, contestant):
    return reverse("scoring:sheet", args=[competition.pk, contestant.pk])


def form(competition, version, action="submit", **points):
    data = {f"p-{k}": v for k, v in (full_points(competition) | points).items()}
    return data | {"version": str(version), "action": action, "comment": "好", "problems": ""}


def test_outbox_reply_says_which_version_the_server_holds(client, competition, judge_alice):
    client.force_login(judge_alice)
    contestant = competition.contestants.order_by("order").first()
    url = sheet_url(competition, contestant)

    first = client.post(url, form(competition, 1), **JSON)
    again = client.post(url, form(competition, 1), **JSON)
    newer = client.post(url, form(competition, 3, political="10"), **JSON)
    older = client.post(url, form(competition, 2, political="5"), **JSON)

    # The reply carries what the server holds: the sheet's total and percent, for the phone's
    # confirmation.
    political = full_points(competition)["political"]
    given = sum(Decimal(v) for v in full_points(competition).values())
    held = {"status": "submitted", "maximum": "110"}
    assert first.json() == held | {
        "result": "applied",
        "version": 1,
        "total": f"{given.normalize():f}",
        "percent": f"{given / 110 * 100:.2f}",
    }
    assert again.json() == first.json() | {"result": "duplicate"}
    assert newer.json()["version"] == 3
    assert older.status_code == 409
    now = given - Decimal(political) + 10
    assert older.json() == held | {
        "result": "stale",
        "version": 3,
        "total": f"{now.normalize():f}",
        "percent": f"{now / 110 * 100:.2f}",
    }
    sheet = ScoreSheet.objects.get()
    assert sheet.scores.get(criterion__code="political").points == 10
    assert sheet.revisions.count() == 2


def test_outbox_reply_lists_bad_points(client, competition, judge_alice):
    client.force_login(judge_alice)
    contestant = competition.contestants.order_by("order").first()
    response = client.post(
        sheet_url(competition, contestant),
        form(competition, 1, political="25"),
        HTTP_ACCEPT_LANGUAGE="en",
        **JSON,
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"political": "At most 20 points."}
    assert not ScoreSheet.objects.exists()


def test_plain_form_submit_moves_on_to_the_next_contestant(client, competition, judge_alice):
    client.force_login(judge_alice)
    first, second = competition.contestants.order_by("order")[:2]
    response = client.post(sheet_url(competition, first), form(competition, 1))
    assert response.url == sheet_url(competition, second)
    assert ScoreSheet.objects.get().status == "submitted"


def test_plain_form_with_errors_shows_them_and_keeps_the_typing(client, competition, judge_alice):
    client.force_login(judge_alice)
    contestant = competition.contestants.order_by("order").first()
    response = client.post(
        sheet_url(competition, contestant),
        form(competition, 1, political="abc"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter a number." in page
    assert 'value="abc"' in page
    assert not ScoreSheet.objects.exists()


def test_a_stale_plain_form_says_so_and_changes_nothing(client, competition, judge_alice):
    client.force_login(judge_alice)
    contestant = competition.contestants.order_by("order").first()
    client.post(sheet_url(competition, contestant), form(competition, 2, political="15"))
    client.post(
        sheet_url(competition, contestant),
        form(competition, 1, political="5"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    page = client.get(sheet_url(competition, contestant), HTTP_ACCEPT_LANGUAGE="en")
    assert "A newer version of this sheet is already saved." in page.content.decode()
    assert ScoreSheet.objects.get().scores.get(criterion__code="political").points == 15


def test_sheet_page_shows_criteria_with_maximum_and_guidance(client, competition, judge_alice):
    client.force_login(judge_alice)
    contestant = competition.contestants.order_by("order").first()
    page = client.get(sheet_url(competition, contestant)).content.decode()
    assert contestant.secretary.name in page
    assert contestant.village.name in page
    assert 'inputmode="decimal"' in page and 'data-max="20"' in page
    assert "坚定理想信念" in page  # guidance
    assert "/ 110" in page


def test_a_judge_never_sees_another_judges_sheet(
    client, competition, judge_alice, street_staff_carol
):
    judge_bob = UserFactory(username="bob_judge")
    competition_services.add_judge(
        competition=competition,
        user=judge_bob,
        role="area_chief",
        by=street_staff_carol,
        reason="补充评委",  # during scoring a reason is needed (issue 13, item 9)
    )
    contestant = competition.contestants.order_by("order").first()
    save_sheet(
        judge=competition.judges.get(user=judge_bob),
        contestant=contestant,
        points=full_points(competition, 0.55),
        comment="鲍勃的秘密点评",
        version=1,
        submit=True,
        by=judge_bob,
    )
    client.force_login(judge_alice)
    page = client.get(sheet_url(competition, contestant)).content.decode()
    contestants = client.get(reverse("scoring:contestants", args=[competition.pk]))
    assert "鲍勃的秘密点评" not in page
    assert 'value="11' not in page  # Bob's 11.0 on the 20-point items
    assert "not started" in contestants.content.decode() or "未开始" in contestants.content.decode()


@pytest.mark.parametrize("size", [3, 12])
def test_contestant_list_makes_a_fixed_number_of_queries(
    client, street_staff_carol, judge_alice, size
):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street,
        staff=street_staff_carol,
        contestants=size,
        judges=[judge_alice],
    )
    seat = competition.judges.get()
    for contestant in competition.contestants.all()[:2]:
        save_sheet(
            judge=seat,
            contestant=contestant,
            points=full_points(competition),
            version=1,
            submit=True,
            by=judge_alice,
        )
    client.force_login(judge_alice)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("scoring:contestants", args=[competition.pk]))
    assert len(response.context["rows"]) == size
    # session, user with their role, seat with its competition, sheets with totals, recusals,
    # contestants, who is on stage (the stage's banner and mark)
    assert len(queries) == 7, [q["sql"] for q in queries]


@pytest.mark.parametrize("size", [3, 12])
def test_progress_board_makes_a_fixed_number_of_queries(client, street_staff_carol, size):
    judges = [UserFactory() for _ in range(3)]
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street,
        staff=street_staff_carol,
        contestants=size,
        judges=judges,
    )
    for seat in competition.judges.all():
        for contestant in competition.contestants.all()[:2]:
            save_sheet(
                judge=seat,
                contestant=contestant,
                points=full_points(competition),
                version=1,
                submit=True,
                by=seat.user,
            )
    client.force_login(street_staff_carol)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("scoring:board", args=[competition.pk]))
    board = response.context["board"]
    assert (board.submitted, board.expected) == (6, 3 * size)
    # session, user with their role, competition, criteria, judges, recusals, sheets,
    # contestants
    assert len(queries) == 8, [q["sql"] for q in queries]


@pytest.mark.parametrize("optional", [("governance",), ("governance", "livelihood", "reserve")])
def test_the_sheet_and_its_submit_make_a_fixed_number_of_queries(
    client, street_staff_carol, judge_alice, optional
):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street,
        staff=street_staff_carol,
        judges=[judge_alice],
        optional=optional,
        contestants=4,
    )
    second = competition.contestants.order_by("order")[1]
    client.force_login(judge_alice)
    url = sheet_url(competition, second)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    assert len(page.context["criteria"]) == 5 + len(optional)
    # session, user with their role, seat with its competition, contestant (recused from
    # them?), criteria, sheet (its scores: none yet), who speaks before and after, problems
    # carried over, who is on stage (the stage's banner)
    assert len(queries) == 9, "\n".join(q["sql"][:90] for q in queries)

    body = form(competition, 1)
    with CaptureQueriesContext(connection) as queries:
        reply = client.post(url, body, headers={"accept": "application/json"})
    assert reply.json()["result"] == "applied"
    # session, user, seat with its competition, contestant; then the save, in a savepoint of
    # the test's transaction: seat lock, competition (absent or recused?), criteria, sheet lock,
    # insert sheet, insert scores, revision, release
    assert len(queries) == 13, "\n".join(q["sql"][:90] for q in queries)

    body = form(competition, 2, political="10")
    with CaptureQueriesContext(connection) as queries:
        reply = client.post(url, body, headers={"accept": "application/json"})
    assert reply.json()["result"] == "applied" and reply.json()["version"] == 2
    # session, user, seat, contestant; savepoint, seat lock, competition (absent or recused?),
    # criteria, sheet lock, its scores, update sheet, write the changed scores, revision,
    # release
    assert len(queries) == 14, "\n".join(q["sql"][:90] for q in queries)


def test_a_signed_out_save_is_answered_in_json_and_never_redirected(client, competition):
    contestant = competition.contestants.order_by("order").first()
    url = sheet_url(competition, contestant)
    reply = client.post(url, form(competition, 1), **JSON)
    assert reply.status_code == 401
    assert reply.json() == {"result": "signed_out", "login": f"{reverse('login')}?next={url}"}
    assert not ScoreSheet.objects.exists()
    # A person's page request still goes to the sign-in page.
    assert client.get(url).url == f"{reverse('login')}?next={url}"


def test_a_save_with_a_stale_security_token_is_answered_in_json(competition, judge_alice):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(judge_alice)
    contestant = competition.contestants.order_by("order").first()
    reply = client.post(sheet_url(competition, contestant), form(competition, 1), **JSON)
    assert reply.status_code == 403
    assert reply.json() == {"result": "csrf"}
    page = client.post(sheet_url(competition, contestant), form(competition, 1))
    assert page.status_code == 403
    assert "表单已过期" in page.content.decode()
    assert not ScoreSheet.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_save_while_the_database_is_down_is_answered_503_in_json(competition, judge_alice):
    if connection.vendor != "postgresql":
        pytest.skip("an in-memory SQLite test database cannot be taken down")
    from django.test import Client

    client = Client()
    client.force_login(judge_alice)
    contestant = competition.contestants.order_by("order").first()
    url = sheet_url(competition, contestant)
    body = form(competition, 1)
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"  # nothing listens there: the database is "down"
    try:
        reply = client.post(url, body, **JSON)
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert reply.status_code == 503
    assert reply.json() == {"result": "unavailable"}
    assert not ScoreSheet.objects.exists()


def test_the_judges_home_lists_their_panels_with_the_counts_their_list_shows(
    client, competition, judge_alice, street_staff_carol
):
    first, second, third = competition.contestants.order_by("order")
    seat = competition.judges.get()
    seat.recusals.add(second)
    competition_services.set_absent(contestant=third, absent=True, by=street_staff_carol)
    save_sheet(
        judge=seat,
        contestant=first,
        points=full_points(competition),
        version=1,
        submit=True,
        by=judge_alice,
    )
    client.force_login(judge_alice)
    home = client.get(reverse("home")).content.decode()
    mine = client.get(reverse("scoring:judge")).content.decode()
    listed = client.get(reverse("scoring:contestants", args=[competition.pk]))
    assert competition.title in home
    # One contestant to score (one recused, one absent), and that one submitted: 1 of 1.
    assert (listed.context["done"], listed.context["total"]) == (1, 1)
    assert "已提交 1 / 1" in home and "已提交 1 / 1" in mine
    assert "已提交 1 / 1" in listed.content.decode()


def test_a_sheet_the_judge_does_not_score_opens_without_a_form(
    client, competition, judge_alice, street_staff_carol
):
    first, second, third = competition.contestants.order_by("order")
    competition.judges.get().recusals.add(second)
    competition_services.set_absent(contestant=third, absent=True, by=street_staff_carol)
    client.force_login(judge_alice)
    recused = client.get(sheet_url(competition, second)).content.decode()
    absent = client.get(sheet_url(competition, third)).content.decode()
    scored = client.get(sheet_url(competition, first)).content.decode()
    assert 'id="not-scored"' in recused and "您已回避" in recused and 'id="sheet"' not in recused
    assert 'id="not-scored"' in absent and "缺席" in absent and 'id="sheet"' not in absent
    assert 'id="sheet"' in scored and 'id="not-scored"' not in scored


def test_a_sheet_typed_under_another_judges_sign_in_is_not_saved_as_mine(
    client, competition, judge_alice
):
    contestant = competition.contestants.order_by("order").first()
    client.force_login(judge_alice)
    mine = competition.judges.get()
    reply = client.post(
        sheet_url(competition, contestant), form(competition, 1) | {"seat": mine.pk + 1}, **JSON
    )
    assert reply.status_code == 403
    assert reply.json() == {"result": "not_yours"}
    assert not ScoreSheet.objects.exists()
    ok = client.post(
        sheet_url(competition, contestant), form(competition, 1) | {"seat": mine.pk}, **JSON
    )
    assert ok.json()["result"] == "applied"


def test_a_sheet_not_on_the_judges_panel_is_refused_in_json_not_a_page(
    client, competition, judge_alice, street_staff_carol
):
    street = street_staff_carol.membership.street
    other = competition_in_scoring(
        street=StreetFactory(district=street.district), staff=street_staff_carol
    )
    client.force_login(judge_alice)
    contestant = other.contestants.order_by("order").first()
    reply = client.post(sheet_url(other, contestant), form(other, 1), **JSON)
    assert reply.status_code == 404
    assert reply.json()["result"] == "refused"
    assert "未保存" in reply.json()["errors"]["refused"]
    assert not ScoreSheet.objects.exists()
    # A person's page request still gets the 404 page.
    assert "找不到这个页面" in client.get(sheet_url(other, contestant)).content.decode()
