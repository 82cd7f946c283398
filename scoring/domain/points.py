"""Points as judges give them, and the one rounding: plain values in, plain values out."""

import math
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

HUNDRED = Decimal(100)
STEP = Decimal("0.5")
CENT = Decimal("0.01")

Number = Decimal | Fraction | int


def round2(value: Number) -> Decimal:
    """Round half up (a tie away from zero) to two decimal places: the only rounding in Leitai.

    Takes the exact value, so 77.08333… is 77.08 and 88.885 is 88.89, never a rounded figure
    rounded again.
    """
    if isinstance(value, Decimal):
        return value.quantize(CENT, rounding=ROUND_HALF_UP)
    hundredths = math.floor(abs(Fraction(value)) * 100 + Fraction(1, 2))
    return Decimal(-hundredths if value < 0 else hundredths).scaleb(-2)


class PointsError(ValueError):
    """Points a judge cannot give; the message says why (untranslated code, see `reason`)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]*)?|-?\.[0-9]+", re.ASCII)


def parse_points(raw: object, maximum: Decimal) -> Decimal:
    """Points for one criterion: a number from 0 to the criterion's maximum, in steps of 0.5.

    A typed value is plain decimal notation in the digits 0–9: digits of other scripts ("١٠",
    full-width "１０"), exponents ("1e1") and signs other than a leading minus are not numbers
    here, though Python's Decimal would read them.
    Raises PointsError with reason "number", "negative", "over_maximum" or "step".
    """
    if isinstance(raw, str) and not PLAIN_NUMBER.fullmatch(raw.strip()):
        raise PointsError("number")
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


class WeightError(ValueError):
    """A judge role weight the rules cannot use; `reason` is "number" or "negative"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def parse_weight(raw: object) -> Decimal:
    """A judge role's weight: a finite number, or a string of one, of at least 0 (a role that
    weighs 0 scores but never counts). Raises WeightError with reason "number" or "negative"."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        raise WeightError("number")
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError) as exc:
        raise WeightError("number") from exc
    if not value.is_finite():
        raise WeightError("number")
    if value < 0:
        raise WeightError("negative")
    return value


# Trimming drops the highest and the lowest sheet: with fewer than three, nothing would be left.
TRIM_LEAST = 3


def sheet_total(points: Iterable[Decimal]) -> Decimal:
    """A sheet's total is the sum of its points."""
    return sum(points, Decimal(0))


def sheet_percent(total: Decimal, maximum: Decimal) -> Fraction:
    """A sheet's percent is its total ÷ the competition's maximum × 100, so that competitions
    with different N compare; exact (370 of 480 is 925/12, shown as 77.08)."""
    if maximum <= 0:
        raise ValueError("the competition has no points to give")
    return Fraction(total) / Fraction(maximum) * 100
