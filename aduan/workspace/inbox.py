"""The staff inbox: which work queues (tabs) each role sees, bounded counts, filters and
the SLA badge of each row.

Everything starts from `access.visible_reports(user)` so a queue can never show a report
the user may not read, and every queue filter lands on an indexed column of Report:
(status, -submitted_at), (agency, status, next_due_at), (unit, status, next_due_at) and
the partial index on next_due_at. "Overdue" is `next_due_at < now` (the stored deadline
column the worker keeps up to date), never a scan that recomputes deadlines.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from aduan.accounts.models import Role
from aduan.reports import queues, reference
from aduan.reports.access import visible_reports
from aduan.reports.deadlines import report_timezone, working_days_left
from aduan.reports.models import (
    OPEN_STATUSES,
    Channel,
    Report,
    ReportType,
    Status,
)
from aduan.workdays.calendar import add_working_days

# Counts stop here: "1000+" is as useful to a person as an exact figure, and counting a
# million rows on every page view is not free.
COUNT_LIMIT = 1000
PAGE_SIZE = 25

S = Status


def overdue_q(now: dt.datetime) -> Q:
    return Q(next_due_at__lt=now)


def escalated_q() -> Q:
    """Escalated to the national admins and supervisors: a deadline passed long ago, or
    the reporter appealed the answer (reports/queues.py)."""
    return queues.escalated_q()


def verification_q() -> Q:
    """Not yet disposed: waiting for verification, or on hold before disposition."""
    return Q(agency__isnull=True, status__in=[S.SUBMITTED, S.ON_HOLD])


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    query: Callable[[object, dt.datetime], Q]
    sort: str = "deadline"


def _tabs_for(user) -> list[Tab]:
    role = user.role
    everything = Tab("semua", _("Semua"), lambda u, now: Q(), sort="newest")
    overdue = Tab(
        "terlambat",
        _("Terlambat"),
        lambda u, now: overdue_q(now) & Q(status__in=OPEN_STATUSES),
    )
    if role == Role.NATIONAL_ADMIN:
        return [
            Tab("verifikasi", _("Perlu verifikasi"), lambda u, now: verification_q()),
            Tab(
                "dikembalikan",
                _("Dikembalikan ke nasional"),
                lambda u, now: Q(status=S.RETURNED, returned_to="national"),
            ),
            Tab("eskalasi", _("Eskalasi"), lambda u, now: escalated_q()),
            overdue,
            everything,
        ]
    if role == Role.AGENCY_ADMIN:
        tabs = []
        if user.agency is not None and user.agency.verifies_own_region:
            tabs.append(Tab("verifikasi", _("Perlu verifikasi"), lambda u, now: verification_q()))
        tabs += [
            Tab(
                "perlu-diteruskan",
                _("Perlu diteruskan ke unit"),
                lambda u, now: Q(agency_id=u.agency_id, unit__isnull=True, status=S.DISPOSITIONED),
            ),
            Tab(
                "dikembalikan",
                _("Dikembalikan unit"),
                lambda u, now: Q(agency_id=u.agency_id, status=S.RETURNED, returned_to="agency"),
            ),
            Tab(
                "diproses",
                _("Diproses unit"),
                lambda u, now: (
                    Q(
                        agency_id=u.agency_id,
                        status__in=[S.DISPOSITIONED, S.IN_PROGRESS, S.ON_HOLD, S.RESPONDED],
                    )
                    & ~Q(status=S.DISPOSITIONED, unit__isnull=True)
                ),
            ),
            overdue,
            everything,
        ]
        return tabs
    if role == Role.UNIT_OFFICER:
        return [
            Tab("baru", _("Disposisi baru"), lambda u, now: Q(status=S.DISPOSITIONED)),
            Tab(
                "tugas-saya",
                _("Tugas saya"),
                lambda u, now: Q(assignee_id=u.pk, status__in=OPEN_STATUSES),
            ),
            Tab("diproses", _("Diproses"), lambda u, now: Q(status=S.IN_PROGRESS)),
            Tab("menunggu-pelapor", _("Menunggu pelapor"), lambda u, now: Q(status=S.ON_HOLD)),
            Tab("ditanggapi", _("Ditanggapi"), lambda u, now: Q(status=S.RESPONDED)),
            overdue,
            everything,
        ]
    if role == Role.SUPERVISOR:
        return [Tab("eskalasi", _("Eskalasi"), lambda u, now: escalated_q()), overdue, everything]
    return []


def tabs_for(user) -> list[Tab]:
    return _tabs_for(user)


def bounded_count(queryset: QuerySet) -> int:
    """COUNT over at most COUNT_LIMIT + 1 rows (a LIMIT subquery)."""
    return queryset.order_by().values("pk")[: COUNT_LIMIT + 1].count()


def bounded_counts(querysets: list[QuerySet]) -> list[int]:
    """`bounded_count` of each queryset, all in one statement: the inbox counts its five or
    six tabs (and a filtered list) on every view, and one round trip with one result row
    costs less than six. The same bounded subqueries, so the same indexes answer them."""
    if not querysets:
        return []
    using = querysets[0].db
    parts, params, counts = [], [], {}
    for index, queryset in enumerate(querysets):
        limited = queryset.order_by().values("pk")[: COUNT_LIMIT + 1]
        try:
            sql, sql_params = limited.query.get_compiler(using=using).as_sql()
        except EmptyResultSet:
            # A queryset that can match nothing (e.g. `.none()`) has no SQL.
            counts[index] = 0
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) bounded_{index})")
        params.extend(sql_params)
    if parts:
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(parts), params)
            values = iter(cursor.fetchone())
        for index in range(len(querysets)):
            if index not in counts:
                counts[index] = next(values)
    return [counts[index] for index in range(len(querysets))]


def format_count(count: int) -> str:
    return f"{COUNT_LIMIT}+" if count > COUNT_LIMIT else str(count)


# -- the other tabs' counts ---------------------------------------------------------------
# A view of the inbox counts its own tab (and the filtered list) with the page. The other
# tabs' counts are loaded after the page (`workspace:tab-counts`, workspace.js) and kept
# in the session for TAB_COUNTS_SECONDS, so that the next views within that time show
# them at once without counting again; any change the user makes in the workspace (a
# POST) forgets them. Counting five or six queues on every view cost as much database
# time as the rest of the page at a million reports.

TAB_COUNTS_KEY = "workspace_tab_counts"
TAB_COUNTS_SECONDS = 30


def _scope(user) -> list:
    """What the tabs' queries depend on besides the clock: a change of role, agency or
    area makes the kept counts another user's."""
    return [user.pk, user.role, user.agency_id, user.scope_region_id]


def remember_counts(session, user, counts: dict[str, int], now: dt.datetime) -> None:
    session[TAB_COUNTS_KEY] = {"at": now.timestamp(), "scope": _scope(user), "counts": counts}


def remembered_counts(session, user, now: dt.datetime) -> dict[str, int]:
    """The tabs' counts kept in the session, if fresh and this user's; else {}."""
    kept = session.get(TAB_COUNTS_KEY)
    if not kept or kept.get("scope") != _scope(user):
        return {}
    age = now.timestamp() - kept.get("at", 0)
    if not 0 <= age <= TAB_COUNTS_SECONDS:
        return {}
    return kept.get("counts") or {}


def forget_counts(session) -> None:
    session.pop(TAB_COUNTS_KEY, None)


def order(queryset: QuerySet, sort: str) -> QuerySet:
    if sort == "newest":
        return queryset.order_by("-submitted_at", "-id")
    return queryset.order_by(F("next_due_at").asc(nulls_last=True), "-submitted_at", "-id")


# Long columns an inbox row never shows: leaving them out keeps a page of rows narrow
# (the sort of a large queue stays in memory) and saves converting them.
ROW_DEFERRED = ("body", "rating_comment", "region_suggestion_reason", "address", "media_url")


def with_related(queryset: QuerySet) -> QuerySet:
    """The rows with the agency, unit and officer they show; their categories and regions
    come from the reference-data memo (`attach_reference`). Every table joined costs
    PostgreSQL planning time: with the category, its parent and the region too (six
    joins) the national inbox's page query took ~10 ms to plan at 200,000 reports and
    0.5 ms to run; with three joins planning takes ~0.4 ms. (Not `duplicate_of` either:
    no row shows it, and the reports table joined to itself cost ~20 ms more.)"""
    return queryset.select_related("agency", "unit", "assignee").defer(*ROW_DEFERRED)


def attach_reference(rows: list[Report]) -> None:
    """The rows' categories (with parents) and regions, from the memo (reports.reference)."""
    reference.attach(rows)


def base_queryset(user) -> QuerySet[Report]:
    return visible_reports(user)


# -- SLA badges ---------------------------------------------------------------------------


class SLA:
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


SLA_LABELS = {
    SLA.ON_TIME: _("Tepat waktu"),
    SLA.DUE_SOON: _("Segera jatuh tempo"),
    SLA.OVERDUE: _("Terlambat"),
}
SLA_CLASSES = {SLA.ON_TIME: "badge-ok", SLA.DUE_SOON: "badge-warn", SLA.OVERDUE: "badge-danger"}


def days_left_label(left: int, passed: bool) -> str:
    """ "3 hari kerja lagi", "jatuh tempo hari ini", "terlambat 2 hari kerja": the signed
    count of `deadlines.working_days_left` in words."""
    if not passed:
        if left == 0:
            return str(_("jatuh tempo hari ini"))
        return ngettext("%(count)s hari kerja lagi", "%(count)s hari kerja lagi", left) % {
            "count": left
        }
    if left == 0:
        # Passed on the last working day, and today is a weekend or a holiday.
        return str(_("terlambat, belum 1 hari kerja"))
    return ngettext("terlambat %(count)s hari kerja", "terlambat %(count)s hari kerja", -left) % {
        "count": -left
    }


class SLAJudge:
    """Classifies reports by their stored next deadline. "Due soon" means the deadline
    falls within the next working day in the report's time zone; the working-day limit is
    computed once per time zone per request."""

    def __init__(self, now: dt.datetime):
        self.now = now
        self._soon: dict[str, dt.datetime] = {}

    def soon_limit(self, tz: str) -> dt.datetime:
        if tz not in self._soon:
            self._soon[tz] = add_working_days(self.now, 1, tz)
        return self._soon[tz]

    def state(self, report: Report) -> str | None:
        due = report.next_due_at
        if due is None:
            return None
        if report.is_overdue or due < self.now:
            return SLA.OVERDUE
        if due <= self.soon_limit(report_timezone(report)):
            return SLA.DUE_SOON
        return SLA.ON_TIME

    def annotate(self, reports) -> None:
        """SLA badge and display labels of each row. The labels are looked up once per
        request: `get_status_display()` builds a dict of every (lazy) choice per call."""
        statuses = {value: str(label) for value, label in Status.choices}
        types = {value: str(label) for value, label in ReportType.choices}
        channels = {value: str(label) for value, label in Channel.choices}
        for report in reports:
            state = self.state(report)
            report.sla_state = state
            report.sla_label = SLA_LABELS.get(state, "")
            report.sla_class = SLA_CLASSES.get(state, "")
            report.status_label = statuses.get(report.status, report.status)
            report.report_type_label = types.get(report.report_type, report.report_type)
            report.channel_label = channels.get(report.channel, report.channel)
            self.annotate_days_left(report)

    def annotate_days_left(self, report: Report) -> None:
        """`days_left_label` of the report's next deadline (empty without one). Each row
        costs a walk over the days in between, on the calendar every request has in
        memory (one lookup per calendar year touched, not per row)."""
        due = report.next_due_at
        report.days_left_label = ""
        report.days_left_late = False
        if due is None:
            return
        passed = due < self.now
        left = working_days_left(report, due, self.now)
        report.days_left_label = days_left_label(left, passed)
        report.days_left_late = passed
