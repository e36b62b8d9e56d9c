from django.urls import path

from . import views

app_name = "evaluations"

urlpatterns = [
    path("", views.index, name="index"),
    path("applications/<id:application_id>/", views.application_detail, name="application"),
    path("applications/<id:application_id>/stages/<id:stage_id>/card/", views.scorecard_edit, name="scorecard"),
    path("applications/<id:application_id>/decide/", views.decide, name="decide"),
    path("applications/<id:application_id>/report.pdf", views.report_pdf, name="report_pdf"),
    path("cards/<id:scorecard_id>/amend/", views.scorecard_amend_view, name="amend"),
    path("positions/<id:position_id>/settings/", views.position_settings, name="position_settings"),
]
