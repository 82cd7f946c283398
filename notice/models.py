"""The public notice (公示) of published results: whether it is public, its period, and the
objections (异议) lodged during it."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from notice.period import DEFAULT_WORKING_DAYS, MOST_WORKING_DAYS

TEXT_MOST = 2000  # characters of an objection's text, and of a finding
WORKING_DAYS = [MinValueValidator(1), MaxValueValidator(MOST_WORKING_DAYS)]


class NoticeDefaults(models.Model):
    """A district's defaults for its competitions' notices."""

    district = models.OneToOneField(
        "villages.District",
        on_delete=models.CASCADE,
        related_name="notice_defaults",
        verbose_name=_("district"),
    )
    public = models.BooleanField(
        _("notice public on the web"),
        default=True,
        help_text=_("Anyone may read the notice at its address, without signing in."),
    )
    working_days = models.PositiveSmallIntegerField(
        _("notice period, working days"), default=DEFAULT_WORKING_DAYS, validators=WORKING_DAYS
    )

    class Meta:
        verbose_name = _("notice defaults")
        verbose_name_plural = _("notice defaults")
        constraints = [
            models.CheckConstraint(
                condition=Q(working_days__gte=1, working_days__lte=MOST_WORKING_DAYS),
                name="notice_defaults_days_in_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.district)


class Notice(models.Model):
    """A competition's own notice settings, made when staff first change them (until then its
    district's defaults apply), and the end of its notice period once staff mark it."""

    competition = models.OneToOneField(
        "competition.Competition",
        on_delete=models.CASCADE,
        related_name="notice",
        verbose_name=_("competition"),
    )
    public = models.BooleanField(_("notice public on the web"), default=True)
    working_days = models.PositiveSmallIntegerField(
        _("notice period, working days"), default=DEFAULT_WORKING_DAYS, validators=WORKING_DAYS
    )
    # Who last changed the settings, and when: the settings' record.
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("notice period marked ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked ended by"),
    )

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.CheckConstraint(
                condition=Q(working_days__gte=1, working_days__lte=MOST_WORKING_DAYS),
                name="notice_days_in_range",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_by__isnull=False),
                name="notice_ended_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return str(self.competition)


class Objection(models.Model):
    """An objection (异议) about a contestant, lodged on the public notice or recorded by staff,
    taken through received → investigating → concluded with a written finding."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        INVESTIGATING = "investigating", _("investigating")
        CONCLUDED = "concluded", _("concluded")

    class Channel(models.TextChoices):
        ONLINE = "online", _("on the public notice")
        PAPER = "paper", _("on paper")
        PHONE = "phone", _("by phone")
        IN_PERSON = "in_person", _("in person")

    competition = models.ForeignKey(
        "competition.Competition",
        on_delete=models.PROTECT,
        related_name="objections",
        verbose_name=_("competition"),
    )
    contestant = models.ForeignKey(
        "competition.Contestant",
        on_delete=models.PROTECT,
        related_name="objections",
        verbose_name=_("contestant"),
    )
    # Short, for a villager to write down; with the limit on unknown codes, not guessable.
    code = models.CharField(_("follow-up code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20)
    text = models.TextField(_("objection"))
    channel = models.CharField(_("received"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.RECEIVED
    )
    finding = models.TextField(_("finding"), blank=True)
    correction = models.ForeignKey(
        "scoring.Publication",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="objections",
        verbose_name=_("correction published"),
    )
    lodged_at = models.DateTimeField(_("lodged at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["competition_id", "lodged_at", "id"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="objection_text_given"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), TEXT_MOST),
                name="objection_text_not_too_long",
            ),
            models.CheckConstraint(
                condition=~Q(status="concluded") | ~Q(finding=""),
                name="objection_concluded_with_finding",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CONCLUDED


class ObjectionEvent(models.Model):
    """The objection's log: each step with who (none when lodged online), when and the note."""

    objection = models.ForeignKey(
        Objection, on_delete=models.CASCADE, related_name="events", verbose_name=_("objection")
    )
    status = models.CharField(_("status"), max_length=15, choices=Objection.Status.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["objection_id", "at", "id"]
        verbose_name = _("objection step")
        verbose_name_plural = _("objection steps")

    def __str__(self) -> str:
        return f"{self.objection} · {self.get_status_display()}"
