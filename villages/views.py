from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_http_methods

from villages import permissions, services
from villages.forms import ColleagueForm
from villages.models import Street
from villages.queries import street_staff as street_staff_of


def health(request: HttpRequest) -> HttpResponse:
    """For load balancers and monitoring: the process answers. Touches no database."""
    return HttpResponse("ok", content_type="text/plain")


@cache_control(max_age=24 * 60 * 60)
def favicon(request: HttpRequest) -> HttpResponse:
    """For browsers that ask /favicon.ico of a page that names no icon (the admin's do not)."""
    return redirect(static("favicon.svg"))


@login_required
@never_cache  # the answer may hold a new password: kept by no cache, nor the browser
@require_http_methods(["GET", "POST"])
def street_staff(request: HttpRequest, pk: int) -> HttpResponse:
    """A street's staff accounts; its staff add a colleague, whose password is shown once."""
    street = get_object_or_404(Street.objects.select_related("district"), pk=pk)
    if not permissions.is_staff_session(request) or not permissions.can_add_colleague(
        request.user, street
    ):
        raise Http404(_("No such street of yours."))
    form = ColleagueForm(request.POST or None)
    added = password = None
    if request.method == "POST" and form.is_valid():
        try:
            added, password = services.add_street_staff(
                street=street,
                username=form.cleaned_data["username"],
                display_name=form.cleaned_data["display_name"],
                by=request.user,
            )
        except services.AccountRefused as exc:
            form.add_error("username", str(exc))
        else:
            # Answered here, not redirected: the password must not travel in a cookie or session.
            form = ColleagueForm()
    return render(
        request,
        "villages/street_staff.html",
        {
            "street": street,
            "staff": street_staff_of(street),
            "form": form,
            "added": added,
            "password": password,
        },
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form or a phone's save sent with a stale or missing security token. A phone's outbox
    asks in JSON and fetches a fresh token; a person gets a page saying what to do."""
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"result": "csrf"}, status=403)
    return render(request, "403_csrf.html", status=403)
