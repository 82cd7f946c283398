"""Paper tallies after the meeting: blind double entry, until the results are published."""

import re

import pytest
from django.urls import reverse

from competition import services as competition_services
from competition.models import Event
from competition.services import ActionRefused
from scoring.ballots import services
from scoring.ballots.services import TallyOutcome
from scoring.models import DifferingTally, PaperTally
from scoring.results import queries as results
from scoring.results import services as result_services
from scoring.sheets import services as sheet_services
from tests.competition_setup import competition_in_scoring, full_points
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

# Counts no page shows by chance: each is three digits and different from the others.
FIRST = {
    "representatives_due": 931,
    "representatives_present": 813,
    "ballots_issued": 807,
    "ballots_returned": 799,
    "excellent": 311,
    "competent": 203,
    "basic": 159,
    "incompetent": 117,
}


def post_of(values: dict[str, int]) -> dict[str, str]:
    return {name: str(n) for name, n in values.items()}


@pytest.fixture
def closed(street_staff_carol):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol
    )
    seat = competition.judges.get()
    for contestant in competition.contestants.all():  # publishing needs a sheet for each
        sheet_services.save_sheet(
            judge=seat,
            contestant=contestant,
            points=full_points(competition),
            version=1,
            submit=True,
            by=seat.user,
        )
    competition_services.transition(competition=competition, action="close", by=street_staff_carol)
    competition.refresh_from_db()
    return competition


@pytest.fixture
def street_staff_dave(street):
    return MembershipFactory(
        user__username="dave", role="street_staff", district=street.district, street=street
    ).user


@pytest.fixture
def street_staff_erin(street):
    return MembershipFactory(
        user__username="erin", role="street_staff", district=street.district, street=street
    ).user


def tally_url(competition, contestant) -> str:
    return reverse("scoring:tally", args=[competition.pk, contestant.pk])


def text_of(html: str) -> str:
    """What a reader sees: the text, without tags and their attributes (URLs, tokens)."""
    return re.sub(r"<[^>]+>", " ", html)


def shown_numbers(html: str) -> set[str]:
    typed = re.findall(r'type="number"[^>]*value="([^"]*)"', html)
    return set(re.findall(r"\b\d+\b", text_of(html))) | {v for v in typed if v}


def test_a_tally_is_entered_and_blindly_confirmed_after_the_close(
    client, closed, street_staff_carol, street_staff_dave
):
    contestant = closed.contestants.order_by("order").first()
    client.force_login(street_staff_carol)
    first = client.post(tally_url(closed, contestant), post_of(FIRST))
    assert first.url == reverse("scoring:democratic", args=[closed.pk])
    tally = PaperTally.objects.get()
    assert (tally.entered_by, tally.confirmed_by, tally.values) == (street_staff_carol, None, FIRST)
    assert results.democratic_counts(closed) == {}

    client.force_login(street_staff_dave)
    second = client.post(tally_url(closed, contestant), post_of(FIRST))

    assert second.url == reverse("scoring:democratic", args=[closed.pk])
    tally.refresh_from_db()
    assert (tally.entered_by, tally.confirmed_by) == (street_staff_carol, street_staff_dave)
    assert tally.confirmed_at is not None
    assert results.democratic_counts(closed)[contestant.pk] == {
        "excellent": 311,
        "competent": 203,
        "basic": 159,
        "incompetent": 117,
    }
    assert closed.events.filter(kind=Event.Kind.TALLY, by=street_staff_dave).exists()
    page = client.get(tally_url(closed, contestant)).content.decode()
    assert "carol" in page and "dave" in page
    assert {"931", "813", "311", "117"} <= shown_numbers(page)  # confirmed: both have typed


def test_the_second_typist_gets_an_empty_form_and_never_the_first_entry(
    client, closed, street_staff_carol, street_staff_dave
):
    contestant = closed.contestants.order_by("order").first()
    services.enter_tally(contestant=contestant, values=FIRST, by=street_staff_carol)
    client.force_login(street_staff_dave)

    response = client.get(tally_url(closed, contestant))

    page = response.content.decode()
    assert response.context["state"] == "waiting"
    assert [value for _name, _label, value, _error in response.context["rows"]] == [""] * 8
    assert not {str(n) for n in FIRST.values()} & shown_numbers(page)
    assert "carol" in text_of(page)  # who entered it, and that it waits for a blind entry
    # The setup page's log, which the second typist can read, names no count either.
    setup = client.get(reverse("scoring:setup", args=[closed.pk])).content.decode()
    assert not {str(n) for n in FIRST.values()} & shown_numbers(setup)
    # The author sees their own entry.
    client.force_login(street_staff_carol)
    own = client.get(tally_url(closed, contestant))
    assert own.context["state"] == "mine"
    assert {"931", "311"} <= shown_numbers(own.content.decode())


def test_a_differing_second_entry_counts_nothing_and_the_page_names_what_differs(
    client, closed, street_staff_carol, street_staff_dave
):
    contestant = closed.contestants.order_by("order").first()
    services.enter_tally(contestant=contestant, values=FIRST, by=street_staff_carol)
    client.force_login(street_staff_dave)

    response = client.post(
        tally_url(closed, contestant), post_of(FIRST | {"representatives_due": 932})
    )

    assert response.url == tally_url(closed, contestant)
    tally = PaperTally.objects.get()
    assert (tally.values, tally.confirmed_by) == (FIRST, None)
    assert DifferingTally.objects.get().entered_by == street_staff_dave
    assert results.democratic_counts(closed) == {}
    page = client.get(tally_url(closed, contestant))
    assert page.context["state"] == "differs"
    [difference] = re.findall(
        r"<li>([^<]*)</li>", page.content.decode().split('id="tally-differences"')[1]
    )
    assert difference == "应到代表人数：第一次 931，第二次 932"
    # Both entries side by side, with who typed each.
    assert [row[1:3] for row in page.context["compared"]][:2] == [(931, 932), (813, 813)]
    democratic = client.get(reverse("scoring:democratic", args=[closed.pk])).content.decode()
    assert "两次录入不一致" in democratic


@pytest.mark.parametrize(
    ("typist", "agrees_with", "entered_by"),
    [
        ("erin", "first", "carol"),  # a third person agrees with the first entry
        ("erin", "second", "dave"),  # … or with the second, which becomes the tally
        ("carol", "second", "dave"),  # the first typist finds their own mistake
        ("dave", "first", "carol"),  # the second typist finds theirs
    ],
)
def test_an_entry_that_agrees_with_one_of_two_differing_entries_settles_it(
    closed,
    street_staff_carol,
    street_staff_dave,
    street_staff_erin,
    typist,
    agrees_with,
    entered_by,
):
    cast = {"carol": street_staff_carol, "dave": street_staff_dave, "erin": street_staff_erin}
    contestant = closed.contestants.order_by("order").first()
    second = FIRST | {"excellent": 312}
    services.enter_tally(contestant=contestant, values=FIRST, by=street_staff_carol)
    services.enter_tally(contestant=contestant, values=second, by=street_staff_dave)

    values = FIRST if agrees_with == "first" else second
    _tally, outcome = services.enter_tally(contestant=contestant, values=values, by=cast[typist])

    assert outcome == TallyOutcome.CONFIRMED
    tally = PaperTally.objects.get()
    assert (tally.values, tally.entered_by, tally.confirmed_by) == (
        values,
        cast[entered_by],
        cast[typist],
    )
    assert not DifferingTally.objects.exists()
    assert results.democratic_counts(closed)[contestant.pk]["excellent"] == values["excellent"]


def test_the_same_person_typing_twice_never_confirms(closed, street_staff_carol, street_staff_dave):
    contestant = closed.contestants.order_by("order").first()
    services.enter_tally(contestant=contestant, values=FIRST, by=street_staff_carol)
    _t, outcome = services.enter_tally(contestant=contestant, values=FIRST, by=street_staff_carol)
    assert outcome == TallyOutcome.FIRST
    assert PaperTally.objects.get().confirmed_by is None

    # Nor does an entry agreeing only with its author's own, once the entries differ.
    second = FIRST | {"basic": 158}
    services.enter_tally(contestant=contestant, values=second, by=street_staff_dave)
    _t, outcome = services.enter_tally(contestant=contestant, values=second, by=street_staff_dave)
    assert outcome == TallyOutcome.DIFFERS
    _t, outcome = services.enter_tally(contestant=contestant, values=FIRST, by=street_staff_carol)
    assert outcome == TallyOutcome.DIFFERS
    assert PaperTally.objects.get().confirmed_by is None
    assert results.democratic_counts(closed) == {}


def test_an_entry_agreeing_with_neither_replaces_the_second_and_settles_nothing(
    closed, street_staff_carol, street_staff_dave, street_staff_erin
):
    contestant = closed.contestants.order_by("order").first()
    services.enter_tally(contestant=contestant, values=FIRST, by=street_staff_carol)
    services.enter_tally(contestant=contestant, values=FIRST | {"basic": 1}, by=street_staff_dave)
    third = FIRST | {"basic": 2}

    _t, outcome = services.enter_tally(contestant=contestant, values=third, by=street_staff_erin)

    assert outcome == TallyOutcome.DIFFERS
    other = DifferingTally.objects.get()
    assert (other.entered_by, other.basic) == (street_staff_erin, 2)
    _t, outcome = services.enter_tally(contestant=contestant, values=third, by=street_staff_dave)
    assert outcome == TallyOutcome.CONFIRMED
    assert PaperTally.objects.get().entered_by == street_staff_erin


def test_a_confirmed_tally_entered_again_starts_over(
    client, closed, street_staff_carol, street_staff_dave
):
    contestant = closed.contestants.order_by("order").first()
    services.enter_tally(contestant=contestant, values=FIRST, by=street_staff_carol)
    services.enter_tally(contestant=contestant, values=FIRST, by=street_staff_dave)
    client.force_login(street_staff_dave)
    assert "重新录入将从头开始" in client.get(tally_url(closed, contestant)).content.decode()

    client.post(tally_url(closed, contestant), post_of(FIRST | {"competent": 200}))

    tally = PaperTally.objects.get()
    assert (tally.entered_by, tally.confirmed_by, tally.competent) == (street_staff_dave, None, 200)
    assert results.democratic_counts(closed) == {}


def test_published_results_refuse_tallies_and_change_nothing(
    client, closed, street_staff_carol, street_staff_dave
):
    contestant = closed.contestants.order_by("order").first()
    services.enter_tally(contestant=contestant, values=FIRST, by=street_staff_carol)
    result_services.publish_competition(competition=closed, by=street_staff_carol)
    client.force_login(street_staff_dave)

    response = client.post(tally_url(closed, contestant), post_of(FIRST), follow=True)

    page = response.content.decode()
    assert page.count("结果已公布，纸质计票不能再录入或修改。") == 2  # the message, and the page
    assert 'type="number"' not in page
    assert PaperTally.objects.get().confirmed_by is None
    assert response.context["open"] is False
    with pytest.raises(ActionRefused):
        services.enter_tally(contestant=contestant, values=FIRST, by=street_staff_dave)


def test_the_results_say_why_a_final_rests_on_the_panel_alone(
    client, closed, street_staff_carol, street_staff_dave
):
    void_returns, no_quorum, unrated = closed.contestants.order_by("order")
    tallies = {
        void_returns: {"representatives_due": 30, "representatives_present": 25,
                       "ballots_issued": 20, "ballots_returned": 22,
                       "excellent": 10, "competent": 5, "basic": 3, "incompetent": 2},
        no_quorum: {"representatives_due": 30, "representatives_present": 18,
                    "ballots_issued": 18, "ballots_returned": 18,
                    "excellent": 10, "competent": 5, "basic": 2, "incompetent": 1},
    }  # fmt: skip
    for user in (street_staff_carol, street_staff_dave):  # typed twice, blind: confirmed
        client.force_login(user)
        for contestant, values in tallies.items():
            client.post(tally_url(closed, contestant), post_of(values))
    assert PaperTally.objects.filter(confirmed_by__isnull=False).count() == 2
    assert results.democratic_counts(closed) == {}

    publication = result_services.publish_competition(competition=closed, by=street_staff_carol)
    rows = {r["order"]: r for r in publication.document["contestants"]}
    assert rows[1]["reasons"] == [
        {"code": "tally_returns", "returned": 22, "issued": 20},
        {"code": "no_ballots"},
    ]
    assert rows[2]["reasons"] == [
        {"code": "tally_quorum", "present": 18, "due": 30},
        {"code": "no_ballots"},
    ]
    assert rows[3]["reasons"] == [{"code": "no_ballots"}]
    assert all(r["final_score"] == r["panel_score"] for r in rows.values())

    page = text_of(client.get(reverse("scoring:results", args=[closed.pk])).content.decode())
    assert "纸质计票不计入：发出 20 张，收回 22 张，收回票数多于发出票数，投票无效。" in page
    assert "纸质计票不计入：应到代表 30 人，到会 18 人，不符合人数要求（须超过三分之二）。" in page
    assert page.count("没有有效的民主评议票：最终得分只是评委得分。") == 3
    english = client.get(reverse("scoring:results", args=[closed.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "22 ballots came back of 20 handed out" in english.content.decode()
    # The public notice explains them too.
    notice = client.get(reverse("notice:printed", args=[closed.pk])).content.decode()
    assert "不符合人数要求" in notice and "没有有效的民主评议票" in notice
