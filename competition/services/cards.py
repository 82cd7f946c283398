"""Sign-in cards: one printed per judge, used once, ended by the close."""

import hashlib
import secrets

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from competition.models import (
    Competition,
    Event,
    Judge,
    SignInCard,
)
from competition.notes import part
from competition.services.lifecycle import Status, lock, log, require


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def issue_cards(*, competition: Competition, by: User) -> list[tuple[Judge, str]]:
    """A new sign-in card for every judge; unused older cards stop working.

    Returns (judge, token) pairs: the tokens exist only in this return value and on paper.
    """
    locked = lock(competition)
    require(locked, Status.DRAFT, Status.SCORING)
    # Withdrawn and absent judges get none: they no longer score.
    judges = list(locked.judges.active().select_related("user").order_by("pk"))
    now = timezone.now()
    SignInCard.objects.filter(
        judge__competition=locked, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    issued = []
    for judge in judges:
        token = secrets.token_urlsafe(32)  # 256 bits
        SignInCard.objects.create(judge=judge, token_hash=_hash(token))
        issued.append((judge, token))
    log(locked, Event.Kind.CARD, by, part("cards_issued", n=len(issued)))
    return issued


class CardRefused(Exception):
    """Why a sign-in card cannot be used: "unknown", "used", "revoked", "ended" (revoked when
    scoring closed) or "closed"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def check_card(token: str) -> SignInCard:
    """The card a token belongs to, if it can still sign someone in; else CardRefused."""
    card = (
        SignInCard.objects.select_related("judge__competition", "judge__user")
        .filter(token_hash=_hash(token))
        .first()
    )
    if card is None:
        raise CardRefused("unknown")
    if card.used_at:
        raise CardRefused("used")
    if card.revoked_at:
        closed_since = card.judge.competition.events.filter(
            kind=Event.Kind.CLOSED, at__gte=card.created_at, at__lte=card.revoked_at
        )
        raise CardRefused("ended" if closed_since.exists() else "revoked")
    if card.judge.competition.status not in (Status.DRAFT, Status.SCORING):
        raise CardRefused("closed")
    if not card.judge.is_active:  # withdrawn or absent: off the panel
        raise CardRefused("revoked")
    return card


def find_card(token: str) -> SignInCard | None:
    """The card a token belongs to, if it can still sign someone in."""
    try:
        return check_card(token)
    except CardRefused:
        return None


@transaction.atomic
def redeem_card(*, token: str) -> Judge | None:
    """Use a card once: its judge, or None for an unknown, used, revoked or expired card."""
    card = find_card(token)
    if card is None:
        return None
    # Lock the card: two taps on the same card must sign in once.
    locked = SignInCard.objects.select_for_update().get(pk=card.pk)
    if locked.used_at is not None or locked.revoked_at is not None:
        return None
    locked.used_at = timezone.now()
    locked.save(update_fields=["used_at"])
    return card.judge
