"""What assistive technology and browsers read from the markup: the current page in the
navigation, the names of table columns, the site's icon. (axe-core checks the rest in
tests/browser.)"""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

from tests.competition_setup import competition_in_scoring

pytestmark = pytest.mark.django_db


class Links(HTMLParser):
    """The navigation's links: (href, aria-current or None)."""

    def __init__(self):
        super().__init__()
        self.links, self.in_nav = [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "ul" and "navbar-nav" in (attrs.get("class") or ""):
            self.in_nav = True
        elif tag == "a" and self.in_nav:
            self.links.append((attrs["href"], attrs.get("aria-current")))

    def handle_endtag(self, tag):
        if tag == "ul":
            self.in_nav = False


def marked(client, url: str) -> dict[str, str]:
    parser = Links()
    parser.feed(client.get(url).content.decode())
    assert parser.links, "no navigation found"
    return {href: current for href, current in parser.links if current}


def test_the_navigation_marks_the_page_itself_and_the_section_of_a_page_within(
    client, street_staff_carol
):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol
    )
    client.force_login(street_staff_carol)
    competitions = reverse("scoring:competitions")

    assert marked(client, reverse("home")) == {reverse("home"): "page"}
    assert marked(client, competitions) == {competitions: "page"}
    # The board is in the competitions' section, and not that section's page itself.
    assert marked(client, reverse("scoring:board", args=[competition.pk])) == {competitions: "true"}
    problems = reverse("competition:problems")
    assert marked(client, problems) == {problems: "page"}
    # A page in no section marks nothing.
    assert marked(client, reverse("search") + "?q=x") == {}


def test_the_navigation_marks_the_judges_pages(client, street_staff_carol, judge_bob):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol, judges=[judge_bob]
    )
    client.force_login(judge_bob)
    mine = reverse("scoring:judge")

    assert marked(client, mine) == {mine: "page"}
    assert marked(client, reverse("scoring:contestants", args=[competition.pk])) == {mine: "true"}


def test_the_navigation_marks_home_for_a_visitor(client):
    assert marked(client, reverse("home")) == {reverse("home"): "page"}
    assert marked(client, reverse("login")) == {}


def test_every_column_of_the_setup_tables_has_a_name(client, street_staff_carol):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol, open_it=False
    )
    client.force_login(street_staff_carol)
    page = client.get(reverse("scoring:setup", args=[competition.pk])).content.decode()

    headers = re.findall(r"<th[^>]*>(.*?)</th>", page, flags=re.S)
    assert len(headers) >= 9  # contestants (4) and panel (5)
    assert all(re.sub(r"<[^>]+>", "", header).strip() for header in headers), headers
    # The column of buttons is named for screen readers only.
    assert page.count('<span class="visually-hidden">操作</span>') == 2


def test_every_page_names_the_icon_and_favicon_ico_leads_to_it(client, django_assert_num_queries):
    icon = static("favicon.svg")
    home = client.get(reverse("home")).content.decode()
    assert f'<link rel="icon" href="{icon}" type="image/svg+xml">' in home
    # Pages that name no icon (the admin's) make the browser ask for /favicon.ico.
    with django_assert_num_queries(0):
        response = client.get("/favicon.ico")
    assert (response.status_code, response.url) == (302, icon)
    assert "max-age=86400" in response["Cache-Control"]
    with open(finders.find("favicon.svg"), encoding="utf-8") as svg:
        assert svg.read().startswith('<svg xmlns="http://www.w3.org/2000/svg"')


def test_the_admin_names_the_icon_and_underlines_its_breadcrumbs(client, admin_alice):
    client.force_login(admin_alice)
    page = client.get(reverse("admin:villages_village_changelist")).content.decode()
    assert f'<link rel="icon" href="{static("favicon.svg")}"' in page
    assert f'<link rel="stylesheet" href="{static("css/admin.css")}">' in page
