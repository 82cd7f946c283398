"""Staff: the objections register of a competition (printable), its notice settings, the end
of its notice period, recording an objection received on paper or by phone, and each
objection's investigation and finding."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from competition import permissions
from competition.services import ActionRefused
from notice import queries, services
from notice.models import Objection
from scoring.results.document import GRADE_LABELS
from scoring.setup.views import get_competition_for_staff

PERSON = ("village", "name", "phone", "text", "channel")


def _state(request: HttpRequest, pk: int, *, manage: bool = True) -> queries.NoticeState:
    competition = get_competition_for_staff(request, pk, manage=manage)
    state = queries.notice_state(competition.pk)
    if state is None:
        raise Http404(_("Results are not published yet."))
    return state


@login_required
def register(request: HttpRequest, pk: int) -> HttpResponse:
    """The objections register, part of the competition's printable record."""
    state = _state(request, pk, manage=False)
    return render(
        request,
        "notice/register.html",
        {
            "state": state,
            "competition": state.competition,
            "objections": queries.register(state.competition),
            "channels": [c for c in Objection.Channel.choices if c[0] != "online"],
            "contestants": queries.public_of(state)["contestants"],
            "may_manage": permissions.can_manage(request.user, state.competition),
        },
    )


@login_required
@require_POST
def notice_settings(request: HttpRequest, pk: int) -> HttpResponse:
    state = _state(request, pk)
    days = request.POST.get("working_days", "")
    try:
        services.set_notice(
            competition=state.competition,
            public=request.POST.get("public") == "1",
            working_days=int(days) if days.isdigit() else 0,
            by=request.user,
        )
    except ActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Notice settings saved."))
    return redirect("notice:register", pk)


@login_required
@require_POST
def end_period(request: HttpRequest, pk: int) -> HttpResponse:
    state = _state(request, pk)
    try:
        services.end_notice_period(competition=state.competition, by=request.user)
    except ActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The notice period is marked ended."))
    return redirect("notice:register", pk)


@login_required
@require_POST
def record(request: HttpRequest, pk: int) -> HttpResponse:
    """An objection received on paper, by phone or in person."""
    state = _state(request, pk)
    fields = {name: request.POST.get(name, "") for name in PERSON}
    try:
        objection = services.record_objection(
            competition=state.competition,
            village_code=fields["village"],
            name=fields["name"],
            phone=fields["phone"],
            text=fields["text"],
            channel=fields["channel"],
            by=request.user,
        )
    except ActionRefused as exc:
        messages.error(request, str(exc))
        return redirect("notice:register", pk)
    messages.success(request, _("Objection %(code)s recorded.") % {"code": objection.code})
    return redirect("notice:objection_detail", pk, objection.pk)


@login_required
@require_http_methods(["GET", "POST"])
def objection_detail(request: HttpRequest, pk: int, objection_id: int) -> HttpResponse:
    """An objection, its steps, and the next step: investigate, or conclude with a finding
    (which may correct the contestant's grade)."""
    state = _state(request, pk, manage=request.method == "POST")
    objection = get_object_or_404(queries.register(state.competition), pk=objection_id)
    if request.method == "POST":
        try:
            messages.success(request, _take_step(request, objection))
        except ActionRefused as exc:
            messages.error(request, str(exc))
        return redirect("notice:objection_detail", pk, objection.pk)
    return render(
        request,
        "notice/objection_detail.html",
        {
            "state": state,
            "competition": state.competition,
            "objection": objection,
            "grades": GRADE_LABELS,
            "may_manage": permissions.can_manage(request.user, state.competition),
        },
    )


def _take_step(request: HttpRequest, objection) -> str:
    """The step posted for an objection, taken; what is said when it is done."""
    code = {"code": objection.code}
    if request.POST.get("step") == "investigate":
        services.investigate_objection(
            objection=objection, note=request.POST.get("note", ""), by=request.user
        )
        return _("Objection %(code)s is being investigated.") % code
    grade = request.POST.get("grade", "")
    concluded = services.conclude_objection(
        objection=objection,
        finding=request.POST.get("finding", ""),
        grade=grade if grade in GRADE_LABELS else None,
        by=request.user,
    )
    if concluded.correction:
        return _(
            "Objection %(code)s concluded: the grade is corrected in version %(version)s, "
            "which names it."
        ) % (code | {"version": concluded.correction.version})
    return _("Objection %(code)s concluded.") % code
