from django.urls import path

from . import views

app_name = "candidates"

urlpatterns = [
    path("", views.candidate_index, name="index"),
    path("<int:candidate_id>/", views.candidate_detail, name="detail"),
    path("<int:candidate_id>/resume/", views.candidate_resume, name="resume"),
]
