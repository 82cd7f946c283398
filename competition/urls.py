from django.urls import path

from competition import views

app_name = "competition"
urlpatterns = [
    path("card/<str:token>/", views.card, name="card"),
    path("competitions/<int:pk>/cards/", views.cards_print, name="cards"),
    path("problems/", views.problem_list, name="problems"),
    path("problems/bulk/", views.problem_bulk, name="problems_bulk"),
    path("problems/<int:pk>/", views.problem_edit, name="problem"),
]
