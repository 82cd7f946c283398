"""On stage: the controller's state and log, the question bank and its draws, screen links.

The stage sits on top of the event (competition) and the numbers (scoring): it reads both and
neither knows it, except the judges' pages, which load its small template tag.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from competition import notes
from competition.models import Competition, Contestant


class Segment(models.TextChoices):
    """The parts of a secretary's turn, in the order they come."""

    REPORT = "report", _("duty report")
    QUESTIONS = "questions", _("questions")
    COMMENTS = "comments", _("comments")


SEGMENTS = tuple(Segment)
# The stage runs while the competition is in draft or in scoring.
ON_STAGE = (Competition.Status.DRAFT, Competition.Status.SCORING)


class Stage(models.Model):
    """A competition's stage: the segments' durations, what the big screen may show, and where
    the afternoon stands — who is on stage, which segment, and the segment's clock.

    The clock is `elapsed_ms` run before the current stretch plus, while `running`, the time
    since `started_at`; the big screen computes the countdown itself from these. `version` goes
    up with every step, so an unchanged stage is an unchanged ETag.
    """

    competition = models.OneToOneField(
        Competition, on_delete=models.CASCADE, related_name="stage", verbose_name=_("competition")
    )
    report_seconds = models.PositiveIntegerField(_("duty report (seconds)"), default=300)
    questions_seconds = models.PositiveIntegerField(_("questions (seconds)"), default=180)
    comments_seconds = models.PositiveIntegerField(_("comments (seconds)"), default=120)
    show_panel_score = models.BooleanField(
        _("show the panel score on the big screen"),
        default=False,
        help_text=_(
            "Once every counting sheet of a contestant is in. The grade is never shown before "
            "publication."
        ),
    )
    contestant = models.ForeignKey(
        Contestant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on stage"),
    )
    segment = models.CharField(_("segment"), max_length=10, choices=Segment.choices, blank=True)
    running = models.BooleanField(_("running"), default=False)
    started_at = models.DateTimeField(_("running since"), null=True, blank=True)
    elapsed_ms = models.PositiveIntegerField(_("run before (ms)"), default=0)
    finished = models.BooleanField(_("finished"), default=False)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.CheckConstraint(
                condition=Q(report_seconds__gte=10, report_seconds__lte=7200)
                & Q(questions_seconds__gte=10, questions_seconds__lte=7200)
                & Q(comments_seconds__gte=10, comments_seconds__lte=7200),
                name="stage_durations_range",
            ),
            models.CheckConstraint(
                condition=Q(segment__in=["", "report", "questions", "comments"]),
                name="stage_segment_valid",
            ),
            models.CheckConstraint(
                condition=Q(running=False) | Q(started_at__isnull=False, contestant__isnull=False),
                name="stage_running_has_start",
            ),
        ]

    def __str__(self) -> str:
        return str(self.competition)

    def seconds_of(self, segment: str) -> int:
        return getattr(self, f"{segment}_seconds") if segment else 0


class Step(models.Model):
    """The log of the day: every step on the controller, with who and when."""

    class Kind(models.TextChoices):
        START = "start", _("started")
        RESUME = "resume", _("resumed")
        PAUSE = "pause", _("paused")
        NEXT_SEGMENT = "next_segment", _("next segment")
        NEXT_CONTESTANT = "next_contestant", _("next contestant")
        SKIP = "skip", _("skipped as absent")
        BACK = "back", _("back")
        FINISH = "finish", _("every contestant done")
        DRAW = "draw", _("question drawn")
        SET_ASIDE = "set_aside", _("question set aside")
        SETTINGS = "settings", _("stage settings changed")
        SCREEN = "screen", _("screen link issued or revoked")

    competition = models.ForeignKey(
        Competition,
        on_delete=models.CASCADE,
        related_name="stage_steps",
        verbose_name=_("competition"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    contestant = models.ForeignKey(
        Contestant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contestant"),
    )
    segment = models.CharField(_("segment"), max_length=10, choices=Segment.choices, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    # What the step says, as codes and figures (competition.notes); `note` is what was typed
    # or drawn (a reason, a question).
    detail = models.JSONField(_("detail"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["competition_id", "at", "id"]
        verbose_name = _("stage step")
        verbose_name_plural = _("stage steps")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.at:%H:%M:%S}"

    @property
    def text(self) -> str:
        """The step's detail in the reader's language, then what was typed or drawn."""
        return notes.line(self.detail, self.note, STEP_TEXTS)


def _settings_text(entry: dict) -> str:
    minutes = gettext(", ").join(
        gettext("%(segment)s %(minutes)s min")
        % {"segment": s.label, "minutes": entry["minutes"][s]}
        for s in SEGMENTS
        if s in entry["minutes"]
    )
    shown = gettext("panel score shown") if entry["panel"] else gettext("panel score not shown")
    return f"{minutes} · {shown}"


# The stage log's parts (competition.notes).
STEP_TEXTS = {
    "next": _("next: %(who)s"),
    "absent": _("absent: %(who)s"),
    "settings": _settings_text,
    "drawn_again": _("every question had been drawn: drawn again from the whole bank"),
    "screen_issued": _("screen link issued"),
    "screen_revoked": _("screen link revoked"),
}


class Question(models.Model):
    """A question of a competition's bank, under one of its criteria (by the criterion's code:
    a draft's criteria may still be chosen again)."""

    competition = models.ForeignKey(
        Competition,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("competition"),
    )
    criterion_code = models.CharField(_("criterion"), max_length=32)
    text = models.CharField(_("question"), max_length=500)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["competition_id", "criterion_code", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["competition", "text"], name="question_unique_text"),
            models.CheckConstraint(condition=~Q(text=""), name="question_text_not_empty"),
        ]

    def __str__(self) -> str:
        return self.text[:40]


class Draw(models.Model):
    """A question drawn for the contestant on stage; set aside (with a reason) when it is not
    asked, and then another is drawn."""

    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="draws", verbose_name=_("competition")
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="draws", verbose_name=_("question")
    )
    contestant = models.ForeignKey(
        Contestant, on_delete=models.CASCADE, related_name="draws", verbose_name=_("contestant")
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("drawn at"), auto_now_add=True)
    set_aside_at = models.DateTimeField(_("set aside at"), null=True, blank=True)
    set_aside_reason = models.TextField(_("reason for setting aside"), blank=True)

    class Meta:
        ordering = ["competition_id", "at", "id"]
        verbose_name = _("draw")
        verbose_name_plural = _("draws")
        constraints = [
            models.CheckConstraint(
                condition=Q(set_aside_at__isnull=True, set_aside_reason="")
                | (Q(set_aside_at__isnull=False) & ~Q(set_aside_reason="")),
                name="draw_set_aside_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question} · {self.contestant}"


class ScreenLink(models.Model):
    """A link that opens one competition's big screen, read-only, without a password: issued by
    staff, revocable, and ending when scoring first closes. Only a hash of the token is kept."""

    competition = models.ForeignKey(
        Competition,
        on_delete=models.CASCADE,
        related_name="screen_links",
        verbose_name=_("competition"),
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["competition_id", "-created_at"]
        verbose_name = _("screen link")
        verbose_name_plural = _("screen links")

    def __str__(self) -> str:
        return f"{self.competition} · {self.created_at:%Y-%m-%d %H:%M}"
