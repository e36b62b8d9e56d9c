from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("", views.endpoint_list, name="list"),
    path("<id:endpoint_id>/", views.endpoint_detail, name="detail"),
    path("<id:endpoint_id>/rotate/", views.endpoint_rotate, name="rotate"),
    path("<id:endpoint_id>/delete/", views.endpoint_delete, name="delete"),
    path("<id:endpoint_id>/deliveries/<id:delivery_id>/resend/", views.delivery_resend, name="resend"),
]
