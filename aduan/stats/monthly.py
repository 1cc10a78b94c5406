"""The monthly report per agency, "Laporan Bulanan Pengelolaan Pengaduan": the month's
figures, the same SVG charts as the dashboards, the performance of each unit and the list
of reports overdue now, as a PDF ready to send to the regent.

Rendered with WeasyPrint (HTML and CSS to PDF, no browser). It needs the Pango and
HarfBuzz system libraries (Debian: libpango-1.0-0, libpangoft2-1.0-0, libharfbuzz-subset0)
and at least one font (fonts-dejavu-core or fonts-noto-core).
"""

import datetime as dt

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from aduan.accounts.models import Role
from aduan.agencies.models import Agency, AgencyKind
from aduan.reports.models import OPEN_STATUSES, Report

from . import charts
from .contributions import STATS_TIME_ZONE
from .pages import load, period_label, present, sort_rows
from .params import add_months
from .queries import Selection, daily_flow, overview, workload

OVERDUE_LIST_LIMIT = 500


def may_download(user, agency: Agency) -> bool:
    """Who may read an agency's monthly report: the national admins, the agency's own
    admins, and supervisors whose region covers the agency's jurisdiction."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if agency.kind == AgencyKind.UNIT:
        return False
    if user.role == Role.NATIONAL_ADMIN:
        return True
    if user.role == Role.AGENCY_ADMIN:
        return user.agency_id == agency.pk
    if user.role == Role.SUPERVISOR:
        if not user.scope_region_id:
            return True
        codes = agency.jurisdiction_codes()
        scope = user.scope_region_id
        return bool(codes) and all(c == scope or c.startswith(scope + ".") for c in codes)
    return False


def context(agency: Agency, month: dt.date) -> dict:
    scope = Q(agency_id=agency.pk)
    sel = Selection(scope=scope, flow_scope=scope, start=month, end=month)
    data = load(sel, units=True)
    stats = present(data, slug_prefix="pdf", sort="laporan")
    stats.units = sort_rows(stats.units, "laporan", True)

    # Twelve months up to this one, for the trend.
    year = Selection(scope=scope, start=add_months(month, -11), end=month)
    per_month = {key[0]: f.reports for key, f in overview(year, ("month",)).by["month"]}
    months = [add_months(month, -i) for i in range(11, -1, -1)]
    trend = charts.columns(
        "pdf-year",
        _("Laporan masuk, 12 bulan terakhir"),
        [(date_format(m, "M y"), per_month.get(m, 0)) for m in months],
        column=_("Laporan"),
        label_column=_("Bulan"),
    )
    last_day = add_months(month, 1) - dt.timedelta(days=1)
    days = daily_flow(Q(agency_id=agency.pk), month, last_day)
    flow = charts.lines(
        "pdf-flow",
        _("Laporan masuk dan selesai per hari"),
        [str(day.day) for day, _r, _c in days],
        [
            (_("Masuk"), [r for _d, r, _c in days]),
            (_("Selesai"), [c for _d, _r, c in days]),
        ],
        label_column=_("Tanggal"),
    )
    received = sum(r for _d, r, _c in days)
    closed = sum(c for _d, _r, c in days)

    overdue = list(
        Report.objects.filter(agency=agency, is_overdue=True, status__in=OPEN_STATUSES)
        .select_related("unit", "category", "region")
        .order_by("next_due_at", "pk")[: OVERDUE_LIST_LIMIT + 1]
    )
    open_rows = workload(Selection(scope=scope))
    open_now = sum(row["reports"] for row in open_rows)
    overdue_now = sum(row["overdue"] or 0 for row in open_rows)
    return {
        "agency": agency,
        "month": month,
        "period": period_label(month, month),
        "stats": stats,
        "trend": trend,
        "flow": flow,
        "received_in_month": received,
        "closed_in_month": closed,
        "open_now": open_now,
        "overdue_now": overdue_now,
        "overdue": overdue[:OVERDUE_LIST_LIMIT],
        "overdue_truncated": len(overdue) > OVERDUE_LIST_LIMIT,
        "generated_at": timezone.now().astimezone(STATS_TIME_ZONE),
        "data": data,
    }


def render_html(agency: Agency, month: dt.date) -> str:
    return render_to_string("stats/monthly_report.html", context(agency, month))


def render_pdf(agency: Agency, month: dt.date) -> bytes:
    from weasyprint import HTML

    html = render_html(agency, month)
    return HTML(string=html).write_pdf()


def filename(agency: Agency, month: dt.date) -> str:
    name = "".join(ch if ch.isalnum() else "-" for ch in (agency.short_name or agency.name))
    name = "-".join(part for part in name.lower().split("-") if part)[:60]
    return f"laporan-bulanan-{name}-{month:%Y-%m}.pdf"
