"""The Content-Security-Policy header on every response (settings.CONTENT_SECURITY_POLICY), the
refusal of NUL characters in requests, and pages gzip-compressed at the fastest level."""

import gzip
import secrets

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.middleware import gzip as django_gzip
from django.utils.cache import patch_vary_headers


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class NulCharacter(SuspiciousOperation):
    """A NUL character in the path or a form value: no text of ours holds one, and PostgreSQL
    refuses it in a query."""


class RefuseNulMiddleware:
    """Answer 400 to a NUL character anywhere in the path or in a GET or POST key or value.

    One check for every view: a search, a filter or a path that reaches the ORM would otherwise
    be a server error on PostgreSQL (SQLite stores the NUL). Uploaded files are left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or _holds_nul(request.GET):
            raise NulCharacter("NUL character in the path or the query string")
        if request.method == "POST" and request.content_type in _FORMS and _holds_nul(request.POST):
            raise NulCharacter("NUL character in a form field")
        return self.get_response(request)


# The bodies Django parses into request.POST; any other (a sheet's JSON) is the view's to read.
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _holds_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


LEVEL = 1


def compress(content: bytes, *, max_random_bytes: int) -> bytes:
    """Django's compress_string at another level: gzip with a file name of random length, so
    that the compressed length of a page says nothing exact about what is on it (BREACH)."""
    compressed = gzip.compress(content, compresslevel=LEVEL, mtime=0)
    header = bytearray(compressed[:10])
    header[3] = gzip.FNAME
    name = b"a" * secrets.randbelow(max_random_bytes) + b"\x00"
    return bytes(header) + name + compressed[10:]


class GZipMiddleware(django_gzip.GZipMiddleware):
    """Django's GZipMiddleware, compressing whole pages at level 1 instead of 6.

    Level 1 is nginx's default for dynamic pages. On the district rankings (80 KB of HTML) it
    spends a third of level 6's processor time for 2 KB more on the wire (15 KB, not 13 KB):
    on a busy server the processor is scarcer than those bytes. Streamed responses (exports)
    keep Django's way.
    """

    def process_response(self, request, response):
        if response.streaming:
            return super().process_response(request, response)
        if len(response.content) < 200 or response.has_header("Content-Encoding"):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        if not django_gzip.re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return response
        compressed = compress(response.content, max_random_bytes=self.max_random_bytes)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response.headers["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "gzip"
        return response
