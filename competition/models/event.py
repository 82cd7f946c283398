"""The event: a competition, its contestants, a review's observation points, its log."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from competition import notes
from competition.models.periods import half_label, half_of, quarter_label
from villages.models import District, Secretary, Street, Village


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
    # What the line says, as codes and figures (competition.notes); `note` is what was typed.
    detail = models.JSONField(_("detail"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["competition_id", "at", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"

    @property
    def text(self) -> str:
        """The line's detail in the reader's language, then what was typed."""
        return notes.line(self.detail, self.note, notes.EVENT_TEXTS)


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
