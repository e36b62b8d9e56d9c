from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("requests/", views.request_list, name="list"),
    path("requests/<id:privacy_request_id>/", views.request_detail, name="detail"),
    path("requests/<id:privacy_request_id>/start/", views.request_start, name="start"),
    path("requests/<id:privacy_request_id>/complete/", views.request_complete, name="complete"),
    path("requests/<id:privacy_request_id>/refuse/", views.request_refuse, name="refuse"),
    path("requests/<id:privacy_request_id>/export/", views.request_export, name="export"),
    path("requests/<id:privacy_request_id>/progress/", views.request_progress, name="progress"),
    path("candidates/<id:candidate_id>/new/", views.request_new, name="new"),
    path("settings/", views.settings_edit, name="settings"),
    path("download/<str:token>/", views.download, name="download"),
    path("portal/<str:token>/", views.portal_rights, name="portal"),
]
