"""The pages of a refused request (handler400 in config/urls.py).

Django's own views render 403.html, 404.html, 403_csrf.html and 500.html from templates/; the
400 page also says when what was sent is too large, which is the usual refusal of an upload."""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import requires_csrf_token

TOO_BIG = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "400.html", {"too_big": isinstance(exception, TOO_BIG)}, status=400)


class MethodNotAllowedPage:
    """A 405 (a bookmarked or reloaded address that only takes a form's POST) answered with a
    page in the reader's language instead of Django's empty body; its Allow header stays."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            page = render(request, "405.html", status=405)
            page["Allow"] = response.get("Allow", "")
            return page
        return response
