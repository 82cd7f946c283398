"""The judge's pages: my competitions, my contestants, the score sheet."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from competition.models import Contestant, Judge
from competition.permissions import card_scope, seat_in
from competition.services import ActionRefused
from scoring import domain, queries
from scoring.services import SheetInvalid, save_sheet


def _get_seat_for_user(request: HttpRequest, competition_id: int) -> Judge:
    seat = seat_in(request, competition_id)
    if seat is None:
        raise Http404(_("You are not on this competition's panel."))
    return seat


@login_required
def my_competitions(request: HttpRequest) -> HttpResponse:
    seats = queries.judge_seats(request.user)
    scope = card_scope(request)
    if scope is not None:
        seats = seats.filter(competition_id=scope)
    return render(request, "scoring/judge_competitions.html", {"seats": seats})


@login_required
def my_contestants(request: HttpRequest, competition_id: int) -> HttpResponse:
    seat = _get_seat_for_user(request, competition_id)
    rows = queries.judge_progress(seat)
    scored = [r for r in rows if r.status not in ("absent", "recused")]
    done = sum(r.status == "submitted" for r in scored)
    return render(
        request,
        "scoring/judge_contestants.html",
        {
            "seat": seat,
            "competition": seat.competition,
            "rows": rows,
            "done": done,
            "total": len(scored),
            "percent_done": round(100 * done / len(scored)) if scored else 0,
        },
    )


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def read_sheet_post(request: HttpRequest) -> dict:
    """The sheet form's fields as save_sheet's arguments; a bad version is an error."""
    try:
        version = int(request.POST.get("version", ""))
    except ValueError as exc:
        raise SheetInvalid({"version": _("The form is out of date; reload the page.")}) from exc
    points = {key[2:]: value for key, value in request.POST.items() if key.startswith("p-")}
    return {
        "points": points,
        "comment": request.POST.get("comment", ""),
        "problems": request.POST.get("problems", "").splitlines(),
        "version": version,
        "submit": request.POST.get("action") == "submit",
    }


def sheet_page_context(seat: Judge, contestant: Contestant, posted=None) -> dict:
    """What the sheet page shows: the saved sheet, or what was just posted when it had errors."""
    criteria = list(seat.competition.criteria.all())
    maximum = queries.competition_maximum(criteria)
    sheet = queries.sheet_for(seat, contestant)
    saved = {s.criterion.code: s.points for s in sheet.scores.all()} if sheet else {}
    total = domain.sheet_total(saved.values())
    context = {
        "seat": seat,
        "competition": seat.competition,
        "contestant": contestant,
        "criteria": [(c, saved.get(c.code)) for c in criteria],
        "maximum": maximum,
        "total": total,
        "percent": domain.round2(domain.sheet_percent(total, maximum)) if maximum else 0,
        "sheet": sheet,
        "version": sheet.version if sheet else 0,
        "comment_text": sheet.comment if sheet else "",
        "problems_text": "\n".join(sheet.problems) if sheet else "",
        "carried": queries.carried_over(seat.competition, [contestant.village_id]),
    }
    if posted is not None:
        context["criteria"] = [(c, posted.get(f"p-{c.code}", "")) for c in criteria]
        context["comment_text"] = posted.get("comment", "")
        context["problems_text"] = posted.get("problems", "")
    return context


@login_required
@require_http_methods(["GET", "POST"])
def score_sheet(request: HttpRequest, competition_id: int, contestant_id: int) -> HttpResponse:
    seat = _get_seat_for_user(request, competition_id)
    if request.method == "GET":
        contestant = get_object_or_404(
            Contestant.objects.filter(competition=seat.competition).select_related(
                "secretary", "village__street"
            ),
            pk=contestant_id,
        )
    else:  # a save needs the contestant's row alone
        contestant = queries.contestant_in(seat.competition_id, contestant_id)
        if contestant is None:
            raise Http404
    if request.method == "POST":
        try:
            result = save_sheet(
                judge=seat, contestant=contestant, by=request.user, **read_sheet_post(request)
            )
        except (ActionRefused, SheetInvalid) as exc:
            errors = exc.errors if isinstance(exc, SheetInvalid) else {"refused": str(exc)}
            if _wants_json(request):
                saved = queries.sheet_version(seat, contestant)
                return JsonResponse(
                    {"result": "refused", "errors": errors, "version": saved},
                    status=400 if isinstance(exc, SheetInvalid) else 403,
                )
            context = sheet_page_context(seat, contestant, request.POST) | {"errors": errors}
            return render(request, "scoring/judge_sheet.html", context, status=400)
        reply = {
            "result": "applied" if result.applied else ("stale" if result.stale else "duplicate"),
            "version": result.version,
            "status": result.sheet.status,
        }
        if _wants_json(request):
            return JsonResponse(reply, status=409 if result.stale else 200)
        if result.stale:
            messages.warning(request, _("A newer version of this sheet is already saved."))
        elif result.sheet.status == "submitted":
            messages.success(request, _("Submitted: %(who)s.") % {"who": contestant.secretary})
            following = _neighbour(seat, contestant, +1)
            if following and request.POST.get("action") == "submit":
                return redirect("scoring:sheet", seat.competition_id, following.pk)
        else:
            messages.info(request, _("Draft saved."))
        return redirect("scoring:sheet", seat.competition_id, contestant.pk)
    context = sheet_page_context(seat, contestant)
    context["previous"] = _neighbour(seat, contestant, -1)
    context["next"] = _neighbour(seat, contestant, +1)
    return render(request, "scoring/judge_sheet.html", context)


def _neighbour(seat: Judge, contestant: Contestant, step: int) -> Contestant | None:
    if contestant.order is None:
        return None
    ordered = seat.competition.contestants.filter(order__isnull=False, absent=False).select_related(
        "secretary", "village"
    )
    if step > 0:
        return ordered.filter(order__gt=contestant.order).order_by("order").first()
    return ordered.filter(order__lt=contestant.order).order_by("-order").first()
