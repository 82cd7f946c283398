"""The demo's competition: 寒亭街道 this quarter, in scoring, with a few sheets already in."""

import random
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from competition import services as event
from competition.models import Competition, Judge
from scoring import services
from scoring.models import Scheme
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
    event.add_current_secretaries(competition=competition, by=staff)
    ids = list(competition.contestants.order_by("village__code").values_list("pk", flat=True))
    rng.shuffle(ids)
    event.set_order(competition=competition, order={pk: n for n, pk in enumerate(ids, 1)}, by=staff)
    seats = [
        event.add_judge(competition=competition, user=user, role=role, by=staff)
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
            services.save_sheet(
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
