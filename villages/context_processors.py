from django.http import HttpRequest

from villages.models import Membership
from villages.permissions import CARD_SCOPE, membership_of


def navigation(request: HttpRequest) -> dict:
    """Which sections the navigation bar offers; no query beyond the user's role."""
    # A request refused before the user is known (a wrong Host header) has no user.
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
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
        }
    }
