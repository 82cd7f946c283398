"""Results: the grading policy, the published documents and the manual grades."""

from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from scoring import domain
from villages.models import District


class GradingPolicy(models.Model):
    """How sheets and ballots become a final score, a grade and a rank (DESIGN.md).

    A district holds the defaults; each competition holds a copy, frozen once scoring starts.
    """

    district = models.OneToOneField(
        District,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="grading_policy",
        verbose_name=_("district"),
    )
    competition = models.OneToOneField(
        "competition.Competition",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="policy",
        verbose_name=_("competition"),
    )
    aggregation = models.CharField(
        _("panel aggregation"),
        max_length=20,
        choices=[
            ("trimmed_mean", _("trimmed mean")),
            ("mean", _("mean")),
            ("median", _("median")),
        ],
        default="trimmed_mean",
    )
    trim_min_sheets = models.PositiveSmallIntegerField(
        _("sheets needed to trim"),
        default=5,
        help_text=_("With this many sheets or more the highest and the lowest are dropped."),
    )
    role_weights = models.JSONField(
        _("judge role weights"),
        default=dict,
        blank=True,
        help_text=_('For example {"street_secretary": "1.5"}; roles not listed weigh 1.'),
    )
    democratic_enabled = models.BooleanField(_("democratic evaluation"), default=True)
    panel_weight = models.DecimalField(
        _("panel weight"), max_digits=3, decimal_places=2, default=Decimal("0.70")
    )
    democratic_weight = models.DecimalField(
        _("democratic weight"), max_digits=3, decimal_places=2, default=Decimal("0.30")
    )
    points_excellent = models.DecimalField(
        _("points for an excellent ballot"), max_digits=5, decimal_places=2, default=100
    )
    points_competent = models.DecimalField(
        _("points for a competent ballot"), max_digits=5, decimal_places=2, default=80
    )
    points_basic = models.DecimalField(
        _("points for a basic competent ballot"), max_digits=5, decimal_places=2, default=60
    )
    points_incompetent = models.DecimalField(
        _("points for an incompetent ballot"), max_digits=5, decimal_places=2, default=0
    )
    band_excellent = models.DecimalField(
        _("excellent from"), max_digits=5, decimal_places=2, default=90
    )
    band_competent = models.DecimalField(
        _("competent from"), max_digits=5, decimal_places=2, default=70
    )
    band_basic = models.DecimalField(
        _("basic competent from"), max_digits=5, decimal_places=2, default=60
    )
    veto_incompetent = models.BooleanField(
        _("veto: over a third incompetent ballots → incompetent"), default=True
    )
    veto_approval = models.BooleanField(
        _("veto: under two thirds excellent or competent → at most basic competent"),
        default=True,
    )
    excellent_cap = models.DecimalField(
        _("cap on the share of excellent grades"),
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("For example 0.20 for 20 %; empty for no cap."),
    )
    annual_cap_by_quarter = models.BooleanField(
        _("annual grade at most a quarter's grade set by a veto or by hand"), default=True
    )
    pay_excellent = models.DecimalField(
        _("pay coefficient, excellent"), max_digits=4, decimal_places=2, default=Decimal("1.20")
    )
    pay_competent = models.DecimalField(
        _("pay coefficient, competent"), max_digits=4, decimal_places=2, default=Decimal("1.00")
    )
    pay_basic = models.DecimalField(
        _("pay coefficient, basic competent"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.80"),
    )
    pay_incompetent = models.DecimalField(
        _("pay coefficient, incompetent"), max_digits=4, decimal_places=2, default=Decimal("0.50")
    )
    advancement_k = models.PositiveSmallIntegerField(
        _("recommended to the district level, per street"), default=2
    )

    class Meta:
        verbose_name = _("grading policy")
        verbose_name_plural = _("grading policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(district__isnull=True, competition__isnull=False)
                | Q(district__isnull=False, competition__isnull=True),
                name="policy_belongs_to_district_or_competition",
            ),
            models.CheckConstraint(
                condition=Q(panel_weight__gte=0, democratic_weight__gte=0),
                name="policy_weights_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(band_excellent__gt=F("band_competent"))
                & Q(band_competent__gt=F("band_basic")),
                name="policy_bands_ordered",
            ),
            models.CheckConstraint(
                condition=Q(excellent_cap__isnull=True)
                | Q(excellent_cap__gt=0, excellent_cap__lte=1),
                name="policy_cap_is_a_share",
            ),
        ]

    def __str__(self) -> str:
        owner = self.competition or self.district
        return str(_("Grading policy of %(owner)s") % {"owner": owner})

    def clean(self) -> None:
        if self.panel_weight + self.democratic_weight != 1:
            raise ValidationError(_("The panel and democratic weights must add up to 1."))

    COPIED = [
        "aggregation",
        "trim_min_sheets",
        "role_weights",
        "democratic_enabled",
        "panel_weight",
        "democratic_weight",
        "points_excellent",
        "points_competent",
        "points_basic",
        "points_incompetent",
        "band_excellent",
        "band_competent",
        "band_basic",
        "veto_incompetent",
        "veto_approval",
        "excellent_cap",
        "annual_cap_by_quarter",
        "pay_excellent",
        "pay_competent",
        "pay_basic",
        "pay_incompetent",
        "advancement_k",
    ]

    def copy_for(self, competition) -> "GradingPolicy":
        return GradingPolicy(
            competition=competition, **{name: getattr(self, name) for name in self.COPIED}
        )

    def to_domain(self) -> domain.Policy:
        return domain.Policy(
            aggregation=domain.Aggregation(self.aggregation),
            # The form refuses fewer (scoring/forms.py); a value stored past it must not leave
            # the trimmed mean with nothing to average.
            trim_min_sheets=max(self.trim_min_sheets, domain.TRIM_LEAST),
            role_weights=self.usable_role_weights(),
            panel_weight=self.panel_weight,
            democratic_weight=self.democratic_weight,
            democratic_points=(
                ("excellent", self.points_excellent),
                ("competent", self.points_competent),
                ("basic", self.points_basic),
                ("incompetent", self.points_incompetent),
            ),
            band_excellent=self.band_excellent,
            band_competent=self.band_competent,
            band_basic=self.band_basic,
            veto_incompetent_share=Fraction(1, 3) if self.veto_incompetent else None,
            veto_approval_share=Fraction(2, 3) if self.veto_approval else None,
            excellent_cap=self.excellent_cap,
            annual_cap_by_quarter=self.annual_cap_by_quarter,
        )

    def usable_role_weights(self) -> tuple[tuple[str, Decimal], ...]:
        """The role weights the rules use, sorted by role. The form accepts only numbers of at
        least 0 (scoring/forms.py); an entry stored past it (the shell, an old row) is left
        out, so that role weighs the default 1 and the results page still shows, each sheet
        with the weight that counted."""
        if not isinstance(self.role_weights, dict):
            return ()
        usable = []
        for role, raw in sorted(self.role_weights.items()):
            try:
                usable.append((role, domain.parse_weight(raw)))
            except domain.WeightError:
                continue
        return tuple(usable)

    def pay_coefficient(self, grade: str) -> Decimal:
        return getattr(self, f"pay_{grade}")


class Publication(models.Model):
    """A published results document: immutable. A correction publishes a new version."""

    competition = models.ForeignKey(
        "competition.Competition",
        on_delete=models.PROTECT,
        related_name="publications",
        verbose_name=_("competition"),
    )
    version = models.PositiveSmallIntegerField(_("version"))
    document = models.JSONField(_("results document"))
    digest = models.CharField(_("SHA-256 digest"), max_length=64)
    # The version chain: the digest of the version before (empty for the first), which the
    # document holds as competition.previous_digest, so this version's digest covers it.
    previous_digest = models.CharField(
        _("digest of the previous version"), max_length=64, blank=True, editable=False
    )
    # The digest of the public document (scoring.results.chain.public_document): the summary,
    # naming this version's digest and the previous version's public digest. What the public
    # notice shows and the verify page looks up.
    public_digest = models.CharField(
        _("SHA-256 digest of the public document"),
        max_length=64,
        blank=True,
        editable=False,
        db_index=True,
    )
    reason = models.TextField(_("reason for the correction"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    # The document without each contestant's sheets: all that rankings, reports and the
    # dashboard read, a tenth of the size. Derived from the document by whoever publishes it
    # (scoring.results.document.summary_of), so immutable with it.
    summary = models.JSONField(_("summary for reports"), default=dict, editable=False)

    class Meta:
        ordering = ["competition_id", "-version"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        constraints = [
            models.UniqueConstraint(
                fields=["competition", "version"], name="publication_unique_version"
            ),
        ]

    def __str__(self) -> str:
        return _("%(of)s, version %(version)s") % {"of": self.competition, "version": self.version}


class GradeOverride(models.Model):
    """A manual grade, possible only with a written reason; recorded with who and when."""

    contestant = models.OneToOneField(
        "competition.Contestant",
        on_delete=models.CASCADE,
        related_name="grade_override",
        verbose_name=_("contestant"),
    )
    grade = models.CharField(
        _("grade"),
        max_length=12,
        choices=domain.Grade.choices,
    )
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("grade override")
        verbose_name_plural = _("grade overrides")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="override_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.contestant}: {self.get_grade_display()}"
