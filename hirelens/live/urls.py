from django.urls import include, path

from . import views

app_name = "live"

urlpatterns = [
    path("interview/<id:interview_id>/", views.interview_room, name="interview_room"),
    path("join/<str:token>/", views.candidate_join, name="join"),
    path("<id:room_id>/", views.room_page, name="room"),
    path("<id:room_id>/consent/", views.candidate_consent, name="consent"),
    path("", include("hirelens.live.urls_incidents")),
    path("", include("hirelens.live.urls_review")),
]
