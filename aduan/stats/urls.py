from django.urls import path

from aduan.audit.views import latest as audit_checkpoint

from .views import dashboard, exports, monthly, opendata, public

app_name = "stats"
urlpatterns = [
    path("", public.statistics, name="public"),
    path("data-terbuka/", opendata.open_data, name="open-data"),
    path("data-terbuka/laporan.csv", opendata.open_data_csv, name="open-data-csv"),
    path("data-terbuka/laporan.json", opendata.open_data_json, name="open-data-json"),
    # The newest signed digest of the whole history: anyone may keep a copy.
    path("rantai-audit.json", audit_checkpoint, name="audit-checkpoint"),
    path("dasbor/", dashboard.dashboard, name="dashboard"),
    path("dasbor/ekspor.csv", exports.export_csv, name="export-csv"),
    path("dasbor/ekspor.xlsx", exports.export_xlsx, name="export-xlsx"),
    path("dasbor/laporan-bulanan.pdf", monthly.monthly_report, name="monthly-report"),
]
