"""The results page and its downloads, all from the one results document."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from competition import permissions
from competition.models import Competition, Contestant
from competition.services import ActionRefused
from scoring.reports import spreadsheets
from scoring.results import exports, published, queries
from scoring.results.comments import named_comments, with_comments
from scoring.results.document import (
    GRADE_LABELS,
    build_document,
    criterion_averages,
    document_for,
    reason_text,
    to_json,
)
from scoring.results.services import amend_published, override_grade

AGGREGATIONS = {
    "trimmed_mean": gettext_lazy("the mean without the single highest and lowest (from 5 sheets)"),
    "mean": gettext_lazy("the mean"),
    "median": gettext_lazy("the median"),
}

DOWNLOADS = {
    # The JSON is the document itself; the tables name the criteria in the reader's language.
    "json": ("application/json; charset=utf-8", lambda d, _names: to_json(d).encode()),
    "csv": ("text/csv; charset=utf-8", exports.to_csv),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        exports.to_xlsx,
    ),
}


def _get_competition_for_results(request: HttpRequest, pk: int) -> Competition:
    """The competition, with the id of its latest publication (None before publication)."""
    competition = queries.competition_for_results(pk)
    if competition is None:
        raise Http404
    if not permissions.can_view_results(request, competition):
        raise Http404(_("These results are not open to you."))
    return competition


def _criterion_names(competition: Competition, document: dict) -> list[tuple[str, str]]:
    """The document's criteria, (code, name in the page's language)."""
    labels = queries.criterion_labels([competition.pk]).get(competition.pk, {})
    return [(c["code"], labels.get(c["code"], c["name"])) for c in document["criteria"]]


def _drawn_rows(competition: Competition, document: dict) -> dict:
    """Each contestant's row of the results and its explanation, drawn by their templates."""
    ids = dict(competition.contestants.values_list("village__code", "pk"))
    document = with_comments(competition, document)
    names = _criterion_names(competition, document)
    main, explain = (
        get_template("scoring/_results_row.html"),
        get_template("scoring/_results_explain.html"),
    )
    rows = []
    for row in document["contestants"]:
        averages = criterion_averages(document, row)
        context = {
            "row": row,
            "grade_label": GRADE_LABELS.get(row["grade"] or "", ""),
            "reasons": [reason_text(reason) for reason in row["reasons"]],
            "averages": [(name, averages.get(code)) for code, name in names],
            "named_comments": named_comments(row),
        }
        rows.append(
            {
                "main": main.render(context),
                "explain": explain.render(context),
                "village": row["village"],
                "village_code": row["village_code"],
                "pk": ids.get(row["village_code"]),
            }
        )
    return {
        "digest": document["competition"].get("digest"),
        "policy": document["policy"],
        "rows": rows,
    }


def _results_table(competition: Competition) -> dict:
    """The drawn rows of the results: made afresh until publication, then kept under the
    published document's digest (a correction is a new document, with a new digest)."""
    if competition.latest_digest is None:
        return _drawn_rows(competition, build_document(competition))
    return published.kept(
        "results",
        [competition.latest_digest],
        lambda: _drawn_rows(competition, document_for(competition)),
    )


@login_required
@cache_control(private=True, no_cache=True)
def results_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Published results change only with a new publication, their status and title, and the
    problems carried over: a reload of an unchanged page is a 304. Results still changing are
    drawn afresh each time."""
    competition = _get_competition_for_results(request, pk)
    carried = queries.carried_counts(competition)
    etag = competition.latest_digest and published.etag(
        request,
        competition.latest_digest,
        competition.status,
        competition.title,
        sorted(carried.items()),
    )
    return published.conditional(
        request, etag, lambda: _results_response(request, competition, carried)
    )


def _results_response(request: HttpRequest, competition: Competition, carried: dict):
    fmt = request.GET.get("format")
    if fmt in DOWNLOADS:
        document = document_for(competition)
        if fmt != "json":  # the JSON is the document as published, which its digest covers
            document = with_comments(competition, document)
        content_type, render_as = DOWNLOADS[fmt]
        names = dict(_criterion_names(competition, document))
        response = HttpResponse(render_as(document, names), content_type=content_type)
        return spreadsheets.attachment(response, f"{_('Results')} {competition.title}", fmt)
    may_manage = (
        permissions.can_manage(request.user, competition)
        and permissions.card_scope(request) is None
    )
    table = _results_table(competition)
    follows = permissions.can_follow(request, competition)
    return render(
        request,
        "scoring/results.html",
        {
            "competition": competition,
            "digest": table["digest"],
            "policy": table["policy"],
            "rows": [
                row | {"carried": carried.get(row["village_code"], 0)} for row in table["rows"]
            ],
            "may_manage": may_manage,
            # Grades are set by hand after the close, and corrected after publication.
            "may_override": may_manage
            and competition.status in (Competition.Status.CLOSED, Competition.Status.PUBLISHED),
            "grades": GRADE_LABELS,
            "may_print_feedback": permissions.feedback_ready(competition) and follows,
            "may_read_register": follows,
            "aggregation": AGGREGATIONS.get(table["policy"].get("aggregation"), ""),
            "publications": competition.publications.select_related("by")
            .defer("document", "summary")
            .order_by("version"),
        },
    )


@login_required
def judge_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """One printable page per judge: their sheets' totals and percents, and a signature line."""
    competition = _get_competition_for_results(request, pk)
    if not permissions.can_manage(request.user, competition):
        raise Http404
    document = with_comments(competition, document_for(competition))
    judges: dict[str, list] = {}
    for row in sorted(document["contestants"], key=lambda r: r["order"] or 0):
        for sheet in row["sheets"]:
            judges.setdefault(sheet["judge"], []).append((row, sheet))
    return render(
        request,
        "scoring/judge_summary.html",
        {
            "competition": competition,
            "document": document,
            "judges": judges,
            "criteria": _criterion_names(competition, document),
        },
    )


@login_required
@require_POST
def grade_override(request: HttpRequest, pk: int, contestant_id: int) -> HttpResponse:
    competition = _get_competition_for_results(request, pk)
    if not permissions.can_manage(request.user, competition):
        raise Http404
    contestant = get_object_or_404(Contestant, pk=contestant_id, competition=competition)
    grade = request.POST.get("grade", "")
    if grade not in GRADE_LABELS:
        messages.error(request, _("Choose a grade."))
        return redirect("scoring:results", pk)
    reason = request.POST.get("reason", "")
    try:
        if competition.status == Competition.Status.PUBLISHED:
            amend_published(
                competition=competition,
                contestant=contestant,
                grade=grade,
                reason=reason,
                by=request.user,
            )
        else:
            override_grade(contestant=contestant, grade=grade, reason=reason, by=request.user)
    except ActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Grade set by hand."))
    return redirect("scoring:results", pk)
