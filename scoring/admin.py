from django.contrib import admin
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from scoring.forms import GradingPolicyForm
from scoring.models import Criterion, GradingPolicy, Publication, Scheme


class CriterionInline(admin.StackedInline):
    model = Criterion
    extra = 0
    fields = [
        ("code", "position"),
        ("required", "max_points"),
        ("name", "name_en"),
        ("guidance", "guidance_en"),
    ]


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "name_en",
        "district",
        "required_count",
        "optional_count",
        "required_points",
    ]
    list_filter = ["district"]
    search_fields = ["name", "name_en", "criteria__name", "criteria__code"]
    list_select_related = ["district"]
    inlines = [CriterionInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_required=Count("criteria", filter=Q(criteria__required=True)),
                n_optional=Count("criteria", filter=Q(criteria__required=False)),
                points_required=Sum("criteria__max_points", filter=Q(criteria__required=True)),
            )
        )

    def get_search_results(self, request, queryset, search_term):
        queryset, _duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False

    @admin.display(description=_("required items"), ordering="n_required")
    def required_count(self, obj):
        return obj.n_required

    @admin.display(description=_("optional items"), ordering="n_optional")
    def optional_count(self, obj):
        return obj.n_optional

    @admin.display(description=_("points of required items"), ordering="points_required")
    def required_points(self, obj):
        return obj.points_required or 0


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "scheme", "required", "max_points", "position"]
    list_filter = ["scheme", "required"]
    search_fields = ["code", "name", "name_en", "guidance"]
    list_select_related = ["scheme"]


@admin.register(GradingPolicy)
class GradingPolicyAdmin(admin.ModelAdmin):
    """District defaults are edited freely; a competition's copy only while it is a draft."""

    form = GradingPolicyForm
    list_display = ["__str__", "aggregation", "panel_weight", "democratic_weight", "excellent_cap"]
    list_select_related = ["district", "competition__street", "competition__district"]
    raw_id_fields = ["competition"]

    def _is_frozen(self, obj) -> bool:
        return bool(obj and obj.competition_id and obj.competition.status != "draft")

    def has_change_permission(self, request, obj=None):
        return not self._is_frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._is_frozen(obj) and super().has_delete_permission(request, obj)


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ["competition", "version", "digest", "by", "at"]
    list_select_related = ["competition__street", "competition__district", "by"]
    readonly_fields = ["competition", "version", "document", "digest", "reason", "by", "at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
