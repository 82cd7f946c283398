"""Pages and files made of published documents, which never change (a correction is a new
publication, with a new digest): their drawn tables kept under the documents' digests, and their
answers to conditional requests."""

import hashlib
from collections.abc import Callable

from django.contrib.messages import get_messages
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag
from django.utils.translation import get_language

from villages.permissions import CARD_SCOPE, membership_of


def _hashed(parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def kept(kind: str, digests, draw: Callable):
    """What draw() makes of the documents of these digests — a table drawn by its template —
    made once per language and then reused (the "rendered" cache)."""
    key = f"{kind}:{_hashed((tuple(digests), get_language()))}"
    return caches["rendered"].get_or_set(key, draw, timeout=None)


def etag(request: HttpRequest, *shown) -> str | None:
    """The ETag of a page or file made of published documents and of what else it `shown`s (the
    digests first), for conditional() below. It covers what the page frame
    shows of its reader, the language and the address. None — draw the page — while a message
    waits to be shown (once)."""
    if len(get_messages(request)):
        return None
    user = request.user
    membership = membership_of(user)
    reader = (
        user.pk,
        user.get_username(),
        getattr(user, "first_name", ""),  # none for the public notice's anonymous reader
        user.is_staff,
        user.is_superuser,
        membership and (membership.role, membership.district_id, membership.street_id),
        request.session.get(CARD_SCOPE),
    )
    return _hashed((reader, get_language(), request.get_full_path(), shown))


def conditional(request: HttpRequest, etag: str | None, draw: Callable[[], HttpResponse]):
    """A 304 when the browser already holds the page of this ETag, else the page draw() makes,
    with its ETag: what django.views.decorators.http.condition does, for a view that reads
    what its ETag covers anyway (the decorator would read it a second time, in its own
    function)."""
    if etag is None:
        return draw()
    etag = quote_etag(etag)
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = draw()
        if response.status_code == 200:
            response.headers.setdefault("ETag", etag)
    return response
