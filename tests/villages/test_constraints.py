"""The organisation's invariants hold in the database itself, not only in forms."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import (
    MembershipFactory,
    SecretaryFactory,
    StreetFactory,
    TenureFactory,
    UserFactory,
    VillageFactory,
)
from villages.models import Membership, Street, Tenure, Village

pytestmark = pytest.mark.django_db


def rejected(**kwargs) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Tenure.objects.create(**kwargs)


def test_village_has_at_most_one_open_tenure():
    open_tenure = TenureFactory()
    rejected(secretary=SecretaryFactory(), village=open_tenure.village, start=dt.date(2024, 1, 1))

    # Once the old tenure ends, the village takes its next secretary.
    open_tenure.end = dt.date(2023, 12, 31)
    open_tenure.save()
    TenureFactory(village=open_tenure.village, start=dt.date(2024, 1, 1))
    assert open_tenure.village.tenures.filter(end__isnull=True).count() == 1


def test_secretary_leads_at_most_one_village_at_a_time():
    tenure = TenureFactory()
    rejected(secretary=tenure.secretary, village=VillageFactory(), start=dt.date(2024, 1, 1))


def test_tenure_cannot_end_before_it_starts():
    rejected(
        secretary=SecretaryFactory(),
        village=VillageFactory(),
        start=dt.date(2024, 1, 1),
        end=dt.date(2023, 1, 1),
    )


def test_village_code_is_unique_and_not_empty():
    village = VillageFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Village.objects.create(street=village.street, code=village.code, name="另一个村")
    with pytest.raises(IntegrityError), transaction.atomic():
        Village.objects.create(street=village.street, code="", name="无码村")


def test_street_name_is_unique_within_its_district_and_kind_is_known():
    street = StreetFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Street.objects.create(district=street.district, name=street.name)
    with pytest.raises(IntegrityError), transaction.atomic():
        Street.objects.create(district=street.district, name="新街道", kind="town")


def test_street_staff_needs_a_street_and_district_staff_has_none():
    street = StreetFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=UserFactory(), role="street_staff", district=street.district, street=None
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=UserFactory(), role="district_staff", district=street.district, street=street
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=UserFactory(), role="chief", district=street.district, street=street
        )


def test_membership_street_must_belong_to_its_district():
    membership = MembershipFactory.build(
        user=UserFactory(), role="street_staff", street=StreetFactory()
    )
    membership.district = StreetFactory().district
    with pytest.raises(ValidationError) as error:
        membership.full_clean()
    assert "street" in error.value.message_dict
