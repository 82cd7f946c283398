"""Democratic evaluation: one-time anonymous ballots, paper tallies, and their weight in grades."""

import re
from decimal import Decimal

import pytest
import segno
from django.core.cache import cache
from django.db import models
from django.urls import reverse

from competition import services as competition_services
from scoring.ballots import services
from scoring.ballots.services import BallotRefused, cast_ballot
from scoring.models import Ballot, BallotToken, GradingPolicy, PaperTally
from scoring.results import document as results
from scoring.results import queries
from scoring.sheets import services as sheet_services
from scoring.sheets.services import SheetInvalid
from tests.competition_setup import competition_in_scoring, full_points
from tests.factories import MembershipFactory
from villages import throttle

pytestmark = pytest.mark.django_db


@pytest.fixture
def competition(street_staff_carol):
    return competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol
    )


@pytest.fixture
def codes(competition, street_staff_carol):
    return services.issue_ballot_tokens(
        competition=competition, per_contestant=3, by=street_staff_carol
    )


def test_a_token_works_once_and_counts_agree(codes):
    contestant, code = codes[0]
    ballot = cast_ballot(code=code, choice="excellent")
    assert (ballot.contestant, ballot.choice) == (contestant, "excellent")
    with pytest.raises(BallotRefused) as refused:
        cast_ballot(code=code, choice="incompetent")
    assert refused.value.reason == "used"
    assert Ballot.objects.count() == BallotToken.objects.filter(used=True).count() == 1


def test_typed_codes_are_forgiving_about_case_dashes_and_look_alikes(codes):
    _contestant, code = codes[0]
    typed = services.display_code(code).lower().replace("o", "0")
    cast_ballot(code=typed, choice="competent")
    assert Ballot.objects.count() == 1


@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        (lambda code: code[:-1], "unknown"),  # truncated
        (lambda code: "A" * len(code), "unknown"),  # forged
        (lambda code: "", "unknown"),
    ],
)
def test_forged_and_truncated_codes_are_refused(codes, mangle, reason):
    with pytest.raises(BallotRefused) as refused:
        cast_ballot(code=mangle(codes[0][1]), choice="excellent")
    assert refused.value.reason == reason
    assert not Ballot.objects.exists()


def test_revoked_tokens_closed_competitions_and_evaluation_off_are_refused(
    competition, codes, street_staff_carol
):
    contestant, code = codes[0]
    services.revoke_ballot_tokens(contestant=contestant, by=street_staff_carol)
    with pytest.raises(BallotRefused, match="revoked"):
        cast_ballot(code=code, choice="excellent")
    other = next(c for c in codes if c[0] != contestant)[1]
    services.set_democratic(competition=competition, enabled=False, by=street_staff_carol)
    with pytest.raises(BallotRefused, match="off"):
        cast_ballot(code=other, choice="excellent")
    services.set_democratic(competition=competition, enabled=True, by=street_staff_carol)
    competition_services.transition(competition=competition, action="close", by=street_staff_carol)
    with pytest.raises(BallotRefused, match="closed"):
        cast_ballot(code=other, choice="excellent")
    assert not Ballot.objects.exists()


def test_the_ballot_table_cannot_link_a_ballot_to_a_token_address_device_or_time():
    fields = {f.name: f for f in Ballot._meta.get_fields() if f.concrete}
    assert set(fields) == {"id", "contestant", "choice", "cast_on"}
    assert type(fields["cast_on"]) is models.DateField  # a day, not a moment
    assert isinstance(fields["id"], models.UUIDField)
    token_fields = {f.name for f in BallotToken._meta.get_fields() if f.concrete}
    assert token_fields == {"id", "contestant", "token_hash", "used", "revoked"}


def test_ballot_keys_do_not_follow_the_order_of_casting(competition, street_staff_carol):
    issued = services.issue_ballot_tokens(
        competition=competition, per_contestant=20, by=street_staff_carol
    )
    cast = [cast_ballot(code=code, choice="competent").pk for _c, code in issued[:20]]
    assert sorted(cast) != cast  # random keys: the chance of casting order is 1 in 20!


def test_tokens_are_128_bits_and_only_their_hashes_are_kept(codes):
    code = codes[0][1]
    assert len(code) == 26  # base32: 26 × 5 = 130 bits of which 128 random
    stored = BallotToken.objects.values_list("token_hash", flat=True)
    assert all(code not in h for h in stored)


def test_ballot_page_takes_the_code_in_the_form_body(client, codes):
    contestant, code = codes[0]
    form = client.post(reverse("scoring:ballot"), {"code": code})
    page = form.content.decode()
    assert contestant.secretary.name in page and contestant.village.name in page
    assert code not in form.request["PATH_INFO"]
    confirm = client.post(reverse("scoring:ballot"), {"code": code, "choice": "basic"})
    assert "基本称职" in confirm.content.decode()
    assert not Ballot.objects.exists()  # not until confirmed
    done = client.post(reverse("scoring:ballot"), {"code": code, "choice": "basic", "confirm": "1"})
    assert done.url == reverse("scoring:ballot_thanks")
    thanks = client.get(done.url).content.decode()
    assert contestant.secretary.name not in thanks
    again = client.post(
        reverse("scoring:ballot"), {"code": code, "choice": "excellent", "confirm": "1"}
    )
    assert again.status_code == 403
    assert "已经" in again.content.decode()
    assert list(Ballot.objects.values_list("choice", flat=True)) == ["basic"]


def _cast(client, code: str, choice: str = "basic"):
    return client.post(reverse("scoring:ballot"), {"code": code, "choice": choice, "confirm": "1"})


def _reason(response) -> str:
    return re.search(r'data-reason="(\w+)"', response.content.decode()).group(1)


def test_a_valid_code_casts_after_fifty_wrong_codes_from_its_address(client, codes):
    # A village meeting on one Wi-Fi: fifty typos from the same address.
    wrong = [client.post(reverse("scoring:ballot"), {"code": f"WRONG{n}"}) for n in range(50)]
    assert {(r.status_code, _reason(r)) for r in wrong} == {(403, "unknown")}
    contestant, code = codes[0]
    assert _cast(client, code).url == reverse("scoring:ballot_thanks")
    assert list(Ballot.objects.values_list("contestant", "choice")) == [(contestant.pk, "basic")]


def test_taps_of_a_used_code_say_already_used_and_are_not_counted_as_guesses(client, codes):
    (contestant, used), (_other, valid), *_rest = codes
    assert _cast(client, used).url == reverse("scoring:ballot_thanks")
    taps = [_cast(client, used, "excellent") for _n in range(20)]
    assert {(r.status_code, _reason(r)) for r in taps} == {(403, "used")}
    assert "已经评议过" in taps[-1].content.decode()
    assert cache.get("guess:ballot:127.0.0.1") is None  # not one counted
    assert _cast(client, valid, "competent").url == reverse("scoring:ballot_thanks")
    assert sorted(Ballot.objects.values_list("choice", flat=True)) == ["basic", "competent"]
    assert BallotToken.objects.filter(used=True).count() == 2


def test_withdrawn_codes_are_answered_as_such_and_are_not_counted(
    client, codes, street_staff_carol
):
    contestant, code = codes[0]
    services.revoke_ballot_tokens(contestant=contestant, by=street_staff_carol)
    taps = [_cast(client, code) for _n in range(5)]
    assert {(r.status_code, _reason(r)) for r in taps} == {(403, "revoked")}
    assert "已被组织方作废" in taps[0].content.decode()
    assert cache.get("guess:ballot:127.0.0.1") is None
    assert not Ballot.objects.exists()


def test_past_the_limit_wrong_codes_are_told_to_wait_and_a_valid_code_still_casts(client, codes):
    for n in range(throttle.LIMIT):
        assert client.post(reverse("scoring:ballot"), {"code": f"WRONG{n}"}).status_code == 403
    slowed = client.post(
        reverse("scoring:ballot"), {"code": "WRONGAGAIN"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert (slowed.status_code, _reason(slowed)) == (429, "limit")
    assert slowed["Retry-After"] == str(throttle.WINDOW)
    page = " ".join(slowed.content.decode().split())
    assert "There is no such code." in page
    assert f"for up to {throttle.MINUTES} minutes, wrong codes get only this page" in page
    assert "The code on your slip still works at any time" in page
    assert cache.get("guess:ballot:127.0.0.1") == throttle.LIMIT  # no longer counted
    # The right code, from the same address, at once.
    contestant, code = codes[0]
    form = client.post(reverse("scoring:ballot"), {"code": code})
    assert contestant.secretary.name in form.content.decode()
    assert _cast(client, code).url == reverse("scoring:ballot_thanks")
    assert list(Ballot.objects.values_list("contestant", "choice")) == [(contestant.pk, "basic")]
    # Sign-in cards are counted apart.
    assert cache.get("guess:card:127.0.0.1") is None


def test_slips_carry_a_qr_code_of_the_ballot_address_with_the_code_after_the_hash(
    client, competition, street_staff_carol
):
    client.force_login(street_staff_carol)
    page = client.post(
        reverse("scoring:slips", args=[competition.pk]), {"per_contestant": 2}
    ).content.decode()
    codes = re.findall(r'<div class="slip-code">([A-Z2-7-]+)</div>', page)
    assert len(codes) == 2 * competition.contestants.count()
    urls = ["http://testserver/ballot/#" + code.replace("-", "") for code in codes]
    for url in urls:  # each QR code encodes the ballot address, its code after the "#"
        assert segno.make(url, error="m").svg_inline(scale=3, border=2) in page
    assert BallotToken.objects.count() == len(urls)


def tally_values(**changes) -> dict[str, int]:
    return {
        "representatives_due": 30,
        "representatives_present": 25,
        "ballots_issued": 25,
        "ballots_returned": 25,
        "excellent": 15,
        "competent": 8,
        "basic": 1,
        "incompetent": 1,
    } | changes


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"excellent": -1}, "excellent"),
        ({"representatives_present": 31}, "representatives_present"),
        ({"excellent": 20}, "excellent"),  # 30 choices, 25 returned
        ({"ballots_issued": 26}, "ballots_issued"),
    ],
)
def test_bad_tallies_are_refused_field_by_field(competition, street_staff_carol, changes, field):
    contestant = competition.contestants.first()
    with pytest.raises(SheetInvalid) as error:
        services.enter_tally(
            contestant=contestant, values=tally_values(**changes), by=street_staff_carol
        )
    assert field in error.value.errors
    assert not PaperTally.objects.exists()


def test_a_tally_counts_only_with_quorum_valid_returns_and_a_second_confirmation(
    competition, street_staff_carol
):
    contestant = competition.contestants.first()
    dave = MembershipFactory(role="street_staff", street=competition.street).user
    services.enter_tally(contestant=contestant, values=tally_values(), by=street_staff_carol)
    assert queries.democratic_counts(competition) == {}

    # The same person typing again never confirms it.
    services.enter_tally(contestant=contestant, values=tally_values(), by=street_staff_carol)
    assert queries.democratic_counts(competition) == {}
    services.enter_tally(contestant=contestant, values=tally_values(), by=dave)
    assert queries.democratic_counts(competition)[contestant.pk]["excellent"] == 15

    # 20 of 30 present is not more than two thirds: the tally no longer counts.
    no_quorum = tally_values(
        representatives_present=20, ballots_issued=20, ballots_returned=20, excellent=10
    )
    services.enter_tally(contestant=contestant, by=street_staff_carol, values=no_quorum)
    assert PaperTally.objects.get().confirmed_by is None  # a new entry needs a new confirmation
    services.enter_tally(contestant=contestant, by=dave, values=no_quorum)
    tally = PaperTally.objects.get()
    assert not tally.has_quorum and not tally.counts_valid
    assert queries.democratic_counts(competition) == {}

    # More ballots returned than handed out voids the vote, confirmed or not.
    void = tally_values(ballots_issued=24, ballots_returned=25)
    services.enter_tally(contestant=contestant, by=street_staff_carol, values=void)
    services.enter_tally(contestant=contestant, by=dave, values=void)
    tally = PaperTally.objects.get()
    assert tally.has_quorum and not tally.returns_valid and not tally.counts_valid
    assert queries.democratic_counts(competition) == {}


def test_ballots_and_tallies_feed_the_democratic_score_and_vetoes(
    competition, codes, street_staff_carol
):
    seat = competition.judges.get()
    for contestant in competition.contestants.all():
        sheet_services.save_sheet(
            judge=seat,
            contestant=contestant,
            points=full_points(competition, 0.95),
            version=1,
            submit=True,
            by=seat.user,
        )
    first = competition.contestants.order_by("order").first()
    for (_contestant, code), choice in zip(
        [c for c in codes if c[0] == first], ["excellent", "excellent", "incompetent"], strict=True
    ):
        cast_ballot(code=code, choice=choice)
    dave = MembershipFactory(role="street_staff", street=competition.street).user
    services.enter_tally(contestant=first, values=tally_values(), by=street_staff_carol)
    services.enter_tally(contestant=first, values=tally_values(), by=dave)
    competition_services.transition(competition=competition, action="close", by=street_staff_carol)

    row = next(r for r in results.build_document(competition)["contestants"] if r["order"] == 1)
    assert row["democratic"] == {
        "excellent": 17,
        "competent": 8,
        "basic": 1,
        "incompetent": 2,
        "valid": 28,
        "score": "85.71",
    }
    # 95 % panel (the sheets give 19 of 20, 9.5 of 10) × 0.7 + 85.71 × 0.3
    assert row["panel_score"] == "95.00"
    assert row["final_score"] == "92.21"
    assert row["grade"] == "excellent"

    GradingPolicy.objects.filter(competition=competition).update(democratic_enabled=False)
    row = next(r for r in results.build_document(competition)["contestants"] if r["order"] == 1)
    assert (row["democratic"], row["final_score"]) == (None, "95.00")


def test_the_approval_veto_caps_a_high_final_at_basic_competent(
    competition, codes, street_staff_carol
):
    seat = competition.judges.get()
    first = competition.contestants.order_by("order").first()
    sheet_services.save_sheet(
        judge=seat,
        contestant=first,
        points=full_points(competition, 1.0),
        version=1,
        submit=True,
        by=seat.user,
    )
    for (_c, code), choice in zip(
        [c for c in codes if c[0] == first], ["excellent", "basic", "basic"], strict=True
    ):
        cast_ballot(code=code, choice=choice)
    competition_services.transition(competition=competition, action="close", by=street_staff_carol)
    row = next(r for r in results.build_document(competition)["contestants"] if r["order"] == 1)
    assert row["final_score"] == "92.00"  # 100 × 0.7 + 73.33 × 0.3: excellent by the bands
    assert row["grade"] == "basic"
    assert row["reasons"] == [{"code": "veto_approval_share"}]
    assert [results.reason_text(r) for r in row["reasons"]] == [
        "评为“优秀”或“称职”的有效票不足三分之二：等次最高为基本称职。"
    ]
    assert Decimal(row["democratic"]["score"]) == Decimal("73.33")


def test_ballots_are_still_cast_while_the_shared_cache_is_down(client, codes, redis_down, caplog):
    contestant, code = codes[0]
    wrong = client.post(reverse("scoring:ballot"), {"code": "WRONGCODE"})
    assert wrong.status_code == 403  # refused as ever, though not counted
    done = client.post(reverse("scoring:ballot"), {"code": code, "choice": "basic", "confirm": "1"})
    assert done.url == reverse("scoring:ballot_thanks")
    assert list(Ballot.objects.values_list("contestant", "choice")) == [(contestant.pk, "basic")]
    assert "wrong-code counts unavailable" in caplog.text
