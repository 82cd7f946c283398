"""Staff find a secretary or a village by name, pinyin initials or code, within what they see."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    DistrictFactory,
    SecretaryFactory,
    StreetFactory,
    TenureFactory,
    VillageFactory,
)
from tests.villages.rosterfiles import row, write
from villages.models import Secretary, Tenure, Village
from villages.permissions import CARD_SCOPE
from villages.search import initials
from villages.services import import_roster

pytestmark = pytest.mark.django_db


def lead(street, *, code: str, village: str, secretary: str) -> Tenure:
    """A village of the street led by a secretary, stored as the roster import stores them."""
    return TenureFactory(
        village=VillageFactory(street=street, code=code, name=village, pinyin=initials(village)),
        secretary=SecretaryFactory(name=secretary, pinyin=initials(secretary)),
    )


def found(client, q: str) -> tuple[list[str], list[str]]:
    """The secretaries' and the villages' names the search page shows for `q`."""
    response = client.get(reverse("search"), {"q": q})
    results = response.context["results"]
    return (
        [t.secretary.name for t in results.tenures],
        [v.name for v in results.villages],
    )


@pytest.fixture
def dujia(street):
    return lead(street, code="370703003001", village="杜家庄子村", secretary="杜崇超")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("杜家庄子村", "djzzc"),
        ("杜崇超", "dcc"),
        ("后邓村", "hdc"),
        ("王家屯 2 组", "wjt2z"),
        ("A座·东", "azd"),
        ("", ""),
    ],
)
def test_initials_are_the_first_letter_of_each_syllable(text, expected):
    assert initials(text) == expected


def test_search_finds_by_name(client, district_dan, dujia):
    client.force_login(district_dan)
    assert found(client, "崇超") == (["杜崇超"], [])
    assert found(client, "庄子") == ([], ["杜家庄子村"])


def test_search_finds_by_pinyin_initials(client, district_dan, dujia, street):
    lead(street, code="370703003002", village="后邓村", secretary="邓晓燕")
    client.force_login(district_dan)
    assert found(client, "djzz") == ([], ["杜家庄子村"])
    assert found(client, "DCC") == (["杜崇超"], [])
    assert found(client, "dc") == (["杜崇超"], ["后邓村"])


def test_search_finds_villages_by_code_prefix(client, district_dan, dujia, street):
    lead(street, code="370703008002", village="后邓村", secretary="邓晓燕")
    client.force_login(district_dan)
    assert found(client, "370703003") == ([], ["杜家庄子村"])
    assert found(client, "3707030") == ([], ["杜家庄子村", "后邓村"])


def test_search_shows_the_village_a_secretary_leads_now_and_its_street(
    client, street_staff_carol, dujia, street
):
    client.force_login(street_staff_carol)
    response = client.get(reverse("search"), {"q": "杜"})
    body = response.content.decode()
    assert "杜崇超" in body
    assert "杜家庄子村" in body
    assert street.name in body
    assert response.context["results"].villages[0].secretary_name == "杜崇超"


def test_search_leaves_out_former_secretaries(client, district_dan, dujia):
    Tenure.objects.filter(pk=dujia.pk).update(end="2024-01-01")
    client.force_login(district_dan)
    assert found(client, "dcc") == ([], [])


def test_street_staff_find_only_their_street(client, street_staff_carol, dujia, other_street):
    lead(other_street, code="370703009001", village="杜家屯", secretary="杜建国")
    client.force_login(street_staff_carol)
    assert found(client, "杜") == (["杜崇超"], ["杜家庄子村"])


def test_district_staff_find_their_whole_district_only(client, district_dan, dujia, other_street):
    lead(other_street, code="370703009001", village="杜家屯", secretary="杜建国")
    elsewhere = StreetFactory(district=DistrictFactory())
    lead(elsewhere, code="370704001001", village="杜家营", secretary="杜伟")
    client.force_login(district_dan)
    assert found(client, "杜") == (["杜崇超", "杜建国"], ["杜家庄子村", "杜家屯"])


def test_administrators_find_everything(client, admin_alice, dujia):
    lead(StreetFactory(), code="370704001001", village="杜家营", secretary="杜伟")
    client.force_login(admin_alice)
    assert found(client, "dj") == ([], ["杜家庄子村", "杜家营"])


def test_search_page_is_not_for_judges(client, judge_bob, dujia):
    client.force_login(judge_bob)
    response = client.get(reverse("search"), {"q": "杜"})
    assert response.status_code == 404
    assert "杜崇超" not in response.content.decode()


def test_search_page_is_not_for_a_card_session(client, street_staff_carol, dujia):
    client.force_login(street_staff_carol)
    session = client.session
    session[CARD_SCOPE] = 1
    session.save()
    response = client.get(reverse("search"), {"q": "杜"})
    assert response.status_code == 404
    assert "杜崇超" not in response.content.decode()


def test_search_page_sends_anonymous_visitors_to_sign_in(client, dujia):
    url = reverse("search") + "?q=dcc"
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_navigation_bar_offers_search_to_staff_only(client, street_staff_carol, judge_bob):
    form = f'action="{reverse("search")}"'
    client.force_login(street_staff_carol)
    assert form in client.get(reverse("home")).content.decode()
    client.force_login(judge_bob)
    assert form not in client.get(reverse("home")).content.decode()


def test_empty_search_shows_only_the_form(client, district_dan, dujia):
    client.force_login(district_dan)
    response = client.get(reverse("search"))
    assert 'name="q"' in response.content.decode()
    assert not response.context["results"]


def test_search_results_are_cut_at_the_limit(client, district_dan, street):
    VillageFactory.create_batch(21, street=street, name="同名村", pinyin="tmc")
    client.force_login(district_dan)
    results = client.get(reverse("search"), {"q": "tmc"}).context["results"]
    assert len(results.villages) == 20
    assert results.more


@pytest.mark.parametrize("size", [1, 8])
def test_search_query_count(client, district_dan, street, size):
    for n in range(size):
        lead(street, code=f"3707030030{n:02d}", village=f"杜家{n}村", secretary=f"杜{n}")
    client.force_login(district_dan)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("search"), {"q": "d"})
    results = response.context["results"]
    assert (len(results.tenures), len(results.villages)) == (size, size)
    # session, user with their role, secretaries with village and street, villages with
    # secretary
    assert len(queries) == 4


def test_roster_import_stores_pinyin_initials(tmp_path):
    path = write(
        tmp_path / "roster.csv",
        [row(), row(village_code="370703008002", village="后邓村", secretary="邓晓燕")],
    )
    import_roster(data=path.read_bytes(), filename=path.name)
    assert sorted(Village.objects.values_list("name", "pinyin")) == sorted(
        [("杜家庄子村", "djzzc"), ("后邓村", "hdc")]
    )
    assert sorted(Secretary.objects.values_list("name", "pinyin")) == sorted(
        [("杜崇超", "dcc"), ("邓晓燕", "dxy")]
    )

    renamed = write(tmp_path / "renamed.csv", [row(village="前杜家庄子村")])
    import_roster(data=renamed.read_bytes(), filename=renamed.name)
    assert Village.objects.get(code="370703003001").pinyin == "qdjzzc"


def test_admin_stores_pinyin_initials(client, admin_alice, street):
    client.force_login(admin_alice)
    client.post(
        reverse("admin:villages_secretary_add"),
        {
            "name": "邓晓燕",
            "gender": "female",
            "phone": "",
            "tenures-TOTAL_FORMS": "0",
            "tenures-INITIAL_FORMS": "0",
        },
    )
    client.post(
        reverse("admin:villages_village_add"),
        {
            "street": street.pk,
            "code": "370703008002",
            "name": "后邓村",
            "active": "on",
            "tenures-TOTAL_FORMS": "0",
            "tenures-INITIAL_FORMS": "0",
        },
    )
    assert Secretary.objects.get().pinyin == "dxy"
    assert Village.objects.get().pinyin == "hdc"


def test_admin_street_page_stores_initials_of_the_villages_it_adds(client, admin_alice, street):
    client.force_login(admin_alice)
    client.post(
        reverse("admin:villages_street_change", args=[street.pk]),
        {
            "district": street.district.pk,
            "name": street.name,
            "kind": street.kind,
            "villages-TOTAL_FORMS": "1",
            "villages-INITIAL_FORMS": "0",
            "villages-0-code": "370703008002",
            "villages-0-name": "后邓村",
            "villages-0-active": "on",
        },
    )
    assert Village.objects.get().pinyin == "hdc"
