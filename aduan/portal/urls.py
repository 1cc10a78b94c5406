"""The citizens' and the public's pages (mounted at "/"). Paths are Indonesian; the
secret tracking link `/lacak/<number>/?kunci=<secret>` is sent in e-mails and SMS and must
never change."""

from django.urls import path

from .views import assets, home, lists, reports, submit, support

app_name = "portal"

urlpatterns = [
    path("", home.home, name="home"),
    # Filing a report.
    path("lapor/", submit.report_new, name="report-new"),
    path("lapor/kontak/", submit.contact_start, name="contact-start"),
    path("lapor/kode/", submit.contact_verify, name="contact-verify"),
    path("lapor/ganti-kontak/", submit.contact_reset, name="contact-reset"),
    path("lapor/terkirim/<str:tracking_number>/", submit.report_submitted, name="report-submitted"),
    path("lapor/serupa/", support.similar_fragment, name="report-similar"),
    # Following a report.
    path("lacak/", reports.track, name="track"),
    path("lacak/<str:tracking_number>/", reports.report_detail, name="report-detail"),
    path(
        "lacak/<str:tracking_number>/tambah-informasi/",
        reports.report_add_information,
        name="report-add-information",
    ),
    path("lacak/<str:tracking_number>/balas/", reports.report_reply, name="report-reply"),
    path("lacak/<str:tracking_number>/terima/", reports.report_accept, name="report-accept"),
    path("lacak/<str:tracking_number>/banding/", reports.report_contest, name="report-contest"),
    path("lacak/<str:tracking_number>/nilai/", reports.report_rate, name="report-rate"),
    path("lacak/<str:tracking_number>/cabut/", reports.report_withdraw, name="report-withdraw"),
    # "Saya juga mengalami".
    path("lacak/<str:tracking_number>/dukung/", support.report_support, name="report-support"),
    path(
        "lacak/<str:tracking_number>/dukung/kontak/",
        support.support_contact,
        name="report-support-contact",
    ),
    path("lampiran/<uuid:uuid>/", reports.attachment, name="attachment"),
    # Lists.
    path("laporan/", lists.report_list, name="report-list"),
    path("laporan-saya/", lists.my_reports, name="my-reports"),
    # Small endpoints for the form's JavaScript.
    path("wilayah/<str:code>/anak.json", assets.region_children, name="region-children"),
    path("aset/leaflet/<path:name>", assets.leaflet_asset, name="leaflet-asset"),
]
