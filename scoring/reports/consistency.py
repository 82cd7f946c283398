"""How consistently the judges of one competition scored: plain values in, plain values out.

No ORM, no request: everything is read from the results document
(`scoring.results.document`), so the report agrees with the results page, the exports and the
published version. Figures are Decimals rounded half up to two places by `domain.round2`;
decisions (the outlier flag) are taken on the unrounded values.
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from scoring import domain

# A judge whose mean deviation from the panel is beyond either limit is flagged.
OUTLIER_SDS = Decimal(2)
OUTLIER_POINTS = Decimal(10)


@dataclass(frozen=True)
class JudgeStat:
    judge: str
    role: str
    observer: bool
    sheets: int
    mean_percent: Decimal | None
    mean_deviation: Decimal | None  # judge percent − panel score, averaged
    spread: Decimal | None  # population standard deviation of those deviations
    dropped: int
    dropped_share: Decimal | None  # percent of the judge's sheets dropped by the trimmed mean
    outlier: bool


@dataclass(frozen=True)
class Report:
    judges: list[JudgeStat]
    w: Decimal | None  # Kendall's W over the counted (non-observer) judges
    w_judges: int  # judges taking part in W
    w_contestants: int  # contestants taking part in W: those scored by every one of them


def _ranks(scores: list) -> list[Fraction]:
    """Rank 1 for the lowest score; tied scores share the mean of the ranks they span."""
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks: list[Fraction] = [Fraction(0)] * len(scores)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and scores[order[end + 1]] == scores[order[start]]:
            end += 1
        shared = Fraction(start + 1 + end + 1, 2)
        for position in range(start, end + 1):
            ranks[order[position]] = shared
        start = end + 1
    return ranks


def _tie_term(scores: list) -> int:
    """Σ (t³ − t) over the groups of t tied scores of one judge."""
    counts: dict = {}
    for score in scores:
        counts[score] = counts.get(score, 0) + 1
    return sum(t**3 - t for t in counts.values())


def _complete(rankings: list[list]) -> list[int]:
    """The contestants (column indexes) every judge scored."""
    width = min((len(row) for row in rankings), default=0)
    return [i for i in range(width) if all(row[i] is not None for row in rankings)]


def kendalls_w(rankings: list[list[Decimal | float | None]]) -> Decimal | None:
    """Kendall's coefficient of concordance W of m judges over n contestants.

    Each inner list is one judge's scores over the same contestants, in the same order; None
    where the judge gave no score. Only contestants scored by every judge take part. Each
    judge's scores become ranks (tied scores share the mean of their ranks); with Rᵢ the sum of
    contestant i's ranks and S = Σ (Rᵢ − m(n+1)/2)²,

        W = 12 S ÷ (m² (n³ − n) − m Σⱼ Tⱼ),   Tⱼ = Σ (t³ − t) over judge j's groups of t ties.

    1 is perfect agreement, 0 none. None with fewer than 2 judges or 2 contestants, or when
    every judge tied every contestant (nothing to agree on). Computed exactly, rounded half up
    to two places.
    """
    columns = _complete(rankings)
    m, n = len(rankings), len(columns)
    if m < 2 or n < 2:
        return None
    rows = [[row[i] for i in columns] for row in rankings]
    sums = [sum(column, Fraction(0)) for column in zip(*(_ranks(r) for r in rows), strict=True)]
    mean = Fraction(m * (n + 1), 2)
    s = sum(((r - mean) ** 2 for r in sums), Fraction(0))
    denominator = m * m * (n**3 - n) - m * sum(_tie_term(r) for r in rows)
    if denominator == 0:
        return None
    w = 12 * s / denominator
    return domain.round2(Decimal(w.numerator) / Decimal(w.denominator))


def _mean(values: list[Decimal]) -> Decimal | None:
    return sum(values, Decimal(0)) / len(values) if values else None


def _outliers(deviations: dict[str, Decimal | None], reference: list[str]) -> set[str]:
    """The judges flagged far from the rest: |d − μ| > 2σ, or |d| > 10 points, where d is the
    judge's mean deviation and μ, σ the mean and population standard deviation of the reference
    judges' (the counted, non-observer judges') mean deviations. With five judges or fewer
    nobody can lie 2σ from a mean they are part of: on such a panel the 10-point limit decides."""
    population = [deviations[j] for j in reference if deviations[j] is not None]
    mu = _mean(population)
    sigma = None
    if population:
        sigma = (sum(((d - mu) ** 2 for d in population), Decimal(0)) / len(population)).sqrt()
    flagged = set()
    for judge, d in deviations.items():
        if d is None:
            continue
        if abs(d) > OUTLIER_POINTS or (sigma and abs(d - mu) > OUTLIER_SDS * sigma):
            flagged.add(judge)
    return flagged


def _collect(document: dict) -> tuple[list[JudgeStat], dict[str, dict[int, Decimal]]]:
    """One pass over the document: each judge's percent per contestant (by the contestant's
    position in the document), for W, and the judges' statistics, per judge, in order of first
    appearance in the document.

    - sheets: the judge's submitted sheets; mean percent: their plain mean.
    - mean deviation: the mean of (the judge's percent − the contestant's panel score) over the
      sheets of contestants that have a panel score; spread: the population standard deviation
      of those deviations.
    - dropped: how many of the judge's sheets the trimmed mean dropped, and their share of the
      judge's sheets, in percent.
    - outlier: the mean deviation lies more than 2 standard deviations from the mean of the
      counted judges' mean deviations, or more than 10 percentage points from 0.

    Observers are reported and may be flagged, but never enter the panel score (the document
    already leaves them out) nor the mean and standard deviation the flag is measured against.
    Judges are told apart by their name in the document. With 5 or fewer counted judges no
    value can lie more than 2 (population) standard deviations from their mean, so there only
    the 10-point limit can flag a judge.
    """
    seen: dict[str, dict] = {}
    for index, contestant in enumerate(document["contestants"]):
        panel = contestant["panel_score"]
        panel = Decimal(panel) if panel is not None else None
        for sheet in contestant["sheets"]:
            entry = seen.setdefault(
                sheet["judge"],
                {
                    "role": sheet["role"],
                    "observer": sheet["observer"],
                    "percents": {},
                    "deviations": [],
                    "dropped": 0,
                },
            )
            percent = Decimal(sheet["percent"])
            entry["percents"][index] = percent
            if panel is not None:
                entry["deviations"].append(percent - panel)
            entry["dropped"] += bool(sheet["dropped"])

    mean_deviations = {judge: _mean(entry["deviations"]) for judge, entry in seen.items()}
    counted = [judge for judge, entry in seen.items() if not entry["observer"]]
    flagged = _outliers(mean_deviations, counted)

    stats = []
    for judge, entry in seen.items():
        percents = list(entry["percents"].values())
        mean_percent = _mean(percents)
        mean_deviation = mean_deviations[judge]
        stats.append(
            JudgeStat(
                judge=judge,
                role=entry["role"],
                observer=entry["observer"],
                sheets=len(percents),
                mean_percent=domain.round2(mean_percent) if mean_percent is not None else None,
                mean_deviation=(
                    domain.round2(mean_deviation) if mean_deviation is not None else None
                ),
                spread=domain.spread(entry["deviations"]),
                dropped=entry["dropped"],
                dropped_share=(
                    domain.round2(Decimal(entry["dropped"]) / len(percents) * domain.HUNDRED)
                    if percents
                    else None
                ),
                outlier=judge in flagged,
            )
        )
    return stats, {judge: seen[judge]["percents"] for judge in counted}


def consistency(document: dict) -> Report:
    """The judge statistics and the panel's agreement, Kendall's W over the counted
    (non-observer) judges' percents, on the contestants every one of them scored."""
    stats, percents = _collect(document)
    size = len(document["contestants"])
    rankings = [[by_index.get(i) for i in range(size)] for by_index in percents.values()]
    return Report(
        judges=stats,
        w=kendalls_w(rankings),
        w_judges=len(rankings),
        w_contestants=len(_complete(rankings)) if rankings else 0,
    )
