from django.contrib import admin

from competition.models import Competition, Event, Judge, Problem


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    can_delete = False
    fields = ["at", "kind", "by", "note"]
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
    inlines = [EventInline]


@admin.register(Judge)
class JudgeAdmin(admin.ModelAdmin):
    list_display = ["__str__", "role", "competition"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name"]
    list_select_related = ["user", "competition__street", "competition__district"]
    raw_id_fields = ["competition", "user"]
    filter_horizontal = ["recusals"]


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    list_display = ["__str__", "village", "status", "owner", "due"]
    list_filter = ["status"]
    search_fields = ["text", "village__name", "owner"]
    list_select_related = ["village"]
    raw_id_fields = ["competition", "contestant", "village", "raised_by"]
