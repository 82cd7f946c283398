"""The panel: judges and their sign-in cards."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from competition.models.event import Competition, Contestant


def person_name(user) -> str:
    """A person as the pages name them: their full name, their username only when they have
    none."""
    return user.get_full_name() or user.first_name or user.username


class JudgeQuerySet(models.QuerySet):
    def active(self) -> "JudgeQuerySet":
        """Judges still on the panel: neither withdrawn nor marked absent."""
        return self.filter(status=Judge.Status.ACTIVE)

    def counting(self) -> "JudgeQuerySet":
        """The judges whose submitted sheets make the panel score: active and not observers.

        A contestant expects one sheet from each counting judge not recused from them; a
        withdrawn or absent judge's sheets stay (in the history too) but count for nothing.
        """
        return self.active().exclude(role=Judge.Role.OBSERVER)


class Judge(models.Model):
    """A user on a competition's panel.

    During scoring the panel can change: staff add a judge, withdraw one or mark one absent, each
    with a reason (`status_reason`, logged as an Event too). Only active judges score and count.
    """

    class Role(models.TextChoices):
        STREET_SECRETARY = "street_secretary", _("street Party working-committee secretary")
        AREA_CHIEF = "area_chief", _("area chief")
        STATION_DIRECTOR = "station_director", _("station director")
        DISTRICT = "district", _("district representative")
        OBSERVER = "observer", _("observer")

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("judge status", "active")
        ABSENT = "absent", pgettext_lazy("judge status", "absent")
        WITHDRAWN = "withdrawn", pgettext_lazy("judge status", "withdrawn")

    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="judges", verbose_name=_("competition")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="panels",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    recusals = models.ManyToManyField(
        Contestant,
        blank=True,
        related_name="recused_judges",
        verbose_name=_("recused from"),
        help_text=_("Contestants this judge does not score, for example a relative."),
    )
    status = models.CharField(
        pgettext_lazy("judge status", "status"),
        max_length=10,
        choices=Status.choices,
        default=Status.ACTIVE,
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    status_reason = models.TextField(_("reason for the status"), blank=True)

    objects = JudgeQuerySet.as_manager()

    class Meta:
        ordering = ["competition_id", "id"]
        verbose_name = _("judge")
        verbose_name_plural = _("judges")
        constraints = [
            models.UniqueConstraint(fields=["competition", "user"], name="judge_unique_user"),
            models.CheckConstraint(
                condition=Q(status__in=["active", "absent", "withdrawn"]),
                name="judge_status_valid",
            ),
            # Withdrawn or absent: when and why are known.
            models.CheckConstraint(
                condition=Q(status="active")
                | (Q(status_changed_at__isnull=False) & ~Q(status_reason="")),
                name="judge_inactive_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return person_name(self.user)

    @property
    def is_observer(self) -> bool:
        return self.role == self.Role.OBSERVER

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class SignInCard(models.Model):
    """A one-time sign-in link for one judge and one competition, printed as a QR code.

    Only a hash of the token is stored: the printed card is the only copy of the link.
    """

    judge = models.ForeignKey(
        Judge, on_delete=models.CASCADE, related_name="cards", verbose_name=_("judge")
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["judge_id", "-created_at"]
        verbose_name = _("sign-in card")
        verbose_name_plural = _("sign-in cards")

    def __str__(self) -> str:
        return f"{self.judge} · {self.created_at:%Y-%m-%d %H:%M}"
