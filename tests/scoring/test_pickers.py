"""Pickers on the staff pages: the one street chosen already, people by their names."""

import re

import pytest
from django.urls import reverse

from competition.models import Competition
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def options(html: str, name: str) -> list[tuple[str, str, bool]]:
    select = html.split(f'name="{name}"')[1].split("</select>")[0]
    return [
        (value, label, bool(selected))
        for value, selected, label in re.findall(
            r'<option value="([^"]*)"( selected)?[^>]*>([^<]*)</option>', select
        )
    ]


def test_the_new_competition_form_chooses_the_only_street(client, street_staff_carol):
    street = street_staff_carol.membership.street
    client.force_login(street_staff_carol)
    html = client.get(reverse("scoring:new")).content.decode()
    assert options(html, "street") == [(str(street.pk), street.name, True)]


def test_with_several_streets_the_new_competition_form_asks(
    client, admin_alice, street, other_street
):
    client.force_login(admin_alice)
    html = client.get(reverse("scoring:new")).content.decode()
    offered = options(html, "street")
    assert [(value == "", chosen) for value, _label, chosen in offered] == [
        (True, True),
        (False, False),
        (False, False),
    ]


def test_the_panel_picker_names_people_by_their_names(client, street_staff_carol):
    street = street_staff_carol.membership.street
    competition = Competition.objects.create(
        district=street.district, street=street, year=2027, quarter=1
    )
    named = MembershipFactory(
        role="judge", street=street, user=UserFactory(username="wjh", first_name="王建华")
    ).user
    unnamed = MembershipFactory(
        role="judge", street=street, user=UserFactory(username="judge7", first_name="")
    ).user
    client.force_login(street_staff_carol)
    html = client.get(reverse("scoring:setup", args=[competition.pk])).content.decode()
    labels = {value: label for value, label, _s in options(html, "user")}
    assert labels[str(named.pk)] == "王建华"
    assert labels[str(unnamed.pk)] == "judge7"  # no name yet: the username
