"""Problems raised on site, and how their text is compared."""

import hashlib
import re

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from competition.models.event import Competition, Contestant
from competition.models.panel import Judge
from villages.models import Village


def problem_text(text: str) -> str:
    """A problem as it is kept: trimmed, every run of spaces (full-width too) and line breaks
    made one space."""
    return " ".join(text.split())


# Chinese is written without spaces: one beside a Chinese character or mark means nothing.
SPACE_BESIDE_CJK = re.compile(
    r"\s+(?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])|(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])\s+"
)


def problem_key(text: str) -> str:
    """What makes two problems of one village in one competition the same: the same text once
    trimmed, its spaces collapsed and those beside Chinese dropped ("道路硬化 进度慢" is
    "道路硬化进度慢"). A digest, so any length of text fits the unique index."""
    compared = SPACE_BESIDE_CJK.sub("", problem_text(text))
    return hashlib.sha256(compared.encode()).hexdigest()


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
