from django import forms
from django.utils.translation import gettext_lazy as _

from stage.models import Stage
from villages.forms import checked_spreadsheet


class StageSettingsForm(forms.Form):
    report = forms.IntegerField(label=_("Duty report (minutes)"), min_value=1, max_value=120)
    questions = forms.IntegerField(label=_("Questions (minutes)"), min_value=1, max_value=120)
    comments = forms.IntegerField(label=_("Comments (minutes)"), min_value=1, max_value=120)
    show_panel_score = forms.BooleanField(
        label=Stage._meta.get_field("show_panel_score").verbose_name,
        help_text=Stage._meta.get_field("show_panel_score").help_text,
        required=False,
    )

    @classmethod
    def for_stage(cls, stage: Stage) -> "StageSettingsForm":
        return cls(
            initial={
                "report": stage.report_seconds // 60,
                "questions": stage.questions_seconds // 60,
                "comments": stage.comments_seconds // 60,
                "show_panel_score": stage.show_panel_score,
            }
        )


class QuestionForm(forms.Form):
    criterion = forms.ChoiceField(label=_("Criterion"))
    text = forms.CharField(
        label=_("Question"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, labels: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].choices = list(labels.items())


class QuestionFileForm(forms.Form):
    file = forms.FileField(
        label=_("Question file"),
        help_text=_(
            "A .xlsx (or UTF-8 .csv) file with the columns criterion (the item's code or name) "
            "and question. Nothing is imported while one row is wrong."
        ),
    )

    def clean_file(self):
        return checked_spreadsheet(self.cleaned_data["file"])
