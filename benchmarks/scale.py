"""Scale data for the benchmarks: districts like the demo's (9 streets, 403 villages and
secretaries), each with a year of four published quarters — 7 judges, 5+3 criteria, 30 online
ballots per contestant — and, in the first district, a street competition in scoring (7 judges,
5+3 criteria) for the judge's pages and the ballot."""

import datetime as dt

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction

from competition import services as competition_services
from competition.models import Competition
from scoring.demo import PANEL, seed_history
from scoring.models import Scheme
from scoring.setup import services
from villages import demo
from villages.models import District, Membership, Street
from villages.roster import roster_csv
from villages.services import import_roster

YEAR = 2025  # the published year: four quarters
LIVE = (2026, 4)  # the quarter in scoring
BALLOTS = 30
OPTIONAL = ["governance", "livelihood", "reserve"]  # the N of 5+N


def district_name(n: int) -> str:
    return demo.DISTRICT if n == 1 else f"{demo.DISTRICT}{n:02d}"


def _roster(n: int) -> list[dict[str, str]]:
    """The demo roster, renamed for district n: its own name, village codes and phones."""
    first, _changes = demo.rosters()
    return [
        row
        | {
            "district": district_name(n),
            "village_code": f"37{n:02d}" + row["village_code"][4:],
            "phone": row["phone"][:3] + f"{n:02d}" + row["phone"][5:],
        }
        for row in first
    ]


def _user(username: str, role: str | None, district: District, street=None) -> User:
    user, _new = User.objects.get_or_create(
        username=username, defaults={"password": make_password(None), "first_name": username}
    )
    if role is None:
        user.is_staff = user.is_superuser = True
        user.save()
    else:
        Membership.objects.update_or_create(
            user=user, defaults={"role": role, "district": district, "street": street}
        )
    return user


@transaction.atomic
def build_district(n: int) -> District:
    """District n, its staff and its published year. Idempotent per district."""
    import_roster(data=roster_csv(_roster(n)), filename=f"bench-{n}.csv")
    district = District.objects.get(name=district_name(n))
    staff = _user(f"district{n:02d}", Membership.Role.DISTRICT_STAFF, district)
    admin = _user("admin", None, district)
    seed_history(
        district=district,
        year=YEAR,
        staff=staff,
        confirmer=admin,
        online_ballots=BALLOTS,
        optional=OPTIONAL,
    )
    return district


@transaction.atomic
def build_live(district: District) -> Competition:
    """The first street's competition of the live quarter, in scoring, with a 7-judge panel."""
    street = Street.objects.filter(district=district).order_by("pk").first()
    existing = Competition.objects.filter(street=street, year=LIVE[0], quarter=LIVE[1]).first()
    if existing is not None:
        return existing
    staff = _user("street01", Membership.Role.STREET_STAFF, district, street)
    competition = services.create_competition(
        street=street,
        year=LIVE[0],
        quarter=LIVE[1],
        held_on=dt.date(LIVE[0], LIVE[1] * 3, 20),
        venue=street.name,
        scheme=Scheme.objects.order_by("pk").first(),
        optional_codes=OPTIONAL,
        by=staff,
    )
    competition_services.add_current_secretaries(competition=competition, by=staff)
    ids = competition.contestants.order_by("village__code").values_list("pk", flat=True)
    competition_services.set_order(
        competition=competition, order={pk: i for i, pk in enumerate(ids, 1)}, by=staff
    )
    for i, role in enumerate(PANEL, start=1):
        judge = _user(f"judge{i:02d}", Membership.Role.JUDGE, district, street)
        competition_services.add_judge(competition=competition, user=judge, role=role, by=staff)
    services.open_scoring(competition=competition, by=staff)
    return competition
