"""Democratic evaluation: the villager representative's ballot, and the staff's ballots page.

The ballot code never appears in a URL the server sees: a slip's QR code carries it after "#",
which browsers keep to themselves; the page's script moves it into the form body.
"""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from competition.models import Contestant
from competition.services import ActionRefused
from scoring.ballots import queries, services
from scoring.ballots.services import BallotRefused
from scoring.models import TALLY_FIELDS, Ballot
from scoring.setup.views import get_competition_for_staff
from scoring.sheets.services import SheetInvalid
from villages import throttle


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    """Why the code did nothing. Only an unknown code counts against the address."""
    if reason == "unknown" and throttle.unknown_code(request, "ballot"):
        response = render(
            request,
            "scoring/ballot_refused.html",
            {"reason": "limit", "minutes": throttle.MINUTES},
            status=429,
        )
        response["Retry-After"] = str(throttle.WINDOW)
        return response
    return render(request, "scoring/ballot_refused.html", {"reason": reason}, status=403)


@require_http_methods(["GET", "POST"])
def ballot(request: HttpRequest) -> HttpResponse:
    """Type the slip's code (or let the QR code's page do it); then the four choices."""
    if request.method == "GET":
        return render(request, "scoring/ballot_entry.html")
    code, choice = request.POST.get("code", ""), request.POST.get("choice")
    if choice is not None and request.POST.get("confirm") == "1":
        return _cast(request, code, choice)
    try:
        token = services.ballot_for(code)
    except BallotRefused as exc:
        return _refused(request, exc.reason)
    context = {"code": services.normalise_code(code), "contestant": token.contestant}
    if choice in Ballot.Choice.values:
        # One more look before the only chance is used.
        return render(
            request,
            "scoring/ballot_confirm.html",
            context | {"choice": choice, "label": Ballot.Choice(choice).label},
        )
    if choice is None:
        return render(
            request,
            "scoring/ballot_form.html",
            {
                "code": services.normalise_code(code),
                "contestant": token.contestant,
                "choices": Ballot.Choice.choices,
            },
        )
    return _cast(request, code, choice)


def _cast(request: HttpRequest, code: str, choice: str) -> HttpResponse:
    try:
        services.cast_ballot(code=code, choice=choice)
    except BallotRefused as exc:
        return _refused(request, exc.reason)
    return redirect("scoring:ballot_thanks")


def ballot_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "scoring/ballot_thanks.html")


@login_required
def democratic(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff: switch democratic evaluation, issue and revoke ballot tokens, tallies."""
    competition = get_competition_for_staff(request, pk)
    contestants = (
        competition.contestants.filter(absent=False)
        .select_related("secretary", "village", "paper_tally__differing")
        .annotate(
            issued=Count("ballot_tokens", distinct=True),
            used=Count("ballot_tokens", filter=Q(ballot_tokens__used=True), distinct=True),
            revoked=Count("ballot_tokens", filter=Q(ballot_tokens__revoked=True), distinct=True),
            ballot_count=Count("ballots", distinct=True),
        )
        .order_by("order", "village__code")
    )
    policy = getattr(competition, "policy", None)
    return render(
        request,
        "scoring/democratic.html",
        {
            "competition": competition,
            "contestants": contestants,
            "enabled": policy is None or policy.democratic_enabled,
        },
    )


@login_required
@require_POST
def democratic_switch(request: HttpRequest, pk: int) -> HttpResponse:
    competition = get_competition_for_staff(request, pk)
    try:
        services.set_democratic(
            competition=competition, enabled=request.POST.get("on") == "1", by=request.user
        )
    except ActionRefused as exc:
        messages.error(request, str(exc))
    return redirect("scoring:democratic", pk)


@login_required
@require_POST
def slips(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue tokens and show the printable slips, once."""
    competition = get_competition_for_staff(request, pk)
    try:
        per = int(request.POST.get("per_contestant", ""))
        issued = services.issue_ballot_tokens(
            competition=competition, per_contestant=per, by=request.user
        )
    except ValueError:
        messages.error(request, _("Enter how many ballots each contestant needs."))
        return redirect("scoring:democratic", pk)
    except ActionRefused as exc:
        messages.error(request, str(exc))
        return redirect("scoring:democratic", pk)
    base = request.build_absolute_uri(reverse("scoring:ballot"))
    rendered = []
    for contestant, code in issued:
        url = f"{base}#{code}"
        rendered.append(
            {
                "contestant": contestant,
                "code": services.display_code(code),
                "url": url,
                "svg": segno.make(url, error="m").svg_inline(scale=3, border=2),
            }
        )
    return render(
        request,
        "scoring/slips.html",
        {"competition": competition, "slips": rendered, "entry": base},
    )


@login_required
@require_POST
def revoke_tokens(request: HttpRequest, pk: int, contestant_id: int) -> HttpResponse:
    competition = get_competition_for_staff(request, pk)
    contestant = get_object_or_404(Contestant, pk=contestant_id, competition=competition)
    count = services.revoke_ballot_tokens(contestant=contestant, by=request.user)
    messages.success(request, _("%(n)s unused ballot tokens revoked.") % {"n": count})
    return redirect("scoring:democratic", pk)


def _tally_values(post) -> dict[str, int | None]:
    """Whole numbers as typed (ASCII digits, at most 6); anything else is -1, an error."""
    values = {}
    for name in TALLY_FIELDS:
        raw = post.get(name, "").strip()
        if raw == "":
            values[name] = None
        elif raw.isascii() and raw.isdigit() and len(raw) <= 6:
            values[name] = int(raw)
        else:
            values[name] = -1
    return values


TALLY_MESSAGES = {
    services.TallyOutcome.FIRST: gettext_lazy(
        "Entry saved. It counts once another staff member types the same counts without "
        "seeing these."
    ),
    services.TallyOutcome.RESTARTED: gettext_lazy(
        "Entry saved. It replaces the confirmed tally, which no longer counts until another "
        "staff member types the same counts."
    ),
    services.TallyOutcome.CONFIRMED: gettext_lazy(
        "The two entries agree: the tally is confirmed and counts."
    ),
    services.TallyOutcome.DIFFERS: gettext_lazy(
        "Your entry differs from the other one: nothing counts until two entries agree."
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def tally(request: HttpRequest, pk: int, contestant_id: int) -> HttpResponse:
    """Type a paper tally: the first entry, or another typed without seeing it (blind)."""
    competition = get_competition_for_staff(request, pk)
    contestant = get_object_or_404(
        Contestant.objects.select_related("secretary", "village"),
        pk=contestant_id,
        competition=competition,
    )
    errors = {}
    if request.method == "POST":
        try:
            _tally, outcome = services.enter_tally(
                contestant=contestant, values=_tally_values(request.POST), by=request.user
            )
        except SheetInvalid as exc:
            errors = exc.errors
        except ActionRefused as exc:
            messages.error(request, str(exc))
            return redirect("scoring:tally", pk, contestant.pk)
        else:
            if outcome == services.TallyOutcome.DIFFERS:
                messages.warning(request, TALLY_MESSAGES[outcome])
                return redirect("scoring:tally", pk, contestant.pk)
            messages.success(request, TALLY_MESSAGES[outcome])
            return redirect("scoring:democratic", pk)
    context = queries.tally_page(contestant=contestant, viewer=request.user)
    # The form comes back with what was typed only when it was refused: it is the typist's own.
    typed = request.POST if errors else {}
    context["rows"] = [
        (name, label, typed.get(name, ""), errors.get(name)) for name, label in context["labels"]
    ]
    context["competition"] = competition
    context["open"] = competition.status in services.TALLY_OPEN
    return render(request, "scoring/tally.html", context)
