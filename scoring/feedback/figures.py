"""The figures of a feedback sheet, from published results documents only: plain functions on
the documents' dicts, no database (the loads are in queries.py).

A contestant's average on a criterion is the one the results page shows: the mean of the points
of the sheets that count (not an observer's, not dropped). The street's and the district's
averages are the means of their contestants' averages — every secretary weighs the same,
however many sheets they had — exact, and rounded once when shown.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from scoring.results.document import stored_figure


def own_averages(document: dict, row: dict) -> dict[str, Fraction]:
    """A contestant's exact average on each criterion, over the sheets that count; a criterion
    no counting sheet scored is left out."""
    counted = [s for s in row["sheets"] if not s["observer"] and not s["dropped"]]
    averages = {}
    for criterion in document["criteria"]:
        code = criterion["code"]
        values = [Fraction(Decimal(s["points"][code])) for s in counted if code in s["points"]]
        if values:
            averages[code] = sum(values) / len(values)
    return averages


def group_averages(documents: Iterable[dict], maxima: dict[str, str]) -> dict[str, Fraction]:
    """Each criterion's average over every contestant of these documents: the mean of their own
    averages. A criterion counts only where its maximum is the one given (`maxima`, code →
    maximum as a document writes it), so points out of 20 never mix with points out of 10."""
    found: dict[str, list[Fraction]] = {code: [] for code in maxima}
    for document in documents:
        same = {c["code"] for c in document["criteria"] if maxima.get(c["code"]) == c["max_points"]}
        for row in document["contestants"]:
            for code, value in own_averages(document, row).items():
                if code in same:
                    found[code].append(value)
    return {code: sum(values) / len(values) for code, values in found.items() if values}


@dataclass(frozen=True)
class Bar:
    kind: str  # "own", "street", "district": its colour and its line of the legend
    y: int
    width: str  # in the chart's units: the average's share of the criterion's maximum
    value: str | None
    text_x: str  # where the figure is written, after the bar


@dataclass(frozen=True)
class Line:
    """One criterion on the sheet: the three averages, as the table and the chart show them."""

    code: str
    name: str
    max_points: str
    own: str | None
    street: str | None
    district: str | None
    y: int  # the baseline of its name in the chart; its bars below it
    bars: tuple[Bar, ...]


# The chart's geometry, in its viewBox units; the template draws it, scaled to the page. Each
# criterion: its name on a line, then three bars (the secretary, the street, the district) on a
# track as long as the maximum.
WIDTH = 360
BAR_AREA = 300
BAR_HEIGHT = 9
GROUP_HEIGHT = 56
TOP = 26  # below the legend


def chart_height(lines: list[Line]) -> int:
    return TOP + GROUP_HEIGHT * len(lines)


def lines(
    document: dict,
    row: dict,
    street: dict[str, Fraction],
    district: dict[str, Fraction],
    names: dict[str, str],
) -> list[Line]:
    """Each criterion of the document with the contestant's, the street's and the district's
    averages, and their bars."""
    own = own_averages(document, row)
    result = []
    for index, criterion in enumerate(document["criteria"]):
        code = criterion["code"]
        maximum = Fraction(Decimal(criterion["max_points"]))
        y = TOP + index * GROUP_HEIGHT + 13
        values = {"own": own.get(code), "street": street.get(code), "district": district.get(code)}
        bars = []
        for position, (kind, value) in enumerate(values.items()):
            width = float(min(value / maximum, 1)) * BAR_AREA if value else 0.0
            bars.append(
                Bar(
                    kind=kind,
                    y=y + 5 + position * (BAR_HEIGHT + 3),
                    width=f"{width:.1f}",
                    value=stored_figure(value),
                    text_x=f"{width + 4:.1f}",
                )
            )
        result.append(
            Line(
                code=code,
                name=names.get(code, criterion["name"]),
                max_points=criterion["max_points"],
                own=stored_figure(values["own"]),
                street=stored_figure(values["street"]),
                district=stored_figure(values["district"]),
                y=y,
                bars=tuple(bars),
            )
        )
    return result
