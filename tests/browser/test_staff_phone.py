"""Staff pages on a 360 px phone: the results, the progress board, the rankings and the annual
report fit the screen (wide tables scroll inside their own frame, names kept in view), and no
name is broken one character per line."""

from decimal import Decimal

import pytest
from django.urls import reverse

from competition import services as competition_services
from competition.models import Contestant, Problem, problem_key
from scoring.sheets.services import save_sheet
from tests.browser.conftest import PHONE, screenshot
from tests.competition_setup import competition_in_scoring
from tests.factories import PASSWORD, StreetFactory, TenureFactory, UserFactory
from tests.scoring.test_rankings import publish

# Transactional, for the live server.
pytestmark = pytest.mark.django_db(transaction=True)

# Every element the page lays out past the right edge of the screen, except inside a frame
# that scrolls sideways; and every text of two or more characters laid out about one
# character per line (its box narrower than two characters and three or more lines high).
LAYOUT = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = el => {
    for (let up = el.parentElement; up; up = up.parentElement) {
      const x = getComputedStyle(up).overflowX;
      if ((x === "auto" || x === "scroll") && up.scrollWidth > up.clientWidth - 1) return true;
    }
    return false;
  };
  const cut = [], broken = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(el).visibility === "hidden") continue;
    if (box.right > width + 1 && !scrolls(el)) cut.push(`${el.tagName}.${el.className}`);
    const texts = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent);
    const own = texts.join("").trim();
    if (own.length < 2) continue;
    const style = getComputedStyle(el);
    const size = parseFloat(style.fontSize);
    const line = parseFloat(style.lineHeight) || size * 1.5;
    if (box.width < size * 2 && box.height > line * 2.5) broken.push(own);
  }
  return {scrollWidth: document.documentElement.scrollWidth, cut, broken};
}"""


# The table's frame scrolled to its right end: how far it scrolled, and where the first name
# cell then is, from the frame's left edge.
SCROLLED = """() => {
  const frame = document.querySelector(".table-responsive");
  frame.scrollLeft = frame.scrollWidth;
  const name = frame.querySelector("tbody .col-sticky");
  return [frame.scrollLeft, name.getBoundingClientRect().left - frame.getBoundingClientRect().left];
}"""


def sign_in(page, live_server, username):
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + reverse("home"))


def assert_fits(page):
    layout = page.evaluate(LAYOUT)
    assert layout["scrollWidth"] <= PHONE["width"], layout
    assert layout["cut"] == [], layout["cut"]
    assert layout["broken"] == [], layout["broken"]


def assert_name_stays_in_view(page):
    scrolled, left = page.evaluate(SCROLLED)
    assert scrolled > 0 and abs(left) <= 1, (scrolled, left)


def test_results_and_board_fit_a_phone(page_at, live_server, street_staff_carol):
    street = street_staff_carol.membership.street
    street.name = "寒亭经济开发区发展中心"
    street.save()
    judges = [
        UserFactory(first_name=name) for name in ("王建华", "欧阳明月", "李强", "赵淑芬", "孙伟")
    ]
    competition = competition_in_scoring(
        street=street, staff=street_staff_carol, judges=judges, contestants=4, optional=()
    )
    long_names = ["东三里庄社区", "固堤街道西营村", "朱里街道大营子村", "开元街道杨家埠村"]
    seats = list(competition.judges.order_by("pk"))
    for n, contestant in enumerate(competition.contestants.order_by("order")):
        contestant.village.name = long_names[n]
        contestant.village.save()
        contestant.secretary.name = ["王德胜", "欧阳春晓", "李", "慕容雪梅"][n]
        contestant.secretary.save()
        for seat in seats[: 5 - n % 2]:
            points = {c.code: str(Decimal(16 - n)) for c in competition.criteria.all()}
            save_sheet(
                judge=seat,
                contestant=contestant,
                points=points,
                version=1,
                submit=True,
                by=seat.user,
            )
    page = page_at(PHONE)
    sign_in(page, live_server, "carol")

    page.goto(live_server.url + reverse("scoring:board", args=[competition.pk]))
    assert page.locator("td.cell-submitted").count() == 18
    assert_fits(page)
    screenshot(page, "progress-board-phone")
    assert_name_stays_in_view(page)

    competition_services.transition(competition=competition, action="close", by=street_staff_carol)
    page.goto(live_server.url + reverse("scoring:results", args=[competition.pk]))
    assert "欧阳春晓" in page.content()
    assert_fits(page)
    screenshot(page, "results-phone")
    assert_name_stays_in_view(page)
    screenshot(page, "results-phone-scrolled")
    # The printable pages too: the judges' signed summaries and the public notice.
    for name in ("scoring:judge_summary", "notice:printed"):
        page.goto(live_server.url + reverse(name, args=[competition.pk]))
        assert_fits(page)


def test_rankings_annual_and_half_year_reports_fit_a_phone(
    page_at, live_server, street, district_dan
):
    street.name = "寒亭经济开发区发展中心"
    street.save()
    other = StreetFactory(district=street.district, name="固堤街道")
    codes = ["东三里庄社区", "西营村", "大营子村", "杨家埠村", "南孙村", "北王村"]
    for quarter in (1, 2):
        finals = {code: f"{95 - 7 * n - quarter}.50" for n, code in enumerate(codes[:4])}
        publish(street, 2025, quarter, finals, district_dan)
        publish(other, 2025, quarter, dict.fromkeys(codes[4:], "78.00"), district_dan)
    page = page_at(PHONE)
    sign_in(page, live_server, "dan")

    page.goto(live_server.url + reverse("scoring:rankings"))
    assert page.locator("#rankings tbody tr").count() == 6
    assert_fits(page)
    screenshot(page, "rankings-phone")
    assert_name_stays_in_view(page)

    page.goto(live_server.url + reverse("scoring:annual"))
    assert page.locator("#annual tbody tr").count() == 6
    assert_fits(page)
    screenshot(page, "annual-report-phone")
    assert_name_stays_in_view(page)
    screenshot(page, "annual-report-phone-scrolled")

    page.goto(live_server.url + reverse("scoring:half_year") + "?year=2025&half=1")
    assert page.locator("#half-year tbody tr").count() == 6
    assert page.locator("#half-year-streets tbody tr").count() == 2
    assert_fits(page)
    screenshot(page, "half-year-report-phone")


def test_dashboard_problems_and_search_fit_a_phone(page_at, live_server, street, district_dan):
    street.name = "双杨现代农业发展中心"
    street.save()
    codes = ["东三里庄社区", "陈家店社区", "大营子村"]
    competition = publish(street, 2025, 4, dict.fromkeys(codes, "88.50"), district_dan)
    tenure = TenureFactory(
        village__street=street, village__name="陈家店社区", secretary__name="慕容雪梅"
    )
    contestant = Contestant.objects.create(
        competition=competition, secretary=tenure.secretary, village=tenure.village, order=1
    )
    text = "村务公开栏未及时更新，群众反映办事流程不清楚"
    Problem.objects.create(
        competition=competition,
        contestant=contestant,
        village=contestant.village,
        text=text,
        text_key=problem_key(text),
    )
    page = page_at(PHONE)
    sign_in(page, live_server, "dan")
    for url in (
        reverse("scoring:dashboard"),
        reverse("competition:problems"),
        reverse("search") + "?q=" + contestant.secretary.name[:1],
        reverse("search") + "?q=" + "长" * 3000,
    ):
        page.goto(live_server.url + url)
        assert_fits(page)
    page.goto(live_server.url + reverse("scoring:dashboard"))
    screenshot(page, "dashboard-phone")
    page.goto(live_server.url + reverse("competition:problems"))
    assert text[:10] in page.inner_text("#problems")
    screenshot(page, "problems-phone")


def test_removing_a_judge_or_contestant_takes_a_second_tap_that_names_them(
    page_at, live_server, street_staff_carol
):
    judge_user = UserFactory(first_name="王建华")
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street,
        staff=street_staff_carol,
        judges=[judge_user],
        open_it=False,
    )
    first = competition.contestants.order_by("pk").select_related("secretary").first()
    page = page_at(PHONE)
    sign_in(page, live_server, "carol")
    page.goto(live_server.url + reverse("scoring:setup", args=[competition.pk]))

    # One tap on "移除" removes nothing: it shows the button that would, naming who goes.
    # The contestants' table comes first (the judges' recusals name contestants too).
    row = page.locator("tr", has_text=first.secretary.name).first
    row.get_by_text("移除", exact=True).click()
    confirm = row.get_by_role("button", name=f"确认移除：{first.secretary.name}")
    confirm.wait_for()
    assert competition.contestants.count() == 3
    assert_fits(page)
    screenshot(page, "setup-remove-confirm")
    confirm.click()
    page.wait_for_load_state()
    page.get_by_role("button", name=f"确认移除：{first.secretary.name}").wait_for(state="detached")
    assert not competition.contestants.filter(pk=first.pk).exists()
    assert competition.contestants.count() == 2

    judge_row = page.locator("tr", has_text="王建华")
    judge_row.get_by_text("移除", exact=True).click()
    assert competition.judges.filter(user=judge_user).exists()
    judge_row.get_by_role("button", name="确认移除：王建华").click()
    judge_row.wait_for(state="detached")
    assert not competition.judges.filter(user=judge_user).exists()
