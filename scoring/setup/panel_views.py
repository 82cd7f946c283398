"""Street staff's changes to a competition's panel: add or remove a judge, withdraw one, mark
them absent or bring them back, and the contestants each judge is recused from."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from competition import services as competition_services
from competition.models import Judge
from scoring.forms import JudgeForm, JudgeStatusForm
from scoring.setup import queries as setup_queries
from scoring.setup.views import act, get_competition_for_staff


@login_required
@require_POST
def judge_add(request: HttpRequest, pk: int) -> HttpResponse:
    competition = get_competition_for_staff(request, pk)
    form = JudgeForm(request.POST, users=setup_queries.panel_candidates(competition))
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, error[0])
        return redirect("scoring:setup", pk)
    data = form.cleaned_data
    return act(
        request,
        competition,
        lambda: competition_services.add_judge_account(
            competition=competition, by=request.user, **data
        ),
        _("Judge added."),
    )


@login_required
@require_POST
def judge_remove(request: HttpRequest, pk: int, judge_id: int) -> HttpResponse:
    competition = get_competition_for_staff(request, pk)
    judge = setup_queries.judge(competition, judge_id)
    return act(
        request,
        competition,
        lambda: competition_services.remove_judge(judge=judge, by=request.user),
        _("Judge removed."),
    )


# For each status staff may give a judge during scoring: the service, and what is said when done.
STATUS_ACTIONS = {
    Judge.Status.WITHDRAWN: (
        competition_services.withdraw_judge,
        gettext_lazy("Judge withdrawn from the panel."),
    ),
    Judge.Status.ABSENT: (
        competition_services.mark_judge_absent,
        gettext_lazy("Judge marked absent."),
    ),
    Judge.Status.ACTIVE: (
        competition_services.reinstate_judge,
        gettext_lazy("Judge back on the panel."),
    ),
}


@login_required
@require_POST
def judge_status(request: HttpRequest, pk: int, judge_id: int) -> HttpResponse:
    """Withdraw a judge, mark them absent or bring them back, with a reason."""
    competition = get_competition_for_staff(request, pk)
    judge = setup_queries.judge(competition, judge_id)
    form = JudgeStatusForm(request.POST)
    if not form.is_valid():
        if "reason" in form.errors:
            messages.error(request, _("Give the reason for changing the panel during scoring."))
        else:
            messages.error(request, _("Choose whether the judge is withdrawn, absent or back."))
        return redirect("scoring:setup", pk)
    service, done = STATUS_ACTIONS[form.cleaned_data["status"]]
    return act(
        request,
        competition,
        lambda: service(judge=judge, reason=form.cleaned_data["reason"], by=request.user),
        str(done),
    )


@login_required
@require_POST
def judge_recusals(request: HttpRequest, pk: int, judge_id: int) -> HttpResponse:
    competition = get_competition_for_staff(request, pk)
    judge = setup_queries.judge(competition, judge_id)
    ids = [int(v) for v in request.POST.getlist("recused") if v.isdigit()]
    contestants = setup_queries.contestants_among(competition, ids)
    if contestants is None:
        messages.error(request, _("A recusal must name a contestant of this competition."))
        return redirect("scoring:setup", pk)
    return act(
        request,
        competition,
        lambda: competition_services.set_recusals(
            judge=judge, contestants=contestants, by=request.user
        ),
        _("Recusals saved."),
    )
