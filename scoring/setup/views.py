"""Street staff's pages: set up a competition, run it, watch its progress board, close it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from competition import permissions
from competition import services as competition_services
from competition.models import Competition
from competition.services import ActionRefused
from scoring.forms import (
    CloseForm,
    CompetitionForm,
    CriteriaForm,
    JudgeForm,
    ReasonForm,
)
from scoring.results import queries
from scoring.results.services import close_scoring, publish_competition, publish_refusal
from scoring.setup import queries as setup_queries
from scoring.setup.services import choose_criteria, create_competition, open_scoring
from villages import permissions as org


def get_competition_for_staff(request: HttpRequest, pk: int, *, manage: bool = True):
    competition = setup_queries.competition(pk)
    # A session opened with a judge's card is for scoring only.
    allowed = permissions.can_manage if manage else permissions.can_view
    if permissions.card_scope(request) is not None or not allowed(request.user, competition):
        raise Http404(_("No such competition of yours."))
    return competition


def _require_staff(request: HttpRequest) -> None:
    if not permissions.is_staff_session(request):
        raise Http404(_("These pages are for street and district staff."))


@login_required
def competition_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    streets = org.streets_visible_to(request.user)
    districts = [d for d in {s.district for s in streets} if org.can_view_district(request.user, d)]
    competitions = setup_queries.competitions_of(streets, districts)
    may_create = any(org.can_change_street(request.user, s) for s in streets)
    return render(
        request,
        "scoring/competition_list.html",
        {"competitions": competitions, "may_create": may_create},
    )


@login_required
def competition_new(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    streets = org.streets_changed_by(request.user)
    if not streets.exists():
        raise Http404(_("Street competitions are created by the street's staff."))
    form = CompetitionForm(request.POST or None, streets=streets)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            competition = create_competition(
                street=data["street"],
                year=data["year"],
                quarter=data["quarter"],
                held_on=data["held_on"],
                venue=data["venue"],
                scheme=data["scheme"],
                optional_codes=data["optional"],
                by=request.user,
            )
        except ActionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Competition created. Now add contestants and judges."))
            return redirect("scoring:setup", competition.pk)
    return render(request, "scoring/competition_new.html", {"form": form})


@login_required
def competition_setup(request: HttpRequest, pk: int) -> HttpResponse:
    competition = get_competition_for_staff(request, pk, manage=False)
    page = setup_queries.setup(competition)
    return render(
        request,
        "scoring/competition_setup.html",
        page
        | {
            "competition": competition,
            "may_manage": permissions.can_manage(request.user, competition),
            "criteria_form": CriteriaForm(
                initial={"scheme": page["scheme"], "optional": page["optional"]}
            ),
            "judge_form": JudgeForm(users=page["candidates"]),
        },
    )


def act(
    request: HttpRequest, competition: Competition, action, success: str, to: str = "scoring:setup"
) -> HttpResponse:
    """Do `action`; say `success`, or why it was refused; back to the page `to`."""
    try:
        action()
    except ActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return redirect(to, competition.pk)


def read_positions(request: HttpRequest) -> dict[int, int] | None:
    """The positions a list's form posts (`order-<id>`: a place), or None if one is not a whole
    number."""
    try:
        return {
            int(key.removeprefix("order-")): int(value)
            for key, value in request.POST.items()
            if key.startswith("order-")
        }
    except ValueError:
        return None


@login_required
@require_POST
def criteria_update(request: HttpRequest, pk: int) -> HttpResponse:
    competition = get_competition_for_staff(request, pk)
    form = CriteriaForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a scheme and optional items."))
        return redirect("scoring:setup", pk)
    return act(
        request,
        competition,
        lambda: choose_criteria(
            competition=competition,
            scheme=form.cleaned_data["scheme"],
            optional_codes=form.cleaned_data["optional"],
            by=request.user,
        ),
        _("Criteria updated."),
    )


@login_required
@require_POST
def contestants_add_current(request: HttpRequest, pk: int) -> HttpResponse:
    competition = get_competition_for_staff(request, pk)
    try:
        added = competition_services.add_current_secretaries(
            competition=competition, by=request.user
        )
    except ActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(n)s contestants added.") % {"n": added})
    return redirect("scoring:setup", pk)


@login_required
@require_POST
def contestant_remove(request: HttpRequest, pk: int, contestant_id: int) -> HttpResponse:
    competition = get_competition_for_staff(request, pk)
    contestant = setup_queries.contestant(competition, contestant_id)
    return act(
        request,
        competition,
        lambda: competition_services.remove_contestant(contestant=contestant, by=request.user),
        _("Contestant removed."),
    )


@login_required
@require_POST
def contestant_absent(request: HttpRequest, pk: int, contestant_id: int) -> HttpResponse:
    competition = get_competition_for_staff(request, pk)
    contestant = setup_queries.contestant(competition, contestant_id)
    absent = request.POST.get("absent") == "1"
    return act(
        request,
        competition,
        lambda: competition_services.set_absent(
            contestant=contestant, absent=absent, by=request.user
        ),
        _("Marked absent.") if absent else _("Marked present."),
    )


@login_required
@require_POST
def order_draw(request: HttpRequest, pk: int) -> HttpResponse:
    competition = get_competition_for_staff(request, pk)
    return act(
        request,
        competition,
        lambda: competition_services.draw_order(competition=competition, by=request.user),
        _("The speaking order was drawn by lot."),
    )


@login_required
@require_POST
def order_set(request: HttpRequest, pk: int) -> HttpResponse:
    competition = get_competition_for_staff(request, pk)
    order = read_positions(request)
    if order is None:
        messages.error(request, _("Positions must be whole numbers."))
        return redirect("scoring:setup", pk)
    return act(
        request,
        competition,
        lambda: competition_services.set_order(
            competition=competition, order=order, by=request.user
        ),
        _("Speaking order saved."),
    )


# Lazy: read in the language of each request, not of the process's start.
TRANSITION_LABELS = {
    "open": (
        gettext_lazy("Open for scoring"),
        gettext_lazy("Judges can score from now on; the criteria are frozen."),
    ),
    "close": (
        gettext_lazy("Close scoring"),
        gettext_lazy("Judges can no longer change their sheets."),
    ),
    "reopen": (
        gettext_lazy("Reopen scoring"),
        gettext_lazy("Judges can change their sheets again. Give the reason."),
    ),
    "publish": (
        gettext_lazy("Publish results"),
        gettext_lazy(
            "Results become visible to the panel and the district. A change after that is "
            "published as a correction, a new version the public notice shows."
        ),
    ),
}


def _close(request: HttpRequest, competition: Competition) -> HttpResponse:
    """Close scoring: first what is missing; with anything missing, a confirmation and a reason."""
    report = queries.completeness(competition, queries.policy_of(competition))
    form = None if report.complete else CloseForm(request.POST or None)
    if request.method == "POST" and (form is None or form.is_valid()):
        reason = form.cleaned_data["reason"] if form else ""
        return act(
            request,
            competition,
            lambda: close_scoring(competition=competition, by=request.user, reason=reason),
            _("Done: %(what)s.") % {"what": TRANSITION_LABELS["close"][0]},
        )
    title, explanation = TRANSITION_LABELS["close"]
    return render(
        request,
        "scoring/competition_transition.html",
        {
            "competition": competition,
            "title": title,
            "explanation": explanation,
            "form": form,
            "action": "close",
            "report": report,
        },
    )


def _run(action: str, competition: Competition, by, reason: str) -> None:
    """The open and the publish are scoring's (the criteria freeze, the document is written);
    the reopen is the event's alone."""
    if action == "open":
        open_scoring(competition=competition, by=by)
    elif action == "publish":
        publish_competition(competition=competition, by=by)
    else:
        competition_services.transition(
            competition=competition, action=action, by=by, reason=reason
        )


@login_required
def transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    competition = get_competition_for_staff(request, pk)
    if action not in TRANSITION_LABELS:
        raise Http404
    if action == "close":
        return _close(request, competition)
    form = ReasonForm(request.POST or None) if action == "reopen" else None
    if request.method == "POST" and (form is None or form.is_valid()):
        reason = form.cleaned_data["reason"] if form else ""
        return act(
            request,
            competition,
            lambda: _run(action, competition, request.user, reason),
            _("Done: %(what)s.") % {"what": TRANSITION_LABELS[action][0]},
        )
    title, explanation = TRANSITION_LABELS[action]
    return render(
        request,
        "scoring/competition_transition.html",
        {
            "competition": competition,
            "title": title,
            "explanation": explanation,
            "form": form,
            "action": action,
            # Said before the tap, not only after it.
            "refusal": publish_refusal(competition) if action == "publish" else "",
        },
    )


@login_required
def board(request: HttpRequest, pk: int) -> HttpResponse:
    competition = get_competition_for_staff(request, pk, manage=False)
    context = {
        "competition": competition,
        "board": queries.progress_board(competition),
        "may_manage": permissions.can_manage(request.user, competition),
    }
    if request.GET.get("partial"):
        return render(request, "scoring/_board.html", context)
    return render(request, "scoring/competition_board.html", context)
