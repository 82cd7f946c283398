"""The results document: built once per competition, in one pass, the source of every view and
export (DESIGN.md "The results document").

Decimal values are strings with two decimals. A published competition's document is stored,
with its SHA-256 digest, and never built again.
"""

import csv
import hashlib
import io
import json
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Prefetch
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from competition.models import Competition, Judge
from scoring import domain
from scoring.models import Ballot, GradeOverride, GradingPolicy, PaperTally, Score, ScoreSheet
from scoring.queries import contestants_in_order

# The grades as pages, exports and reasons name them, in the reader's language.
GRADE_LABELS = {
    "excellent": gettext_lazy("excellent"),
    "competent": gettext_lazy("competent"),
    "basic": gettext_lazy("basic competent"),
    "incompetent": gettext_lazy("incompetent"),
}


def two(value: Decimal | None) -> str | None:
    return None if value is None else f"{domain.round2(value):.2f}"


def policy_of(competition: Competition) -> GradingPolicy:
    policy = GradingPolicy.objects.filter(competition=competition).first()
    if policy is None:
        policy = GradingPolicy.objects.filter(district_id=competition.district_id).first()
    return policy or GradingPolicy()


def democratic_counts(competition: Competition) -> dict[int, dict[str, int]]:
    """Valid ballots per contestant and choice: online ballots and paper tallies together —
    a tally only once confirmed, with its quorum and no more ballots returned than issued.
    Two queries."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(domain.CHOICES, 0))
    for contestant_id, choice, n in (
        Ballot.objects.filter(contestant__competition=competition)
        .values_list("contestant_id", "choice")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[contestant_id][choice] += n
    for tally in PaperTally.objects.filter(
        contestant__competition=competition, confirmed_by__isnull=False
    ):
        if tally.counts_valid:
            for choice, n in tally.counts.items():
                counts[tally.contestant_id][choice] += n
    return {pk: {str(c): n for c, n in row.items()} for pk, row in counts.items()}


def _policy_json(policy: GradingPolicy) -> dict:
    return {
        "aggregation": policy.aggregation,
        "trim_min_sheets": policy.trim_min_sheets,
        "panel_weight": two(policy.panel_weight),
        "democratic_weight": two(policy.democratic_weight),
        "democratic_points": {
            "excellent": two(policy.points_excellent),
            "competent": two(policy.points_competent),
            "basic": two(policy.points_basic),
            "incompetent": two(policy.points_incompetent),
        },
        "bands": {
            "excellent": two(policy.band_excellent),
            "competent": two(policy.band_competent),
            "basic": two(policy.band_basic),
        },
        "excellent_cap": two(policy.excellent_cap),
    }


def build_document(competition: Competition) -> dict:
    """The whole results document, in a fixed number of queries whatever the size."""
    with translation.override(settings.LANGUAGE_CODE):
        return _build(competition)


def _build(competition: Competition) -> dict:
    policy_row = policy_of(competition)
    policy = policy_row.to_domain()
    criteria = list(competition.criteria.all())
    maximum = sum((c.max_points for c in criteria), Decimal(0)) or Decimal(1)
    judges = {j.pk: j for j in competition.judges.select_related("user")}
    sheets = defaultdict(list)
    for sheet in ScoreSheet.objects.filter(
        judge__competition=competition,
        judge__status=Judge.Status.ACTIVE,  # a withdrawn or absent judge's sheets do not count
        status=ScoreSheet.Status.SUBMITTED,
    ).prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("criterion"))):
        sheets[sheet.contestant_id].append(sheet)
    counts = democratic_counts(competition) if policy_row.democratic_enabled else {}
    overrides = {
        o.contestant_id: o
        for o in GradeOverride.objects.filter(contestant__competition=competition)
    }

    rows = []
    for contestant in contestants_in_order(competition).filter(absent=False):
        rows.append(
            _contestant(
                contestant,
                sheets[contestant.pk],
                judges,
                criteria,
                maximum,
                policy,
                counts.get(contestant.pk),
            )
        )

    finals = [r["_final"] for r in rows]
    for row, rank in zip(rows, domain.ranks(finals), strict=True):
        row["rank"] = rank
    demoted = domain.capped(
        [(r["rank"], domain.Grade(r["grade"]) if r["grade"] else None) for r in rows],
        policy.excellent_cap,
    )
    for index in demoted:
        rows[index]["grade"] = domain.Grade.COMPETENT.value
        rows[index]["reasons"].append(
            _(
                "Excellent grades are capped at %(cap)s %% of contestants; ranked %(rank)s, "
                "this contestant is graded competent."
            )
            % {"cap": f"{policy.excellent_cap * 100:.0f}", "rank": rows[index]["rank"]}
        )
    by_pk = {r["_pk"]: r for r in rows}
    for contestant_id, override in overrides.items():
        row = by_pk.get(contestant_id)
        if row is None:
            continue
        row["reasons"].append(
            _("Grade set by hand from %(old)s to %(new)s: %(reason)s")
            % {
                "old": GRADE_LABELS.get(row["grade"], "—"),
                "new": GRADE_LABELS[override.grade],
                "reason": override.reason,
            }
        )
        row["grade"] = override.grade

    rows.sort(
        key=lambda r: (
            r["_final"] is None,
            -(r["_final"] or 0),
            -(r["_panel"] or 0),
            -(r["_dem"] or 0),
            r["order"] or 0,
        )
    )
    for row in rows:
        for key in ("_pk", "_final", "_panel", "_dem"):
            row.pop(key)

    return {
        "competition": {
            "id": competition.pk,
            "title": competition.title,
            "level": competition.level,
            "district": competition.district.name,
            "street": competition.street.name if competition.street_id else None,
            "year": competition.year,
            "quarter": competition.quarter,
            "status": competition.status,
            "digest": None,
        },
        "policy": _policy_json(policy_row),
        "criteria": [
            {
                "code": c.code,
                "name": c.name,
                "max_points": two(c.max_points),
                "required": c.required,
            }
            for c in criteria
        ],
        "contestants": rows,
    }


def _contestant(contestant, sheets, judges, criteria, maximum, policy, counts) -> dict:
    inputs, sheet_rows = [], []
    for sheet in sorted(sheets, key=lambda s: s.judge_id):
        judge = judges[sheet.judge_id]
        points = {s.criterion.code: s.points for s in sheet.scores.all()}
        total = domain.sheet_total(points.values())
        percent = domain.sheet_percent(total, maximum)
        weight = policy.weight_of(judge.role)
        inputs.append(domain.SheetInput(sheet.judge_id, percent, weight, judge.is_observer))
        sheet_rows.append(
            {
                "judge": judge.display_name,
                "role": judge.role,
                "weight": two(weight),
                "observer": judge.is_observer,
                "points": {c.code: two(points[c.code]) for c in criteria if c.code in points},
                "total": two(total),
                "percent": two(percent),
                "dropped": False,
                "_key": sheet.judge_id,
            }
        )
    panel = domain.panel_score(inputs, policy)
    for row in sheet_rows:
        row["dropped"] = row.pop("_key") in panel.dropped
    democratic = None
    dem_score = None
    if counts is not None:
        dem_score = domain.democratic_score(counts, policy)
        valid = sum(counts.get(choice, 0) for choice in domain.CHOICES)
        democratic = {choice: counts.get(choice, 0) for choice in domain.CHOICES}
        democratic |= {"valid": valid, "score": two(dem_score)}
    final = domain.final_score(panel.score, dem_score, policy)
    reasons = []
    grade = domain.grade_for(final, policy) if final is not None else None
    if grade is not None and counts:
        ceiling, veto = domain.democratic_veto(counts, policy)
        lowered = domain.at_most(grade, ceiling)
        if lowered != grade:
            reasons.append(
                _(
                    "More than a third of the valid ballots rate this secretary incompetent: "
                    "the grade is incompetent."
                )
                if veto == "incompetent_share"
                else _(
                    "Fewer than two thirds of the valid ballots rate this secretary excellent or "
                    "competent: the grade is at most basic competent."
                )
            )
            grade = lowered
    if final is None:
        reasons.append(_("No submitted score sheet counts: no final score."))
    return {
        "rank": None,
        "secretary": contestant.secretary.name,
        "village": contestant.village.name,
        "village_code": contestant.village.code,
        "street": contestant.village.street.name,
        "order": contestant.order,
        "sheets": sheet_rows,
        "panel_score": two(panel.score),
        "disagreement": two(panel.disagreement),
        "democratic": democratic,
        "final_score": two(final),
        "grade": grade.value if grade else None,
        "reasons": reasons,
        "_pk": contestant.pk,
        "_final": final,
        "_panel": panel.score,
        "_dem": dem_score,
    }


def canonical(document: dict) -> bytes:
    """The bytes the digest is taken over: the document with `digest` null, keys sorted,
    no spaces, UTF-8."""
    body = json.loads(json.dumps(document))
    body["competition"]["digest"] = None
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def digest(document: dict) -> str:
    return hashlib.sha256(canonical(document)).hexdigest()


def to_json(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)


def criterion_averages(document: dict, contestant: dict) -> dict[str, str | None]:
    """Each criterion's average over the sheets that count (not observers', not dropped)."""
    counted = [s for s in contestant["sheets"] if not s["observer"] and not s["dropped"]]
    averages = {}
    for criterion in document["criteria"]:
        values = [
            Decimal(s["points"][criterion["code"]])
            for s in counted
            if criterion["code"] in s["points"]
        ]
        averages[criterion["code"]] = two(sum(values) / len(values)) if values else None
    return averages


CSV_COLUMNS = ["rank", "secretary", "village", "village_code", "street", "order"]


def escape_cell(value) -> str:
    from villages.roster import escape_formula

    return escape_formula("" if value is None else str(value))


def to_csv(document: dict) -> bytes:
    """One row per contestant, one column per criterion average; UTF-8 with a BOM for Excel."""
    codes = [c["code"] for c in document["criteria"]]
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        CSV_COLUMNS
        + codes
        + ["panel_score", "disagreement", "democratic_score", "final_score", "grade", "reasons"]
    )
    for row in document["contestants"]:
        averages = criterion_averages(document, row)
        democratic = row["democratic"]["score"] if row["democratic"] else None
        writer.writerow(
            [escape_cell(row[c]) for c in CSV_COLUMNS]
            + [escape_cell(averages[c]) for c in codes]
            + [
                escape_cell(v)
                for v in (
                    row["panel_score"],
                    row["disagreement"],
                    democratic,
                    row["final_score"],
                    row["grade"],
                    " ".join(row["reasons"]),
                )
            ]
        )
    return ("\ufeff" + out.getvalue()).encode()


def to_xlsx(document: dict) -> bytes:
    """A ranking sheet and one sheet per judge, from the same document."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    ranking = workbook.create_sheet(_("Ranking"))
    ranking.append(
        [
            "rank",
            "secretary",
            "village",
            "village_code",
            "street",
            "order",
            "panel_score",
            "disagreement",
            "final_score",
            "grade",
            "reasons",
        ]
    )
    for row in document["contestants"]:
        ranking.append(
            [
                escape_cell(v)
                for v in (
                    row["rank"],
                    row["secretary"],
                    row["village"],
                    row["village_code"],
                    row["street"],
                    row["order"],
                    row["panel_score"],
                    row["disagreement"],
                    row["final_score"],
                    row["grade"],
                    " ".join(row["reasons"]),
                )
            ]
        )
    codes = [c["code"] for c in document["criteria"]]
    judges = []
    for row in document["contestants"]:
        for sheet in row["sheets"]:
            if sheet["judge"] not in judges:
                judges.append(sheet["judge"])
    for index, judge in enumerate(judges, start=1):
        # Sheet titles: at most 31 characters, unique.
        page = workbook.create_sheet(f"{index}-{judge}"[:31])
        page.append(["order", "secretary", "village", *codes, "total", "percent", "dropped"])
        for row in sorted(document["contestants"], key=lambda r: r["order"] or 0):
            for sheet in row["sheets"]:
                if sheet["judge"] == judge:
                    page.append(
                        [
                            escape_cell(v)
                            for v in (
                                row["order"],
                                row["secretary"],
                                row["village"],
                                *(sheet["points"].get(c) for c in codes),
                                sheet["total"],
                                sheet["percent"],
                                sheet["dropped"],
                            )
                        ]
                    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def document_for(competition: Competition) -> dict:
    """The published document when there is one (the latest version), else built now."""
    publication = competition.publications.defer("summary").order_by("-version").first()
    if publication is not None:
        return publication.document
    return build_document(competition)
