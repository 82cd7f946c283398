"""Street staff's pages on score sheets: the paper sheets to type in, typing one, a sheet's
history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from competition.services import ActionRefused
from scoring.models import ScoreSheet
from scoring.setup import queries as setup_queries
from scoring.setup.views import get_competition_for_staff
from scoring.sheets.services import SheetInvalid, save_sheet
from scoring.sheets.views import read_sheet_post, sheet_page_context


@login_required
def paper_sheets(request: HttpRequest, pk: int) -> HttpResponse:
    competition = get_competition_for_staff(request, pk)
    page = setup_queries.paper_sheets(competition)
    return render(request, "scoring/paper_sheets.html", page | {"competition": competition})


@login_required
def paper_entry(request: HttpRequest, pk: int, judge_id: int, contestant_id: int) -> HttpResponse:
    """Staff type in a judge's paper sheet; recorded as entered by them."""
    competition = get_competition_for_staff(request, pk)
    judge = setup_queries.judge(competition, judge_id)
    judge.competition = competition
    contestant = setup_queries.contestant(competition, contestant_id)
    context = sheet_page_context(judge, contestant) | {"paper": True}
    if request.method == "POST":
        try:
            save_sheet(
                judge=judge, contestant=contestant, by=request.user, **read_sheet_post(request)
            )
        except (ActionRefused, SheetInvalid) as exc:
            context = sheet_page_context(judge, contestant, request.POST) | {
                "paper": True,
                "errors": exc.errors if isinstance(exc, SheetInvalid) else {"refused": str(exc)},
            }
            return render(request, "scoring/judge_sheet.html", context, status=400)
        messages.success(request, _("Paper sheet saved."))
        return redirect("scoring:board", pk)
    return render(request, "scoring/judge_sheet.html", context)


@login_required
def sheet_history(request: HttpRequest, pk: int, sheet_id: int) -> HttpResponse:
    competition = get_competition_for_staff(request, pk)
    sheet, revisions, labels = setup_queries.sheet_history(competition, sheet_id)
    return render(
        request,
        "scoring/sheet_history.html",
        {
            "competition": competition,
            "sheet": sheet,
            "revisions": [
                (
                    revision,
                    _revision_side(revision.old, labels),
                    _revision_side(revision.new, labels),
                )
                for revision in revisions
            ],
        },
    )


def _revision_side(state: dict | None, labels: dict[str, str]) -> dict | None:
    """A revision's before or after in words: the status's label and each criterion's name."""
    if not state:
        return None
    status, points = state.get("status", ""), state["points"]
    # In the competition's order of its criteria, as the sheet shows them.
    codes = [code for code in labels if code in points] + [c for c in points if c not in labels]
    return {
        "status": ScoreSheet.Status(status).label if status in ScoreSheet.Status else status,
        "points": [(labels.get(code, code), points[code]) for code in codes],
        "comment": state.get("comment", ""),
    }
