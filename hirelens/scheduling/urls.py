from django.urls import path

from . import views

app_name = "scheduling"

urlpatterns = [
    path("availability/", views.availability, name="availability"),
    path("position/<id:position_id>/", views.position_schedule, name="position"),
    path("position/<id:position_id>/slots/new/", views.slot_new, name="slot_new"),
    path("position/<id:position_id>/interviews/new/", views.interview_new, name="interview_new"),
    path("slots/<id:slot_id>/cancel/", views.slot_cancel, name="slot_cancel"),
    path("position/<id:position_id>/booking-link/", views.booking_link, name="booking_link"),
    path("interviews/", views.interview_index, name="interviews"),
    path("interviews/<id:interview_id>/", views.interview_detail, name="interview"),
    path("interviews/<id:interview_id>/links/", views.interview_links, name="interview_links"),
    path("interviews/<id:interview_id>/links/<id:link_id>/revoke/", views.interview_link_revoke, name="link_revoke"),
    path("interviews/<id:interview_id>/reschedule/", views.interview_reschedule, name="reschedule"),
    path("interviews/<id:interview_id>/cancel/", views.interview_cancel, name="cancel"),
    path("interviews/<id:interview_id>/calendar.ics", views.interview_calendar, name="calendar"),
    path("l/<str:token>/", views.link_page, name="link"),
    path("l/<str:token>/calendar.ics", views.link_calendar, name="link_calendar"),
]
