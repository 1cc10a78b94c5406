from django.urls import path

from . import views

app_name = "workspace"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("massal/", views.bulk, name="bulk"),
    path("laporan-baru/", views.report_new, name="report-new"),
    path("laporan-baru/selesai/", views.report_new_done, name="report-new-done"),
    path("laporan/<str:tracking_number>/", views.report_detail, name="report"),
    path(
        "laporan/<str:tracking_number>/identitas/",
        views.report_identity,
        name="report-identity",
    ),
    path(
        "laporan/<str:tracking_number>/tindakan/<slug:action>/",
        views.report_action,
        name="report-action",
    ),
    path(
        "laporan/<str:tracking_number>/lampiran/<uuid:attachment_uuid>/",
        views.attachment,
        name="attachment",
    ),
    path(
        "laporan/<str:tracking_number>/lampiran/<uuid:attachment_uuid>/publikasi/",
        views.attachment_visibility,
        name="attachment-visibility",
    ),
]
