"""The judge consistency report: Kendall's W, each judge against the panel, and its page."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from competition.models import Competition
from scoring.models import Score, ScoreSheet
from scoring.reports.consistency import consistency, kendalls_w
from scoring.results.services import publish_competition
from tests.competition_setup import competition_in_scoring
from tests.factories import UserFactory


def document(*contestants: tuple[str | None, list[tuple]]) -> dict:
    """A results document cut down to what the report reads: per contestant its panel score
    and sheets given as (judge, percent, dropped, observer)."""
    return {
        "contestants": [
            {
                "panel_score": panel,
                "sheets": [
                    {
                        "judge": judge,
                        "role": "observer" if observer else "area_chief",
                        "observer": observer,
                        "percent": percent,
                        "dropped": dropped,
                    }
                    for judge, percent, dropped, observer in sheets
                ],
            }
            for panel, sheets in contestants
        ]
    }


# ---- Kendall's W ----


def test_kendalls_w_is_one_when_every_judge_ranks_alike():
    # Different scores, same order: ranks 1, 2, 3 for everyone.
    assert kendalls_w([[70, 80, 90], [60, 75, 95], [71, 72, 73]]) == Decimal("1.00")


def test_kendalls_w_is_zero_when_two_judges_rank_in_reverse():
    # Rank sums 1+3, 2+2, 3+1 all equal the mean 4: S = 0.
    assert kendalls_w([[1, 2, 3], [3, 2, 1]]) == Decimal("0.00")


def test_kendalls_w_gives_ties_average_ranks_and_corrects_for_them():
    # Ranks: (1, 2, 3), (1, 2.5, 2.5), (1.5, 1.5, 3); sums 3.5, 6, 8.5 around a mean of 6:
    # S = 12.5. Ties: T = (2³ − 2) + (2³ − 2) = 12. W = 12·12.5 ÷ (3²·(27 − 3) − 3·12)
    # = 150 ÷ 180 = 0.8333 (without the correction it would be 150 ÷ 216 = 0.69).
    scores = [[10, 20, 30], [10, 20, 20], [10, 10, 30]]
    assert kendalls_w(scores) == Decimal("0.83")
    # A judge who ties everyone: sums 3, 4, 5, S = 2; W = 24 ÷ (4·24 − 2·24) = 0.5.
    assert kendalls_w([[1, 2, 3], [5, 5, 5]]) == Decimal("0.50")


def test_kendalls_w_uses_decimal_percents_and_only_contestants_everyone_scored():
    scores = [
        [Decimal("70.50"), Decimal("80.00"), Decimal("90.00"), None],
        [Decimal("60.00"), Decimal("61.00"), Decimal("99.00"), Decimal("10.00")],
    ]
    assert kendalls_w(scores) == Decimal("1.00")


@pytest.mark.parametrize(
    "scores",
    [
        [],
        [[1, 2, 3]],  # one judge
        [[1], [2]],  # one contestant
        [[1, 2, None], [1, None, 3]],  # one contestant scored by both
        [[5, 5], [7, 7]],  # everyone tied: nothing to agree on
    ],
)
def test_kendalls_w_is_none_without_two_judges_on_two_contestants(scores):
    assert kendalls_w(scores) is None


@given(
    st.lists(st.lists(st.integers(0, 5), min_size=4, max_size=4), min_size=2, max_size=6).filter(
        lambda rows: any(len(set(r)) > 1 for r in rows)
    ),
    st.permutations(range(4)),
)
def test_kendalls_w_lies_in_0_1_and_ignores_the_order_of_contestants(scores, order):
    w = kendalls_w(scores)
    assert Decimal(0) <= w <= Decimal(1)
    assert kendalls_w([[row[i] for i in order] for row in scores]) == w


# ---- Judges against the panel ----


def test_judge_stats_measure_each_judge_against_the_panel_score():
    stats = consistency(
        document(
            ("90.00", [("甲", "92.00", True, False), ("乙", "90.00", False, False)]),
            ("70.00", [("甲", "68.00", False, False), ("乙", "70.00", False, False)]),
        )
    ).judges
    first, second = stats
    # 甲: deviations +2 and −2: mean 0, population standard deviation 2; one sheet of two dropped.
    assert (first.judge, first.sheets, first.mean_percent) == ("甲", 2, Decimal("80.00"))
    assert (first.mean_deviation, first.spread) == (Decimal("0.00"), Decimal("2.00"))
    assert (first.dropped, first.dropped_share) == (1, Decimal("50.00"))
    assert (second.mean_deviation, second.spread, second.dropped_share) == (
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    )
    assert not first.outlier and not second.outlier


def test_a_judge_two_standard_deviations_from_the_rest_is_flagged():
    # Six judges score exactly the panel score, 庚 scores 6 points above it: mean deviations
    # 0 ×6 and 6, μ = 6/7 = 0.86, σ = 2.10; 庚 is 5.14 > 2σ = 4.20 from μ, the others 0.86.
    # The observer (15 points under) is flagged by the 10-point limit, and does not enter μ
    # and σ: with it, σ would be 5.60 and 庚 would not stand out.
    counted = ["甲", "乙", "丙", "丁", "戊", "己"]
    rows = [
        (
            panel,
            [(j, panel, False, False) for j in counted]
            + [("庚", f"{Decimal(panel) + 6:.2f}", False, False)]
            + [("观察员", f"{Decimal(panel) - 15:.2f}", False, True)],
        )
        for panel in ("80.00", "70.00")
    ]
    stats = {s.judge: s for s in consistency(document(*rows)).judges}
    assert stats["庚"].mean_deviation == Decimal("6.00")
    assert stats["庚"].outlier
    assert stats["观察员"].observer and stats["观察员"].outlier
    assert not any(stats[j].outlier for j in counted)


def test_a_judge_more_than_ten_points_from_the_panel_is_flagged_on_a_small_panel():
    # Deviations +12, −6, −6: μ = 0, σ = √72 = 8.49, so 2σ flags no one; 12 > 10 flags 甲.
    stats = consistency(
        document(
            (
                "80.00",
                [
                    ("甲", "92.00", False, False),
                    ("乙", "74.00", False, False),
                    ("丙", "74.00", False, False),
                ],
            )
        )
    ).judges
    assert [(s.judge, s.mean_deviation, s.outlier) for s in stats] == [
        ("甲", Decimal("12.00"), True),
        ("乙", Decimal("-6.00"), False),
        ("丙", Decimal("-6.00"), False),
    ]


def test_a_contestant_without_a_panel_score_counts_for_sheets_but_not_deviations():
    stats = consistency(document((None, [("观察员", "50.00", False, True)]))).judges
    assert [(s.sheets, s.mean_percent, s.mean_deviation, s.spread, s.outlier) for s in stats] == [
        (1, Decimal("50.00"), None, None, False)
    ]


def test_observers_are_reported_but_not_counted_in_w():
    # The two counted judges agree; the observer ranks everyone in reverse.
    report = consistency(
        document(
            (
                "90.00",
                [("甲", "90.00", False, False), ("乙", "90.00", False, False)]
                + [("观察员", "60.00", False, True)],
            ),
            (
                "80.00",
                [("甲", "80.00", False, False), ("乙", "80.00", False, False)]
                + [("观察员", "70.00", False, True)],
            ),
            (
                "70.00",
                [("甲", "70.00", False, False), ("乙", "70.00", False, False)]
                + [("观察员", "80.00", False, True)],
            ),
        )
    )
    assert (report.w, report.w_judges, report.w_contestants) == (Decimal("1.00"), 2, 3)
    assert [s.judge for s in report.judges] == ["甲", "乙", "观察员"]


# ---- The page ----

# The page, on the `closed` competition of tests/scoring/test_results.py: panel scores 90, 70,
# 90 from five counted judges and an observer.


@pytest.mark.django_db
def test_report_is_for_street_staff_from_close_and_district_staff_after_publication(
    client, closed, street_staff_carol, district_dan
):
    url = reverse("scoring:consistency", args=[closed.pk])
    judge = closed.judges.first().user
    client.force_login(judge)
    assert client.get(url).status_code == 404
    client.force_login(district_dan)
    assert client.get(url).status_code == 404

    client.force_login(street_staff_carol)
    response = client.get(url)
    page = response.content.decode()
    # Every counted judge ranks contestants 1 and 3 (tied) above 2: W = 1 after the tie
    # correction. 评委2 gives 100, 80, 100: +10 each time (not over 10), all three dropped.
    assert "W = 1.00" in page
    stats = {s.judge: s for s in response.context["report"].judges}
    assert [(s.mean_deviation, s.spread, s.dropped, s.outlier) for s in stats.values()] == [
        (Decimal("0.00"), Decimal("0.00"), 0, False),
        (Decimal("5.00"), Decimal("0.00"), 0, False),
        (Decimal("10.00"), Decimal("0.00"), 3, False),
        (Decimal("-5.00"), Decimal("0.00"), 0, False),
        (Decimal("-10.00"), Decimal("0.00"), 3, False),
        (Decimal("-43.33"), Decimal("51.85"), 0, True),  # the observer: 10, 100, 10
    ]
    assert "3 / 3 (100.00 %)" in page and "-43.33" in page and "51.85" in page
    assert page.count("明显偏离</span>") == 1  # the observer, 43 points under the panel
    assert url in client.get(reverse("scoring:results", args=[closed.pk])).content.decode()

    publish_competition(competition=closed, by=street_staff_carol)
    client.force_login(judge)
    assert client.get(url).status_code == 404
    client.force_login(district_dan)
    response = client.get(url)
    assert "W = 1.00" in response.content.decode()
    assert response.context["report"].judges[4].dropped_share == Decimal("100.00")


def bulk_scored(street, staff, size: int) -> Competition:
    """A closed competition with `size` contestants each scored by three judges, written in
    bulk so that the larger size stays quick."""
    competition = competition_in_scoring(
        street=street, staff=staff, contestants=size, judges=[UserFactory() for _ in range(3)]
    )
    criteria = list(competition.criteria.all())
    ScoreSheet.objects.bulk_create(
        ScoreSheet(
            contestant=c,
            judge=j,
            status="submitted",
            version=1,
            submitted_at=competition.created_at,
        )
        for c in competition.contestants.all()
        for j in competition.judges.all()
    )
    Score.objects.bulk_create(
        Score(sheet=sheet, criterion=criterion, points=(sheet.pk % 20) / 2 + 5)
        for sheet in ScoreSheet.objects.filter(judge__competition=competition)
        for criterion in criteria
    )
    Competition.objects.filter(pk=competition.pk).update(status="closed")
    return competition


@pytest.mark.django_db
@pytest.mark.parametrize("size", [5, 50])
def test_report_makes_a_fixed_number_of_queries(client, street_staff_carol, size):
    competition = bulk_scored(street_staff_carol.membership.street, street_staff_carol, size)
    client.force_login(street_staff_carol)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("scoring:consistency", args=[competition.pk]))
    assert [s.sheets for s in response.context["report"].judges] == [size] * 3
    # session, user with their role, competition, publication, policy, criteria, judges, sheets,
    # scores, online ballots, paper tallies, overrides, contestants
    assert len(queries) == 13, [q["sql"][:80] for q in queries]
