"""The public notice and verify pages (no sign-in), the objection a villager lodges and follows,
and the printed notice with its QR code."""

import json

import segno
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST

from competition import permissions
from competition.services import ActionRefused
from notice import queries, services
from notice.verify import MOST_BYTES, check
from scoring.results import published
from villages import throttle

VERIFY_LIMIT = 60  # documents checked per address in throttle.WINDOW
LODGE_LIMIT = 10  # objections lodged per address in throttle.WINDOW


def _state_for(request: HttpRequest, pk: int) -> queries.NoticeState:
    """The notice of a published competition, if public — or to its own staff, to preview."""
    state = queries.notice_state(pk)
    if state is None or not (state.public or permissions.can_view(request.user, state.competition)):
        raise Http404
    return state


def _ranking(state: queries.NoticeState) -> str:
    """The ranking of the latest version, drawn once per public digest and language."""
    document = queries.public_of(state)
    return published.kept(
        "notice",
        [document["competition"]["digest"]],
        lambda: get_template("notice/_ranking.html").render(
            {"rows": queries.ranking_rows(document)}
        ),
    )


@cache_control(private=True, no_cache=True)
def public_notice(request: HttpRequest, pk: int) -> HttpResponse:
    state = _state_for(request, pk)
    etag = published.etag(request, state.etag_parts())
    return published.conditional(
        request,
        etag,
        lambda: render(
            request,
            "notice/public.html",
            {
                "state": state,
                "ranking": _ranking(state),
                "contestants": queries.public_of(state)["contestants"],
                "open": state.open_for_objections(),
            },
        ),
    )


@cache_control(private=True, no_cache=True)
def public_document(request: HttpRequest, pk: int) -> HttpResponse:
    """The public document of the latest version, or of ?version=n, as a file."""
    state = _state_for(request, pk)
    version = request.GET.get("version", "")
    document = queries.public_of(state, int(version) if version.isdigit() else None)
    if document is None:
        raise Http404
    etag = published.etag(request, document["competition"]["digest"])

    def draw():
        body = json.dumps(document, ensure_ascii=False, indent=2).encode()
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        number = version if version.isdigit() else state.latest.version
        response["Content-Disposition"] = f'attachment; filename="notice-{pk}-v{number}.json"'
        return response

    return published.conditional(request, etag, draw)


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Check a downloaded document: upload it or paste it; its digest is computed here."""
    if request.method == "GET":
        return render(request, "notice/verify.html", {"most_kb": MOST_BYTES // 1024})
    if throttle.spent(request, "verify", VERIFY_LIMIT):
        return _slowed(request)
    upload = request.FILES.get("document")
    raw = upload.read(MOST_BYTES + 1) if upload else request.POST.get("text", "").encode()
    result = check(raw)
    return render(
        request,
        "notice/verify.html",
        {"most_kb": MOST_BYTES // 1024, "result": result},
        status=200 if result.found else 400,
    )


def _slowed(request: HttpRequest) -> HttpResponse:
    response = render(request, "notice/slowed.html", {"minutes": throttle.MINUTES}, status=429)
    response["Retry-After"] = str(throttle.WINDOW)
    return response


@require_POST
def lodge(request: HttpRequest, pk: int) -> HttpResponse:
    """An objection from the public notice; the follow-up code is shown on the next page."""
    state = _state_for(request, pk)
    if throttle.spent(request, "objection", LODGE_LIMIT):
        return _slowed(request)
    fields = {name: request.POST.get(name, "") for name in ("village", "name", "phone", "text")}
    try:
        objection = services.lodge_objection(
            competition=state.competition,
            village_code=fields["village"],
            name=fields["name"],
            phone=fields["phone"],
            text=fields["text"],
        )
    except ActionRefused as exc:
        return render(
            request,
            "notice/lodge.html",
            {
                "state": state,
                "contestants": queries.public_of(state)["contestants"],
                "error": str(exc),
                "fields": fields,
                "open": state.open_for_objections(),
            },
            status=400,
        )
    query = urlencode({"code": objection.code, "new": 1})
    return redirect(f"{reverse('notice:objection')}?{query}")


def objection_status(request: HttpRequest) -> HttpResponse:
    """An objection's status, by its follow-up code. Unknown codes count against the address."""
    code = services.normalise_code(request.GET.get("code", ""))
    if not code:
        return render(request, "notice/objection_status.html", {})
    objection = queries.objection_by_code(code)
    if objection is None:
        if throttle.unknown_code(request, "objection"):
            return _slowed(request)
        return render(
            request, "notice/objection_status.html", {"code": code, "unknown": True}, status=404
        )
    return render(
        request,
        "notice/objection_status.html",
        {"code": code, "objection": objection, "new": request.GET.get("new") == "1"},
    )


def _qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=3, border=2)


@login_required
@cache_control(private=True, no_cache=True)
def printed(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable notice (公示) for the notice board, with the digest and a QR code of the
    public notice's address; a reload of an unchanged notice is a 304."""
    state = queries.notice_state(pk)
    if state is None or not permissions.can_view_results(request, state.competition):
        raise Http404
    url = request.build_absolute_uri(reverse("notice:public", args=[pk]))
    etag = published.etag(request, state.latest.digest, state.etag_parts(), url)
    return published.conditional(
        request,
        etag,
        lambda: render(
            request,
            "notice/printed.html",
            {
                "state": state,
                "competition": state.competition,
                "publication": state.latest,
                "rows": queries.ranking_rows(state.latest.summary or state.latest.document),
                "url": url,
                "qr": _qr_svg(url) if state.public else "",
            },
        ),
    )
