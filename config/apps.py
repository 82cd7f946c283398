from axes.apps import AppConfig as AxesAppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class LeitaiAdminConfig(AdminConfig):
    """django.contrib.admin with Leitai's site (config/admin.py)."""

    default_site = "config.admin.LeitaiAdminSite"


class LeitaiAxesConfig(AxesAppConfig):
    """django-axes, with a name in the admin's language: axes gives its app none ("Axes")."""

    verbose_name = _("sign-in lockouts")
