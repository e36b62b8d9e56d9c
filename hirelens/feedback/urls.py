from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("rules/", views.rules, name="rules"),
    path("s/<str:token>/", views.survey_page, name="survey"),
]
