"""The big screen: screen links, the screen page and the small state it polls."""

import hashlib
import json

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from competition.models import Competition
from competition.services import ActionRefused
from stage import permissions, queries, services
from stage.models import ScreenLink
from stage.views import _get_competition_to_run


def _watched(request: HttpRequest, pk: int) -> tuple[Competition, bool]:
    """The competition of a big screen, and whether this browser may watch it."""
    competition = get_object_or_404(Competition.objects.select_related("street", "district"), pk=pk)
    return competition, permissions.can_watch(request, competition)


def _no_screen() -> str:
    return _("This screen link no longer opens this competition.")


@login_required
@require_POST
def link_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue a screen link and show it once, with a QR code for the projector's computer."""
    competition = _get_competition_to_run(request, pk)
    try:
        token = services.issue_screen_link(competition=competition, by=request.user)
    except ActionRefused as exc:
        messages.error(request, str(exc))
        return redirect("stage:controller", pk)
    url = request.build_absolute_uri(reverse("stage:screen_link", args=[token]))
    svg = segno.make(url, error="m").svg_inline(scale=4, border=2)
    return render(
        request, "stage/screen_link.html", {"competition": competition, "url": url, "svg": svg}
    )


@login_required
@require_POST
def link_revoke(request: HttpRequest, pk: int, link_id: int) -> HttpResponse:
    competition = _get_competition_to_run(request, pk)
    link = get_object_or_404(
        ScreenLink.objects.select_related("competition"), pk=link_id, competition=competition
    )
    try:
        services.revoke_screen_link(link=link, by=request.user)
    except ActionRefused as exc:
        messages.error(request, str(exc))
    return redirect("stage:controller", pk)


def screen_link(request: HttpRequest, token: str) -> HttpResponse:
    """A screen link: this browser may watch that one competition's big screen, read-only."""
    link = queries.link_by_token(services.token_hash(token))
    if link is None or not queries.link_works(link.pk, link.competition_id):
        return render(request, "stage/screen_refused.html", status=404)
    request.session[permissions.SCREEN_LINK] = {"link": link.pk, "competition": link.competition_id}
    return redirect("stage:screen", link.competition_id)


def screen(request: HttpRequest, pk: int) -> HttpResponse:
    competition, allowed = _watched(request, pk)
    if not allowed:
        # A projector reloaded after its link was revoked, or after the close: say why.
        return render(
            request, "stage/screen_refused.html", {"competition": competition}, status=404
        )
    return render(request, "stage/screen.html", {"competition": competition})


def screen_state(request: HttpRequest, pk: int) -> HttpResponse:
    """The big screen's state as JSON, polled every half second: 304 while nothing it shows
    has changed (the ETag covers what screen_basis reads, in one query)."""
    competition, allowed = _watched(request, pk)
    if not allowed:
        return JsonResponse({"result": "refused", "message": _no_screen()}, status=403)
    basis = queries.screen_basis(pk)
    tag = hashlib.sha256(repr((sorted(basis.items()), get_language())).encode()).hexdigest()
    etag = quote_etag(tag[:32])
    response = get_conditional_response(request, etag=etag)
    if response is None:
        state = queries.screen_state(competition)
        response = HttpResponse(
            json.dumps(state, ensure_ascii=False), content_type="application/json"
        )
        response["ETag"] = etag
    # The server's clock, for the browser to count down in its own (they may differ).
    response["X-Server-Time"] = str(int(timezone.now().timestamp() * 1000))
    patch_cache_control(response, no_cache=True, private=True)
    return response
