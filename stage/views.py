"""The stage controller, its printable log and the question bank: street staff's pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from competition.models import Competition
from competition.services import ActionRefused
from stage import permissions, queries, services
from stage.bank import parse_questions
from stage.forms import QuestionFileForm, QuestionForm, StageSettingsForm
from stage.models import Draw, Question
from villages.roster import RosterInvalid


def _get_competition_to_run(request: HttpRequest, pk: int) -> Competition:
    competition = get_object_or_404(Competition.objects.select_related("street", "district"), pk=pk)
    if not permissions.can_run(request, competition):
        raise Http404(_("No such competition of yours."))
    return competition


def _refused(request: HttpRequest, exc: ActionRefused) -> None:
    messages.error(request, str(exc))


@login_required
def controller(request: HttpRequest, pk: int) -> HttpResponse:
    competition = _get_competition_to_run(request, pk)
    stage = queries.stage_of(competition)
    standing = queries.standings(competition, with_scores=False)
    labels = queries.criterion_labels(competition)
    drawn = queries.question_on_stage(stage)
    context = {
        "competition": competition,
        "stage": stage,
        "turns": queries.speaking_order(competition, stage),
        "segments": queries.segments(stage),
        "clock": queries.clock(stage),
        "server_ms": int(timezone.now().timestamp() * 1000),
        "draw": drawn,
        "draw_label": drawn and labels.get(drawn.question.criterion_code),
        "labels": labels,
        "progress": standing.get(stage.contestant_id),
        "settings_form": StageSettingsForm.for_stage(stage),
        "links": queries.live_links(competition),
        "may_run": competition.status in services.ON_STAGE,
    }
    return render(request, "stage/controller.html", context)


@login_required
@require_POST
def step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    competition = _get_competition_to_run(request, pk)
    try:
        services.step(competition=competition, action=action, by=request.user)
    except ActionRefused as exc:
        _refused(request, exc)
    return redirect("stage:controller", pk)


@login_required
@require_POST
def stage_settings(request: HttpRequest, pk: int) -> HttpResponse:
    competition = _get_competition_to_run(request, pk)
    form = StageSettingsForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("stage:controller", pk)
    data = form.cleaned_data
    try:
        services.update_settings(
            competition=competition,
            minutes={s: data[s] for s in ("report", "questions", "comments")},
            show_panel_score=data["show_panel_score"],
            by=request.user,
        )
        messages.success(request, _("Stage settings saved."))
    except ActionRefused as exc:
        _refused(request, exc)
    return redirect("stage:controller", pk)


@login_required
@require_POST
def draw(request: HttpRequest, pk: int) -> HttpResponse:
    competition = _get_competition_to_run(request, pk)
    try:
        services.draw_question(
            competition=competition,
            by=request.user,
            criterion_code=request.POST.get("criterion", ""),
        )
    except ActionRefused as exc:
        _refused(request, exc)
    return redirect("stage:controller", pk)


@login_required
@require_POST
def set_aside(request: HttpRequest, pk: int, draw_id: int) -> HttpResponse:
    competition = _get_competition_to_run(request, pk)
    drawn = get_object_or_404(
        Draw.objects.select_related("question", "competition"), pk=draw_id, competition=competition
    )
    try:
        services.set_aside(
            draw=drawn,
            reason=request.POST.get("reason", ""),
            by=request.user,
            criterion_code=request.POST.get("criterion", ""),
        )
    except ActionRefused as exc:
        _refused(request, exc)
    return redirect("stage:controller", pk)


@login_required
def day_log(request: HttpRequest, pk: int) -> HttpResponse:
    """The log of the day, to print: every step and every draw, with who and when."""
    competition = _get_competition_to_run(request, pk)
    context = {
        "competition": competition,
        "steps": queries.steps_of(competition),
        "draws": queries.draws_of(competition),
        "labels": queries.criterion_labels(competition),
    }
    return render(request, "stage/log.html", context)


@login_required
def questions(request: HttpRequest, pk: int) -> HttpResponse:
    competition = _get_competition_to_run(request, pk)
    labels = queries.criterion_labels(competition)
    form = QuestionForm(request.POST or None, labels=labels)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_question(
                competition=competition,
                criterion_code=form.cleaned_data["criterion"],
                text=form.cleaned_data["text"],
                by=request.user,
            )
            messages.success(request, _("Question added."))
            return redirect("stage:questions", pk)
        except ActionRefused as exc:
            form.add_error("text", str(exc))
    return _bank_page(request, competition, form, QuestionFileForm())


def _bank_page(request, competition, form, file_form, errors=(), status=200) -> HttpResponse:
    context = {
        "competition": competition,
        "groups": queries.bank(competition),
        "form": form,
        "file_form": file_form,
        "file_errors": errors,
    }
    return render(request, "stage/questions.html", context, status=status)


@login_required
@require_POST
def questions_import(request: HttpRequest, pk: int) -> HttpResponse:
    competition = _get_competition_to_run(request, pk)
    file_form = QuestionFileForm(request.POST, request.FILES)
    form = QuestionForm(labels=queries.criterion_labels(competition))
    if not file_form.is_valid():
        return _bank_page(request, competition, form, file_form, status=400)
    upload = file_form.cleaned_data["file"]
    try:
        rows = parse_questions(upload.read(), upload.name, queries.criterion_names(competition))
        added = services.import_questions(competition=competition, rows=rows, by=request.user)
    except RosterInvalid as exc:
        return _bank_page(request, competition, form, file_form, exc.errors, status=400)
    except ActionRefused as exc:
        return _bank_page(request, competition, form, file_form, [str(exc)], status=400)
    messages.success(request, _("%(n)s questions imported.") % {"n": added})
    return redirect("stage:questions", pk)


@login_required
@require_POST
def question_remove(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    competition = _get_competition_to_run(request, pk)
    question = get_object_or_404(
        Question.objects.select_related("competition"), pk=question_id, competition=competition
    )
    try:
        services.remove_question(question=question, by=request.user)
    except ActionRefused as exc:
        _refused(request, exc)
    return redirect("stage:questions", pk)
