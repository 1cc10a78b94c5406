"""The citizens' and the public's pages (mounted at "/"). Paths are Indonesian; the
secret tracking link `/lacak/<number>/?kunci=<secret>` is sent in e-mails and SMS and must
never change."""

from django.urls import path

from .views import app, assets, home, lists, maps, recovery, reports, submit, support

app_name = "portal"

urlpatterns = [
    path("", home.home, name="home"),
    # Filing a report.
    path("lapor/", submit.report_new, name="report-new"),
    path("lapor/kontak/", submit.contact_start, name="contact-start"),
    path("lapor/kode/", submit.contact_verify, name="contact-verify"),
    path("lapor/ganti-kontak/", submit.contact_reset, name="contact-reset"),
    path("lapor/antrean/", submit.report_queue, name="report-queue"),
    path("lapor/terkirim/<str:tracking_number>/", submit.report_submitted, name="report-submitted"),
    path("lapor/serupa/", support.similar_fragment, name="report-similar"),
    # Following a report.
    path("lacak/", reports.track, name="track"),
    # A lost secret link, sent again to the contact on file (never shown).
    path("lacak/kirim-ulang/", recovery.resend_link, name="track-resend"),
    path("lacak/kirim-ulang/terkirim/", recovery.resend_link_sent, name="resend-link-sent"),
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
    path(
        "lacak/<str:tracking_number>/kabar/",
        reports.report_reply_channel,
        name="report-reply-channel",
    ),
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
    path("peta/", maps.report_map, name="report-map"),
    path("peta/data.json", maps.map_data, name="report-map-data"),
    # "My reports" without an account: a contact proved with a code.
    path("laporan-saya/kontak/", recovery.my_reports_contact, name="my-reports-contact"),
    path("laporan-saya/kode/", recovery.my_reports_code, name="my-reports-code"),
    path("laporan-saya/selesai/", recovery.my_reports_end, name="my-reports-end"),
    # Small endpoints for the form's JavaScript.
    path("wilayah/<str:code>/anak.json", assets.region_children, name="region-children"),
    path("wilayah/<str:code>/letak.json", maps.region_extent_json, name="region-extent"),
    path("wilayah/dari-titik.json", maps.region_from_point, name="region-from-point"),
    path("aset/<str:package>/<path:name>", assets.npm_asset, name="npm-asset"),
    # The report form as an installable app that works without signal.
    path("sw.js", app.service_worker, name="service-worker"),
    path("manifest.webmanifest", app.manifest, name="manifest"),
    path("luring/", app.offline, name="offline"),
]
