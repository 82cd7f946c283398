"""The results document: built once per competition, in one pass, the source of every view and
export (DESIGN.md "The results document").

Decimal values are strings with two decimals: the exact value rounded once. The reasons behind a
grade are codes with their figures (`{"code": "cap", "cap": "20", "rank": 4}`), so the one
document reads in any language (`reason_text`). A published competition's document is stored,
with its SHA-256 digest, and never built again.
"""

import hashlib
import json
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.utils import translation
from django.utils.translation import gettext_lazy

from competition.models import Competition, Judge
from scoring import domain
from scoring.models import GradeOverride, GradingPolicy, PaperTally, Score, ScoreSheet
from scoring.results.queries import confirmed_tallies, democratic_counts, policy_of
from scoring.sheets.queries import contestants_in_order

# The grades as pages, exports and reasons name them, in the reader's language.
GRADE_LABELS = dict(domain.Grade.choices)


# What each reason code says, with its figures; documents name reasons by code.
REASONS = {
    "veto_incompetent_share": gettext_lazy(
        "More than a third of the valid ballots rate this secretary incompetent: "
        "the grade is incompetent."
    ),
    "veto_approval_share": gettext_lazy(
        "Fewer than two thirds of the valid ballots rate this secretary excellent or "
        "competent: the grade is at most basic competent."
    ),
    "cap": gettext_lazy(
        "Excellent grades are capped at %(cap)s %% of contestants; ranked %(rank)s, "
        "this contestant is graded competent."
    ),
    "override": gettext_lazy("Grade set by hand from %(old)s to %(new)s: %(reason)s"),
    "no_sheet": gettext_lazy("No submitted score sheet counts: no final score."),
    "no_ballots": gettext_lazy(
        "No valid democratic ballot: the final score is the panel score alone."
    ),
    "tally_returns": gettext_lazy(
        "The paper tally does not count: %(returned)s ballots came back of %(issued)s handed out."
    ),
    "tally_quorum": gettext_lazy(
        "The paper tally does not count: %(present)s of %(due)s representatives came, "
        "short of the quorum (more than two thirds)."
    ),
    "few_sheets": gettext_lazy(
        "The panel score rests on %(counted)s of the %(expected)s sheets expected."
    ),
    "rank_exact": gettext_lazy(
        "Shown as %(shown)s like rank %(above_rank)s, but the exact final score, %(exact)s…, "
        "is below %(above)s…: rank %(rank)s."
    ),
    "below_band": gettext_lazy(
        "The exact final score, %(exact)s…, is shown rounded as %(shown)s but lies below "
        "%(band)s: the grade is %(grade)s."
    ),
}


def reason_text(reason: dict | str) -> str:
    """A reason of the document in the reader's language. Documents published before reasons
    were codes hold sentences: those are shown as they were written."""
    if isinstance(reason, str):
        return reason
    figures = {key: value for key, value in reason.items() if key != "code"}
    for key in ("old", "new", "grade"):
        if key in figures:
            figures[key] = GRADE_LABELS.get(figures[key] or "", "—")
    return str(REASONS[reason["code"]]) % figures


def stored_figure(value: Decimal | Fraction | None) -> str | None:
    """A figure as the document stores it: the exact value rounded half up once, two places."""
    return None if value is None else f"{domain.round2(value):.2f}"


def _policy_json(policy: GradingPolicy) -> dict:
    """Every setting that shaped the document; the role weights and the trimming threshold
    as the rules used them (GradingPolicy.to_domain)."""
    rules = policy.to_domain()
    return {
        "aggregation": policy.aggregation,
        "trim_min_sheets": rules.trim_min_sheets,
        "role_weights": {role: stored_figure(weight) for role, weight in rules.role_weights},
        "democratic_enabled": policy.democratic_enabled,
        "panel_weight": stored_figure(policy.panel_weight),
        "democratic_weight": stored_figure(policy.democratic_weight),
        "democratic_points": {
            "excellent": stored_figure(policy.points_excellent),
            "competent": stored_figure(policy.points_competent),
            "basic": stored_figure(policy.points_basic),
            "incompetent": stored_figure(policy.points_incompetent),
        },
        "bands": {
            "excellent": stored_figure(policy.band_excellent),
            "competent": stored_figure(policy.band_competent),
            "basic": stored_figure(policy.band_basic),
        },
        "vetoes": {
            "incompetent_share": policy.veto_incompetent,
            "approval_share": policy.veto_approval,
        },
        "excellent_cap": stored_figure(policy.excellent_cap),
        "annual_cap_by_quarter": policy.annual_cap_by_quarter,
        "pay_coefficients": {
            "excellent": stored_figure(policy.pay_excellent),
            "competent": stored_figure(policy.pay_competent),
            "basic": stored_figure(policy.pay_basic),
            "incompetent": stored_figure(policy.pay_incompetent),
        },
        "advancement_k": policy.advancement_k,
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
    counting = sum(judge.is_active and not judge.is_observer for judge in judges.values())
    sheets = defaultdict(list)
    for sheet in ScoreSheet.objects.filter(
        judge__competition=competition,
        judge__status=Judge.Status.ACTIVE,  # a withdrawn or absent judge's sheets do not count
        status=ScoreSheet.Status.SUBMITTED,
    ).prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("criterion"))):
        sheets[sheet.contestant_id].append(sheet)
    tallies = confirmed_tallies(competition) if policy_row.democratic_enabled else []
    counts = democratic_counts(competition, tallies) if policy_row.democratic_enabled else {}
    tally_of = {tally.contestant_id: tally for tally in tallies}
    overrides = {
        o.contestant_id: o
        for o in GradeOverride.objects.filter(contestant__competition=competition)
    }

    rows = []
    contestants = (
        contestants_in_order(competition)
        .filter(absent=False)
        .annotate(
            recused=Count(
                "recused_judges",
                filter=Q(recused_judges__status=Judge.Status.ACTIVE)
                & ~Q(recused_judges__role=Judge.Role.OBSERVER),
            )
        )
    )
    for contestant in contestants:
        rows.append(
            _contestant(
                contestant,
                sheets[contestant.pk],
                judges,
                criteria,
                maximum,
                policy,
                counts.get(contestant.pk),
                counting - contestant.recused,
            )
        )
        if policy_row.democratic_enabled:
            rows[-1]["reasons"].extend(_democratic_reasons(rows[-1], tally_of.get(contestant.pk)))

    finals = [r["_final"] for r in rows]
    for row, rank in zip(rows, domain.ranks(finals), strict=True):
        row["rank"] = rank
    index_of = {r["_pk"]: index for index, r in enumerate(rows)}
    settled = domain.settle_grades(
        [
            (r["rank"], domain.Grade(r["grade"]) if r["grade"] else None, r["grade_set_by"])
            for r in rows
        ],
        policy.excellent_cap,
        {
            index_of[contestant_id]: domain.Grade(override.grade)
            for contestant_id, override in overrides.items()
            if contestant_id in index_of
        },
    )
    for row, result in zip(rows, settled, strict=True):
        if result.capped:
            row["reasons"].append(
                {"code": "cap", "cap": f"{policy.excellent_cap * 100:.0f}", "rank": row["rank"]}
            )
        if result.set_by == domain.SET_BY_OVERRIDE:
            row["reasons"].append(
                {
                    "code": "override",
                    "old": result.before_override.value if result.before_override else None,
                    "new": overrides[row["_pk"]].grade,
                    "reason": overrides[row["_pk"]].reason,
                }
            )
        row["grade"] = result.grade.value if result.grade else None
        row["grade_set_by"] = result.set_by

    rows.sort(key=lambda r: domain.display_order(r["_final"], r["_panel"], r["_dem"], r["order"]))
    for above, row in pairwise(rows):
        shown_alike = row["final_score"] is not None and row["final_score"] == above["final_score"]
        if shown_alike and row["rank"] != above["rank"]:
            row["reasons"].append(_rank_below(row, above))
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
                "max_points": stored_figure(c.max_points),
                "required": c.required,
            }
            for c in criteria
        ],
        "contestants": rows,
    }


def _democratic_reasons(row: dict, tally: PaperTally | None) -> list[dict]:
    """Why a contestant's final rests on the panel alone while democratic evaluation is on: a
    confirmed paper tally that does not count (more ballots back than handed out, or the meeting
    short of its quorum), and no valid ballot at all."""
    reasons = []
    if tally is not None and not tally.returns_valid:
        returned, issued = tally.ballots_returned, tally.ballots_issued
        reasons.append({"code": "tally_returns", "returned": returned, "issued": issued})
    elif tally is not None and not tally.has_quorum:
        present, due = tally.representatives_present, tally.representatives_due
        reasons.append({"code": "tally_quorum", "present": present, "due": due})
    no_score = row["democratic"] is None or row["democratic"]["score"] is None
    if no_score and row["panel_score"] is not None:
        reasons.append({"code": "no_ballots"})
    return reasons


def _contestant(contestant, sheets, judges, criteria, maximum, policy, counts, expected) -> dict:
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
                "weight": stored_figure(weight),
                "observer": judge.is_observer,
                "points": {
                    c.code: stored_figure(points[c.code]) for c in criteria if c.code in points
                },
                "total": stored_figure(total),
                "percent": stored_figure(percent),
                "dropped": False,
                "comment": sheet.comment,
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
        democratic |= {"valid": valid, "score": stored_figure(dem_score)}
    final = domain.final_score(panel.score, dem_score, policy)
    reasons = []
    counted = sum(not row["observer"] for row in sheet_rows)
    if 0 < counted < expected:
        reasons.append({"code": "few_sheets", "counted": counted, "expected": expected})
    grade = domain.grade_for(final, policy) if final is not None else None
    # What set the grade when the bands did not: the annual roll-up reads it (reports/rankings.py).
    grade_set_by = None
    band = domain.band_missed(final, policy) if final is not None else None
    if band is not None:
        reasons.append(
            {
                "code": "below_band",
                "exact": _exact(final),
                "shown": stored_figure(final),
                "band": stored_figure(band),
                "grade": grade.value,
            }
        )
    if grade is not None and counts:
        ceiling, veto = domain.democratic_veto(counts, policy)
        lowered = domain.at_most(grade, ceiling)
        if lowered != grade:
            reasons.append({"code": f"veto_{veto}"})
            grade = lowered
            grade_set_by = domain.SET_BY_VETO
    if final is None:
        reasons.append({"code": "no_sheet"})
    return {
        "rank": None,
        "secretary": contestant.secretary.name,
        "village": contestant.village.name,
        "village_code": contestant.village.code,
        "street": contestant.village.street.name,
        "order": contestant.order,
        "sheets": sheet_rows,
        "panel_score": stored_figure(panel.score),
        "disagreement": stored_figure(panel.disagreement),
        "democratic": democratic,
        "final_score": stored_figure(final),
        "grade": grade.value if grade else None,
        "grade_set_by": grade_set_by,
        "sheets_counted": counted,
        "sheets_expected": expected,
        "reasons": reasons,
        "_pk": contestant.pk,
        "_final": final,
        "_panel": panel.score,
        "_dem": dem_score,
    }


def _rank_below(row: dict, above: dict) -> dict:
    """Why a contestant is ranked below one whose final is shown the same: the exact finals
    differ (rule 9 ranks by them), written out to as many decimals as it takes to see it."""
    places = 4
    while _exact(row["_final"], places) == _exact(above["_final"], places) and places < 12:
        places += 1
    return {
        "code": "rank_exact",
        "shown": row["final_score"],
        "rank": row["rank"],
        "above_rank": above["rank"],
        "exact": _exact(row["_final"], places),
        "above": _exact(above["_final"], places),
    }


def _exact(value: Fraction, places: int = 4) -> str:
    """Decimals cut (not rounded), to show how far below a band or another final an exact
    value lies."""
    return f"{Decimal(int(value * 10**places)).scaleb(-places):.{places}f}"


def canonical(document: dict) -> bytes:
    """The bytes the digest is taken over: the document with `digest` null, keys sorted,
    no spaces, UTF-8."""
    body = json.loads(json.dumps(document))
    body["competition"]["digest"] = None
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def digest(document: dict) -> str:
    return hashlib.sha256(canonical(document)).hexdigest()


def summary_of(document: dict) -> dict:
    """The document without each contestant's sheets: what a publication keeps as its summary."""
    return document | {
        "contestants": [
            {key: value for key, value in row.items() if key != "sheets"}
            for row in document["contestants"]
        ]
    }


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
        averages[criterion["code"]] = stored_figure(sum(values) / len(values)) if values else None
    return averages


def document_for(competition: Competition) -> dict:
    """The published document when there is one (the latest version), else built now."""
    publication = competition.publications.defer("summary").order_by("-version").first()
    if publication is not None:
        return publication.document
    return build_document(competition)
