from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from villages import permissions
from villages.models import Membership
from villages.queries import current_tenures, streets_with_counts


def health(request: HttpRequest) -> HttpResponse:
    """For load balancers and monitoring: the process answers. Touches no database."""
    return HttpResponse("ok", content_type="text/plain")


def home(request: HttpRequest) -> HttpResponse:
    """Greets each role with what it can do."""
    membership = permissions.membership_of(request.user)
    context = {"membership": membership, "is_admin": request.user.is_superuser}
    # Not in a session a judge's card opened: that is for scoring, not for reading the roster.
    staff = permissions.is_staff_session(request)
    if staff and membership and membership.role == Membership.Role.STREET_STAFF:
        context["tenures"] = current_tenures(street=membership.street)
    elif staff:
        context["streets"] = streets_with_counts(permissions.streets_visible_to(request.user))
    return render(request, "villages/home.html", context)
