from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from competition.models import Judge
from scoring.models import Scheme


class CompetitionForm(forms.Form):
    street = forms.ModelChoiceField(queryset=None, label=_("Street"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"), coerce=int, choices=[(q, q) for q in range(1, 5)]
    )
    held_on = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    venue = forms.CharField(label=_("Venue"), max_length=200, required=False)
    scheme = forms.ModelChoiceField(queryset=Scheme.objects.all(), label=_("Criteria scheme"))
    optional = forms.MultipleChoiceField(
        label=_("Optional items (N)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose from the quarter's key village tasks."),
    )

    def __init__(self, *args, streets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = streets
        now = timezone.localdate()
        self.fields["year"].initial = now.year
        self.fields["quarter"].initial = (now.month - 1) // 3 + 1
        self.fields["scheme"].initial = Scheme.objects.order_by("pk").first()
        self.fields["optional"].choices = optional_choices()


def optional_choices() -> list[tuple[str, str]]:
    seen = {}
    for scheme in Scheme.objects.prefetch_related("criteria"):
        for c in scheme.criteria.all():
            if not c.required:
                seen.setdefault(c.code, f"{c.label}（{c.max_points.normalize()}）")
    return list(seen.items())


class CriteriaForm(forms.Form):
    scheme = forms.ModelChoiceField(queryset=Scheme.objects.all(), label=_("Criteria scheme"))
    optional = forms.MultipleChoiceField(
        label=_("Optional items (N)"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["optional"].choices = optional_choices()


class JudgeForm(forms.Form):
    user = forms.ModelChoiceField(queryset=None, label=_("Existing account"), required=False)
    name = forms.CharField(
        label=_("Or a new judge's name"),
        max_length=50,
        required=False,
        help_text=_("A new judge signs in with the printed card."),
    )
    role = forms.ChoiceField(label=_("Role on the panel"), choices=Judge.Role.choices)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        required=False,
        help_text=_("Needed once scoring has opened, for example: replaces a judge who is absent."),
    )

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users

    def clean(self):
        data = super().clean()
        if bool(data.get("user")) == bool(data.get("name", "").strip()):
            raise forms.ValidationError(_("Choose an account or type a new name, not both."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class JudgeStatusForm(forms.Form):
    """Withdraw a judge, mark one absent, or bring one back, during scoring; with a reason."""

    status = forms.ChoiceField(choices=Judge.Status.choices)
    reason = forms.CharField(label=_("Reason"), max_length=2000)
