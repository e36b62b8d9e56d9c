from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.batch_index, name="index"),
    path("export/candidates.csv", views.export_candidates, name="export"),
    path("<id:batch_id>/", views.batch_detail, name="detail"),
    path("<id:batch_id>/map/", views.batch_map, name="map"),
    path("<id:batch_id>/commit/", views.batch_commit, name="commit"),
    path("<id:batch_id>/discard/", views.batch_discard, name="discard"),
    path("<id:batch_id>/report.csv", views.batch_report, name="report"),
]
