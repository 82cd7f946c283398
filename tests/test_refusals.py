"""A refused request is a page in the reader's language, on our base template: never a bare
English "Bad Request (400)" nor a server error."""

import pytest
from django.test import Client
from django.urls import path, reverse

from competition.models import Problem, problem_key
from config import urls as site_urls
from tests.competition_setup import competition_in_scoring
from tests.factories import TenureFactory, UserFactory

pytestmark = pytest.mark.django_db

NUL_REQUESTS = [
    ("get", "/search/?q=%00", {}),
    ("get", "/search/?q=%E6%9D%8E%00", {}),
    ("get", "/villages/%00/", {}),
    ("get", "/villages/370703%00001/", {}),
    ("get", "/problems/?owner=%00&q=%00", {}),
    ("get", "/rankings/?street=%00", {}),
    ("get", "/search/?%00=1", {}),
    ("post", "/problems/bulk/", {"status": "open", "next": "/problems/\x00"}),
    ("post", "/accounts/login/", {"username": "carol\x00", "password": "x"}),
]


@pytest.mark.parametrize(("method", "url", "data"), NUL_REQUESTS)
def test_a_nul_character_is_refused_with_a_page_in_the_readers_language(
    client, district_dan, method, url, data
):
    TenureFactory(village__street=district_dan.membership.district.streets.first())
    client.force_login(district_dan)

    chinese = getattr(client, method)(url, data)
    english = getattr(client, method)(url, data, HTTP_ACCEPT_LANGUAGE="en")

    assert (chinese.status_code, english.status_code) == (400, 400)
    assert "请求被拒绝" in chinese.content.decode()
    page = english.content.decode()
    assert '<html lang="en">' in page
    assert "Request refused" in page and "control character" in page
    assert "Rankings" in page  # the navigation of the signed-in reader: our base template


def test_a_nul_character_in_a_form_changes_nothing(client, street_staff_carol):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol
    )
    Problem.objects.create(
        competition=competition,
        contestant=competition.contestants.first(),
        village=competition.contestants.first().village,
        text="道路破损",
        text_key=problem_key("道路破损"),
    )
    client.force_login(street_staff_carol)
    problem = Problem.objects.get()
    response = client.post(
        reverse("competition:problem", args=[problem.pk]),
        {"status": "in_progress", "owner": "村委会\x00", "due": "", "resolution": ""},
    )
    assert response.status_code == 400
    problem.refresh_from_db()
    assert (problem.status, problem.owner) == ("open", "")


def test_a_page_that_does_not_exist_is_a_page_in_the_readers_language(client, district_dan):
    client.force_login(district_dan)
    chinese = client.get("/no/such/page/")
    english = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE="en")
    assert (chinese.status_code, english.status_code) == (404, 404)
    assert "找不到这个页面" in chinese.content.decode()
    assert "Page not found" in english.content.decode()
    assert "Rankings" in english.content.decode()


def test_a_page_one_may_not_open_is_a_page_in_the_readers_language(client):
    clerk = UserFactory(is_staff=True)  # in admin, with no permission on the districts
    client.force_login(clerk)
    chinese = client.get("/admin/villages/district/")
    english = client.get("/admin/villages/district/", HTTP_ACCEPT_LANGUAGE="en")
    assert (chinese.status_code, english.status_code) == (403, 403)
    assert "您无权打开这个页面" in chinese.content.decode()
    assert "You may not open this page" in english.content.decode()


def test_a_form_sent_without_its_security_token_is_a_page_in_the_readers_language(
    street_staff_carol,
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(street_staff_carol)
    response = client.post(
        reverse("competition:problems_bulk"), {"status": "open"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "The form has expired" in page and "Nothing was changed" in page
    assert "表单已过期" in client.post(reverse("competition:problems_bulk")).content.decode()


def _broken(request):
    raise RuntimeError("a bug")


urlpatterns = [path("broken/", _broken), *site_urls.urlpatterns]


def test_a_server_error_is_a_page_in_the_readers_language(client, settings):
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    chinese = client.get("/broken/")
    english = client.get("/broken/", HTTP_ACCEPT_LANGUAGE="en")
    assert (chinese.status_code, english.status_code) == (500, 500)
    assert "服务器出错了" in chinese.content.decode()
    page = english.content.decode()
    assert '<html lang="en">' in page and "Something went wrong on the server" in page


def test_a_request_for_another_host_is_refused_with_a_page_not_a_server_error(client):
    response = client.get("/", HTTP_HOST="evil.example", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    page = response.content.decode()
    assert '<html lang="en">' in page and "Request refused" in page


def test_opening_an_address_that_only_takes_a_form_says_so_in_the_readers_language(
    client, street_staff_carol
):
    client.force_login(street_staff_carol)
    response = client.get(reverse("competition:problems_bulk"))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    page = response.content.decode()
    assert "只用于提交表单" in page and '<html lang="zh-hans">' in page
    english = client.get(reverse("competition:problems_bulk"), HTTP_ACCEPT_LANGUAGE="en")
    assert "only for sending a form" in english.content.decode()
