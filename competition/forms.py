from django import forms
from django.utils.translation import gettext_lazy as _

from competition.models import Problem


class ProblemForm(forms.ModelForm):
    class Meta:
        model = Problem
        fields = ["status", "owner", "due", "resolution"]
        widgets = {
            "due": forms.DateInput(attrs={"type": "date"}),
            "resolution": forms.Textarea(attrs={"rows": 3}),
        }


class ProblemFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("any"))] + Problem.Status.choices
    )
    street = forms.ModelChoiceField(queryset=None, label=_("Street"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args, streets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = streets
