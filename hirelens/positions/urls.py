from django.urls import path

from . import views

app_name = "positions"

urlpatterns = [
    path("", views.position_index, name="index"),
    path("new/", views.position_new, name="new"),
    path("<id:position_id>/", views.position_detail, name="detail"),
    path("<id:position_id>/edit/", views.position_edit, name="edit"),
    path("<id:position_id>/assign/", views.position_assign, name="assign"),
    path("<id:position_id>/assignments/<id:assignment_id>/remove/", views.position_unassign, name="unassign"),
]
