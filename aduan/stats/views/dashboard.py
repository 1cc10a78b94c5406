"""Staff and supervisor dashboards: the public figures for the viewer's scope (confidential
reports included), the workload per unit, overdue and escalated queues, and incoming vs
closed. Scope follows `visible_reports`: a national admin sees everything, an agency admin
its agency, a unit officer its unit, a supervisor its region."""

import datetime as dt
import uuid
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from aduan.accounts.models import Role
from aduan.agencies.models import Agency, AgencyKind
from aduan.reports.access import visible_reports
from aduan.reports.models import OPEN_STATUSES, Status

from .. import charts, fragments
from ..contributions import STATS_TIME_ZONE
from ..pages import load, period_label, present, wants_units
from ..params import BadParameter, parse_category, parse_period, parse_region
from ..queries import Selection, daily_flow, flow_q, workload
from ..scope import StaffScope, staff_scope
from .common import link_builder, parse_sort, sort_headers
from .public import TABLE_ROWS, category_option_tags, page_fragments

QUEUE_LENGTH = 20
# The charts under the trend, in this order.
DASHBOARD_CHARTS = ("month", "status", "category", "region", "type")
TREND_DAYS = 90


def staff_only(view):
    """Signed-in staff only (others are sent to log in, citizens get 403); the view gets
    the viewer's scope."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        scope = staff_scope(request.user)
        if scope is None:
            raise PermissionDenied("Halaman ini khusus petugas. / This page is for staff only.")
        return view(request, scope, *args, **kwargs)

    return wrapped


def scope_label(user, scope: StaffScope) -> str:
    if scope.role == Role.NATIONAL_ADMIN:
        return _("Nasional")
    if scope.agency_id or scope.unit_id:
        return str(user.agency.name)
    if scope.region:
        return user.scope_region.name
    return _("Nasional")


def parse_agency(data, scope: StaffScope) -> Agency | None:
    """The `instansi` filter: an agency or a unit by UUID. Only narrows the viewer's scope,
    so naming an agency outside it shows nothing rather than anything extra."""
    value = (data.get("instansi") or "").strip()
    if not value:
        return None
    try:
        key = uuid.UUID(value)
    except ValueError:
        key = None
    agency = Agency.objects.filter(uuid=key).first() if key else None
    if agency is None:
        raise BadParameter("instansi", "Instansi tidak dikenal.", "Unknown agency.")
    return agency


def selection_for(request, scope: StaffScope) -> tuple[Selection, dict]:
    """The dashboard's selection from the query, within the viewer's scope."""
    start, end = parse_period(request.GET)
    region = parse_region(request.GET)
    category = parse_category(request.GET)
    agency = parse_agency(request.GET, scope)
    sel = Selection(
        scope=scope.cube,
        flow_scope=scope.flow,
        start=start,
        end=end,
        region=region.code if region else "",
        category_ids=category.ids,
    )
    if agency is not None:
        if agency.kind == AgencyKind.UNIT:
            sel.unit_id = agency.pk
        else:
            sel.agency_id = agency.pk
    return sel, {"region": region, "category": category.category, "agency": agency}


def report_link(tracking_number: str) -> str:
    try:
        return reverse("workspace:report", args=[tracking_number])
    except NoReverseMatch:  # the workspace is not installed on this node
        return ""


def queues(user) -> dict[str, list]:
    """The first reports of the overdue and escalated queues (from the reports table,
    through indexed columns, limited)."""
    visible = visible_reports(user).filter(status__in=OPEN_STATUSES)
    fields = ("agency", "unit")
    overdue = list(
        # An overdue report always has a deadline (is_overdue means next_due_at < now);
        # saying so lets the partial index on open deadlines serve the ordered queue
        # instead of a scan of every overdue report.
        visible.filter(is_overdue=True, next_due_at__isnull=False)
        .select_related(*fields)
        .order_by("next_due_at", "pk")[:QUEUE_LENGTH]
    )
    escalated = list(
        visible.filter(is_escalated=True)
        .select_related(*fields)
        .order_by("-escalation_level", "next_due_at", "pk")[:QUEUE_LENGTH]
    )
    for report in overdue + escalated:
        report.workspace_url = report_link(report.tracking_number)
    return {"overdue": overdue, "escalated": escalated}


OPEN_COLUMNS = [s for s in Status if s in OPEN_STATUSES]


def workload_table(rows: list[dict], agencies: dict[int, str]) -> list[dict]:
    """One row per unit (or per agency for reports not yet forwarded to a unit)."""
    table: dict[tuple[int, int], dict] = {}
    for row in rows:
        key = (row["agency_id"], row["unit_id"])
        entry = table.setdefault(
            key,
            {
                "name": agencies.get(row["unit_id"] or row["agency_id"])
                or _("Belum didisposisikan"),
                "parent": agencies.get(row["agency_id"], "") if row["unit_id"] else "",
                "counts": dict.fromkeys(OPEN_COLUMNS, 0),
                "total": 0,
                "overdue": 0,
            },
        )
        entry["counts"][row["status"]] += row["reports"]
        entry["total"] += row["reports"]
        entry["overdue"] += row["overdue"] or 0
    for entry in table.values():
        entry["cells"] = [entry["counts"][s] for s in OPEN_COLUMNS]
    return sorted(table.values(), key=lambda e: (-e["overdue"], -e["total"], e["name"]))


def trend(sel: Selection) -> charts.Chart:
    today = timezone.now().astimezone(STATS_TIME_ZONE).date()
    start = today - dt.timedelta(days=TREND_DAYS - 1)
    days = daily_flow(flow_q(sel), start, today)
    return charts.lines(
        "dash-trend",
        _("Laporan masuk dan selesai per hari (%(days)s hari terakhir)") % {"days": TREND_DAYS},
        [date_format(day, "j M") for day, _r, _c in days],
        [
            (_("Masuk"), [received for _d, received, _c in days]),
            (_("Selesai"), [closed for _d, _r, closed in days]),
        ],
        label_column=_("Tanggal"),
    )


def monthly_report_agencies(user, scope: StaffScope) -> list[Agency]:
    """Agencies whose monthly report the viewer may download."""
    if scope.role == Role.AGENCY_ADMIN:
        return [user.agency]
    if scope.role in (Role.NATIONAL_ADMIN, Role.SUPERVISOR):
        qs = Agency.objects.exclude(kind=AgencyKind.UNIT).filter(is_active=True)
        if scope.region:
            qs = qs.filter(jurisdiction__code__startswith=scope.region).distinct()
        return list(qs.order_by("name"))
    return []


@require_GET
@staff_only
def dashboard(request, scope: StaffScope):
    user = request.user
    context = {
        "form": request.GET,
        "category_option_tags": category_option_tags(request.GET.get("kategori", "")),
        "scope_label": scope_label(user, scope),
        "scope": scope,
    }
    try:
        sel, chosen = selection_for(request, scope)
    except BadParameter as error:
        context["error"] = error
        return render(request, "stats/dashboard.html", context, status=400)
    sort, descending = parse_sort(request.GET)
    units = wants_units(sel) or not scope.is_national
    data = load(sel, units=units)
    show_all = request.GET.get("semua") == "1"
    link = link_builder(request.GET)
    show_all_link = link(semua="1") + "#kinerja"
    stats = present(
        data,
        link=link,
        sort=sort,
        descending=descending,
        slug_prefix="dash",
        limit=None if show_all else TABLE_ROWS,
    )
    load_rows = workload(sel, units=units)
    names = {pk: info["name"] for pk, info in data.agencies.items()}
    missing = {r["agency_id"] for r in load_rows} | {r["unit_id"] for r in load_rows}
    missing -= set(names) | {0}
    if missing:
        names.update(dict(Agency.objects.filter(pk__in=missing).values_list("pk", "name")))
    workload_rows = workload_table(load_rows, names)
    this_month = timezone.now().astimezone(STATS_TIME_ZONE).date().replace(day=1)
    previous_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    workload_shown = workload_rows[: None if show_all else TABLE_ROWS]
    open_columns = [Status(s).label for s in OPEN_COLUMNS]
    headers = sort_headers(request.GET, sort, descending, anchor="#kinerja")
    trend_chart = trend(sel)
    page = page_fragments(
        stats,
        headers=headers,
        show_all_link=show_all_link,
        chart_list=[trend_chart, *(stats.charts[name] for name in DASHBOARD_CHARTS)],
    )
    page["workload"] = fragments.workload(
        workload_shown,
        total=len(workload_rows),
        open_columns=open_columns,
        show_all_link=show_all_link,
    )
    queue_reports = queues(user)
    page["overdue_queue"] = fragments.queue(
        queue_reports["overdue"], empty_text=_("Tidak ada laporan terlambat."), length=QUEUE_LENGTH
    )
    page["escalated_queue"] = fragments.queue(
        queue_reports["escalated"],
        empty_text=_("Tidak ada laporan yang dieskalasi."),
        length=QUEUE_LENGTH,
    )
    report_agencies = monthly_report_agencies(user, scope)
    page["report_agencies"] = fragments.agency_options(report_agencies)
    context.update(
        {
            "stats": stats,
            "period": period_label(sel.start, sel.end),
            "start": sel.start,
            "end": sel.end,
            **chosen,
            "fragments": page,
            "workload": workload_shown,
            "workload_total": len(workload_rows),
            "trend": trend_chart,
            "queues": queue_reports,
            "status_choices": Status.choices,
            "report_agencies": report_agencies,
            "report_month": previous_month,
        }
    )
    return render(request, "stats/dashboard.html", context)
