"""The event: competitions, contestants, panels, the lifecycle and the problems raised."""

import datetime as dt
import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from villages.models import District, Secretary, Street, Village


def person_name(user) -> str:
    """A person as the pages name them: their full name, their username only when they have
    none."""
    return user.get_full_name() or user.first_name or user.username


def quarter_label(quarter: int, year: int | None = None) -> str:
    """A quarter in the page's language: "第1季度" / "Q1", with its year "2025年第1季度" /
    "2025 Q1"."""
    if year is None:
        return _("Q%(quarter)s") % {"quarter": quarter}
    return _("%(year)s Q%(quarter)s") % {"year": year, "quarter": quarter}


def half_of(quarter: int) -> int:
    """The half a quarter belongs to: 1 for Q1–Q2, 2 for Q3–Q4."""
    return 1 if quarter <= 2 else 2


def half_quarters(half: int) -> tuple[int, int]:
    """The two quarters of a half: (1, 2) or (3, 4)."""
    return (2 * half - 1, 2 * half)


def half_bounds(year: int, half: int) -> tuple[dt.date, dt.date]:
    """The first and last day of a half: 1 January–30 June or 1 July–31 December."""
    if half == 1:
        return dt.date(year, 1, 1), dt.date(year, 6, 30)
    return dt.date(year, 7, 1), dt.date(year, 12, 31)


def half_label(half: int, year: int) -> str:
    """A half in the page's language: "2025年上半年" / "2025 H1"."""
    if half == 1:
        return _("%(year)s H1") % {"year": year}
    return _("%(year)s H2") % {"year": year}


def competition_title(*, where: str, year: int, quarter: int, level: str) -> str:
    """A competition's title in the page's language, one phrase: the street (or district) as
    stored, the period and the kind — "寒亭街道 2025年第1季度擂台赛", "寒亭街道 — 2025 Q1 ring
    competition"; a half-year review is named by its half (held in the half's last quarter):
    "寒亭区 2025年上半年观摩点评"."""
    if level == Competition.Level.REVIEW:
        values = {"where": where, "period": half_label(half_of(quarter), year)}
        return _("%(where)s — %(period)s half-year review") % values
    values = {"where": where, "period": quarter_label(quarter, year)}
    if level == Competition.Level.DISTRICT:
        return _("%(where)s — %(period)s district-level ring competition") % values
    return _("%(where)s — %(period)s ring competition") % values


class Competition(models.Model):
    class Level(models.TextChoices):
        STREET = "street", pgettext_lazy("competition level", "street")
        DISTRICT = "district", pgettext_lazy("competition level", "district")
        # The half-year observation-point review (半年观摩点评): held by the district, once a
        # half, stored in the half's last quarter (2 or 4).
        REVIEW = "review", pgettext_lazy("competition level", "half-year review")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SCORING = "scoring", _("scoring")
        CLOSED = "closed", _("closed")
        PUBLISHED = "published", _("published")

    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.STREET)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="competitions", verbose_name=_("district")
    )
    street = models.ForeignKey(
        Street,
        on_delete=models.PROTECT,
        related_name="competitions",
        null=True,
        blank=True,
        verbose_name=_("street"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    held_on = models.DateField(_("date"), null=True, blank=True)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "-quarter", "street__name"]
        verbose_name = _("competition")
        verbose_name_plural = _("competitions")
        constraints = [
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="competition_quarter_range"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="competition_year_range"
            ),
            models.CheckConstraint(
                condition=Q(level="street", street__isnull=False)
                | Q(level__in=["district", "review"], street__isnull=True),
                name="competition_street_matches_level",
            ),
            models.CheckConstraint(
                condition=~Q(level="review") | Q(quarter__in=[2, 4]),
                name="competition_review_in_last_quarter_of_half",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "scoring", "closed", "published"]),
                name="competition_status_valid",
            ),
            models.UniqueConstraint(
                fields=["street", "year", "quarter"],
                condition=Q(level="street"),
                name="competition_one_per_street_quarter",
            ),
            models.UniqueConstraint(
                fields=["district", "year", "quarter"],
                condition=Q(level="district"),
                name="competition_one_district_level_per_quarter",
            ),
            models.UniqueConstraint(
                fields=["district", "year", "quarter"],
                condition=Q(level="review"),
                name="competition_one_review_per_half",
            ),
        ]
        indexes = [models.Index(fields=["district", "year", "quarter"], name="competition_period")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("scoring:setup", args=[self.pk])

    @property
    def is_review(self) -> bool:
        return self.level == self.Level.REVIEW

    @property
    def half(self) -> int:
        return half_of(self.quarter)

    @property
    def title(self) -> str:
        return competition_title(
            where=self.street.name if self.street_id else self.district.name,
            year=self.year,
            quarter=self.quarter,
            level=self.level,
        )


class ObservationPoint(models.Model):
    """A village the panel of a half-year review visits: its place in the visiting order, the
    day of the visit (within the half) and a note. Its secretary is the review's contestant."""

    competition = models.ForeignKey(
        Competition,
        on_delete=models.CASCADE,
        related_name="observation_points",
        verbose_name=_("competition"),
    )
    contestant = models.OneToOneField(
        "Contestant",
        on_delete=models.CASCADE,
        related_name="observation_point",
        verbose_name=_("contestant"),
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        related_name="observation_points",
        verbose_name=_("village"),
    )
    order = models.PositiveSmallIntegerField(_("visiting order"))
    visit_on = models.DateField(_("visit date"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["competition_id", "order"]
        verbose_name = _("observation point")
        verbose_name_plural = _("observation points")
        constraints = [
            models.UniqueConstraint(
                fields=["competition", "order"], name="observation_point_unique_order"
            ),
            models.UniqueConstraint(
                fields=["competition", "village"], name="observation_point_unique_village"
            ),
            models.CheckConstraint(
                condition=Q(order__gte=1), name="observation_point_order_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.village}"


class Event(models.Model):
    """The competition's log: every transition, draw and setup change, with who and when."""

    class Kind(models.TextChoices):
        CREATED = "created", pgettext_lazy("event", "created")
        OPENED = "opened", _("scoring opened")
        CLOSED = "closed", _("closed")
        REOPENED = "reopened", _("reopened")
        PUBLISHED = "published", _("published")
        ORDER_DRAWN = "order_drawn", _("speaking order drawn by lot")
        ORDER_SET = "order_set", _("speaking order set by hand")
        CONTESTANTS = "contestants", _("contestants changed")
        POINTS = "points", _("observation points changed")
        PANEL = "panel", _("panel changed")
        CARD = "card", _("sign-in card issued or revoked")
        CRITERIA = "criteria", _("optional items chosen")
        DEMOCRATIC = "democratic", _("democratic evaluation switched on or off")
        BALLOTS = "ballots", _("ballot tokens issued or revoked")
        TALLY = "tally", _("paper tally entered")
        JUDGE_WITHDRAWN = "judge_withdrawn", _("judge withdrawn from the panel")
        JUDGE_ABSENT = "judge_absent", _("judge marked absent")
        JUDGE_REINSTATED = "judge_reinstated", _("judge back on the panel")

    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="events", verbose_name=_("competition")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["competition_id", "at", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"


class Contestant(models.Model):
    competition = models.ForeignKey(
        Competition,
        on_delete=models.CASCADE,
        related_name="contestants",
        verbose_name=_("competition"),
    )
    secretary = models.ForeignKey(
        Secretary, on_delete=models.PROTECT, related_name="contests", verbose_name=_("secretary")
    )
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="contests", verbose_name=_("village")
    )
    order = models.PositiveSmallIntegerField(_("speaking order"), null=True, blank=True)
    absent = models.BooleanField(_("absent"), default=False)
    recommended_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations",
        verbose_name=_("recommended from"),
        help_text=_("For a district-level contestant: their result in the street competition."),
    )

    class Meta:
        ordering = ["competition_id", "order", "village__code"]
        verbose_name = _("contestant")
        verbose_name_plural = _("contestants")
        constraints = [
            models.UniqueConstraint(
                fields=["competition", "secretary"], name="contestant_unique_secretary"
            ),
            models.UniqueConstraint(
                fields=["competition", "village"], name="contestant_unique_village"
            ),
            models.UniqueConstraint(
                fields=["competition", "order"],
                condition=Q(order__isnull=False),
                name="contestant_unique_order",
            ),
            models.CheckConstraint(condition=Q(order__gte=1), name="contestant_order_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.secretary} · {self.village}"


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


def problem_text(text: str) -> str:
    """A problem as it is kept: trimmed, every run of spaces (full-width too) and line breaks
    made one space."""
    return " ".join(text.split())


def problem_key(text: str) -> str:
    """What makes two problems of one village in one competition the same: the same text once
    trimmed and its spaces collapsed. A digest, so any length of text fits the unique index."""
    return hashlib.sha256(problem_text(text).encode()).hexdigest()


class Problem(models.Model):
    """An issue raised about a village during a competition, followed to resolution.

    Several judges raising the same text about one village are one problem, with each of them
    among its raisers."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        IN_PROGRESS = "in_progress", _("in progress")
        RESOLVED = "resolved", _("resolved")

    competition = models.ForeignKey(
        Competition,
        on_delete=models.CASCADE,
        related_name="problems",
        verbose_name=_("competition"),
    )
    contestant = models.ForeignKey(
        Contestant, on_delete=models.CASCADE, related_name="problems", verbose_name=_("contestant")
    )
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="problems", verbose_name=_("village")
    )
    raisers = models.ManyToManyField(
        Judge, blank=True, related_name="raised_problems", verbose_name=_("raised by")
    )
    text = models.TextField(_("problem"))
    text_key = models.CharField(max_length=64, editable=False)  # problem_key(text)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default="open")
    owner = models.CharField(_("owner"), max_length=100, blank=True)
    due = models.DateField(_("due"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    # When it was last marked resolved; None while it is not. The half-year report counts the
    # problems resolved in a half by it.
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    created_at = models.DateTimeField(_("raised"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "in_progress", "resolved"]),
                name="problem_status_valid",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="problem_text_not_empty"),
            models.CheckConstraint(condition=~Q(text_key=""), name="problem_text_key_set"),
            models.UniqueConstraint(
                fields=["competition", "village", "text_key"], name="problem_unique_text"
            ),
        ]
        indexes = [models.Index(fields=["status", "due"], name="problem_status_due")]

    def __str__(self) -> str:
        return self.text[:40]
