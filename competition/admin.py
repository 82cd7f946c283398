from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from competition.forms import PersonChoiceField
from competition.models import Competition, Contestant, Event, Judge, ObservationPoint, Problem


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    can_delete = False
    fields = ["at", "kind", "by", "text"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("note"))
    def text(self, event: Event) -> str:
        return event.text


class ObservationPointInline(admin.TabularInline):
    """A half-year review's points, as district staff chose them on its page (logged there)."""

    model = ObservationPoint
    extra = 0
    can_delete = False
    fields = ["order", "village", "visit_on", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Competition)
class CompetitionAdmin(admin.ModelAdmin):
    """Read-mostly: competitions are run from the staff pages, where every change is logged."""

    list_display = ["__str__", "level", "status", "year", "quarter", "held_on"]
    list_filter = ["status", "level", "year", "quarter", "district", "street"]
    search_fields = ["street__name", "district__name", "venue"]
    list_select_related = ["street", "district"]
    readonly_fields = ["level", "district", "street", "year", "quarter", "status", "created_at"]
    inlines = [ObservationPointInline, EventInline]

    def has_add_permission(self, request):
        # Street staff create competitions on their pages, which copy criteria and policy.
        return False

    def has_change_permission(self, request, obj=None):
        # Once scoring opens, what was held where and when is on the record (and, published,
        # in the notice): the admin shows it and changes nothing.
        if obj is not None and obj.status != Competition.Status.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # From scoring on, deleting it would take sheets, scores and their audit with it.
        if obj is not None and obj.status != Competition.Status.DRAFT:
            return False
        return super().has_delete_permission(request, obj)


class RecusalChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.secretary.name} · {obj.village.name} · {obj.competition.title}"


class JudgeForm(forms.ModelForm):
    user = PersonChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("first_name", "username"),
        label=_("user"),
    )
    recusals = RecusalChoiceField(
        queryset=Contestant.objects.none(),
        required=False,
        label=_("recused from"),
        help_text=_(
            "Contestants of the judge's competition this judge does not score, for example a "
            "relative. Choose the competition and save to choose among its contestants."
        ),
        widget=FilteredSelectMultiple(_("contestants"), is_stacked=False),
    )

    class Meta:
        model = Judge
        fields = ["competition", "user", "role", "recusals"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the contestants of the judge's own competition: every contestant of every
        # competition, each named with its competition, made the page take seconds.
        competition = (
            self.data.get("competition")
            or self.instance.competition_id
            or self.initial.get("competition")
        )
        if competition and str(competition).isdigit():
            self.fields["recusals"].queryset = (
                Contestant.objects.filter(competition_id=competition)
                .select_related(
                    "secretary", "village", "competition__street", "competition__district"
                )
                .order_by("order", "pk")
            )

    def clean_competition(self):
        competition = self.cleaned_data["competition"]
        if competition.status != Competition.Status.DRAFT:
            raise forms.ValidationError(
                _(
                    "This competition is past its draft (%(status)s): add judges on its panel "
                    "page, where the change is logged."
                ),
                params={"status": competition.get_status_display()},
            )
        return competition


@admin.register(Judge)
class JudgeAdmin(admin.ModelAdmin):
    form = JudgeForm
    list_display = ["__str__", "role", "competition"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name"]
    list_select_related = ["user", "competition__street", "competition__district"]
    raw_id_fields = ["competition"]

    def _is_draft(self, obj) -> bool:
        return obj is None or obj.competition.status == Competition.Status.DRAFT

    # From scoring on, a seat carries sheets: moving or deleting it would move or delete them,
    # unaudited. The staff pages change the panel then, and log it.
    def has_change_permission(self, request, obj=None):
        return self._is_draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._is_draft(obj) and super().has_delete_permission(request, obj)


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    list_display = ["__str__", "village", "status", "owner", "due"]
    list_filter = ["status"]
    search_fields = ["text", "village__name", "owner"]
    list_select_related = ["village"]
    raw_id_fields = ["competition", "contestant", "village"]
    # The text is what makes the problem one (problem_key), and the judges raised it on
    # their sheets: both come from the sheets.
    readonly_fields = ["text", "judges", "resolved_at"]
    exclude = ["raisers"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("raisers__user")

    def has_add_permission(self, request):
        return False  # problems are raised on judges' sheets

    @admin.display(description=_("raised by"))
    def judges(self, obj):
        return ", ".join(j.display_name for j in obj.raisers.all()) or "—"
