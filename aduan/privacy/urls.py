from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.home, name="home"),
    path("unduh.json", views.download_json, name="download-json"),
    path("unduh.zip", views.download_zip, name="download-zip"),
    path("hapus/", views.erase, name="erase"),
    path("admin/", views.admin_home, name="admin-home"),
    path("admin/pelapor/<uuid:reporter_uuid>/", views.admin_person, name="admin-person"),
]
