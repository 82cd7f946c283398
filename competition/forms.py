from django import forms
from django.utils.translation import gettext_lazy as _

from competition.models import Competition, Problem, person_name


class PersonChoiceField(forms.ModelChoiceField):
    """A choice of user accounts, each named as the pages name people (person_name)."""

    def label_from_instance(self, obj) -> str:
        return person_name(obj)


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
        label=_("Status"), required=False, choices=[("", _("all"))] + Problem.Status.choices
    )
    # A filter left alone shows everything, and says so.
    street = forms.ModelChoiceField(
        queryset=None, label=_("Street"), required=False, empty_label=_("all")
    )
    competition = forms.ModelChoiceField(
        queryset=None, label=_("Competition"), required=False, empty_label=_("all")
    )
    owner = forms.CharField(label=_("Owner"), required=False, max_length=100)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args, streets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = streets
        self.fields["competition"].queryset = Competition.objects.filter(
            street__in=streets
        ).select_related("street", "district")
