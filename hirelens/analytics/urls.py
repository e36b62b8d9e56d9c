from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", views.index, name="index"),
    path("export.xlsx", views.export_xlsx, name="export"),
    path("export.pdf", views.export_pdf, name="export_pdf"),
]
