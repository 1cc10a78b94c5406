"""Exports of a filtered report list (CSV and XLSX), streamed with bounded memory.

Privacy: an export carries no personal data at all — no reporter name, NIK, phone or
e-mail, for anonymous and named reports alike, whatever the viewer's role — and no free
text written by the reporter other than the title (which verifiers correct). Rows come
from `visible_reports(user)`, so each role exports exactly what it may read.
"""

import csv
import datetime as dt
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aduan.agencies.models import Agency, AgencyKind
from aduan.core.streaming import chunks
from aduan.reports.access import region_subtree_q, visible_reports
from aduan.reports.models import OPEN_STATUSES, Channel, ReportType, Status

from .contributions import STATS_TIME_ZONE
from .params import BadParameter, parse_category, parse_region

CHUNK = 2000
# An XLSX worksheet holds at most 1,048,576 rows; longer exports continue on a new sheet.
XLSX_ROWS_PER_SHEET = 1_048_575


# Dates outside these years are refused: at the edges of the calendar (0001-01, 9999-12)
# the day after, or midnight WIB in UTC, does not exist, and no report is that old.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _parse_day(value: str, field: str, *, end: bool) -> dt.date:
    value = value.strip()
    try:
        if len(value) == 7:  # a month: its first or last day
            day = dt.date.fromisoformat(value + "-01")
        else:
            day = dt.date.fromisoformat(value)
    except ValueError:
        raise BadParameter(
            field,
            format_lazy(
                gettext_lazy("Tanggal tidak valid: {value} (format TTTT-BB-HH)."),
                value=repr(value[:20]),
            ),
        )
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise BadParameter(
            field,
            format_lazy(
                gettext_lazy("Tanggal di luar jangkauan (tahun {first}–{last})."),
                first=FIRST_YEAR,
                last=LAST_YEAR,
            ),
        )
    if len(value) == 7 and end:
        return (day + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return day


@dataclass
class ExportFilters:
    q: Q
    label: str

    @classmethod
    def parse(cls, data) -> "ExportFilters":
        """The dashboard's filters: status, kategori, wilayah, instansi, dari/sampai
        (YYYY-MM-DD or YYYY-MM, submission date in WIB), terlambat, eskalasi."""
        q = Q()
        parts = []
        statuses = [s for s in data.getlist("status") if s]
        unknown = [s for s in statuses if s not in Status.values]
        if unknown:
            raise BadParameter("status", gettext_lazy("Status tidak dikenal."))
        if statuses:
            q &= Q(status__in=statuses)
            parts.append("-".join(statuses))
        category = parse_category(data)
        if category.ids is not None:
            q &= Q(category_id__in=category.ids)
            parts.append(category.category.slug)
        region = parse_region(data)
        if region is not None:
            q &= region_subtree_q([region.code])
            parts.append(region.code)
        if data.get("instansi"):
            try:
                key = uuid.UUID(data["instansi"].strip())
            except ValueError:
                key = None
            agency = Agency.objects.filter(uuid=key).first() if key else None
            if agency is None:
                raise BadParameter("instansi", gettext_lazy("Instansi tidak dikenal."))
            q &= Q(unit=agency) if agency.kind == AgencyKind.UNIT else Q(agency=agency)
        start = end = None
        if data.get("dari"):
            start = _parse_day(data["dari"], "dari", end=False)
            q &= Q(submitted_at__gte=dt.datetime.combine(start, dt.time.min, STATS_TIME_ZONE))
            parts.append(start.isoformat())
        if data.get("sampai"):
            end = _parse_day(data["sampai"], "sampai", end=True)
            limit = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, STATS_TIME_ZONE)
            q &= Q(submitted_at__lt=limit)
            parts.append(end.isoformat())
        if start and end and start > end:
            raise BadParameter("dari", gettext_lazy("Tanggal awal harus sebelum tanggal akhir."))
        if data.get("terlambat") in ("1", "on", "true", "ya"):
            q &= Q(is_overdue=True, status__in=OPEN_STATUSES)
            parts.append("terlambat")
        if data.get("eskalasi") in ("1", "on", "true", "ya"):
            q &= Q(is_escalated=True)
            parts.append("eskalasi")
        return cls(q, "_".join(parts))


def export_queryset(user, filters: ExportFilters) -> QuerySet:
    return visible_reports(user).filter(filters.q).order_by("pk")


FIELDS = (
    "tracking_number",
    "submitted_at",
    "report_type",
    "channel",
    "title",
    "category__name",
    "category__parent__name",
    "region_id",
    "region__name",
    "agency__name",
    "unit__name",
    "status",
    "is_anonymous",
    "is_confidential",
    "needs_inspection",
    "dispositioned_at",
    "first_response_due_at",
    "first_response_at",
    "completion_due_at",
    "closed_at",
    "is_overdue",
    "escalation_level",
    "rating",
)
DATETIME_FIELDS = {
    "submitted_at",
    "dispositioned_at",
    "first_response_due_at",
    "first_response_at",
    "completion_due_at",
    "closed_at",
}
TEXT_FIELDS = {"title", "category__name", "category__parent__name", "region__name"}


def headers() -> list[str]:
    return [
        _("Nomor laporan"),
        _("Tanggal masuk (WIB)"),
        _("Jenis"),
        _("Kanal"),
        _("Judul"),
        _("Kategori"),
        _("Kategori induk"),
        _("Kode wilayah"),
        _("Wilayah"),
        _("Instansi"),
        _("Unit kerja"),
        _("Status"),
        _("Anonim"),
        _("Rahasia"),
        _("Perlu pemeriksaan"),
        _("Didisposisikan (WIB)"),
        _("Tenggat tindak lanjut pertama (WIB)"),
        _("Tindak lanjut pertama (WIB)"),
        _("Tenggat penyelesaian (WIB)"),
        _("Ditutup (WIB)"),
        _("Terlambat"),
        _("Tingkat eskalasi"),
        _("Penilaian"),
    ]


def neutralise(text: str) -> str:
    """Keep spreadsheet programs from running text as a formula (CSV injection)."""
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def rows(queryset: QuerySet, *, for_xlsx: bool = False) -> Iterator[list]:
    """Export rows, read in chunks from a server-side cursor (PostgreSQL) so memory
    stays flat whatever the number of reports."""
    types, channels, statuses = (
        dict(ReportType.choices),
        dict(Channel.choices),
        dict(Status.choices),
    )
    yes, no = _("ya"), _("tidak")
    for values in chunks(queryset.values_list(*FIELDS), CHUNK):
        row = []
        for name, value in zip(FIELDS, values, strict=True):
            if name in DATETIME_FIELDS:
                if value is None:
                    value = None if for_xlsx else ""
                else:
                    local = value.astimezone(STATS_TIME_ZONE).replace(tzinfo=None)
                    value = local if for_xlsx else local.strftime("%Y-%m-%d %H:%M")
            elif name == "report_type":
                value = str(types.get(value, value))
            elif name == "channel":
                value = str(channels.get(value, value))
            elif name == "status":
                value = str(statuses.get(value, value))
            elif isinstance(value, bool):
                value = yes if value else no
            elif name in TEXT_FIELDS:
                value = neutralise(value or "")
            elif value is None:
                value = "" if not for_xlsx else None
            row.append(value)
        yield row


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(queryset: QuerySet) -> Iterator[str]:
    """The CSV, line by line. The query runs and the first row is read before this
    returns, so a failure there is an error answer, never a file with only its header
    (which would look like an empty export). A failure later cuts the download off
    unfinished, which the browser reports, rather than ending it cleanly."""
    writer = csv.writer(_Echo())
    data = rows(queryset)
    first = next(data, None)

    def lines() -> Iterator[str]:
        # A byte order mark lets spreadsheet programs read the UTF-8 names correctly.
        yield "\ufeff" + writer.writerow(headers())
        if first is not None:
            yield writer.writerow(first)
        for row in data:
            yield writer.writerow(row)

    return lines()


def write_xlsx(queryset: QuerySet):
    """Write the export to an anonymous temporary file (XlsxWriter's constant-memory mode
    flushes every row to disk) and return the file, positioned at its start."""
    import xlsxwriter

    target = tempfile.TemporaryFile()  # noqa: SIM115 - handed to FileResponse, which closes it
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            # Titles are citizens' text: never formulas, links or numbers.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "tmpdir": tempfile.gettempdir(),
        },
    )
    bold = workbook.add_format({"bold": True})
    when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    title = headers()
    datetime_columns = {i for i, name in enumerate(FIELDS) if name in DATETIME_FIELDS}

    def new_sheet(number: int):
        sheet = workbook.add_worksheet(_("Laporan") + (f" {number}" if number > 1 else ""))
        sheet.write_row(0, 0, title, bold)
        sheet.freeze_panes(1, 0)
        return sheet

    sheet_number, sheet, line = 1, new_sheet(1), 1
    for row in rows(queryset, for_xlsx=True):
        if line > XLSX_ROWS_PER_SHEET:
            sheet_number += 1
            sheet, line = new_sheet(sheet_number), 1
        for column, value in enumerate(row):
            if value is None:
                continue
            if column in datetime_columns:
                sheet.write_datetime(line, column, value, when)
            elif isinstance(value, int):
                sheet.write_number(line, column, value)
            else:
                sheet.write_string(line, column, value)
        line += 1
    workbook.close()
    target.seek(0)
    return target
