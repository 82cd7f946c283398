from django.http import HttpRequest

from villages.models import Membership
from villages.permissions import CARD_SCOPE, membership_of

# The section of the navigation each page belongs to, by view name; every page of the
# competitions/ routes is in "competitions". The first view of each section is its own page.
SECTIONS = {
    "home": ("home",),
    "judge": ("scoring:judge", "scoring:contestants", "scoring:sheet"),
    "problems": ("competition:problems", "competition:problem"),
    "street": ("street_staff",),
    "rankings": ("scoring:rankings", "scoring:annual", "scoring:advance"),
    "dashboard": ("scoring:dashboard",),
}


def _here(request: HttpRequest) -> dict[str, str]:
    """{section: aria-current value} for the section the page is in: "page" on the section's
    own page, "true" on a page within it (as GOV.UK's navigation marks them)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return {}
    if match.route.startswith("competitions/"):
        return {"competitions": "page" if match.view_name == "scoring:competitions" else "true"}
    for section, names in SECTIONS.items():
        if match.view_name in names:
            return {section: "page" if match.view_name == names[0] else "true"}
    return {}


def navigation(request: HttpRequest) -> dict:
    """Which sections the navigation bar offers, and which one the page is in; no query beyond
    the user's role."""
    # A request refused before the user is known (a wrong Host header) has no user.
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {"here": _here(request)}}
    membership = membership_of(user)
    role = getattr(membership, "role", None)
    carded = CARD_SCOPE in request.session
    staff = not carded and (
        user.is_superuser or role in (Membership.Role.STREET_STAFF, Membership.Role.DISTRICT_STAFF)
    )
    return {
        "nav": {
            "judge": carded or role == Membership.Role.JUDGE or user.is_superuser,
            "staff": staff,
            # Street staff reach their street's staff page, to add a colleague.
            "street": membership.street_id
            if not carded and role == Membership.Role.STREET_STAFF
            else None,
            "district": not carded
            and (user.is_superuser or role == Membership.Role.DISTRICT_STAFF),
            "here": _here(request),
        }
    }
