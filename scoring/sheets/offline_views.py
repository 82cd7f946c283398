"""What a judge's phone keeps to score offline: the competition's kit (JSON, answered 304 while
unchanged) and the service worker that serves the kept pages when the network is gone."""

import hashlib
import json

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from competition.permissions import seat_in
from scoring.sheets import queries


@require_GET
def kit(request: HttpRequest, competition_id: int) -> HttpResponse:
    """The kit of the signed-in judge's own competition; any other is refused in JSON."""
    if not request.user.is_authenticated:
        login = redirect_to_login(request.get_full_path())["Location"]
        return JsonResponse({"result": "signed_out", "login": login}, status=401)
    seat = seat_in(request, competition_id)
    if seat is None:
        message = _("You are not on this competition's panel.")
        return JsonResponse({"result": "refused", "error": message}, status=403)
    data = queries.judge_kit(seat) | {"user": request.user.pk, "language": get_language()}
    body = json.dumps(data, ensure_ascii=False, sort_keys=True)
    etag = f'"{hashlib.sha256(body.encode()).hexdigest()[:32]}"'
    response = get_conditional_response(request, etag=etag) or HttpResponse(
        body, content_type="application/json"
    )
    response["ETag"] = etag
    # Each phone asks again every visit; an unchanged kit costs a 304.
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Cookie", "Accept-Language"])
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, from the site's root so that it may serve every judge page."""
    response = render(
        request,
        "scoring/sw.js",
        {"judge_root": reverse("scoring:judge")},
        content_type="text/javascript; charset=utf-8",
    )
    patch_cache_control(response, no_cache=True)
    response["Service-Worker-Allowed"] = "/"
    return response
