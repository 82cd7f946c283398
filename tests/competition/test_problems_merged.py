"""The same problem raised by several judges about one village is one problem, its judges
counted."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from competition.models import Problem, problem_key
from scoring.sheets.services import save_sheet
from tests.competition_setup import competition_in_scoring, full_points
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel(street_staff_carol):
    judges = [UserFactory(first_name=name) for name in ("王建华", "李明", "赵强")]
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol, judges=judges
    )
    return competition, list(competition.judges.order_by("pk"))


def raise_(competition, seat, contestant, problems, version=1):
    save_sheet(
        judge=seat,
        contestant=contestant,
        points=full_points(competition),
        version=version,
        submit=False,
        problems=problems,
        by=seat.user,
    )


def test_three_judges_raising_the_same_text_make_one_problem(client, street_staff_carol, panel):
    competition, seats = panel
    first, second = competition.contestants.order_by("order")[:2]
    # The same text once trimmed and its spaces (full-width too) collapsed.
    for seat, text in zip(seats, ["道路 破损", "  道路   破损 ", "道路\u3000破损"], strict=True):
        raise_(competition, seat, first, [text, f"{seat.display_name}的意见"])
    raise_(competition, seats[0], second, ["道路 破损"])  # another village: another problem

    same = Problem.objects.get(contestant=first, text="道路 破损")
    assert sorted(j.pk for j in same.raisers.all()) == [s.pk for s in seats]
    assert Problem.objects.filter(contestant=first).count() == 4
    assert Problem.objects.filter(contestant=second).get().raisers.get() == seats[0]

    client.force_login(street_staff_carol)
    response = client.get(reverse("competition:problems"))
    rows = [p for p in response.context["problems"] if p.text == "道路 破损"]
    assert sorted((p.village_id, p.raised) for p in rows) == sorted(
        [(first.village_id, 3), (second.village_id, 1)]
    )
    html = response.content.decode()
    assert html.count("3 位评委提出") == 1
    assert "1 位评委提出" not in html  # one judge: nothing to count
    assert client.get(reverse("competition:problems")).context["closure"][0]["raised"] == 5
    page = client.get(reverse("competition:problem", args=[same.pk])).content.decode()
    assert all(name in page for name in ("王建华", "李明", "赵强"))


def test_a_judge_taking_a_line_out_leaves_the_others_problem(panel):
    competition, (one, two, three) = panel
    first = competition.contestants.order_by("order").first()
    raise_(competition, one, first, ["账目不清"])
    raise_(competition, two, first, ["账目不清"])

    raise_(competition, one, first, [], version=2)
    problem = Problem.objects.get()
    assert list(problem.raisers.all()) == [two]

    raise_(competition, two, first, [], version=2)  # nobody raises it any more
    assert not Problem.objects.exists()

    # Taken up by staff, it stays, and so do its judges.
    raise_(competition, three, first, ["饮水困难"])
    Problem.objects.update(owner="村委会")
    raise_(competition, three, first, [], version=2)
    assert list(Problem.objects.get().raisers.all()) == [three]


def test_bulk_status_changes_a_merged_problem_once(client, street_staff_carol, panel):
    competition, seats = panel
    first = competition.contestants.order_by("order").first()
    for seat in seats:
        raise_(competition, seat, first, ["路灯损坏"])
    client.force_login(street_staff_carol)
    [problem] = Problem.objects.all()
    response = client.post(
        reverse("competition:problems_bulk"),
        {"problem": [problem.pk], "status": "in_progress"},
        follow=True,
    )
    assert Problem.objects.get().status == "in_progress"
    assert "已更新 1 个问题。" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_migration_merges_problems_raised_before(panel, street_staff_carol):
    competition, (one, two, three) = panel
    first, second = competition.contestants.order_by("order")[:2]
    executor = MigrationExecutor(connection)
    executor.migrate([("competition", "0004_judge_status")])
    old = executor.loader.project_state([("competition", "0004_judge_status")]).apps
    OldProblem = old.get_model("competition", "Problem")

    def made(contestant, judge, text, **fields):
        return OldProblem.objects.create(
            competition_id=competition.pk,
            contestant_id=contestant.pk,
            village_id=contestant.village_id,
            raised_by_id=judge.pk,
            text=text,
            **fields,
        ).pk

    made(first, one, "道路破损")
    taken_up = made(first, two, "道路  破损", status="in_progress", owner="村委会")
    made(first, three, " 道路破损", due="2027-01-31")
    made(first, three, "道路 破损")
    made(second, one, "道路破损")  # another village

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    # 0006 made the texts the same once trimmed and their spaces collapsed one problem; 0012,
    # the texts the same but for spaces beside Chinese: all four are one.
    merged = Problem.objects.get(contestant=first)
    assert merged.pk == taken_up
    assert (merged.text, merged.text_key, merged.status, merged.owner) == (
        "道路 破损",
        problem_key("道路破损"),
        "in_progress",
        "村委会",
    )
    assert merged.due.isoformat() == "2027-01-31"  # filled from the one merged into it
    assert sorted(j.pk for j in merged.raisers.all()) == sorted([one.pk, two.pk, three.pk])
    assert Problem.objects.filter(contestant=second).get().raisers.get().pk == one.pk
    assert Problem.objects.count() == 2


def test_spaces_beside_chinese_do_not_make_another_problem(panel):
    competition, (one, two, three) = panel
    first = competition.contestants.order_by("order").first()
    raise_(competition, one, first, ["村内道路硬化进度慢"])
    raise_(competition, two, first, ["村内道路硬化进度慢"])
    raise_(competition, three, first, ["  村内道路硬化   进度慢 "])

    problem = Problem.objects.get()
    assert problem.text == "村内道路硬化进度慢"  # as the first judge wrote it
    assert sorted(j.pk for j in problem.raisers.all()) == sorted([one.pk, two.pk, three.pk])
    # Between words of other languages a space still means something.
    assert problem_key("no street lights") != problem_key("nostreet lights")
    assert problem_key("路灯 LED 损坏") == problem_key("路灯LED损坏")


@pytest.mark.parametrize("size", [2, 8])
def test_the_problem_list_makes_a_fixed_number_of_queries(
    client, street_staff_carol, panel, size, django_assert_num_queries
):
    competition, seats = panel
    first = competition.contestants.order_by("order").first()
    for seat in seats:
        raise_(competition, seat, first, [f"问题{n}" for n in range(size)])
    client.force_login(street_staff_carol)
    # session, user with their role, the closure by street, the streets to filter by, the
    # competitions to filter by, the problems with their raisers counted
    with django_assert_num_queries(6):
        response = client.get(reverse("competition:problems"))
    assert [p.raised for p in response.context["problems"]] == [3] * size
