"""Score sheets: the schemes and their criteria, a judge's sheet, its scores and revisions."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from villages.language import in_reader_language
from villages.models import District


def _localized(obj: models.Model, field: str) -> str:
    return in_reader_language(getattr(obj, field), getattr(obj, f"{field}_en"))


class Scheme(models.Model):
    """A named set of criteria a competition's criteria are copied from."""

    name = models.CharField(_("name (Chinese)"), max_length=100, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="schemes",
        verbose_name=_("district"),
        help_text=_("Empty: available to every district."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("criteria scheme")
        verbose_name_plural = _("criteria schemes")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return _localized(self, "name")


class CriterionFields(models.Model):
    """What a criterion says: a scheme's item and a competition's frozen copy share it."""

    code = models.SlugField(
        _("code"),
        max_length=32,
        help_text=_("Short, stable, Latin letters: used as a column name in exports."),
    )
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    guidance = models.TextField(_("guidance (Chinese)"), help_text=_("What earns points."))
    guidance_en = models.TextField(_("guidance (English)"), blank=True)
    max_points = models.DecimalField(_("maximum points"), max_digits=5, decimal_places=2)
    required = models.BooleanField(
        _("required"), default=True, help_text=_("Required every quarter; otherwise optional.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.label} ({self.max_points})"

    @property
    def label(self) -> str:
        return _localized(self, "name")

    @property
    def guidance_text(self) -> str:
        return _localized(self, "guidance")


class Criterion(CriterionFields):
    """One item of a scheme: required (必考) items every quarter, optional (选考) ones chosen."""

    scheme = models.ForeignKey(
        Scheme, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("scheme")
    )

    class Meta:
        ordering = ["scheme_id", "-required", "position", "code"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="criterion_unique_code"),
            models.CheckConstraint(
                condition=Q(max_points__gt=Decimal(0)) & Q(max_points__lte=Decimal(100)),
                name="criterion_max_points_range",
            ),
            models.CheckConstraint(condition=~Q(code=""), name="criterion_code_not_empty"),
        ]


class CompetitionCriterion(CriterionFields):
    """A competition's own copy of a criterion; frozen once scoring starts."""

    competition = models.ForeignKey(
        "competition.Competition",
        on_delete=models.CASCADE,
        related_name="criteria",
        verbose_name=_("competition"),
    )
    source = models.ForeignKey(
        Criterion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name=_("copied from"),
    )

    class Meta:
        ordering = ["competition_id", "-required", "position", "code"]
        verbose_name = _("competition criterion")
        verbose_name_plural = _("competition criteria")
        constraints = [
            models.UniqueConstraint(
                fields=["competition", "code"], name="competition_criterion_unique_code"
            ),
            models.CheckConstraint(
                condition=Q(max_points__gt=Decimal(0)) & Q(max_points__lte=Decimal(100)),
                name="competition_criterion_max_points_range",
            ),
        ]


class ScoreSheet(models.Model):
    """One judge's scores for one contestant."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")

    contestant = models.ForeignKey(
        "competition.Contestant",
        on_delete=models.CASCADE,
        related_name="sheets",
        verbose_name=_("contestant"),
    )
    judge = models.ForeignKey(
        "competition.Judge",
        on_delete=models.CASCADE,
        related_name="sheets",
        verbose_name=_("judge"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveIntegerField(
        _("version"), default=0, help_text=_("The newest version the judge's device sent.")
    )
    comment = models.TextField(_("comment"), blank=True)
    problems = models.JSONField(_("problems raised"), default=list, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
        help_text=_("Staff who typed in a paper sheet on the judge's behalf."),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["contestant_id", "judge_id"]
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        constraints = [
            models.UniqueConstraint(fields=["contestant", "judge"], name="sheet_unique_judge"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted"]), name="sheet_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="sheet_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.judge} → {self.contestant}"


class Score(models.Model):
    """One criterion's points on a sheet."""

    sheet = models.ForeignKey(
        ScoreSheet, on_delete=models.CASCADE, related_name="scores", verbose_name=_("sheet")
    )
    criterion = models.ForeignKey(
        CompetitionCriterion,
        on_delete=models.PROTECT,
        related_name="scores",
        verbose_name=_("criterion"),
    )
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["sheet_id", "criterion_id"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="score_unique_criterion"),
            models.CheckConstraint(
                condition=Q(points__gte=Decimal(0)) & Q(points__lte=Decimal(100)),
                name="score_points_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.points}"


class SheetRevision(models.Model):
    """The audit trail of a sheet: every save, with who, when, the old and the new values."""

    sheet = models.ForeignKey(
        ScoreSheet, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("sheet")
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    version = models.PositiveIntegerField(_("version"))
    old = models.JSONField(_("before"), null=True)
    new = models.JSONField(_("after"))

    class Meta:
        ordering = ["sheet_id", "at", "id"]
        verbose_name = _("sheet revision")
        verbose_name_plural = _("sheet revisions")

    def __str__(self) -> str:
        return _("%(of)s, version %(version)s") % {"of": self.sheet, "version": self.version}
