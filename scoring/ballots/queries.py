"""The reads of the ballot and tally pages."""

from competition.models import Contestant
from scoring.models import (
    TALLY_FIELDS,
    PaperTally,
)


def lock_contestant_of(token_hash: str) -> bool:
    """Lock the contestant a ballot token is for until the transaction ends, as a ballot cast
    for them does: a change to the competition (which locks every contestant) waits for the
    casts in progress. False when no token has this hash."""
    contestant = Contestant.objects.select_for_update(no_key=True, of=("self",))
    return bool(list(contestant.filter(ballot_tokens__token_hash=token_hash).values("pk")))


def tally_page(*, contestant: Contestant, viewer) -> dict:
    """What the tally page may show `viewer`: its state, and counts only to who may see them.

    Double entry is blind: until someone has typed, they see who entered the tally, never its
    counts. A tally's author sees their own entry; once the entries differ, or agree, everyone
    sees them. One query.
    """
    tally = (
        PaperTally.objects.filter(contestant=contestant)
        .select_related("entered_by", "confirmed_by", "differing__entered_by")
        .first()
    )
    other = getattr(tally, "differing", None) if tally else None
    labels = [(name, PaperTally._meta.get_field(name).verbose_name) for name in TALLY_FIELDS]
    if tally is None:
        state = "none"
    elif tally.confirmed_by_id is not None:
        state = "confirmed"
    elif other is not None:
        state = "differs"
    else:
        state = "mine" if tally.entered_by_id == viewer.pk else "waiting"
    shown = state in ("confirmed", "mine")

    def name(user) -> str:
        return (user.first_name or user.username) if user else ""

    return {
        "first_by": name(tally and tally.entered_by),
        "second_by": name(other and other.entered_by),
        "confirmed_by": name(tally and tally.confirmed_by),
        "contestant": contestant,
        "tally": tally,
        "other": other,
        "state": state,
        "labels": labels,
        "entry": [(label, getattr(tally, name)) for name, label in labels] if shown else [],
        "checks": shown,
        "compared": [
            (
                label,
                getattr(tally, name),
                getattr(other, name),
                getattr(tally, name) != getattr(other, name),
            )
            for name, label in labels
        ]
        if other is not None
        else [],
    }
