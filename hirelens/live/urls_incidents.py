"""Incident endpoints of the interviewers' room (included by ``hirelens/live/urls.py``)."""

from django.urls import path

from . import views_incidents as views

urlpatterns = [
    path("rooms/<id:room_id>/incidents/", views.incidents_state, name="incidents"),
    path("rooms/<id:room_id>/incidents/voice-only/", views.voice_only_switch, name="incident_voice_only"),
    path("rooms/<id:room_id>/incidents/<slug:kind>/", views.incident_report, name="incident_report"),
]
