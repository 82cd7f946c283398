"""Sign-in, sign-out, the language switch and each role's home page."""

import gzip

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import PASSWORD, TenureFactory, UserFactory, VillageFactory
from villages import middleware as compression

pytestmark = pytest.mark.django_db


def test_sign_in_with_password_lands_on_home(client, street_staff_carol):
    response = client.post(reverse("login"), {"username": "carol", "password": PASSWORD})
    assert response.url == reverse("home")
    assert client.session["_auth_user_id"] == str(street_staff_carol.pk)


def test_sign_in_with_a_wrong_password_says_so_and_signs_nobody_in(client, street_staff_carol):
    response = client.post(
        reverse("login"),
        {"username": "carol", "password": "wrong"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_out_ends_the_session(client, street_staff_carol):
    client.force_login(street_staff_carol)
    response = client.post(reverse("logout"))
    assert response.url == reverse("home")
    assert "_auth_user_id" not in client.session


def test_site_speaks_simplified_chinese_by_default(client):
    page = client.get(reverse("home")).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "村党组织书记擂台赛" in page
    assert "登录" in page


def test_language_switch_shows_english_then_chinese(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.url == "/"
    page = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in page
    assert "Ring competition of village Party secretaries" in page
    assert "Sign in" in page

    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "村党组织书记擂台赛" in client.get(reverse("home")).content.decode()


def test_admin_speaks_the_chosen_language(client, admin_alice):
    client.force_login(admin_alice)
    assert "村庄" in client.get(reverse("admin:index")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Villages" in client.get(reverse("admin:index")).content.decode()


def test_home_greets_each_role_with_what_it_can_do(
    client, admin_alice, district_dan, street_staff_carol, judge_bob
):
    expected = {
        admin_alice: "administrator",
        district_dan: "You are district staff of",
        street_staff_carol: "You are street staff of",
        judge_bob: "You are a judge",
        UserFactory(username="nobody"): "Your account has no role yet",
    }
    for user, greeting in expected.items():
        client.force_login(user)
        page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert greeting in page, user.username


def test_street_staff_home_lists_only_their_villages(client, street_staff_carol, other_street):
    mine = TenureFactory(village__street=street_staff_carol.membership.street)
    theirs = TenureFactory(village__street=other_street)
    client.force_login(street_staff_carol)
    page = client.get(reverse("home")).content.decode()
    assert mine.secretary.name in page
    assert theirs.secretary.name not in page
    assert theirs.village.code not in page


def test_district_staff_home_counts_villages_per_street(client, district_dan, street, other_street):
    TenureFactory.create_batch(3, village__street=street)
    VillageFactory(street=street)  # no secretary yet
    VillageFactory(street=other_street, active=False)
    client.force_login(district_dan)
    streets = {s.name: s for s in client.get(reverse("home")).context["streets"]}
    assert (streets[street.name].village_count, streets[street.name].led_count) == (4, 3)
    assert (streets[other_street.name].village_count, streets[other_street.name].led_count) == (
        0,
        0,
    )


@pytest.mark.parametrize("size", [1, 30])
def test_street_staff_home_makes_a_fixed_number_of_queries(client, street_staff_carol, size):
    TenureFactory.create_batch(size, village__street=street_staff_carol.membership.street)
    client.force_login(street_staff_carol)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.content.decode().count("<tr><td>") == size
    # 1 session, 2 user with their role and street, 3 current tenures with villages and
    # secretaries, 4 the panels the user sits on (staff may judge too)
    assert len(queries) == 4, [q["sql"] for q in queries]


@pytest.mark.parametrize("size", [1, 9])
def test_district_staff_home_makes_a_fixed_number_of_queries(client, district_dan, street, size):
    from tests.factories import StreetFactory

    StreetFactory.create_batch(size, district=street.district)
    client.force_login(district_dan)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert len(response.context["streets"]) == size + 1
    # 1 session, 2 user with their role, 3 streets with village counts, 4 the user's panels
    assert len(queries) == 4, [q["sql"] for q in queries]


def test_five_wrong_passwords_lock_the_account_from_that_address(client, street_staff_carol):
    for _attempt in range(5):
        client.post(reverse("login"), {"username": "carol", "password": "wrong"})
    locked = client.post(
        reverse("login"), {"username": "carol", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert locked.status_code == 429
    assert "Too many wrong passwords" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not locked out.
    other = client.post(
        reverse("login"), {"username": "carol", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert other.url == reverse("home")


def test_a_right_password_resets_the_count(client, street_staff_carol):
    for _attempt in range(4):
        client.post(reverse("login"), {"username": "carol", "password": "wrong"})
    client.post(reverse("login"), {"username": "carol", "password": PASSWORD})
    client.post(reverse("logout"))
    for _attempt in range(4):
        client.post(reverse("login"), {"username": "carol", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "carol", "password": PASSWORD})
    assert response.url == reverse("home")


def test_every_page_carries_a_content_security_policy_without_inline_script(client):
    policy = client.get(reverse("home"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_health_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_pages_travel_compressed_to_clients_that_accept_it(client, street_staff_carol):
    client.force_login(street_staff_carol)
    plain = client.get("/")
    packed = client.get("/", headers={"accept-encoding": "gzip"})
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert len(packed.content) < len(plain.content) / 2
    assert gzip.decompress(packed.content).startswith(b"<!doctype html>")


def test_compression_is_fast_and_padded_at_random():
    page = b"".join(b"<tr><td>%d</td><td>village %d</td></tr>\n" % (n, n) for n in range(3000))
    packed = {compression.compress(page, max_random_bytes=100) for _n in range(20)}
    assert {gzip.decompress(p) for p in packed} == {page}
    # The length varies (a file name of random length): the page's size tells nothing exact.
    assert len({len(p) for p in packed}) > 1
    # Gzip's fastest level: within the padding of what level 1 gives, above what level 6 gives.
    fastest, best = len(gzip.compress(page, 1)), len(gzip.compress(page, 6))
    assert all(fastest <= len(p) <= fastest + 101 for p in packed)
    assert best < fastest


def test_changing_ones_password_is_a_page_of_the_site_not_of_the_admin(client, judge_bob):
    client.force_login(judge_bob)
    page = client.get(reverse("password_change")).content.decode()
    assert "修改密码" in page and 'id="password-change"' in page
    assert "Django" not in page
    changed = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "梅花-2026-qingshan",
            "new_password2": "梅花-2026-qingshan",
        },
        follow=True,
    )
    assert 'id="password-changed"' in changed.content.decode()
    judge_bob.refresh_from_db()
    assert judge_bob.check_password("梅花-2026-qingshan")
