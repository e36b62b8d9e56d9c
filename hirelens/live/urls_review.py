"""The review's URLs, included from ``live/urls.py`` (``path("", include("hirelens.live.urls_review"))``)."""

from django.urls import path

from . import views_review

urlpatterns = [
    path("rooms/<id:room_id>/recording/", views_review.room_recording, name="room_recording"),
]
