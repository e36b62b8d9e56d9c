import importlib.util

from django.urls import include, path

from . import views

app_name = "live"

urlpatterns = [
    path("interview/<int:interview_id>/", views.interview_room, name="interview_room"),
    path("join/<str:token>/", views.candidate_join, name="join"),
    path("<int:room_id>/", views.room_page, name="room"),
    path("<int:room_id>/consent/", views.candidate_consent, name="consent"),
]

# the incidents and review parts' pages (their own url modules), included once they are there
for _module in ("hirelens.live.urls_incidents", "hirelens.live.urls_review"):
    if importlib.util.find_spec(_module) is not None:
        urlpatterns.append(path("", include(_module)))
