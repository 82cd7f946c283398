from django.contrib import admin

from notice.models import NoticeDefaults


@admin.register(NoticeDefaults)
class NoticeDefaultsAdmin(admin.ModelAdmin):
    """A district's defaults: whether its competitions' notices are public, and for how long."""

    list_display = ["district", "public", "working_days"]
    list_select_related = ["district"]
