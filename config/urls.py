from django.contrib import admin
from django.urls import include, path

from villages import views as village_views

urlpatterns = [
    path("", village_views.home, name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
