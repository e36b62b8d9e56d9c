"""The retention pages, at /settings/retention/ with the other organization settings (config/urls.py)."""

from django.urls import path

from . import views_retention

app_name = "retention"

urlpatterns = [
    path("", views_retention.retention, name="index"),
    path("<id:candidate_id>/extend/", views_retention.retention_extend_view, name="extend"),
]
