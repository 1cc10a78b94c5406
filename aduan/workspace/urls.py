from django.urls import path

from . import grouping, views

app_name = "workspace"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("jumlah-antrean/", views.tab_counts, name="tab-counts"),
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
        "laporan/<str:tracking_number>/klaster/hubungkan/",
        grouping.report_link,
        name="report-link",
    ),
    path(
        "laporan/<str:tracking_number>/klaster/gabungkan/",
        grouping.report_merge,
        name="report-merge",
    ),
    path(
        "laporan/<str:tracking_number>/klaster/keluarkan/",
        grouping.report_split,
        name="report-split",
    ),
    path(
        "laporan/<str:tracking_number>/klaster/batal-gabung/",
        grouping.report_unmerge,
        name="report-unmerge",
    ),
    path(
        "laporan/<str:tracking_number>/klaster/abaikan-saran/",
        grouping.report_dismiss,
        name="report-dismiss",
    ),
    path("klaster/<uuid:cluster_uuid>/", grouping.cluster_detail, name="cluster"),
    path("kampanye/", grouping.campaigns, name="campaigns"),
    path("kampanye/<uuid:campaign_uuid>/", grouping.campaign_detail, name="campaign"),
    path(
        "kampanye/<uuid:campaign_uuid>/jawab/",
        grouping.campaign_answer,
        name="campaign-answer",
    ),
    path(
        "kampanye/<uuid:campaign_uuid>/lepas/<str:tracking_number>/",
        grouping.campaign_detach,
        name="campaign-detach",
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
