"""Problems raised on site, followed up by street staff."""

import datetime as dt

import pytest
from django.urls import reverse

from competition.models import Problem
from scoring.sheets.services import save_sheet
from tests.competition_setup import competition_in_scoring, full_points
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def raised(street_staff_carol):
    judge = UserFactory(first_name="王建华")
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol, judges=[judge]
    )
    seat = competition.judges.get()
    first, second = competition.contestants.order_by("order")[:2]
    save_sheet(
        judge=seat,
        contestant=first,
        points=full_points(competition),
        version=1,
        submit=True,
        problems=["村集体收入增长慢", "账目公开不及时"],
        by=judge,
    )
    save_sheet(
        judge=seat,
        contestant=second,
        points=full_points(competition),
        version=1,
        submit=True,
        problems=["道路破损"],
        by=judge,
    )
    return competition


def texts(response) -> list[str]:
    return sorted(p.text for p in response.context["problems"])


def test_problem_list_filters_by_status_overdue_and_text(client, street_staff_carol, raised):
    Problem.objects.filter(text="道路破损").update(status="in_progress", due=dt.date(2020, 1, 1))
    client.force_login(street_staff_carol)
    url = reverse("competition:problems")
    assert texts(client.get(url)) == ["村集体收入增长慢", "账目公开不及时", "道路破损"]
    assert texts(client.get(url, {"status": "open"})) == ["村集体收入增长慢", "账目公开不及时"]
    assert texts(client.get(url, {"overdue": "on"})) == ["道路破损"]
    assert texts(client.get(url, {"q": "账目"})) == ["账目公开不及时"]


def test_street_staff_see_only_their_streets_problems(client, raised, other_street):
    from tests.factories import MembershipFactory

    stranger = MembershipFactory(role="street_staff", street=other_street).user
    client.force_login(stranger)
    assert texts(client.get(reverse("competition:problems"))) == []
    problem = Problem.objects.first()
    assert client.get(reverse("competition:problem", args=[problem.pk])).status_code == 404


def test_district_staff_see_the_whole_district(client, raised, district_dan):
    client.force_login(district_dan)
    assert len(texts(client.get(reverse("competition:problems")))) == 3


def test_following_up_a_problem_records_owner_due_and_resolution(
    client, street_staff_carol, raised
):
    problem = Problem.objects.get(text="道路破损")
    client.force_login(street_staff_carol)
    url = reverse("competition:problem", args=[problem.pk])
    refused = client.post(
        url,
        {"status": "resolved", "owner": "村委会", "due": "2027-01-31", "resolution": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Describe how the problem was resolved." in refused.content.decode()
    problem.refresh_from_db()
    assert problem.status == "open"

    client.post(
        url,
        {
            "status": "resolved",
            "owner": "村委会",
            "due": "2027-01-31",
            "resolution": "已修复 300 米",
        },
    )
    problem.refresh_from_db()
    assert (problem.status, problem.owner, problem.due, problem.resolution) == (
        "resolved",
        "村委会",
        dt.date(2027, 1, 31),
        "已修复 300 米",
    )


def test_problems_filter_by_competition_and_owner(client, street_staff_carol, raised):
    Problem.objects.filter(text="道路破损").update(owner="王村长")
    client.force_login(street_staff_carol)
    url = reverse("competition:problems")
    assert texts(client.get(url, {"owner": "王"})) == ["道路破损"]
    assert len(texts(client.get(url, {"competition": raised.pk}))) == 3


def test_bulk_status_change_and_closure_rate(client, street_staff_carol, raised):
    client.force_login(street_staff_carol)
    ids = list(Problem.objects.values_list("pk", flat=True))
    client.post(reverse("competition:problems_bulk"), {"problem": ids, "status": "in_progress"})
    assert set(Problem.objects.values_list("status", flat=True)) == {"in_progress"}

    # Resolving needs each problem's resolution: refused whole while one has none.
    Problem.objects.filter(pk=ids[0]).update(resolution="已处理")
    response = client.post(
        reverse("competition:problems_bulk"),
        {"problem": ids, "status": "resolved"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "resolved one by one" in response.content.decode()
    assert not Problem.objects.filter(status="resolved").exists()
    client.post(reverse("competition:problems_bulk"), {"problem": ids[:1], "status": "resolved"})
    closure = client.get(reverse("competition:problems")).context["closure"]
    assert closure == [{"street": raised.street.name, "raised": 3, "resolved": 1, "rate": 33}]


def test_bulk_change_ignores_problems_of_other_streets(client, raised, other_street):
    from tests.factories import MembershipFactory

    stranger = MembershipFactory(role="street_staff", street=other_street).user
    client.force_login(stranger)
    ids = list(Problem.objects.values_list("pk", flat=True))
    response = client.post(
        reverse("competition:problems_bulk"), {"problem": ids, "status": "resolved"}
    )
    assert response.status_code == 404
    assert set(Problem.objects.values_list("status", flat=True)) == {"open"}


def test_open_problems_are_carried_over_to_the_villages_next_competition(
    client, street_staff_carol, raised
):
    from competition import services as competition_services
    from scoring.setup.services import create_competition
    from tests.competition_setup import default_scheme

    Problem.objects.filter(text="账目公开不及时").update(status="resolved", resolution="已公开")
    next_one = create_competition(
        street=raised.street,
        year=2027,
        quarter=1,
        scheme=default_scheme(),
        optional_codes=[],
        by=street_staff_carol,
    )
    competition_services.add_current_secretaries(competition=next_one, by=street_staff_carol)
    first = next_one.contestants.get(village=raised.contestants.order_by("order").first().village)
    judge = UserFactory(first_name="新评委")
    seat = competition_services.add_judge(
        competition=next_one, user=judge, role="area_chief", by=street_staff_carol
    )
    competition_services.set_order(
        competition=next_one,
        order={c.pk: n for n, c in enumerate(next_one.contestants.order_by("pk"), 1)},
        by=street_staff_carol,
    )
    from scoring.setup.services import open_scoring

    open_scoring(competition=next_one, by=street_staff_carol)
    client.force_login(judge)
    page = client.get(
        reverse("scoring:sheet", args=[next_one.pk, first.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Carried over from 2026 Q4: 村集体收入增长慢" in page
    assert "账目公开不及时" not in page  # resolved
    assert seat.competition_id == next_one.pk

    competition_services.transition(competition=next_one, action="close", by=street_staff_carol)
    client.force_login(street_staff_carol)
    rows = client.get(reverse("scoring:results", args=[next_one.pk])).context["rows"]
    assert {r["village"]: r["carried"] for r in rows}[first.village.name] == 1


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)"]
)
def test_bulk_change_returns_only_to_a_path_of_this_site(
    client, street_staff_carol, raised, target
):
    client.force_login(street_staff_carol)
    ids = list(Problem.objects.values_list("pk", flat=True))
    response = client.post(
        reverse("competition:problems_bulk"),
        {"problem": ids, "status": "in_progress", "next": target},
    )
    assert response.url == reverse("competition:problems")
    assert set(Problem.objects.values_list("status", flat=True)) == {"in_progress"}


def test_bulk_change_returns_to_the_filtered_list_it_came_from(client, street_staff_carol, raised):
    client.force_login(street_staff_carol)
    back = reverse("competition:problems") + "?status=open&q=%E9%81%93"
    response = client.post(
        reverse("competition:problems_bulk"),
        {"problem": [Problem.objects.first().pk], "status": "in_progress", "next": back},
    )
    assert response.url == back


def test_problem_filters_start_on_all(client, street_staff_carol, raised):
    client.force_login(street_staff_carol)
    html = client.get(reverse("competition:problems")).content.decode()
    for name in ("status", "street", "competition"):
        select = html.split(f'name="{name}"')[1].split("</select>")[0]
        first = select.split("<option")[1]
        assert 'value=""' in first and "全部" in first, first
    assert "---------" not in html


def test_resolving_a_problem_records_when_and_reopening_clears_it(street_staff_carol, raised):
    from competition.services import bulk_set_status, update_problem

    problem = Problem.objects.order_by("pk").first()
    resolved = update_problem(
        problem=problem,
        status="resolved",
        owner="",
        due=None,
        resolution="已处理",
        by=street_staff_carol,
    )
    assert resolved.resolved_at is not None
    when = resolved.resolved_at

    # Resolved again with the others: it keeps its time; the others get theirs.
    Problem.objects.update(resolution="已处理")
    bulk_set_status(problems=list(Problem.objects.all()), status="resolved", by=street_staff_carol)
    assert Problem.objects.get(pk=problem.pk).resolved_at == when
    assert not Problem.objects.filter(resolved_at=None).exists()

    reopened = update_problem(
        problem=problem,
        status="in_progress",
        owner="",
        due=None,
        resolution="已处理",
        by=street_staff_carol,
    )
    assert reopened.resolved_at is None
    bulk_set_status(problems=list(Problem.objects.all()), status="open", by=street_staff_carol)
    assert not Problem.objects.exclude(resolved_at=None).exists()
