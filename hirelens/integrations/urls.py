from django.urls import path

from . import views

app_name = "integrations"

urlpatterns = [
    path("", views.api_keys, name="api_keys"),
    path("new/", views.api_key_new, name="api_key_new"),
    path("<id:key_id>/revoke/", views.api_key_revoke_view, name="api_key_revoke"),
]
