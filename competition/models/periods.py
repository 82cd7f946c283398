"""Quarters and halves as people say them, and the dates a half spans."""

import datetime as dt

from django.utils.translation import gettext_lazy as _


def quarter_label(quarter: int, year: int | None = None) -> str:
    """A quarter in the page's language: "第1季度" / "Q1", with its year "2025年第1季度" /
    "2025 Q1"."""
    if year is None:
        return _("Q%(quarter)s") % {"quarter": quarter}
    return _("%(year)s Q%(quarter)s") % {"year": year, "quarter": quarter}


def half_of(quarter: int) -> int:
    """The half a quarter belongs to: 1 for Q1–Q2, 2 for Q3–Q4."""
    return 1 if quarter <= 2 else 2


def half_quarters(half: int) -> tuple[int, int]:
    """The two quarters of a half: (1, 2) or (3, 4)."""
    return (2 * half - 1, 2 * half)


def half_bounds(year: int, half: int) -> tuple[dt.date, dt.date]:
    """The first and last day of a half: 1 January–30 June or 1 July–31 December."""
    if half == 1:
        return dt.date(year, 1, 1), dt.date(year, 6, 30)
    return dt.date(year, 7, 1), dt.date(year, 12, 31)


def half_label(half: int, year: int) -> str:
    """A half in the page's language: "2025年上半年" / "2025 H1"."""
    if half == 1:
        return _("%(year)s H1") % {"year": year}
    return _("%(year)s H2") % {"year": year}
