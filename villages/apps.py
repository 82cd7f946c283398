from axes import apps as axes_apps
from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class VillagesConfig(AppConfig):
    name = "villages"
    verbose_name = _("Organisation")
    default = True


class LeitaiAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with Leitai's site (villages/admin_site.py)."""

    default = False
    default_site = "villages.admin_site.LeitaiAdminSite"


class LeitaiAxesConfig(axes_apps.AppConfig):
    """django-axes, with a name in the admin's language: axes gives its app none ("Axes")."""

    default = False
    verbose_name = _("sign-in lockouts")
