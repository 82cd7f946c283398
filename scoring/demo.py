"""The demo's competition: 寒亭街道 this quarter, in scoring, with a few sheets already in."""

import contextlib
import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from competition import services as competition_services
from competition.models import Competition, Judge
from competition.services import ActionRefused
from scoring.models import Scheme
from scoring.results.services import close_scoring, publish_competition
from scoring.setup import services
from scoring.sheets.services import save_sheet
from villages.models import Street

PANEL = [
    Judge.Role.STREET_SECRETARY,
    Judge.Role.AREA_CHIEF,
    Judge.Role.AREA_CHIEF,
    Judge.Role.STATION_DIRECTOR,
    Judge.Role.STATION_DIRECTOR,
    Judge.Role.DISTRICT,
    Judge.Role.OBSERVER,
]
SHEETS = {0: 5, 1: 3, 2: 2}  # judge index → how many contestants they have submitted


def seed_competition(*, street: Street, judges: list[User], staff: User) -> Competition:
    """Create the demo competition once; later runs return it unchanged."""
    today = timezone.localdate()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    existing = Competition.objects.filter(street=street, year=year, quarter=quarter).first()
    if existing is not None:
        return existing
    rng = random.Random(f"{year}-{quarter}")  # noqa: S311 - demo data, not secrets
    competition = services.create_competition(
        street=street,
        year=year,
        quarter=quarter,
        held_on=today,
        venue="寒亭街道党群服务中心",
        scheme=Scheme.objects.order_by("pk").first(),
        optional_codes=["governance", "reserve"],
        by=staff,
    )
    competition_services.add_current_secretaries(competition=competition, by=staff)
    ids = list(competition.contestants.order_by("village__code").values_list("pk", flat=True))
    rng.shuffle(ids)
    competition_services.set_order(
        competition=competition, order={pk: n for n, pk in enumerate(ids, 1)}, by=staff
    )
    seats = [
        competition_services.add_judge(competition=competition, user=user, role=role, by=staff)
        for user, role in zip(judges, PANEL, strict=True)
    ]
    services.open_scoring(competition=competition, by=staff)
    criteria = list(competition.criteria.all())
    contestants = list(competition.contestants.order_by("order"))
    for index, count in SHEETS.items():
        for contestant in contestants[: count + 1]:
            # Half-point steps between 60 % and 100 % of each item's maximum.
            points = {
                c.code: Decimal(rng.randint(int(c.max_points) * 6 // 5, int(c.max_points) * 2)) / 2
                for c in criteria
            }
            submit = contestant != contestants[count]
            save_sheet(
                judge=seats[index],
                contestant=contestant,
                points=points,
                comment="" if submit else "述职材料翔实，还需核实集体收入数据。",
                problems=["村集体经济收入增长较慢"] if contestant == contestants[0] else [],
                version=1,
                submit=submit,
                by=seats[index].user,
            )
    return competition


def _points(maximum: Decimal, percent: float) -> Decimal:
    """A percent of an item's maximum, in half points, within 0 and the maximum."""
    halves = round(float(maximum) * 2 * max(0.0, min(100.0, percent)) / 100)
    return Decimal(halves) / 2


def _tally(rng: random.Random, quality: float) -> dict[str, int]:
    """A villager representatives' meeting whose ratings follow the secretary's standing."""
    due = rng.randint(25, 40)
    present = due - rng.randint(0, due // 4)
    standing = max(0.0, min(1.0, (quality - 60) / 38))
    weights = {
        "excellent": 0.05 + 0.85 * standing**1.5,
        "competent": 0.55 - 0.25 * standing,
        "basic": 0.12 * (1 - standing) + 0.02,
        "incompetent": 0.08 * (1 - standing) ** 2 + 0.005,
    }
    votes = rng.choices(list(weights), weights=list(weights.values()), k=present)
    return {
        "representatives_due": due,
        "representatives_present": present,
        "ballots_issued": present,
        "ballots_returned": present,
        **{choice: votes.count(choice) for choice in weights},
    }


def _online_ballots(rng: random.Random, contestant_id: int, quality: float, n: int, day):
    """`n` used ballot tokens and the anonymous ballots cast with them, following the standing."""
    import hashlib

    from scoring.models import Ballot, BallotToken

    counts = _tally(rng, quality)
    choices = list(Ballot.Choice.values)
    weights = [counts[c] + 0.01 for c in choices]
    tokens = [
        BallotToken(
            contestant_id=contestant_id,
            token_hash=hashlib.sha256(f"history-{contestant_id}-{i}".encode()).hexdigest(),
            used=True,
        )
        for i in range(n)
    ]
    ballots = [
        Ballot(contestant_id=contestant_id, choice=choice, cast_on=day)
        for choice in rng.choices(choices, weights=weights, k=n)
    ]
    return tokens, ballots


def seed_history(
    *,
    district,
    year: int,
    staff: User,
    confirmer: User,
    online_ballots: int = 0,
    optional: list[str] | None = None,
) -> int:
    """A year of published street competitions — four quarters, every street — whose grades
    come out near the source's spread (about 31 % excellent, 56 % competent, 13 % below), with
    the villager representatives' paper tallies entered and confirmed (or, with
    `online_ballots`, that many anonymous online ballots per contestant), the N criteria
    `optional` (or a few chosen at random each quarter), and
    the district-level competition of its last quarter. Once; later runs change nothing.
    Sheets are written in bulk: this is history, entered long ago."""
    from django.contrib.auth.hashers import make_password

    from scoring.models import (
        Ballot,
        BallotToken,
        CompetitionCriterion,
        PaperTally,
        Score,
        ScoreSheet,
    )
    from villages.models import Membership

    if Competition.objects.filter(district=district, year=year).exists():
        return 0
    rng = random.Random(year)  # noqa: S311 - demo data, not secrets
    scheme = Scheme.objects.order_by("pk").first()
    unusable = make_password(None)
    created = 0
    for street in Street.objects.filter(district=district).order_by("pk"):
        judges = []
        for n, role in enumerate(PANEL, start=1):
            user, _new = User.objects.get_or_create(
                username=f"panel-{street.pk}-{n}",
                defaults={"first_name": f"{street.name[:2]}评委{n}", "password": unusable},
            )
            Membership.objects.get_or_create(
                user=user,
                defaults={"role": Membership.Role.JUDGE, "district": district, "street": street},
            )
            judges.append((user, role))
        # A secretary's standing for the year, and how each judge leans.
        quality: dict[int, float] = {}
        lean = [rng.gauss(0, 2) for _ in judges]
        for quarter in range(1, 5):
            competition = services.create_competition(
                street=street,
                year=year,
                quarter=quarter,
                scheme=scheme,
                optional_codes=optional
                or rng.sample(
                    ["governance", "livelihood", "reserve", "environment"], rng.choice((1, 2, 3))
                ),
                held_on=timezone.datetime(year, quarter * 3, 20).date(),
                venue=street.name,
                by=staff,
            )
            competition_services.add_current_secretaries(competition=competition, by=staff)
            ids = list(competition.contestants.values_list("pk", "secretary_id"))
            rng.shuffle(ids)
            competition_services.set_order(
                competition=competition,
                order={pk: n for n, (pk, _s) in enumerate(ids, 1)},
                by=staff,
            )
            seats = [
                competition_services.add_judge(competition=competition, user=u, role=r, by=staff)
                for u, r in judges
            ]
            services.open_scoring(competition=competition, by=staff)
            criteria = list(CompetitionCriterion.objects.filter(competition=competition))
            now = timezone.now()
            sheets = []
            for pk, secretary_id in ids:
                # Few are perfect: the best stand a little below 100.
                base = quality.setdefault(
                    secretary_id, min(rng.gauss(83.9, 12.3), 95 + rng.random() * 3)
                )
                for seat, judge_lean in zip(seats, lean, strict=True):
                    percent = max(35.0, min(100.0, base + judge_lean + rng.gauss(0, 3)))
                    sheets.append(
                        (
                            ScoreSheet(
                                contestant_id=pk,
                                judge=seat,
                                status="submitted",
                                version=1,
                                submitted_at=now,
                            ),
                            percent,
                        )
                    )
            ScoreSheet.objects.bulk_create([s for s, _p in sheets])
            saved = {
                (s.contestant_id, s.judge_id): s.pk
                for s in ScoreSheet.objects.filter(judge__competition=competition)
            }
            Score.objects.bulk_create(
                Score(
                    sheet_id=saved[(sheet.contestant_id, sheet.judge_id)],
                    criterion=c,
                    points=_points(c.max_points, percent + rng.gauss(0, 4)),
                )
                for sheet, percent in sheets
                for c in criteria
            )
            if online_ballots:
                tokens, ballots = [], []
                for pk, secretary_id in ids:
                    t, b = _online_ballots(
                        rng, pk, quality[secretary_id], online_ballots, now.date()
                    )
                    tokens += t
                    ballots += b
                BallotToken.objects.bulk_create(tokens, batch_size=2000)
                Ballot.objects.bulk_create(ballots, batch_size=2000)
            else:
                PaperTally.objects.bulk_create(
                    PaperTally(
                        contestant_id=pk,
                        entered_by=staff,
                        confirmed_by=confirmer,
                        confirmed_at=now,
                        **_tally(rng, quality[secretary_id]),
                    )
                    for pk, secretary_id in ids
                )
            close_scoring(competition=competition, by=staff)
            publish_competition(competition=competition, by=staff)
            if quarter < 4:
                # Published a week after the day, as it was then: its notice period is long
                # over. The last quarter's stays open, for a villager to try the notice.
                published_on = competition.held_on + dt.timedelta(days=7)
                competition.publications.update(
                    at=timezone.make_aware(dt.datetime.combine(published_on, dt.time(10)))
                )
            created += 1
    # Nobody excellent in Q4 means nobody recommended: a small district may have none.
    with contextlib.suppress(ActionRefused):
        services.create_district_competition(
            district=district,
            year=year,
            quarter=4,
            scheme=scheme,
            optional_codes=["governance"],
            by=staff,
        )
    return created
