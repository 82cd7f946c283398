"""Who may see or change what in the organisation. Every view and template asks here.

Administrators (superusers) may do everything. District staff see their whole district; street
staff see and change their own street; judges see what their competitions show them, nothing here.
"""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from villages.models import District, Membership, Street, Village

AnyUser = User | AnonymousUser

# Set by a judge's sign-in card; such a session is for scoring one competition only.
CARD_SCOPE = "leitai_card_competition"


def membership_of(user: AnyUser) -> Membership | None:
    """The user's role, with its district and street, loaded once per request.

    Kept in Django's cache of the user's `membership` relation, where the sign-in backend's
    select_related already put it (None for a user without a role), so later asks cost nothing.
    """
    if not user.is_authenticated:
        return None
    if not User.membership.is_cached(user):
        role = Membership.objects.select_related("district", "street").filter(user=user).first()
        User.membership.related.set_cached_value(user, role)
    return getattr(user, "membership", None)


def role_of(user: AnyUser) -> str | None:
    membership = membership_of(user)
    return membership.role if membership else None


def is_admin(user: AnyUser) -> bool:
    return user.is_authenticated and user.is_active and user.is_superuser


def _is_district_staff_of(user: AnyUser, district_id: int) -> bool:
    m = membership_of(user)
    return bool(m and m.role == Membership.Role.DISTRICT_STAFF and m.district_id == district_id)


def can_view_district(user: AnyUser, district: District) -> bool:
    return is_admin(user) or _is_district_staff_of(user, district.pk)


def can_manage_district(user: AnyUser, district: District) -> bool:
    """District-level work: district competitions, rankings, reports."""
    return can_view_district(user, district)


def can_view_street(user: AnyUser, street: Street) -> bool:
    if is_admin(user) or _is_district_staff_of(user, street.district_id):
        return True
    m = membership_of(user)
    return bool(m and m.role == Membership.Role.STREET_STAFF and m.street_id == street.pk)


def can_change_street(user: AnyUser, street: Street) -> bool:
    """Street work: setting up the street's competitions, contestants, panels and ballots."""
    if is_admin(user):
        return True
    m = membership_of(user)
    return bool(m and m.role == Membership.Role.STREET_STAFF and m.street_id == street.pk)


def can_add_colleague(user: AnyUser, street: Street) -> bool:
    """Add a street staff account to a street: its own staff (and administrators). District
    staff and other streets' staff cannot: a street vouches for its own people."""
    return can_change_street(user, street)


def staff_street_of(user: AnyUser) -> Street | None:
    """The street a street staff account works for; None for anyone else."""
    m = membership_of(user)
    if m and m.role == Membership.Role.STREET_STAFF:
        return m.street
    return None


def can_view_village(user: AnyUser, village: Village) -> bool:
    return can_view_street(user, village.street)


def streets_visible_to(user: AnyUser) -> QuerySet[Street]:
    streets = Street.objects.select_related("district")
    if is_admin(user):
        return streets
    m = membership_of(user)
    if m and m.role == Membership.Role.DISTRICT_STAFF:
        return streets.filter(district_id=m.district_id)
    if m and m.role == Membership.Role.STREET_STAFF:
        return streets.filter(pk=m.street_id)
    return streets.none()


def streets_changed_by(user: AnyUser) -> QuerySet[Street]:
    """The streets whose competitions the user sets up (see can_change_street)."""
    streets = Street.objects.select_related("district")
    if is_admin(user):
        return streets
    m = membership_of(user)
    if m and m.role == Membership.Role.STREET_STAFF:
        return streets.filter(pk=m.street_id)
    return streets.none()


def villages_visible_to(user: AnyUser) -> QuerySet[Village]:
    return Village.objects.filter(street__in=streets_visible_to(user))


def is_staff_session(request) -> bool:
    """Street or district staff (or an administrator), not signed in with a judge's card."""
    if CARD_SCOPE in request.session or not request.user.is_authenticated:
        return False
    return request.user.is_superuser or role_of(request.user) in (
        Membership.Role.STREET_STAFF,
        Membership.Role.DISTRICT_STAFF,
    )


def can_open_admin(user: AnyUser) -> bool:
    """The administration is open to staff accounts (Django's is_staff), as the admin decides."""
    return user.is_staff


def can_choose_district(user: AnyUser) -> bool:
    """An administrator picks the district a report shows, or ranks every district together."""
    return is_admin(user)


def is_judge_session(request) -> bool:
    """A judge's card, a judge's account or an administrator: the judge's pages are offered."""
    return (
        CARD_SCOPE in request.session
        or is_admin(request.user)
        or role_of(request.user) == Membership.Role.JUDGE
    )


def is_district_session(request) -> bool:
    """District staff (or an administrator), not signed in with a judge's card."""
    if CARD_SCOPE in request.session:
        return False
    return is_admin(request.user) or role_of(request.user) == Membership.Role.DISTRICT_STAFF
