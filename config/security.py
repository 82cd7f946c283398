"""The Content-Security-Policy header on every response (settings.CONTENT_SECURITY_POLICY), and
the refusal of NUL characters in requests."""

from django.conf import settings
from django.core.exceptions import SuspiciousOperation


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
