from django.urls import path

from . import views

app_name = "fairness"

urlpatterns = [
    path("fairness/", views.report, name="report"),
    path("fairness/audits/new/", views.audit_create, name="audit_create"),
    path("fairness/audits/<id:audit_id>/", views.audit_detail, name="audit"),
    path("fairness/audits/<id:audit_id>/pdf/", views.audit_pdf, name="audit_pdf"),
    path("fairness/audits/<id:audit_id>/publish/", views.audit_publish, name="audit_publish"),
    path("fairness/audits/<id:audit_id>/unpublish/", views.audit_unpublish, name="audit_unpublish"),
    path("fairness/records/", views.records, name="records"),
    path("fairness/records/<id:pia_id>/", views.record_detail, name="record"),
    path("fairness/records/<id:pia_id>/pdf/", views.record_pdf, name="record_pdf"),
    path("fairness/records/<id:pia_id>/delete/", views.record_delete, name="record_delete"),
    path("bias-audit/<str:token>/", views.public_summary, name="public"),
    path("self-id/<str:kind>/<str:token>/", views.self_identify, name="self_identify"),
]
