"""Reads of the organisation."""

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet

from villages.models import District, Membership, Street, Tenure


def roster_rows(*, district_id: int | None = None) -> list[dict[str, str]]:
    """The current roster, in the import's columns: one row per village with an open tenure."""
    tenures = (
        Tenure.objects.filter(end__isnull=True)
        .select_related("secretary", "village__street__district")
        .order_by("village__street__district__name", "village__code")
    )
    if district_id is not None:
        tenures = tenures.filter(village__street__district_id=district_id)
    return [
        {
            "district": t.village.street.district.name,
            "street": t.village.street.name,
            "street_kind": t.village.street.kind,
            "village_code": t.village.code,
            "village": t.village.name,
            "secretary": t.secretary.name,
            "gender": t.secretary.gender,
            "phone": t.secretary.phone,
            "since": t.start.isoformat(),
        }
        for t in tenures
    ]


def streets_with_counts(streets: QuerySet[Street]) -> QuerySet[Street]:
    """Streets with how many active villages they hold and how many have a secretary now."""
    return streets.annotate(
        village_count=Count("villages", filter=Q(villages__active=True), distinct=True),
        led_count=Count(
            "villages__tenures",
            filter=Q(villages__active=True, villages__tenures__end__isnull=True),
            distinct=True,
        ),
    ).order_by("name")


def current_tenures(*, street: Street) -> QuerySet[Tenure]:
    return (
        Tenure.objects.filter(end__isnull=True, village__street=street, village__active=True)
        .select_related("secretary", "village")
        .order_by("village__code")
    )


def street_staff(street: Street) -> QuerySet[User]:
    """The street's staff accounts, by username. One query."""
    return User.objects.filter(
        membership__role=Membership.Role.STREET_STAFF, membership__street=street
    ).order_by("username")


def districts() -> QuerySet[District]:
    """Every district, by name: an administrator's choice of report."""
    return District.objects.order_by("name")
