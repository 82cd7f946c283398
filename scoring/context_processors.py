from django.http import HttpRequest

from villages import permissions
from villages.models import Membership

# The section of the navigation each page belongs to, by view name; every page of the
# competitions/ routes is in "competitions". The first view of each section is its own page.
SECTIONS = {
    "home": ("home",),
    "judge": ("scoring:judge", "scoring:contestants", "scoring:sheet"),
    "problems": ("competition:problems", "competition:problem"),
    "street": ("street_staff",),
    "rankings": (
        "scoring:rankings",
        "scoring:annual",
        "scoring:advance",
        "scoring:half_year",
        "scoring:review_new",
    ),
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
        nav = {"here": _here(request)}
    else:
        staff = permissions.is_staff_session(request)
        street_staff = staff and permissions.role_of(user) == Membership.Role.STREET_STAFF
        nav = {
            "judge": permissions.is_judge_session(request),
            "staff": staff,
            # Street staff reach their street's staff page, to add a colleague.
            "street": permissions.membership_of(user).street_id if street_staff else None,
            "district": permissions.is_district_session(request),
            "admin": permissions.can_open_admin(user),
            "here": _here(request),
        }
    # Everything the navigation bar shows, for the cache of its drawn part (base.html).
    return {"nav": nav | {"key": repr(sorted(nav.items()))}}
