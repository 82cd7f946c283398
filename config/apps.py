from django.contrib.admin.apps import AdminConfig


class LeitaiAdminConfig(AdminConfig):
    """django.contrib.admin with Leitai's site (config/admin.py)."""

    default_site = "config.admin.LeitaiAdminSite"
