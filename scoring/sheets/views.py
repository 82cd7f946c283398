"""The home page, and the judge's pages: my competitions, my contestants, the score sheet."""

from decimal import Decimal
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from competition.models import Contestant, Judge
from competition.permissions import card_scope, seat_in
from competition.services import ActionRefused
from scoring import domain
from scoring.sheets import queries
from scoring.sheets.services import SheetInvalid, save_sheet
from villages import permissions
from villages.models import Membership
from villages.queries import current_tenures, streets_with_counts


def _get_seat_for_user(request: HttpRequest, competition_id: int) -> Judge:
    seat = seat_in(request, competition_id)
    if seat is None:
        raise Http404(_("You are not on this competition's panel."))
    return seat


def my_seats(request: HttpRequest) -> list[Judge]:
    """The panels the user sits on; only the card's competition in a card's session."""
    return queries.judge_seats(request.user, card_scope(request))


def home(request: HttpRequest) -> HttpResponse:
    """Greets each role with what it can do, and lists the panels the user sits on."""
    membership = permissions.membership_of(request.user)
    context = {"membership": membership, "is_admin": permissions.is_admin(request.user)}
    if request.user.is_authenticated:
        context["seats"] = my_seats(request)
    # Not in a session a judge's card opened: that is for scoring, not for reading the roster.
    staff = permissions.is_staff_session(request)
    if staff and membership and membership.role == Membership.Role.STREET_STAFF:
        context["tenures"] = current_tenures(street=membership.street)
    elif staff:
        context["streets"] = streets_with_counts(permissions.streets_visible_to(request.user))
    return render(request, "scoring/home.html", context)


@login_required
def my_competitions(request: HttpRequest) -> HttpResponse:
    return render(request, "scoring/judge_competitions.html", {"seats": my_seats(request)})


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


def sheet_endpoint(view):
    """The sheet page for a person, a JSON endpoint for the phone's outbox.

    A JSON request is always answered in JSON, never redirected: 401 when signed out (with
    where to sign in again), 404 for a sheet not the judge's to score, 503 when the database
    cannot be reached. The phone keeps the sheet
    for anything but such an answer (static/js/sheet.js). A page request signs in as usual.
    """

    @wraps(view)
    def endpoint(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _wants_json(request):
            return login_required(view)(request, *args, **kwargs)
        try:
            if not request.user.is_authenticated:
                return JsonResponse(
                    {
                        "result": "signed_out",
                        "login": redirect_to_login(request.get_full_path())["Location"],
                    },
                    status=401,
                )
            return view(request, *args, **kwargs)
        except Http404:
            # Not on this panel (any more), or no such contestant: sending again would not
            # help. The phone keeps what was typed and shows why.
            message = _("This sheet is not one of yours to score (any more); it was not saved.")
            return JsonResponse({"result": "refused", "errors": {"refused": message}}, status=404)
        except DatabaseError:
            return JsonResponse({"result": "unavailable"}, status=503)

    return endpoint


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
    code_of = {c.pk: c.code for c in criteria}
    saved = {code_of[s.criterion_id]: s.points for s in sheet.scores.all()} if sheet else {}
    total = domain.sheet_total(saved.values())
    context = {
        "seat": seat,
        "competition": seat.competition,
        "contestant": contestant,
        # As a judge types them: 17.5, not 17.50.
        "criteria": [
            (c, f"{saved[c.code].normalize():f}" if c.code in saved else None) for c in criteria
        ],
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


@sheet_endpoint
@require_http_methods(["GET", "POST"])
def score_sheet(request: HttpRequest, competition_id: int, contestant_id: int) -> HttpResponse:
    seat = _get_seat_for_user(request, competition_id)
    if request.method == "GET":
        return _sheet_page(request, seat, contestant_id)
    # A save needs the contestant's row alone.
    contestant = queries.contestant_in(seat.competition_id, contestant_id)
    if contestant is None:
        raise Http404
    if request.POST.get("seat", str(seat.pk)) != str(seat.pk) and _wants_json(request):
        # Typed on this phone under another judge's sign-in: kept there for that judge.
        return JsonResponse({"result": "not_yours"}, status=403)
    try:
        result = save_sheet(
            judge=seat, contestant=contestant, by=request.user, **read_sheet_post(request)
        )
    except (ActionRefused, SheetInvalid) as exc:
        return _not_saved(request, seat, contestant, exc)
    if _wants_json(request):
        reply = _save_reply(seat, contestant, result)
        return JsonResponse(reply, status=409 if result.stale else 200)
    return _saved(request, seat, contestant, result)


def _sheet_page(request: HttpRequest, seat: Judge, contestant_id: int) -> HttpResponse:
    contestant = queries.sheet_contestant(seat, contestant_id)
    if contestant is None:
        raise Http404
    context = sheet_page_context(seat, contestant)
    context["previous"], context["next"] = queries.neighbours(contestant)
    context["not_scored"] = _not_scored(seat, contestant, contestant.absent, contestant.recused)
    return render(request, "scoring/judge_sheet.html", context)


def _not_saved(request: HttpRequest, seat: Judge, contestant: Contestant, exc) -> HttpResponse:
    """A refused or invalid sheet: the phone is told why, a form posted without JS sees the
    page again with what was typed and the messages under each item."""
    invalid = isinstance(exc, SheetInvalid)
    errors = exc.errors if invalid else {"refused": _refusal_to_judge(seat, contestant, exc)}
    if _wants_json(request):
        return JsonResponse(
            {
                "result": "invalid" if invalid else "refused",
                "errors": errors,
                "version": queries.sheet_version(seat, contestant),
            },
            status=400 if invalid else 403,
        )
    context = sheet_page_context(seat, contestant, request.POST) | {"errors": errors}
    return render(request, "scoring/judge_sheet.html", context, status=400)


def _saved(request: HttpRequest, seat: Judge, contestant: Contestant, result) -> HttpResponse:
    """A form posted without JS: back to the sheet, or on to the next one after a submit."""
    if result.stale:
        messages.warning(request, _("A newer version of this sheet is already saved."))
    elif result.sheet.status == "submitted":
        reply = _save_reply(seat, contestant, result)
        messages.success(
            request,
            _("Submitted: %(who)s, %(total)s of %(maximum)s points (%(percent)s%%).")
            % {"who": contestant.secretary, **reply},
        )
        following = queries.neighbours(contestant)[1]
        if following and request.POST.get("action") == "submit":
            return redirect("scoring:sheet", seat.competition_id, following.pk)
    else:
        messages.info(request, _("Draft saved."))
    return redirect("scoring:sheet", seat.competition_id, contestant.pk)


def _save_reply(seat: Judge, contestant: Contestant, result) -> dict:
    """What the phone is told of a save: the outcome, and the sheet the server now holds."""
    maximum, total = result.maximum, result.total
    percent = domain.round2(domain.sheet_percent(total, maximum)) if maximum else Decimal(0)
    return {
        "result": "applied" if result.applied else ("stale" if result.stale else "duplicate"),
        "version": result.version,
        "status": result.sheet.status,
        "total": f"{total.normalize():f}",
        "maximum": f"{maximum.normalize():f}",
        "percent": f"{percent:.2f}",
    }


def _refusal_to_judge(seat: Judge, contestant: Contestant, refused: ActionRefused) -> str:
    """Why a save was refused, said to the judge ("you …") as the database holds it now."""
    seat = queries.judge_seat(seat.pk)
    if not seat.is_active:
        return str(SEAT_INACTIVE[seat.status])
    absent, recused = queries.absent_or_recused(contestant, seat)
    return _not_scored(seat, contestant, absent, recused) or str(refused)


# What a judge taken off the panel is told (the page says it too: _seat_inactive.html).
SEAT_INACTIVE = {
    Judge.Status.ABSENT: gettext_lazy(
        "You are marked absent on this panel: you can no longer score. Ask the street staff if "
        "this is a mistake."
    ),
    Judge.Status.WITHDRAWN: gettext_lazy(
        "You have been withdrawn from this panel: you can no longer score. Your sheets are kept "
        "but do not count."
    ),
}


def _not_scored(seat: Judge, contestant: Contestant, absent: bool, recused: bool) -> str:
    """Why this judge cannot score this contestant now (the contestant `absent`, the judge
    `recused` from them, as the database holds it); empty when they can."""
    if seat.competition.status != seat.competition.Status.SCORING:
        return _("Scoring is not open: the competition is %(status)s.") % {
            "status": seat.competition.get_status_display()
        }
    if absent:
        return _("%(who)s is absent and is not scored.") % {"who": contestant.secretary}
    if recused:
        return _("You are recused from %(who)s: you do not score them.") % {
            "who": contestant.secretary
        }
    return ""
