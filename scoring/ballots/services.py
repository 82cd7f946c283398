"""The democratic vote's writes: one-time ballot codes, casting a ballot, sealing the ballots,
the paper tallies and switching the vote on or off."""

import base64
import hashlib
import random
import secrets
from enum import StrEnum

from django.contrib.auth.models import User
from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from competition import services as competition_services
from competition.models import (
    Competition,
    Contestant,
    Event,
)
from competition.notes import part
from competition.services import ActionRefused
from scoring import domain
from scoring.ballots import queries
from scoring.models import (
    TALLY_FIELDS,
    Ballot,
    BallotToken,
    DifferingTally,
    GradingPolicy,
    PaperTally,
)
from scoring.results import queries as result_queries
from scoring.sheets.services import SheetInvalid

BALLOT_OPEN = (Competition.Status.DRAFT, Competition.Status.SCORING)


def _ballot_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def normalise_code(raw: str) -> str:
    """A typed code as issued: capitals, no separators; look-alikes read as base32 letters."""
    code = "".join(ch for ch in raw.upper() if ch.isalnum())
    return code.translate(str.maketrans({"0": "O", "1": "I", "8": "B"}))


def new_code() -> str:
    """128 random bits in base32: 26 letters and digits, easy to read aloud and to type."""
    return base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=")


def display_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


@transaction.atomic
def issue_ballot_tokens(
    *, competition: Competition, per_contestant: int, by: User
) -> list[tuple[Contestant, str]]:
    """`per_contestant` new tokens for every present contestant; returns them, once."""
    locked = competition_services.lock(competition)
    if locked.status not in BALLOT_OPEN:
        raise ActionRefused(_("Ballots can only be issued before scoring closes."))
    if not 1 <= per_contestant <= 200:
        raise ActionRefused(_("Issue between 1 and 200 ballots per contestant."))
    issued = []
    for contestant in (
        locked.contestants.filter(absent=False)
        .select_related("secretary", "village")
        .order_by("order", "village__code")
    ):
        for _n in range(per_contestant):
            code = new_code()
            issued.append((contestant, code))
    BallotToken.objects.bulk_create(
        BallotToken(contestant=contestant, token_hash=_ballot_hash(code))
        for contestant, code in issued
    )
    competition_services.log(locked, Event.Kind.BALLOTS, by, part("ballots_issued", n=len(issued)))
    return issued


@transaction.atomic
def revoke_ballot_tokens(*, contestant: Contestant, by: User) -> int:
    """Withdraw a contestant's unused tokens: their voting ends, so their ballots are sealed."""
    locked = competition_services.lock(contestant.competition)
    count = BallotToken.objects.filter(contestant=contestant, used=False, revoked=False).update(
        revoked=True
    )
    seal_ballots(competition=locked, contestant_ids=[contestant.pk])
    competition_services.log(
        locked,
        Event.Kind.BALLOTS,
        by,
        part("ballots_revoked", n=count, who=str(contestant)),
    )
    return count


def seal_ballots(*, competition: Competition, contestant_ids: list[int] | None = None) -> int:
    """Rewrite the ballots and used tokens of these contestants (default: all of the
    competition's) so that the database's own bookkeeping ties no ballot to its token.

    Casting marks a token used and stores its ballot in one transaction: on PostgreSQL both
    rows carry that transaction's id (xmin), and the rows' physical order (ctid; SQLite's
    rowid) follows the order of casting. Deleted and inserted again in one transaction, in a
    random order, they all carry one xmin and an order that says nothing. The rows keep their
    values (a token its hash, flags and contestant; a ballot its random key, choice and day);
    nothing refers to either table. Returns how many ballots were sealed.

    The competition is locked, and every cast holds it (cast_ballot): no cast for it is in
    progress, so none can commit a row of its own after the seal has read them.
    """
    with transaction.atomic():
        locked = competition_services.lock(competition)
        contestants = locked.contestants.all()
        if contestant_ids is not None:
            contestants = contestants.filter(pk__in=contestant_ids)
        ballots = Ballot.objects.filter(contestant__in=contestants)
        tokens = BallotToken.objects.filter(contestant__in=contestants, used=True)
        kept_ballots, kept_tokens = list(ballots), list(tokens)
        shuffle = random.SystemRandom().shuffle
        shuffle(kept_ballots)
        shuffle(kept_tokens)
        deleted = (ballots.delete()[0], tokens.delete()[0])
        if deleted != (len(kept_ballots), len(kept_tokens)):  # cannot happen under the lock
            raise RuntimeError("ballots changed while they were sealed")
        Ballot.objects.bulk_create(kept_ballots)
        BallotToken.objects.bulk_create(kept_tokens)
        # After the commit, not before: VACUUM cannot run inside a transaction.
        transaction.on_commit(_vacuum_ballots, robust=True)
    return len(kept_ballots)


def _vacuum_ballots() -> None:
    """Let PostgreSQL drop the rows' old versions, which still carry the casting's xmin.

    A maintenance statement the ORM does not express, sent through its connection. Plain
    VACUUM takes no lock that stops casting elsewhere; docs/deploy.md says what remains.
    SQLite needs none: its deleted rows are overwritten (secure_delete, config/settings.py).
    """
    connection = connections[router.db_for_write(Ballot)]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return  # an outer transaction still open (a test's): nothing to vacuum yet
    tables = ", ".join(
        connection.ops.quote_name(model._meta.db_table) for model in (Ballot, BallotToken)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {tables}")


class BallotRefused(Exception):
    """Why a token cannot be used: "unknown", "used", "revoked", "closed" or "off"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def ballot_for(code: str) -> BallotToken:
    """The token a code belongs to, if it can still cast a ballot; else BallotRefused."""
    token = (
        BallotToken.objects.select_related(
            "contestant__competition__policy", "contestant__secretary", "contestant__village"
        )
        .filter(token_hash=_ballot_hash(normalise_code(code)))
        .first()
    )
    _check_token(token)
    return token


def _check_token(token: BallotToken | None) -> None:
    if token is None:
        raise BallotRefused("unknown")
    if token.revoked:
        raise BallotRefused("revoked")
    if token.used:
        raise BallotRefused("used")
    competition = token.contestant.competition
    if competition.status not in BALLOT_OPEN:
        raise BallotRefused("closed")
    try:  # read with the token: the competition's own copy, which it has once scoring starts
        policy = competition.policy
    except GradingPolicy.DoesNotExist:
        policy = result_queries.policy_of(competition)
    if not policy.democratic_enabled:
        raise BallotRefused("off")


def cast_ballot(*, code: str, choice: str) -> Ballot:
    """Use a token once: one ballot for its contestant, keeping no link to the token.

    The token row is locked, so of two casts at once exactly one lands; the other is refused
    as "used". The used flag and the ballot are written together: their counts always agree.
    """
    if choice not in Ballot.Choice.values:
        raise BallotRefused("choice")
    token_hash = _ballot_hash(normalise_code(code))
    with transaction.atomic():
        # Lock the token's contestant first, as a sheet save locks its seat: closing the
        # competition (which seals its ballots) locks every contestant, so it waits for the
        # casts in progress, and a cast that comes after it sees it closed.
        if not queries.lock_contestant_of(token_hash):
            raise BallotRefused("unknown")
        token = (
            BallotToken.objects.select_for_update(of=("self",))
            .select_related("contestant__competition__policy")
            .filter(token_hash=token_hash)
            .order_by("pk")
            .first()
        )
        _check_token(token)
        token.used = True
        token.save(update_fields=["used"])
        return Ballot.objects.create(
            contestant_id=token.contestant_id, choice=choice, cast_on=timezone.localdate()
        )


MAX_TALLY = 100_000  # far more than any village meeting; keeps every count storable


TALLY_PROBLEMS = {
    "range": gettext_lazy("Enter a whole number from 0 to %(max)s."),
    "present_over_due": gettext_lazy("More present than due."),
    "choices_over_returned": gettext_lazy(
        "The choices add up to %(n)s, more than the %(returned)s ballots returned."
    ),
    "issued_over_present": gettext_lazy("More ballots handed out than representatives present."),
}


def check_tally(values: dict[str, int]) -> dict[str, str]:
    """What is wrong with a paper tally, field by field (domain.tally_problems), in the
    reader's language; empty when it can be stored."""
    problems = domain.tally_problems(values, fields=TALLY_FIELDS, maximum=MAX_TALLY)
    return {name: str(TALLY_PROBLEMS[code]) % figures for name, (code, figures) in problems.items()}


# Tallies are typed after the meeting, often after scoring closed; publication ends it.
TALLY_OPEN = (Competition.Status.DRAFT, Competition.Status.SCORING, Competition.Status.CLOSED)


class TallyOutcome(StrEnum):
    """What an entry did to a contestant's tally."""

    FIRST = "first"  # the first entry (or its author's own correction): one more is needed
    RESTARTED = "restarted"  # it replaced a confirmed tally, which no longer counts
    CONFIRMED = "confirmed"  # it agreed with another person's entry: the tally counts
    DIFFERS = "differs"  # it agrees with no other person's entry: nothing counts


def _write_counts(row: PaperTally | DifferingTally, values: dict[str, int]) -> None:
    for name in TALLY_FIELDS:
        setattr(row, name, values[name])


@transaction.atomic
def enter_tally(
    *, contestant: Contestant, values: dict[str, int], by: User
) -> tuple[PaperTally, TallyOutcome]:
    """Type a contestant's paper tally; it counts once two people's entries agree.

    Double entry is blind: the second person types the counts without seeing the first entry.
    Equal counts by another person confirm the tally. Different counts are kept beside the
    first, and nothing counts until an entry agrees with one of the two, typed by someone other
    than that entry's author. An entry agreeing with neither replaces its author's own (or, from
    a third person, the later one). One person typing twice never confirms. An entry on a
    confirmed tally starts it over. Allowed until the results are published.
    """
    locked = competition_services.lock(contestant.competition)
    if locked.status not in TALLY_OPEN:
        raise ActionRefused(
            _("The results are published: paper tallies can no longer be entered or changed.")
        )
    errors = check_tally(values)
    if errors:
        raise SheetInvalid(errors)
    values = {name: values[name] for name in TALLY_FIELDS}
    # Lock the tally: two staff members may type the same contestant's counts at once.
    tally = PaperTally.objects.select_for_update().filter(contestant=contestant).first()
    other = (
        DifferingTally.objects.select_for_update().filter(tally=tally).first() if tally else None
    )
    if tally is None:
        tally = PaperTally(contestant=contestant, entered_by=by, **values)
        tally.save()
        outcome = TallyOutcome.FIRST
    elif tally.confirmed_by_id is not None:
        _write_counts(tally, values)
        tally.entered_by, tally.confirmed_by, tally.confirmed_at = by, None, None
        tally.save()
        outcome = TallyOutcome.RESTARTED
    elif by.pk != tally.entered_by_id and values == tally.values:
        outcome = TallyOutcome.CONFIRMED
    elif other is not None and by.pk != other.entered_by_id and values == other.values:
        # The later entry was right: it becomes the tally, confirmed by this one.
        _write_counts(tally, values)
        tally.entered_by_id, tally.entered_at = other.entered_by_id, other.entered_at
        outcome = TallyOutcome.CONFIRMED
    elif by.pk == tally.entered_by_id:
        _write_counts(tally, values)
        tally.save()
        outcome = TallyOutcome.DIFFERS if other is not None else TallyOutcome.FIRST
    else:
        other = other or DifferingTally(tally=tally)
        _write_counts(other, values)
        other.entered_by = by
        other.save()
        outcome = TallyOutcome.DIFFERS
    if outcome == TallyOutcome.CONFIRMED:
        tally.confirmed_by, tally.confirmed_at = by, timezone.now()
        # Not `save()`: it would set `entered_at`, which is when the agreeing entry was typed.
        PaperTally.objects.filter(pk=tally.pk).update(
            **tally.values,
            entered_by_id=tally.entered_by_id,
            entered_at=tally.entered_at,
            confirmed_by=by,
            confirmed_at=tally.confirmed_at,
        )
        DifferingTally.objects.filter(tally=tally).delete()
    # The log says who typed, never the counts: the setup page shows it to the next typist.
    competition_services.log(
        locked, Event.Kind.TALLY, by, part(f"tally_{outcome}", who=str(contestant))
    )
    return tally, outcome


@transaction.atomic
def set_democratic(*, competition: Competition, enabled: bool, by: User) -> None:
    locked = competition_services.lock(competition)
    if locked.status not in BALLOT_OPEN:
        raise ActionRefused(_("Democratic evaluation is switched before scoring closes."))
    GradingPolicy.objects.filter(competition=locked).update(democratic_enabled=enabled)
    competition_services.log(
        locked,
        Event.Kind.DEMOCRATIC,
        by,
        part("democratic_on" if enabled else "democratic_off"),
    )
