"""Shared by the scoring tests: a closed competition with known sheets."""

from decimal import Decimal

import pytest

from competition import services as competition_services
from scoring.sheets.services import save_sheet
from tests.competition_setup import competition_in_scoring
from tests.factories import UserFactory

# Percent of the maximum each judge gives each contestant; the last judge is an observer.
GIVEN = {
    0: [90, 95, 100, 85, 80, 10],  # five counted sheets: 100 and 80 are dropped → 90.00
    1: [70, 75, 80, 65, 60, 100],  # → 70.00
    2: [90, 95, 100, 85, 80, 10],  # ties contestant 0
}


@pytest.fixture
def closed(street_staff_carol):
    judges = [UserFactory(first_name=f"评委{i}") for i in range(6)]
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street,
        staff=street_staff_carol,
        judges=judges,
        optional=(),
    )
    seats = list(competition.judges.order_by("pk"))
    seats[-1].role = "observer"
    seats[-1].save()
    contestants = list(competition.contestants.order_by("order"))
    for index, percents in GIVEN.items():
        for seat, percent in zip(seats, percents, strict=True):
            # Five items of 20 points: percent p is p/5 points on each item.
            points = {c.code: str(Decimal(percent) / 5) for c in competition.criteria.all()}
            save_sheet(
                judge=seat,
                contestant=contestants[index],
                points=points,
                version=1,
                submit=True,
                by=seat.user,
            )
    competition_services.transition(competition=competition, action="close", by=street_staff_carol)
    competition.refresh_from_db()
    return competition
