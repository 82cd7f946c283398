"""The numbers: criteria schemes ("5+N") and, in later parts, sheets, ballots and policies."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from villages.models import District


def _localized(obj: models.Model, field: str) -> str:
    """The English text when the page is in English and one was written, else the Chinese."""
    if (get_language() or "").startswith("en"):
        english = getattr(obj, f"{field}_en")
        if english:
            return english
    return getattr(obj, field)


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


class Criterion(models.Model):
    """One item of a scheme: required (必考) items every quarter, optional (选考) ones chosen."""

    scheme = models.ForeignKey(
        Scheme, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("scheme")
    )
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
        ordering = ["scheme", "-required", "position", "code"]
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

    def __str__(self) -> str:
        return f"{self.label} ({self.max_points})"

    @property
    def label(self) -> str:
        return _localized(self, "name")

    @property
    def guidance_text(self) -> str:
        return _localized(self, "guidance")
