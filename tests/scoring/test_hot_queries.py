"""The queries every page of a kind makes: the results page's, the judge's seat and the save's."""

from datetime import date

import pytest
from django.db.models import Count

from competition.models import Competition, Contestant, Judge, Problem, problem_key
from scoring.ballots import queries as ballot_queries
from scoring.models import BallotToken, Publication
from scoring.results import queries as result_queries
from scoring.results.document import summary_of
from scoring.sheets import queries
from tests.factories import SecretaryFactory, StreetFactory, UserFactory, VillageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def judge_alice(db):
    return UserFactory(username="alice_judge", first_name="王建华")


def _values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _publish(competition, version, by=None):
    return Publication.objects.create(
        competition=competition,
        version=version,
        document={"contestants": [], "competition": {}},
        summary=summary_of({"contestants": [], "competition": {}}),
        digest=str(version) * 64,
        by=by,
    )


@pytest.fixture
def competitions(street):
    return [
        Competition.objects.create(
            district=street.district, street=street, year=2026, quarter=q, venue="村委会🌾"
        )
        for q in (1, 2)
    ]


def test_the_competition_comes_with_its_street_district_and_latest_publication(
    competitions, district_dan
):
    first, second = competitions
    _publish(first, 1, district_dan)
    latest = _publish(first, 2, district_dan)
    district_level = Competition.objects.create(
        district=first.district, level="district", year=2026, quarter=3, held_on=date(2026, 9, 1)
    )
    for competition, expected_latest in (
        (first, latest.pk),
        (second, None),
        (district_level, None),
    ):
        loaded = result_queries.competition_for_results(competition.pk)
        orm = Competition.objects.select_related("street", "district").get(pk=competition.pk)
        assert _values(loaded) == _values(orm)
        assert _values(loaded.district) == _values(orm.district)
        assert (loaded.street and _values(loaded.street)) == (orm.street and _values(orm.street))
        assert loaded.latest_publication == expected_latest
        assert loaded.title == orm.title
    assert result_queries.competition_for_results(10**9) is None


def test_the_carried_counts_are_those_of_carried_over(competitions, street):
    earlier, now = competitions
    later_year = Competition.objects.create(
        district=street.district, street=street, year=2027, quarter=1
    )
    elsewhere = Competition.objects.create(
        district=street.district,
        street=StreetFactory(district=street.district),
        year=2025,
        quarter=4,
    )
    villages = VillageFactory.create_batch(4, street=street)
    entries = {}
    for competition in (earlier, now, later_year, elsewhere):
        for village in villages[:3] if competition is not elsewhere else villages:
            entries[competition.pk, village.pk] = Contestant.objects.create(
                competition=competition, village=village, secretary=SecretaryFactory()
            )

    def problem(competition, village, status="open"):
        text = f"问题 {competition.pk}/{village.pk}/{status}"
        Problem.objects.create(
            competition=competition,
            contestant=entries[competition.pk, village.pk],
            village=village,
            text=text,
            text_key=problem_key(text),
            status=status,
        )

    problem(earlier, villages[0])
    problem(earlier, villages[0], "in_progress")
    problem(elsewhere, villages[0])  # another street's competition, an earlier year
    problem(earlier, villages[1], "resolved")
    problem(now, villages[1])  # raised in this competition: not carried over
    problem(later_year, villages[2])  # a later year: not carried over
    problem(elsewhere, villages[3])  # a village not in this competition
    orm = dict(
        queries.carried_over(now)
        .filter(village__contests__competition=now)
        .values_list("village__code")
        .annotate(n=Count("id", distinct=True))
        .order_by()
    )
    assert result_queries.carried_counts(now) == orm == {villages[0].code: 3}
    assert result_queries.carried_counts(later_year) == {
        villages[0].code: 3,
        villages[1].code: 1,  # raised in "now", before
    }


def test_the_seat_comes_with_its_user_competition_and_street(
    rf, street, judge_alice, street_staff_carol
):
    from competition.permissions import seat_in
    from tests.competition_setup import competition_in_scoring

    competition = competition_in_scoring(
        street=street, staff=street_staff_carol, judges=[judge_alice], optional=()
    )
    request = rf.get("/")
    request.user, request.session = judge_alice, {}
    seat = seat_in(request, competition.pk)
    orm = Judge.objects.select_related("user", "competition__street").get(
        competition=competition, user=judge_alice
    )
    assert _values(seat) == _values(orm)
    assert _values(seat.user) == _values(orm.user)
    assert _values(seat.competition) == _values(orm.competition)
    assert _values(seat.competition.street) == _values(orm.competition.street)
    assert seat_in(request, competition.pk + 1) is None  # not on that panel
    request.user = street_staff_carol
    assert seat_in(request, competition.pk) is None  # not a judge


def test_absent_and_recused_are_read_as_they_stand(street, judge_alice, street_staff_carol):
    from tests.competition_setup import competition_in_scoring

    competition = competition_in_scoring(
        street=street, staff=street_staff_carol, judges=[judge_alice], optional=(), contestants=3
    )
    seat = competition.judges.get()
    first, second, third = competition.contestants.order_by("order")
    Contestant.objects.filter(pk=second.pk).update(absent=True)
    seat.recusals.add(third)
    assert [queries.absent_or_recused(c, seat) for c in (first, second, third)] == [
        (False, False),
        (True, False),
        (False, True),
    ]


def test_a_changed_score_keeps_its_row(street, judge_alice, street_staff_carol):
    from scoring.models import Score
    from scoring.sheets.services import save_sheet
    from tests.competition_setup import competition_in_scoring, full_points

    competition = competition_in_scoring(
        street=street, staff=street_staff_carol, judges=[judge_alice], optional=()
    )
    seat, contestant = competition.judges.get(), competition.contestants.order_by("order").first()

    def save(version, points):
        save_sheet(
            judge=seat,
            contestant=contestant,
            points=points,
            version=version,
            submit=True,
            by=judge_alice,
        )
        return {
            code: (pk, str(v))
            for code, pk, v in Score.objects.values_list("criterion__code", "pk", "points")
        }

    first = full_points(competition, 0.8)
    before = save(1, first)
    after = save(2, first | {"political": "10"})
    assert after.pop("political") == (before.pop("political")[0], "10.00")
    assert after == before  # every other score as it was, in the same row


def test_a_saves_reads_are_those_of_the_orm(street, judge_alice, street_staff_carol):
    from scoring.models import ScoreSheet
    from scoring.sheets.services import save_sheet
    from tests.competition_setup import competition_in_scoring, full_points

    competition = competition_in_scoring(
        street=street, staff=street_staff_carol, judges=[judge_alice], optional=("governance",)
    )
    seat, contestant = competition.judges.get(), competition.contestants.order_by("order").first()
    assert queries.locked_sheet(contestant, seat) is None
    save_sheet(
        judge=seat,
        contestant=contestant,
        points=full_points(competition, 0.8),
        comment="讲得好 🌾",
        problems=["道路未修", "账目公开"],
        version=1,
        submit=True,
        by=judge_alice,
    )
    sheet = queries.locked_sheet(contestant, seat)
    orm = ScoreSheet.objects.get(contestant=contestant, judge=seat)
    assert _values(sheet) == _values(orm)
    assert sheet.problems == ["道路未修", "账目公开"] and sheet.submitted_at.tzinfo is not None
    assert sorted(map(_values, queries.sheet_scores(sheet)), key=lambda v: v["id"]) == sorted(
        map(_values, orm.scores.all()), key=lambda v: v["id"]
    )
    assert queries.lock_seat(seat) == "active"  # takes the lock, changes nothing
    assert _values(competition.judges.get()) == _values(seat)
    BallotToken.objects.create(contestant=contestant, token_hash="a" * 64)
    assert ballot_queries.lock_contestant_of("a" * 64)  # likewise
    assert not ballot_queries.lock_contestant_of("b" * 64)  # no such token
    assert _values(Contestant.objects.get(pk=contestant.pk)) == _values(contestant)


def test_a_contestant_is_found_only_in_its_competition(street, judge_alice, street_staff_carol):
    from tests.competition_setup import competition_in_scoring

    competition = competition_in_scoring(
        street=street, staff=street_staff_carol, judges=[judge_alice], optional=()
    )
    contestant = competition.contestants.order_by("order").first()
    assert _values(queries.contestant_in(competition.pk, contestant.pk)) == _values(contestant)
    assert queries.contestant_in(competition.pk + 1, contestant.pk) is None
    assert queries.contestant_in(competition.pk, 10**9) is None
