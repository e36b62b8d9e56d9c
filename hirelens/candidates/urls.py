from django.urls import path

from . import pickers, views, views_merge, views_resume

app_name = "candidates"

urlpatterns = [
    path("", views.candidate_index, name="index"),
    path("new/", views.candidate_new, name="new"),
    path("duplicates/", views.duplicate_list, name="duplicates"),
    path("pick/applications", pickers.application_pick, name="pick_applications"),
    path("<id:candidate_id>/", views.candidate_detail, name="detail"),
    path("<id:candidate_id>/edit/", views.candidate_edit, name="edit"),
    path("<id:candidate_id>/contact/<slug:field>/", views.contact_reveal, name="contact_reveal"),
    path("<id:candidate_id>/merge/", views_merge.candidate_merge, name="merge"),
    path("<id:candidate_id>/merge/undo/", views_merge.candidate_merge_undo, name="merge_undo"),
    path("<id:candidate_id>/resume/", views.candidate_resume, name="resume"),
    path("<id:candidate_id>/resume/upload/", views.candidate_resume_upload, name="resume_upload"),
    path("<id:candidate_id>/resume/review/", views_resume.resume_review, name="resume_review"),
    path("<id:candidate_id>/documents/", views.document_upload, name="document_upload"),
    path("<id:candidate_id>/documents/<id:document_id>/", views.document_download, name="document"),
    path("<id:candidate_id>/documents/<id:document_id>/review/", views.document_review, name="document_review"),
    path("<id:candidate_id>/projects/", views.project_save, name="project_add"),
    path("<id:candidate_id>/projects/<id:project_id>/", views.project_save, name="project_edit"),
    path("<id:candidate_id>/projects/<id:project_id>/delete/", views.project_delete, name="project_delete"),
    path("<id:candidate_id>/work/", views.work_save, name="work_add"),
    path("<id:candidate_id>/work/<id:work_id>/delete/", views.work_delete, name="work_delete"),
    path("<id:candidate_id>/background/", views.background_check_save, name="background_add"),
    path("<id:candidate_id>/background/<id:check_id>/report/", views.background_report, name="background_report"),
    path("<id:candidate_id>/applications/", views.application_add, name="application_add"),
    path("<id:candidate_id>/applications/<id:application_id>/", views.application_update, name="application_update"),
]
