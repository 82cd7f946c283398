from django.urls import path

from stage import screen_views, views

app_name = "stage"
urlpatterns = [
    path("competitions/<int:pk>/stage/", views.controller, name="controller"),
    path("competitions/<int:pk>/stage/do/<str:action>/", views.step, name="step"),
    path("competitions/<int:pk>/stage/settings/", views.stage_settings, name="settings"),
    path("competitions/<int:pk>/stage/draw/", views.draw, name="draw"),
    path(
        "competitions/<int:pk>/stage/draws/<int:draw_id>/set-aside/",
        views.set_aside,
        name="set_aside",
    ),
    path("competitions/<int:pk>/stage/log/", views.day_log, name="log"),
    path("competitions/<int:pk>/stage/questions/", views.questions, name="questions"),
    path(
        "competitions/<int:pk>/stage/questions/import/",
        views.questions_import,
        name="questions_import",
    ),
    path(
        "competitions/<int:pk>/stage/questions/<int:question_id>/remove/",
        views.question_remove,
        name="question_remove",
    ),
    path("competitions/<int:pk>/stage/screen-links/", screen_views.link_issue, name="link_issue"),
    path(
        "competitions/<int:pk>/stage/screen-links/<int:link_id>/revoke/",
        screen_views.link_revoke,
        name="link_revoke",
    ),
    path("screen/<str:token>/", screen_views.screen_link, name="screen_link"),
    path("competitions/<int:pk>/screen/", screen_views.screen, name="screen"),
    path("competitions/<int:pk>/screen/state/", screen_views.screen_state, name="screen_state"),
]
