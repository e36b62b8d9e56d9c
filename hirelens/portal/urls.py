from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("staff/<id:candidate_id>/links/", views.link_create, name="link_create"),
    path("staff/links/<id:link_id>/revoke/", views.link_revoke, name="link_revoke"),
    path("<str:token>/", views.portal_home, name="home"),
    path("<str:token>/profile/", views.portal_profile, name="profile"),
    path("<str:token>/applications/<id:application_id>/book/", views.portal_book, name="book"),
    path("<str:token>/interviews/<id:interview_id>/open/", views.portal_interview_open, name="interview_open"),
    path("<str:token>/projects/", views.portal_project, name="project_add"),
    path("<str:token>/projects/<id:project_id>/", views.portal_project, name="project_edit"),
    path("<str:token>/projects/<id:project_id>/delete/", views.portal_project_delete, name="project_delete"),
    path("<str:token>/documents/", views.portal_document, name="document"),
    path("<str:token>/resume/", views.portal_resume, name="resume"),
]
