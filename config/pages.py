"""Whole pages made only of published documents, rendered once for each reader and reused.

A published document never changes (a correction is a new publication), so a page made of
documents only changes when they do, or when what the page frame shows of its reader does. The
key names both; the caller adds the documents. The one thing that must differ per response, the
CSRF token of the page's forms, is put in as the page is served. A page with messages waiting
is never kept: they are shown once.
"""

import hashlib
from collections.abc import Callable

from django.contrib.messages import get_messages
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.crypto import get_random_string
from django.utils.translation import get_language

from villages.permissions import CARD_SCOPE, membership_of


def reader(request: HttpRequest) -> tuple:
    """What the page frame shows of its reader: name, role, rights, card sign-in, language,
    and the address the language switch returns to."""
    user = request.user
    membership = membership_of(user)
    return (
        user.pk,
        user.username,
        user.first_name,
        user.is_staff,
        user.is_superuser,
        membership and (membership.role, membership.district_id, membership.street_id),
        request.session.get(CARD_SCOPE),
        get_language(),
        request.get_full_path(),
    )


def kept_page(
    request: HttpRequest, documents: tuple, render: Callable[[dict], HttpResponse]
) -> HttpResponse:
    """The page of these documents for this reader: rendered by render(extra_context) the first
    time, then served again with a fresh CSRF token."""
    if len(get_messages(request)):
        return render({})
    key = "page:" + hashlib.sha256(repr((reader(request), documents)).encode()).hexdigest()
    kept = caches["pages"].get(key)
    if kept is None:
        placeholder = get_random_string(40)
        response = render({"csrf_token": placeholder})
        if response.status_code != 200 or response.streaming:
            return response
        kept = (placeholder, response.content.decode(response.charset), response["Content-Type"])
        caches["pages"].set(key, kept)
    placeholder, html, content_type = kept
    return HttpResponse(html.replace(placeholder, get_token(request)), content_type=content_type)
