from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.contrib.auth.models import Group, Permission, User
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from villages.forms import RosterConfirmForm, RosterUploadForm
from villages.models import District, Membership, Secretary, Street, Tenure, Village
from villages.queries import roster_rows
from villages.roster import RosterInvalid, roster_csv, roster_xlsx
from villages.services import import_preview, keep_preview, preview_roster, save_with_initials


class StreetInline(admin.TabularInline):
    model = Street
    extra = 0
    fields = ["name", "kind"]
    show_change_link = True


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "street_count", "village_count"]
    search_fields = ["name"]
    inlines = [StreetInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_streets=Count("streets", distinct=True),
                n_villages=Count("streets__villages", distinct=True),
            )
        )

    @admin.display(description=_("number of streets"), ordering="n_streets")
    def street_count(self, obj):
        return obj.n_streets

    @admin.display(description=_("number of villages"), ordering="n_villages")
    def village_count(self, obj):
        return obj.n_villages


class VillageInline(admin.TabularInline):
    model = Village
    extra = 0
    fields = ["code", "name", "active"]
    show_change_link = True


@admin.register(Street)
class StreetAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "district", "village_count"]
    list_filter = ["district", "kind"]
    search_fields = ["name", "district__name"]
    list_select_related = ["district"]
    inlines = [VillageInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_villages=Count("villages", filter=Q(villages__active=True)))
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not Village:
            return super().save_formset(request, form, formset, change)
        # Villages added or renamed here need their initials for the search, like VillageAdmin's.
        for village in formset.save(commit=False):
            save_with_initials(village)
        for village in formset.deleted_objects:
            village.delete()
        formset.save_m2m()

    @admin.display(description=_("active villages"), ordering="n_villages")
    def village_count(self, obj):
        return obj.n_villages


class TenureInline(admin.TabularInline):
    model = Tenure
    extra = 0
    ordering = ["-start"]


class VillageTenureInline(TenureInline):
    fields = ["secretary", "start", "end"]
    autocomplete_fields = ["secretary"]


class SecretaryTenureInline(TenureInline):
    fields = ["village", "start", "end"]
    autocomplete_fields = ["village"]


def _current(field: str, **outer) -> Subquery:
    return Subquery(Tenure.objects.filter(end__isnull=True, **outer).values(field)[:1])


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "street", "current_secretary", "active"]
    list_filter = ["street__district", "street", "active"]
    search_fields = ["code", "name", "pinyin", "street__name", "tenures__secretary__name"]
    list_select_related = ["street"]
    inlines = [VillageTenureInline]
    change_list_template = "admin/villages/village/change_list.html"
    readonly_fields = ["pinyin"]

    def save_model(self, request, obj, form, change):
        save_with_initials(obj)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(secretary_name=_current("secretary__name", village=OuterRef("pk")))
        )

    def get_search_results(self, request, queryset, search_term):
        queryset, _duplicates = super().get_search_results(request, queryset, search_term)
        # Searching across tenures may repeat a village; distinct() hides that.
        return queryset.distinct(), False

    @admin.display(description=_("current secretary"), ordering="secretary_name")
    def current_secretary(self, obj):
        return obj.secretary_name or "—"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="villages_village_import"),
            path("export/<str:fmt>/", view(self.export_view), name="villages_village_export"),
            *super().get_urls(),
        ]

    def _may_import(self, request) -> bool:
        # The roster touches every model of the organisation.
        return all(
            request.user.has_perm(f"villages.{action}_{model}")
            for action in ("add", "change")
            for model in ("district", "street", "village", "secretary", "tenure")
        )

    def import_view(self, request):
        if not self._may_import(request):
            messages.error(request, _("You may not import the roster."))
            return redirect("admin:villages_village_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import roster"),
        }
        upload_form = RosterUploadForm()
        if request.method == "POST" and "payload" in request.POST:
            confirm = RosterConfirmForm(request.POST)
            token = confirm.cleaned_data["payload"] if confirm.is_valid() else ""
            try:
                plan = import_preview(token=token, by=request.user)
            except RosterInvalid as exc:
                context["errors"] = exc.errors
            else:
                messages.success(
                    request,
                    _("Roster imported: %(changes)s changes from %(rows)s rows.")
                    % {"changes": len(plan.changes), "rows": len(plan.rows)},
                )
                return redirect("admin:villages_village_changelist")
        elif request.method == "POST":
            upload_form = RosterUploadForm(request.POST, request.FILES)
            if upload_form.is_valid():
                upload = upload_form.cleaned_data["file"]
                data = upload.read()
                try:
                    plan = preview_roster(data=data, filename=upload.name)
                except RosterInvalid as exc:
                    context["errors"] = exc.errors
                else:
                    context["plan"] = plan
                    context["filename"] = upload.name
                    if not plan.is_noop:  # else there is nothing to confirm
                        token = keep_preview(
                            data=data, filename=upload.name, plan=plan, by=request.user
                        )
                        context["confirm_form"] = RosterConfirmForm(initial={"payload": token})
        context["form"] = upload_form
        return TemplateResponse(request, "admin/villages/village/import.html", context)

    def export_view(self, request, fmt: str):
        if not self.has_view_permission(request) or fmt not in ("csv", "xlsx"):
            return redirect("admin:villages_village_changelist")
        rows = roster_rows()
        if fmt == "csv":
            body, content_type = roster_csv(rows), "text/csv; charset=utf-8"
        else:
            body = roster_xlsx(rows)
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        response = HttpResponse(body, content_type=content_type)
        # Named for the office's folder: "名册 2026-12-03.xlsx".
        name = f"{_('Roster')} {timezone.localdate():%Y-%m-%d}.{fmt}"
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "may_import": self._may_import(request),
            "import_url": reverse("admin:villages_village_import"),
        }
        return super().changelist_view(request, extra_context)


@admin.register(Secretary)
class SecretaryAdmin(admin.ModelAdmin):
    list_display = ["name", "gender", "phone", "current_village"]
    list_filter = ["gender"]
    search_fields = [
        "name",
        "pinyin",
        "phone",
        "tenures__village__name",
        "tenures__village__code",
    ]
    inlines = [SecretaryTenureInline]
    readonly_fields = ["pinyin"]

    def save_model(self, request, obj, form, change):
        save_with_initials(obj)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(village_name=_current("village__name", secretary=OuterRef("pk")))
        )

    def get_search_results(self, request, queryset, search_term):
        queryset, _duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False

    @admin.display(description=_("leads now"), ordering="village_name")
    def current_village(self, obj):
        return obj.village_name or "—"


class OpenFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", _("current")), ("no", _("ended"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(end__isnull=True)
        if self.value() == "no":
            return queryset.filter(end__isnull=False)
        return queryset


@admin.register(Tenure)
class TenureAdmin(admin.ModelAdmin):
    list_display = ["village", "secretary", "start", "end"]
    list_filter = [OpenFilter, "village__street__district", "village__street"]
    search_fields = ["village__name", "village__code", "secretary__name"]
    list_select_related = ["village", "secretary"]
    autocomplete_fields = ["village", "secretary"]
    date_hierarchy = "start"


class MembershipInline(admin.StackedInline):
    model = Membership
    can_delete = True
    extra = 0
    max_num = 1
    fields = ["role", "district", "street"]


class PasswordChangeForm(AdminPasswordChangeForm):
    # Django's help text here is joined to an untranslated warning when Django is imported, so
    # it stays in the language of that moment: joined lazily, both parts follow the reader.
    usable_password_help_text = format_lazy(
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        SetUnusablePasswordMixin.usable_password_help_text,
        _("If disabled, the current password for this user will be lost."),
    )


PERMISSION_ACTIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission: Permission) -> str:
    """A permission in the reader's language. Django stores the default permissions' names in
    English ("Can add village"); they are named again from the action and the model's name."""
    action, _sep, model = permission.codename.partition("_")
    model_class = permission.content_type.model_class()
    name = permission.name
    if action in PERMISSION_ACTIONS and model_class and model == model_class._meta.model_name:
        name = PERMISSION_ACTIONS[action] % {"model": model_class._meta.verbose_name}
    return f"{permission.content_type} | {name}"


class TranslatedPermissionsMixin:
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request=request, **kwargs)
        if db_field.name in ("permissions", "user_permissions"):
            field.label_from_instance = permission_label
        return field


admin.site.unregister(Group)


@admin.register(Group)
class LeitaiGroupAdmin(TranslatedPermissionsMixin, GroupAdmin):
    pass


admin.site.unregister(User)


@admin.register(User)
class LeitaiUserAdmin(TranslatedPermissionsMixin, UserAdmin):
    change_password_form = PasswordChangeForm
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "role", "organisation", "is_active", "is_superuser"]
    list_filter = ["membership__role", "membership__district", "is_active", "is_superuser"]
    list_select_related = ["membership__district", "membership__street"]
    search_fields = ["username", "first_name", "last_name", "email"]

    @admin.display(description=_("role"), ordering="membership__role")
    def role(self, obj):
        membership = getattr(obj, "membership", None)
        return membership.get_role_display() if membership else "—"

    @admin.display(description=_("belongs to"))
    def organisation(self, obj):
        membership = getattr(obj, "membership", None)
        if membership is None:
            return "—"
        return membership.street or membership.district
