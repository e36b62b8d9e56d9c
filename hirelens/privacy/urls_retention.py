"""The retention pages, at /settings/retention/ with the other organization settings (config/urls.py)."""

from django.urls import path

from . import views_retention

app_name = "retention"

urlpatterns = [
    path("", views_retention.retention, name="index"),
    path("<id:candidate_id>/extend/", views_retention.retention_extend_view, name="extend"),
    path("limits/new/", views_retention.limit_add, name="limit_add"),
    path("limits/<str:jurisdiction>/", views_retention.limit_edit, name="limit_edit"),
    path("limits/<str:jurisdiction>/remove/", views_retention.limit_remove, name="limit_remove"),
]
