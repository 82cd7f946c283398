"""Sign-in cards for judges, and the problems raised at competitions."""

import segno
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from competition import permissions, queries
from competition.forms import ProblemFilterForm, ProblemForm
from competition.models import Competition, Problem
from competition.services import (
    ActionRefused,
    CardRefused,
    bulk_set_status,
    check_card,
    issue_cards,
    redeem_card,
    update_problem,
)
from villages import permissions as org
from villages import throttle


def _get_competition_for_manager(request: HttpRequest, pk: int) -> Competition:
    competition = get_object_or_404(Competition.objects.select_related("street", "district"), pk=pk)
    if permissions.card_scope(request) is not None or not permissions.can_manage(
        request.user, competition
    ):
        raise Http404(_("No such competition of yours."))
    return competition


@login_required
@require_POST
def cards_print(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue a new card for every judge and show them, once, ready to print."""
    competition = _get_competition_for_manager(request, pk)
    try:
        issued = issue_cards(competition=competition, by=request.user)
    except ActionRefused as exc:
        messages.error(request, str(exc))
        return redirect("scoring:setup", pk)
    cards = []
    for judge, token in issued:
        url = request.build_absolute_uri(reverse("competition:card", args=[token]))
        qr = segno.make(url, error="m")
        cards.append({"judge": judge, "url": url, "svg": qr.svg_inline(scale=4, border=2)})
    return render(
        request, "competition/cards_print.html", {"competition": competition, "cards": cards}
    )


def _card_refused(request: HttpRequest, reason: str) -> HttpResponse:
    """Why the card did nothing. Only an unknown card counts against the address."""
    if reason == "unknown" and throttle.unknown_code(request, "card"):
        response = render(
            request,
            "competition/card_invalid.html",
            {"reason": "limit", "minutes": throttle.MINUTES},
            status=429,
        )
        response["Retry-After"] = str(throttle.WINDOW)
        return response
    return render(request, "competition/card_invalid.html", {"reason": reason}, status=404)


def card(request: HttpRequest, token: str) -> HttpResponse:
    """A judge's sign-in card: confirm, then sign in for that one competition."""
    try:
        found = check_card(token)
    except CardRefused as exc:
        return _card_refused(request, exc.reason)
    if request.method == "POST":
        judge = redeem_card(token=token)
        if judge is None:  # another tap on the same card got there first
            return _card_refused(request, "used")
        login(request, judge.user, backend="villages.auth.RoleBackend")
        request.session[permissions.CARD_SCOPE] = judge.competition_id
        return redirect("scoring:contestants", judge.competition_id)
    return render(request, "competition/card_confirm.html", {"judge": found.judge})


def _problems_for(request: HttpRequest):
    if not permissions.is_staff_session(request):
        raise Http404(_("These pages are for street and district staff."))
    streets = org.streets_visible_to(request.user)
    return streets, queries.problems_in(streets)


@login_required
def problem_list(request: HttpRequest) -> HttpResponse:
    streets, problems = _problems_for(request)
    form = ProblemFilterForm(request.GET or None, streets=streets)
    today = timezone.localdate()
    if form.is_valid():
        problems = queries.filter_problems(problems, today=today, **form.cleaned_data)
    return render(
        request,
        "competition/problem_list.html",
        {
            "form": form,
            "problems": problems.order_by("status", "due", "-created_at")[:500],
            "today": today,
            "closure": queries.closure_by_street(streets),
            "statuses": Problem.Status.choices,
        },
    )


@login_required
@require_POST
def problem_bulk(request: HttpRequest) -> HttpResponse:
    """Change the status of several problems at once; resolving needs each one's resolution."""
    _streets, problems = _problems_for(request)
    ids = [int(i) for i in request.POST.getlist("problem") if i.isdigit()]
    status = request.POST.get("status", "")
    chosen = list(problems.filter(pk__in=ids))
    if len(chosen) != len(set(ids)):
        raise Http404(_("No such problem of yours."))
    if status not in Problem.Status.values or not chosen:
        messages.error(request, _("Choose problems and a status."))
        return redirect("competition:problems")
    try:
        changed = bulk_set_status(problems=chosen, status=status, by=request.user)
    except ActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(n)s problems updated.") % {"n": changed})
    return redirect(_this_site_or(request.POST.get("next", ""), "competition:problems"))


def _this_site_or(target: str, fallback: str) -> str:
    """`target` if it is a path of this site, else `fallback`: a form's `next` may be forged."""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts=None, require_https=False):
        return target
    return reverse(fallback)


@login_required
def problem_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _streets, problems = _problems_for(request)
    problem = get_object_or_404(problems.prefetch_related("raisers__user"), pk=pk)
    if not permissions.can_edit_problem(request.user, problem):
        raise Http404
    form = ProblemForm(request.POST or None, instance=problem)
    if request.method == "POST" and form.is_valid():
        try:
            update_problem(problem=problem, by=request.user, **form.cleaned_data)
        except ActionRefused as exc:
            form.add_error("resolution", str(exc))
        else:
            messages.success(request, _("Problem updated."))
            return redirect("competition:problems")
    return render(request, "competition/problem_edit.html", {"form": form, "problem": problem})
