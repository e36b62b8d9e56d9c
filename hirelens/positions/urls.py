from django.urls import path

from . import views

app_name = "positions"

urlpatterns = [
    path("", views.position_index, name="index"),
    path("new/", views.position_new, name="new"),
    path("<int:position_id>/", views.position_detail, name="detail"),
    path("<int:position_id>/edit/", views.position_edit, name="edit"),
    path("<int:position_id>/assign/", views.position_assign, name="assign"),
    path("<int:position_id>/assignments/<int:assignment_id>/remove/", views.position_unassign, name="unassign"),
]
