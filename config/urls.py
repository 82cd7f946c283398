from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from scoring.reports import profile_views
from scoring.sheets import offline_views
from scoring.sheets import views as scoring_views
from villages import views as village_views

admin.site.site_header = _("Leitai administration")
admin.site.site_title = _("Leitai administration")
admin.site.index_title = _("Districts, villages, secretaries and criteria")

urlpatterns = [
    path("", scoring_views.home, name="home"),
    path("healthz", village_views.health, name="health"),
    path("favicon.ico", village_views.favicon, name="favicon"),
    # The judge's phone's service worker: at the root, so its scope covers the judge pages.
    path("sw.js", offline_views.service_worker, name="service_worker"),
    path("search/", profile_views.search, name="search"),
    path("streets/<int:pk>/staff/", village_views.street_staff, name="street_staff"),
    # Sign-in and password change; no reset by email: districts' intranets send no mail, and
    # an administrator sets a forgotten password in admin.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        # The site's own pages, not the admin's (which would name "Django administration").
        auth_views.PasswordChangeView.as_view(
            template_name="registration/own_password_change.html"
        ),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/own_password_changed.html"
        ),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("scoring.urls")),
    path("", include("notice.urls")),
    path("", include("competition.urls")),
    path("", include("stage.urls")),
]

handler400 = "villages.errors.bad_request"
