from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from villages import search_views
from villages import views as village_views

admin.site.site_header = _("Leitai administration")
admin.site.site_title = _("Leitai administration")
admin.site.index_title = _("Districts, villages, secretaries and criteria")

urlpatterns = [
    path("", village_views.home, name="home"),
    path("healthz", village_views.health, name="health"),
    path("search/", search_views.search, name="search"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("scoring.urls")),
    path("", include("competition.urls")),
]
