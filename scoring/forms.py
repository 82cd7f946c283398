from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from competition.forms import PersonChoiceField
from competition.models import Judge, quarter_label
from scoring import domain
from scoring.models import GradingPolicy, Scheme


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
        only = list(streets[:2])
        if len(only) == 1:  # nothing to choose: the one street is chosen
            self.fields["street"].initial = only[0]
            self.fields["street"].empty_label = None
        self.fields["quarter"].choices = [(q, quarter_label(q)) for q in range(1, 5)]
        now = timezone.localdate()
        year, quarter = now.year, (now.month - 1) // 3 + 1
        if len(only) == 1:  # open on the first quarter from now that the street has not held
            held = set(only[0].competitions.values_list("year", "quarter"))
            while (year, quarter) in held:
                year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
        self.fields["year"].initial = year
        self.fields["quarter"].initial = quarter
        self.fields["scheme"].initial = Scheme.objects.order_by("pk").first()
        self.fields["optional"].choices = optional_choices()


def optional_choices() -> list[tuple[str, str]]:
    seen = {}
    for scheme in Scheme.objects.prefetch_related("criteria"):
        for c in scheme.criteria.all():
            if not c.required:
                # Fixed-point: Decimal("1E+1"), a normalized 10, would read "1E+1".
                points = f"{c.max_points.normalize():f}"
                seen.setdefault(
                    c.code, _("%(name)s (%(points)s points)") % {"name": c.label, "points": points}
                )
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
    user = PersonChoiceField(queryset=None, label=_("Existing account"), required=False)
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


class CloseForm(forms.Form):
    """Closing with something missing: an explicit confirmation and a written reason."""

    confirm = forms.BooleanField(
        label=_("I have read what is missing and close scoring anyway."),
        error_messages={"required": _("Confirm that you close scoring with something missing.")},
    )
    reason = forms.CharField(
        label=_("Reason for closing anyway"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Give the reason for closing with something missing.")},
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class GradingPolicyForm(forms.ModelForm):
    """Every setting of a grading policy, checked so that no value can break a results page
    or a report: each mistake gets its own message in the user's language, and nothing is
    saved."""

    # Observers score but never count (DESIGN.md rule 2): a weight would say otherwise.
    WEIGHED_ROLES = [r for r in Judge.Role.values if r != Judge.Role.OBSERVER]
    SHARES = ["panel_weight", "democratic_weight"]
    POINTS = ["points_excellent", "points_competent", "points_basic", "points_incompetent"]
    BANDS = ["band_excellent", "band_competent", "band_basic"]
    PAY = ["pay_excellent", "pay_competent", "pay_basic", "pay_incompetent"]

    class Meta:
        model = GradingPolicy
        fields = "__all__"  # noqa: DJ007 - the admin edits every setting; none is hidden.

    def clean_role_weights(self) -> dict[str, str]:
        raw = self.cleaned_data.get("role_weights")
        if raw in (None, ""):
            return {}
        if not isinstance(raw, dict):
            raise forms.ValidationError(
                _('Enter the judge role weights as a JSON object, such as {"area_chief": "1.5"}.')
            )
        errors, weights = [], {}
        for role, value in raw.items():
            if role == Judge.Role.OBSERVER:
                errors.append(_("Observers never count, so they carry no weight."))
                continue
            if role not in self.WEIGHED_ROLES:
                errors.append(
                    _("“%(role)s” is not a judge role. The roles are: %(roles)s.")
                    % {"role": role, "roles": ", ".join(self.WEIGHED_ROLES)}
                )
                continue
            try:
                weight = domain.parse_weight(value)
            except domain.WeightError as error:
                errors.append(
                    _("The weight of “%(role)s” must not be negative.") % {"role": role}
                    if error.reason == "negative"
                    else _("The weight of “%(role)s” must be a number, such as 1.5.")
                    % {"role": role}
                )
                continue
            # The document shows weights with two decimals: a third would not be recomputable.
            if weight != weight.quantize(domain.CENT):
                errors.append(
                    _("The weight of “%(role)s” has at most two decimals, such as 1.25.")
                    % {"role": role}
                )
                continue
            weights[role] = str(weight)
        if errors:
            raise forms.ValidationError(errors)
        return weights

    def clean_trim_min_sheets(self) -> int:
        value = self.cleaned_data["trim_min_sheets"]
        if value < domain.TRIM_LEAST:
            raise forms.ValidationError(
                _(
                    "Trimming needs at least %(least)s sheets: it drops the highest and the "
                    "lowest, and with fewer nothing would be left."
                )
                % {"least": domain.TRIM_LEAST}
            )
        return value

    def clean(self):
        data = super().clean()
        for name in self.SHARES:
            if name in data and not 0 <= data[name] <= 1:
                self.add_error(name, _("Enter a share from 0 to 1, such as 0.70."))
        for name in self.POINTS + self.BANDS:
            if name in data and not 0 <= data[name] <= 100:
                self.add_error(name, _("Enter points from 0 to 100."))
        for name in self.PAY:
            if name in data and data[name] < 0:
                self.add_error(name, _("A pay coefficient must not be negative."))
        cap = data.get("excellent_cap")
        if cap is not None and not 0 < cap <= 1:
            self.add_error(
                "excellent_cap",
                _(
                    "Enter the cap as a share above 0 and at most 1, such as 0.20, "
                    "or leave it empty."
                ),
            )
        # Field errors, not form errors: the database's constraints on these fields (bands
        # ordered, cap a share) are then not checked again, to repeat it by their code names.
        # A field with an error of its own is out of `data`, so it is not compared.
        excellent, competent, basic = (data.get(name) for name in self.BANDS)
        if None not in (excellent, competent) and excellent <= competent:
            self.add_error("band_excellent", _("Excellent must start above competent."))
        if None not in (competent, basic) and competent <= basic:
            self.add_error("band_competent", _("Competent must start above basic competent."))
        return data


class JudgeStatusForm(forms.Form):
    """Withdraw a judge, mark one absent, or bring one back, during scoring; with a reason."""

    status = forms.ChoiceField(choices=Judge.Status.choices)
    reason = forms.CharField(label=_("Reason"), max_length=2000)


class ObservationPointForm(forms.Form):
    """A village of the district to visit in a half-year review, on a day of the half."""

    village = forms.ModelChoiceField(
        queryset=None,
        label=_("Village"),
        error_messages={
            # Chosen on a page shown before: added meanwhile, or its secretary has left.
            "invalid_choice": _(
                "This village can no longer be added: it is already an observation point, or "
                "has no secretary now. The list below is up to date."
            )
        },
    )
    visit_on = forms.DateField(
        label=_("Visit date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["village"]
        field.queryset = villages

        def by_street():
            # Some 400 villages: grouped under their streets, a phone's picker is read street by
            # street. Read only when the picker is drawn; a posted choice is checked against the
            # queryset as ever.
            streets: dict[str, list[tuple[int, str]]] = {}
            for village in villages:
                streets.setdefault(village.street.name, []).append((village.pk, village.name))
            return [("", field.empty_label), *streets.items()]

        field.choices = by_street
