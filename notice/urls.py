from django.urls import path

from notice import staff_views, views

app_name = "notice"
urlpatterns = [
    # Anyone, without signing in.
    path("notice/verify/", views.verify, name="verify"),
    path("notice/objection/", views.objection_status, name="objection"),
    path("notice/<int:pk>/", views.public_notice, name="public"),
    path("notice/<int:pk>/document.json", views.public_document, name="document"),
    path("notice/<int:pk>/objections/", views.lodge, name="lodge"),
    # Staff.
    path("competitions/<int:pk>/results/notice/", views.printed, name="printed"),
    path("competitions/<int:pk>/objections/", staff_views.register, name="register"),
    path(
        "competitions/<int:pk>/objections/settings/",
        staff_views.notice_settings,
        name="settings",
    ),
    path("competitions/<int:pk>/objections/end/", staff_views.end_period, name="end"),
    path("competitions/<int:pk>/objections/new/", staff_views.record, name="record"),
    path(
        "competitions/<int:pk>/objections/<int:objection_id>/",
        staff_views.objection_detail,
        name="objection_detail",
    ),
]
