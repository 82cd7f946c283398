"""The democratic vote: ballot tokens, ballots and the paper tallies."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from scoring import domain


class BallotToken(models.Model):
    """A one-time right to cast one anonymous rating for one contestant.

    Only a hash of the token is kept: the printed slip is the only copy. Nothing here says when
    or whether it was used beyond a flag, and the ballot keeps no link to it.
    """

    contestant = models.ForeignKey(
        "competition.Contestant",
        on_delete=models.CASCADE,
        related_name="ballot_tokens",
        verbose_name=_("contestant"),
    )
    token_hash = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(_("used"), default=False)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("ballot token")
        verbose_name_plural = _("ballot tokens")
        indexes = [models.Index(fields=["contestant", "used"], name="token_contestant_used")]

    def __str__(self) -> str:
        return f"{self.contestant} · {self.token_hash[:8]}"


class Ballot(models.Model):
    """One anonymous democratic rating: the contestant, the choice and the day — nothing else.

    The key is random, so the order of casting cannot be read from it.
    """

    Choice = domain.Grade  # a ballot rates the secretary with one of the grades

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    contestant = models.ForeignKey(
        "competition.Contestant",
        on_delete=models.CASCADE,
        related_name="ballots",
        verbose_name=_("contestant"),
    )
    choice = models.CharField(_("choice"), max_length=12, choices=Choice.choices)
    cast_on = models.DateField(_("date"))

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.CheckConstraint(
                condition=Q(choice__in=domain.Grade.values),
                name="ballot_choice_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contestant} · {self.get_choice_display()}"


TALLY_FIELDS = (
    "representatives_due",
    "representatives_present",
    "ballots_issued",
    "ballots_returned",
    "excellent",
    "competent",
    "basic",
    "incompetent",
)


class TallyCounts(models.Model):
    """The counts typed from one meeting's paper ballots."""

    representatives_due = models.PositiveIntegerField(_("representatives due"))
    representatives_present = models.PositiveIntegerField(_("representatives present"))
    ballots_issued = models.PositiveIntegerField(_("ballots handed out"))
    ballots_returned = models.PositiveIntegerField(_("ballots returned"))
    excellent = models.PositiveIntegerField(domain.Grade.EXCELLENT.label)
    competent = models.PositiveIntegerField(domain.Grade.COMPETENT.label)
    basic = models.PositiveIntegerField(domain.Grade.BASIC.label)
    incompetent = models.PositiveIntegerField(domain.Grade.INCOMPETENT.label)

    class Meta:
        abstract = True

    @property
    def values(self) -> dict[str, int]:
        """Every count, by field name: two entries agree when these are equal."""
        return {name: getattr(self, name) for name in TALLY_FIELDS}

    @property
    def counts(self) -> dict[str, int]:
        return {c.value: getattr(self, c) for c in domain.Grade}

    @property
    def has_quorum(self) -> bool:
        """The meeting's quorum (domain.has_quorum)."""
        return domain.has_quorum(present=self.representatives_present, due=self.representatives_due)

    @property
    def returns_valid(self) -> bool:
        """No more ballots returned than handed out (domain.returns_valid)."""
        return domain.returns_valid(returned=self.ballots_returned, issued=self.ballots_issued)


class PaperTally(TallyCounts):
    """Counts from the paper ballots of one contestant's villager representatives' meeting.

    It counts only when the meeting had its quorum, no more ballots came back than were handed
    out, and a second staff member typed the same counts without seeing them (blind double
    entry): then `confirmed_by` is set. Until then these are the first entry's counts.
    """

    contestant = models.OneToOneField(
        "competition.Contestant",
        on_delete=models.CASCADE,
        related_name="paper_tally",
        verbose_name=_("contestant"),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered"), auto_now=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("paper tally")
        verbose_name_plural = _("paper tallies")
        constraints = [
            models.CheckConstraint(
                condition=Q(representatives_present__lte=F("representatives_due")),
                name="tally_present_within_due",
            ),
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=F("entered_by")),
                name="tally_confirmed_by_another",
            ),
        ]

    def __str__(self) -> str:
        return str(self.contestant)

    @property
    def counts_valid(self) -> bool:
        return domain.tally_counts(
            present=self.representatives_present,
            due=self.representatives_due,
            returned=self.ballots_returned,
            issued=self.ballots_issued,
            confirmed=self.confirmed_by_id is not None,
        )


class DifferingTally(TallyCounts):
    """A later entry of an unconfirmed tally that did not agree with its first entry.

    Nothing counts while it exists; an entry that agrees with one of the two, typed by someone
    other than that entry's author, confirms it and removes this one.
    """

    tally = models.OneToOneField(
        PaperTally,
        on_delete=models.CASCADE,
        related_name="differing",
        verbose_name=_("paper tally"),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered"), auto_now=True)

    class Meta:
        verbose_name = _("differing tally entry")
        verbose_name_plural = _("differing tally entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(representatives_present__lte=F("representatives_due")),
                name="differing_tally_present_within_due",
            ),
        ]

    def __str__(self) -> str:
        return str(self.tally)
