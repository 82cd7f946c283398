"""The rules that turn points into numbers. Plain values in, plain values out: no ORM, no request.

Every figure is a Decimal; rounding happens in one place, `round2`, half up to two places.
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

HUNDRED = Decimal(100)
STEP = Decimal("0.5")
CENT = Decimal("0.01")


def round2(value: Decimal) -> Decimal:
    """Round half up to two decimal places: the only rounding in Leitai."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class PointsError(ValueError):
    """Points a judge cannot give; the message says why (untranslated code, see `reason`)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def parse_points(raw: object, maximum: Decimal) -> Decimal:
    """Points for one criterion: a number from 0 to the criterion's maximum, in steps of 0.5.

    Raises PointsError with reason "number", "negative", "over_maximum" or "step".
    """
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError) as exc:
        raise PointsError("number") from exc
    if not value.is_finite():
        raise PointsError("number")
    if value < 0:
        raise PointsError("negative")
    if value > maximum:
        raise PointsError("over_maximum")
    if value % STEP != 0:
        raise PointsError("step")
    return value.quantize(CENT)


def sheet_total(points: Iterable[Decimal]) -> Decimal:
    """A sheet's total is the sum of its points."""
    return sum(points, Decimal(0))


def sheet_percent(total: Decimal, maximum: Decimal) -> Decimal:
    """A sheet's percent is its total ÷ the competition's maximum × 100, so that competitions
    with different N compare; rounded half up to two places."""
    if maximum <= 0:
        raise ValueError("the competition has no points to give")
    return round2(total / maximum * HUNDRED)
