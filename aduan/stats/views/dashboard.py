"""Staff and supervisor dashboards: the public figures for the viewer's scope (confidential
reports included), the workload per unit, overdue and escalated queues, and incoming vs
closed. Scope follows `visible_reports`: a national admin sees everything, an agency admin
its agency, a unit officer its unit, a supervisor its region."""

import datetime as dt
import uuid
from dataclasses import dataclass, field
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import QueryDict
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override
from django.views.decorators.http import require_GET

from aduan.accounts.models import Role
from aduan.agencies.models import Agency, AgencyKind
from aduan.regions.models import Region
from aduan.reports import queues as report_queues
from aduan.reports.access import visible_reports
from aduan.reports.models import OPEN_STATUSES, Status

from .. import charts, fragments
from ..contributions import STATS_TIME_ZONE
from ..pages import StatsData, as_of_label, load, period_label, present, wants_units
from ..params import BadParameter, parse_category, parse_period, parse_region
from ..queries import Selection, daily_flow, flow_q, workload
from ..scope import StaffScope, staff_scope
from .common import link_builder, parse_sort, sort_headers
from .public import (
    CACHE_SECONDS,
    PAGE_PARAMETERS,
    TABLE_ROWS,
    cache_key,
    category_option_tags,
    page_fragments,
    rendered_key,
)

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
        raise BadParameter("instansi", gettext_lazy("Instansi tidak dikenal."))
    return agency


def scoped_region(region: Region | None, user, scope: StaffScope) -> Region | None:
    """The region the dashboard shows: a supervisor's scope unless one of its parts is
    asked for. A region above the scope (or none) means the whole scope; one beside it is
    refused, since it would show nothing."""
    if not scope.region:
        return region
    home = user.scope_region
    if region is None or region.contains(home):
        return home
    if not home.contains(region):
        raise BadParameter("wilayah", gettext_lazy("Wilayah ini di luar wilayah pengawasan Anda."))
    return region


def selection_for(request, scope: StaffScope) -> tuple[Selection, dict]:
    """The dashboard's selection from the query, within the viewer's scope."""
    start, end = parse_period(request.GET)
    region = scoped_region(parse_region(request.GET), request.user, scope)
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
    """The first reports of the overdue and escalated queues (reports/queues.py: past their
    deadline; escalated to the national admins and supervisors), from the reports table
    through indexed columns, limited."""
    visible = visible_reports(user)
    fields = ("agency", "unit")
    overdue = list(
        visible.filter(report_queues.overdue_q(timezone.now()))
        .select_related(*fields)
        .order_by("next_due_at", "pk")[:QUEUE_LENGTH]
    )
    escalated = list(
        visible.filter(report_queues.escalated_q())
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


def trend(days: list[tuple[dt.date, int, int]]) -> charts.Chart:
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
        return list(qs.prefetch_related("jurisdiction").order_by("name"))
    return []


def default_report_agency(user, scope: StaffScope, agencies: list[Agency]) -> Agency | None:
    """The agency chosen beforehand in the monthly report's list: the viewer's own
    (a supervisor attached to an inspectorate: its government), else, for a supervisor of
    a region, the government of that region (the widest jurisdiction within it: the
    province's government for a province), else the first."""
    if not agencies:
        return None
    if user.agency_id:
        own = user.agency.government
        if own in agencies:
            return own
    if scope.region:

        def breadth(agency: Agency) -> tuple:
            codes = [r.code for r in agency.jurisdiction.all() if r.code.startswith(scope.region)]
            return (min((len(c) for c in codes), default=99), agency.name)

        return min(agencies, key=breadth)
    return agencies[0]


# The parameters the dashboard reads: only a query made of these has its rendered
# figures cached (as on the public page, nobody can add cache entries at will).
DASHBOARD_PARAMETERS = PAGE_PARAMETERS | {"instansi"}


@dataclass
class DashboardData:
    """The dashboard's aggregate parts for one scope and selection, as plain data: the
    period figures, the current workload per unit and the 90-day trend. Cached for
    CACHE_SECONDS under `data_key`; the queues are not in it (they stay live)."""

    stats: StatsData
    workload: list[dict]
    names: dict[int, str]
    trend: list[tuple[dt.date, int, int]]
    units: bool
    computed_at: dt.datetime = field(default_factory=timezone.now)


def scope_identity(scope: StaffScope) -> tuple:
    """Everything that decides which rows a scope reads: its role, agency, unit and
    region, and the filters themselves (an agency admin's also depend on its
    jurisdiction). Two scopes that differ in any of these never share a cache entry."""
    return (
        str(scope.role),  # the value, whether a `Role` member or the user's stored string
        scope.agency_id,
        scope.unit_id,
        scope.region,
        str(scope.cube),
        str(scope.flow),
    )


def data_key(scope: StaffScope, sel: Selection, *, units: bool) -> str:
    return cache_key(
        "dashboard",
        scope_identity(scope),
        sel.start,
        sel.end,
        sel.region,
        sel.category_ids,
        sel.agency_id,
        sel.unit_id,
        units,
    )


def trend_days(sel: Selection) -> list[tuple[dt.date, int, int]]:
    today = timezone.now().astimezone(STATS_TIME_ZONE).date()
    start = today - dt.timedelta(days=TREND_DAYS - 1)
    return daily_flow(flow_q(sel), start, today)


def load_dashboard(sel: Selection, *, units: bool) -> DashboardData:
    """The dashboard's aggregates, read from the aggregate tables."""
    data = load(sel, units=units)
    load_rows = workload(sel, units=units)
    names = {pk: info["name"] for pk, info in data.agencies.items()}
    missing = {r["agency_id"] for r in load_rows} | {r["unit_id"] for r in load_rows}
    missing -= set(names) | {0}
    if missing:
        names.update(dict(Agency.objects.filter(pk__in=missing).values_list("pk", "name")))
    return DashboardData(data, load_rows, names, trend_days(sel), units)


def cached_dashboard(
    scope: StaffScope, sel: Selection, *, units: bool
) -> tuple[str, DashboardData]:
    key = data_key(scope, sel, units=units)
    data = cache.get(key)
    if data is None:
        data = load_dashboard(sel, units=units)
        cache.set(key, data, CACHE_SECONDS)
    return key, data


def content_key(key: str, data: DashboardData, query: QueryDict) -> str | None:
    """Where the rendered figures for this data, query and the active language are
    cached; None for queries with parameters the dashboard does not read."""
    return rendered_key(key, data.stats.version, query, DASHBOARD_PARAMETERS)


def dashboard_content(data: DashboardData, query: QueryDict, *, root: str = "") -> dict:
    """The dashboard's aggregate parts rendered for one query in the active language:
    `fragments` (HTML) and the small values the page shows around them, plus `stats`,
    `workload` and `trend` (not cached; read by tests through the response context)."""
    sort, descending = parse_sort(query)
    show_all = query.get("semua") == "1"
    link = link_builder(query)
    show_all_link = link(semua="1") + "#kinerja"
    stats = present(
        data.stats,
        link=link,
        sort=sort,
        descending=descending,
        slug_prefix="dash",
        limit=None if show_all else TABLE_ROWS,
        root=root,
    )
    workload_rows = workload_table(data.workload, data.names)
    workload_shown = workload_rows[: None if show_all else TABLE_ROWS]
    trend_chart = trend(data.trend)
    page = page_fragments(
        stats,
        headers=sort_headers(query, sort, descending, anchor="#kinerja"),
        show_all_link=show_all_link,
        chart_list=[trend_chart, *(stats.charts[name] for name in DASHBOARD_CHARTS)],
    )
    page["workload"] = fragments.workload(
        workload_shown,
        total=len(workload_rows),
        open_columns=[Status(s).label for s in OPEN_COLUMNS],
        show_all_link=show_all_link,
    )
    return {
        "fragments": page,
        "category_name": stats.category_name,
        "stats": stats,
        "workload": workload_shown,
        "trend": trend_chart,
    }


CACHED_CONTENT = ("fragments", "category_name")


def rendered_dashboard(key: str, data: DashboardData, query: QueryDict, *, root: str = "") -> dict:
    """`dashboard_content`, from the cache when this data was rendered for the same query
    and language in the last minute. On a cached hit `stats`, `workload` and `trend` are
    computed only if read."""
    html_key = content_key(key, data, query)
    cached = cache.get(html_key) if html_key else None
    if cached is not None:
        built: list[dict] = []

        def part(name: str):
            def compute():
                if not built:
                    built.append(dashboard_content(data, query, root=root))
                return built[0][name]

            return SimpleLazyObject(compute)

        return {
            **cached,
            "stats": part("stats"),
            "workload": part("workload"),
            "trend": part("trend"),
        }
    content = dashboard_content(data, query, root=root)
    if html_key:
        cache.set(html_key, {name: content[name] for name in CACHED_CONTENT}, CACHE_SECONDS)
    return content


def warm_default_dashboards(*, seconds: int) -> list[str]:
    """Load the national dashboards' default view (the last twelve months, no filter) for
    the national admin and the nationwide supervisor into the cache for `seconds`, with
    their rendered figures in Indonesian and English: the worker calls this every minute
    (`tasks.warm_staff_dashboards`). Both scopes read the same rows, so the data is read
    once, but each is stored under its own scope's key. Returns the data keys."""
    start, end = parse_period({})
    keys = []
    data = None
    empty = QueryDict()
    for role in (Role.NATIONAL_ADMIN, Role.SUPERVISOR):
        scope = StaffScope(role, Q(), Q())
        sel = Selection(scope=scope.cube, flow_scope=scope.flow, start=start, end=end)
        units = wants_units(sel) or not scope.is_national
        if data is None or data.units != units:
            data = load_dashboard(sel, units=units)
        key = data_key(scope, sel, units=units)
        cache.set(key, data, seconds)
        for language in ("id", "en"):
            with override(language):
                content = dashboard_content(data, empty)
                html_key = content_key(key, data, empty)
                cache.set(html_key, {n: content[n] for n in CACHED_CONTENT}, seconds)
        keys.append(key)
    return keys


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
    units = wants_units(sel) or not scope.is_national
    # The period figures, workload and trend: at most CACHE_SECONDS old, per scope.
    key, data = cached_dashboard(scope, sel, units=units)
    content = rendered_dashboard(key, data, request.GET, root=scope.region)
    # The queues are what staff act on: always live, from the reports table.
    queue_reports = queues(user)
    page = dict(content["fragments"])
    page["overdue_queue"] = fragments.queue(
        queue_reports["overdue"], empty_text=_("Tidak ada laporan terlambat."), length=QUEUE_LENGTH
    )
    page["escalated_queue"] = fragments.queue(
        queue_reports["escalated"],
        empty_text=_("Tidak ada laporan yang dieskalasi."),
        length=QUEUE_LENGTH,
    )
    report_agencies = monthly_report_agencies(user, scope)
    page["report_agencies"] = fragments.agency_options(
        report_agencies, default_report_agency(user, scope, report_agencies)
    )
    this_month = timezone.now().astimezone(STATS_TIME_ZONE).date().replace(day=1)
    previous_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    context.update(
        {
            **content,
            "fragments": page,
            "period": period_label(sel.start, sel.end),
            "start": sel.start,
            "end": sel.end,
            **chosen,
            # WIB, as the rest of the statistics, whatever the site's time zone.
            "computed_at": data.computed_at.astimezone(STATS_TIME_ZONE).strftime("%H:%M"),
            "as_of": as_of_label(data.stats),
            "queues": queue_reports,
            "status_choices": Status.choices,
            "report_agencies": report_agencies,
            "report_month": previous_month,
        }
    )
    return render(request, "stats/dashboard.html", context)
