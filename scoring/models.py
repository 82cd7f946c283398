"""The numbers: criteria schemes ("5+N") and, in later parts, sheets, ballots and policies."""

import uuid
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from scoring import domain
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
    reason = models.TextField(_("reason for the correction"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    # The document without each contestant's sheets: all that rankings, reports and the
    # dashboard read, a tenth of the size. Derived from the document, so immutable with it.
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

    def save(self, *args, **kwargs):
        self.summary = self.summary_of(self.document)
        super().save(*args, **kwargs)

    @staticmethod
    def summary_of(document: dict) -> dict:
        return document | {
            "contestants": [
                {key: value for key, value in row.items() if key != "sheets"}
                for row in document["contestants"]
            ]
        }


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
