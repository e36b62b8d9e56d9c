from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("audit/", views.audit_log, name="audit_log"),
    path("time-zones/", views.time_zones, name="time_zones"),
    path("settings/", views.organization_settings, name="organization_settings"),
]
