"""The admin's judge form: people by name, recusals among the judge's own competition only."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from competition.models import Competition, Contestant, Judge
from tests.factories import TenureFactory, UserFactory

pytestmark = pytest.mark.django_db


def draft_with(street, year, n) -> Competition:
    competition = Competition.objects.create(
        district=street.district, street=street, year=year, quarter=1
    )
    for order, tenure in enumerate(TenureFactory.create_batch(n, village__street=street), 1):
        Contestant.objects.create(
            competition=competition, secretary=tenure.secretary, village=tenure.village, order=order
        )
    return competition


def options(html: str, name: str) -> list[str]:
    select = html.split(f'name="{name}"')[1].split("</select>")[0]
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


@pytest.mark.parametrize("size", [3, 30])
def test_the_recusal_picker_offers_the_judges_own_contestants_named_with_their_competition(
    client, admin_alice, street, other_street, size
):
    mine = draft_with(street, 2027, size)
    draft_with(other_street, 2027, size)  # another competition's contestants: not offered
    judge = Judge.objects.create(
        competition=mine, user=UserFactory(first_name="王建华", username="wjh"), role="observer"
    )
    UserFactory(first_name="", username="no_name_yet")
    client.force_login(admin_alice)
    url = reverse("admin:competition_judge_change", args=[judge.pk])

    ContentType.objects.clear_cache()  # as on a first request, whichever test ran before
    with CaptureQueriesContext(connection) as queries:
        html = client.get(url).content.decode()

    offered = options(html, "recusals")
    assert len(offered) == size
    assert all(o.endswith(f" · {mine.title}") for o in offered), offered[:2]
    people = options(html, "user")
    assert "王建华" in people and "no_name_yet" in people and "wjh" not in people
    # session, user with their role, the judge, its competition (may it change?), its recusals,
    # its user (the page's title), content types (the history link), the competition and its
    # street again (the raw id field's label), the accounts to choose from, the contestants of
    # its competition with their names and competition: the same for any size.
    assert len(queries) == 11, [q["sql"][:70] for q in queries]


def test_the_recusals_saved_in_admin_must_be_of_the_judges_competition(
    client, admin_alice, street, other_street
):
    mine = draft_with(street, 2027, 2)
    theirs = draft_with(other_street, 2027, 2)
    judge = Judge.objects.create(competition=mine, user=UserFactory(), role="observer")
    client.force_login(admin_alice)
    url = reverse("admin:competition_judge_change", args=[judge.pk])
    form = {"competition": mine.pk, "user": judge.user_id, "role": "observer"}

    client.post(url, form | {"recusals": [theirs.contestants.first().pk]})
    assert not judge.recusals.exists()
    own = mine.contestants.first()
    client.post(url, form | {"recusals": [own.pk]})
    assert list(judge.recusals.all()) == [own]
