"""Reading the aggregates: every figure on the statistics pages and dashboards comes from
here, never from a scan of the reports table.

One call to `grouped_sums` answers several groupings in one statement: `GROUPING SETS`
on PostgreSQL (one pass over the rows of each table read), `UNION ALL` of plain
groupings on SQLite.

Each grouping reads the smallest table that can answer it (`table_for`): a rollup
(`models.ROLLUPS`) whose keys hold every column the selection filters on and the
grouping groups by, else the base table. A national chart of reports per channel sums
a few thousand rollup rows; a kecamatan's figures come from the base table through its
region index.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection
from django.db.models import Q, Sum
from django.db.models.constants import LOOKUP_SEP

from aduan.reports.models import OPEN_STATUSES

from .contributions import CLOSURE, FIRST_RESPONSE, bucket_range
from .models import CUBE_MEASURES, ROLLUPS, DailyFlow, DurationCube, ReportCube

# -------------------------------------------------------------------- the navigator

# Base model -> its rollups, smallest first (the order of `ROLLUPS`), with their keys.
_BASES = {"cube": ReportCube, "duration": DurationCube, "flow": DailyFlow}
_KEYS = {m: {f.name for f in m._meta.fields if f.name != "id"} for m in _BASES.values()}
ROLLUPS_OF: dict[type, list[tuple[type, frozenset[str]]]] = {m: [] for m in _BASES.values()}
for _base, _model in ROLLUPS.values():
    _columns = {f.name for f in _model._meta.fields} & _KEYS[_BASES[_base]]
    ROLLUPS_OF[_BASES[_base]].append((_model, frozenset(_columns)))


def q_columns(q: Q) -> set[str]:
    """The columns a Q object filters on."""
    columns: set[str] = set()
    for child in q.children:
        if isinstance(child, Q):
            columns |= q_columns(child)
        else:
            columns.add(child[0].split(LOOKUP_SEP)[0])
    return columns


def _keys_of(model) -> frozenset[str]:
    return frozenset(f.name for f in model._meta.fields)


def table_for(base, columns: Iterable[str]):
    """The smallest table holding every column in `columns` (filters and groupings): a
    rollup of `base`, or `base` itself. Measures are in every table."""
    needed = set(columns)
    for model, keys in ROLLUPS_OF[base]:
        # Measure columns (e.g. `overdue > 0`) are in every rollup too.
        if not (needed & _KEYS[base]) - keys:
            return model
    return base


# -------------------------------------------------------------------- grouped sums


def _where(model, q: Q) -> tuple[str, list] | None:
    """The WHERE clause Django would write for `q` on `model` (None: matches nothing)."""
    query = model.objects.filter(q).query
    compiler = query.get_compiler(connection=connection)
    try:
        sql, params = query.where.as_sql(compiler, connection)
    except EmptyResultSet:
        return None
    except FullResultSet:
        return "", []
    return sql, list(params)


def grouped_sums(
    model, q: Q, groupings: dict[str, tuple[str, ...]], measures: Iterable[str]
) -> dict[str, list[dict]]:
    """{name: [ {column: value, ..., measure: sum, ...}, ... ]} for each named grouping
    (an empty tuple is the grand total) over the rows of `model` matching `q`.

    Each grouping is answered from `table_for(model, filter columns + its columns)`; all
    of them in one statement."""
    measures = tuple(measures)
    result: dict[str, list[dict]] = {name: [] for name in groupings}
    if _where(model, q) is None:
        for name, columns in groupings.items():
            if not columns:
                result[name].append(dict.fromkeys(measures, 0))
        return result
    filtered = q_columns(q)
    plan: dict[type, list[str]] = {}
    # The groupings with the most columns choose first; a coarser grouping then joins a
    # table that is read anyway when that table holds its columns (one more grouping set
    # on rows already read is cheaper than reading another table).
    for name in sorted(groupings, key=lambda n: -len(groupings[n])):
        needed = filtered | set(groupings[name])
        chosen = next(
            (t for t in plan if t is model or needed & _KEYS[model] <= _keys_of(t)),
            None,
        ) or table_for(model, needed)
        plan.setdefault(chosen, []).append(name)
    qn = connection.ops.quote_name
    columns = sorted({c for cols in groupings.values() for c in cols})
    types = {c: model._meta.get_field(c).db_type(connection) for c in columns}

    parts: list[str] = []
    all_params: list = []
    # (part, grouping id) -> names of the groupings that row belongs to
    tags: dict[tuple[int, int], list[str]] = defaultdict(list)
    for table_model, names in plan.items():
        where_sql, params = _where(table_model, q)
        where_clause = f" WHERE {where_sql}" if where_sql else ""
        table = qn(table_model._meta.db_table)
        sums = ", ".join(f"SUM({table}.{qn(m)}) AS {qn(m)}" for m in measures)
        used = sorted({c for n in names for c in groupings[n]})
        if connection.vendor == "postgresql" and used:
            # GROUPING(a, b, ...) has a 1 bit for each column that is not grouped in a
            # row's set, which tells the sets apart.
            def mask(cols, used=used):
                return sum(1 << (len(used) - 1 - i) for i, c in enumerate(used) if c not in cols)

            part = len(parts)
            for n in names:
                tags[(part, mask(groupings[n]))].append(n)
            select = ", ".join(
                f"{table}.{qn(c)}" if c in used else f"CAST(NULL AS {types[c]})" for c in columns
            )
            select = f"{select}, " if select else ""
            used_sql = ", ".join(f"{table}.{qn(c)}" for c in used)
            sets = ", ".join(
                "(" + ", ".join(f"{table}.{qn(c)}" for c in groupings[n]) + ")" for n in names
            )
            parts.append(
                f"SELECT {select}{part} AS part, GROUPING({used_sql}) AS grouping_id, {sums} "
                f"FROM {table}{where_clause} GROUP BY GROUPING SETS ({sets})"
            )
            all_params += params
            continue
        for n in names:
            cols = groupings[n]
            select = ", ".join(
                f"{table}.{qn(c)}" if c in cols else f"CAST(NULL AS {types[c]})" for c in columns
            )
            select = f"{select}, " if select else ""
            group = " GROUP BY " + ", ".join(f"{table}.{qn(c)}" for c in cols) if cols else ""
            part = len(parts)
            tags[(part, 0)].append(n)
            parts.append(
                f"SELECT {select}{part} AS part, 0 AS grouping_id, {sums} "
                f"FROM {table}{where_clause}{group}"
            )
            all_params += params
    sql = " UNION ALL ".join(parts)

    width = len(columns)
    with connection.cursor() as cursor:
        cursor.execute(sql, all_params)
        for row in cursor.fetchall():
            for name in tags[(row[width], row[width + 1])]:
                values = {c: row[i] for i, c in enumerate(columns) if c in groupings[name]}
                if isinstance(values.get("month"), str):  # SQLite returns dates as text
                    values["month"] = dt.date.fromisoformat(values["month"])
                for i, m in enumerate(measures):
                    values[m] = row[width + 2 + i] or 0
                result[name].append(values)
    for n in groupings:
        if not groupings[n] and not result[n]:
            result[n].append(dict.fromkeys(measures, 0))
    return result


# -------------------------------------------------------------------- figures


def median_hours(histogram: dict[int, int]) -> float | None:
    """The median of a duration histogram {bucket: count}, interpolated linearly within
    the bucket that holds it (exact to the bucket's width). None without data."""
    total = sum(histogram.values())
    if total <= 0:
        return None
    half = total / 2
    seen = 0
    for bucket in sorted(histogram):
        count = histogram[bucket]
        if count <= 0:
            continue
        if seen + count >= half:
            lower, upper = bucket_range(bucket)
            if upper is None:
                return lower
            return lower + (upper - lower) * (half - seen) / count
        seen += count
    return None


@dataclass
class Figures:
    """The indicators of one group of reports (all, one month, one agency, ...)."""

    reports: int = 0
    pending: int = 0
    closed: int = 0
    handled: int = 0
    forwarded: int = 0
    responded: int = 0
    responded_on_time: int = 0
    unanswered_overdue: int = 0
    closed_on_time: int = 0
    overdue: int = 0
    escalated: int = 0
    anonymous: int = 0
    rated: int = 0
    rating_sum: int = 0
    first_response: dict[int, int] = field(default_factory=dict)
    closure: dict[int, int] = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: dict) -> "Figures":
        return cls(**{m: int(row.get(m) or 0) for m in CUBE_MEASURES})

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def completion_rate(self) -> float | None:
        """Closed (Selesai) among the reports forwarded to an agency and not withdrawn."""
        return self._share(self.closed, self.handled)

    @property
    def on_time_rate(self) -> float | None:
        """First follow-ups within the deadline among the reports that got one or are
        overdue waiting for one."""
        return self._share(self.responded_on_time, self.responded + self.unanswered_overdue)

    @property
    def closed_on_time_rate(self) -> float | None:
        return self._share(self.closed_on_time, self.closed)

    @property
    def average_rating(self) -> float | None:
        return self.rating_sum / self.rated if self.rated else None

    @property
    def median_first_response_hours(self) -> float | None:
        return median_hours(self.first_response)

    @property
    def median_closure_hours(self) -> float | None:
        return median_hours(self.closure)

    @property
    def median_first_response_days(self) -> float | None:
        hours = self.median_first_response_hours
        return None if hours is None else hours / 24

    @property
    def median_closure_days(self) -> float | None:
        hours = self.median_closure_hours
        return None if hours is None else hours / 24


# -------------------------------------------------------------------- the query


def month_range(start: dt.date, end: dt.date) -> list[dt.date]:
    months = []
    current = start.replace(day=1)
    while current <= end:
        months.append(current)
        current = (current + dt.timedelta(days=32)).replace(day=1)
    return months


def region_q(code: str) -> Q:
    """Rows located in the region subtree `code` (province, regency or district)."""
    if not code:
        return Q()
    # A code begins with its parents' codes ("64.08.04" lies in "64.08" and "64"). Naming
    # the parents too lets the region indexes, which begin with the province, find the
    # rows; a regency's figures then come from the base table without a full scan.
    if len(code) == 2:
        return Q(province_code=code)
    if len(code) == 5:
        return Q(province_code=code[:2], regency_code=code)
    # Kecamatan and below: the aggregates go down to the kecamatan.
    return Q(province_code=code[:2], regency_code=code[:5], district_code=code[:8])


def child_column(code: str) -> str | None:
    """The column that splits the region `code` into its children."""
    return {0: "province_code", 2: "regency_code", 5: "district_code"}.get(len(code or ""))


@dataclass
class Selection:
    """Which rows to read: the viewer's scope, a period, a region and categories."""

    scope: Q = field(default_factory=Q)
    # The same scope on the daily flow table (no kecamatan or category columns there).
    flow_scope: Q = field(default_factory=Q)
    start: dt.date | None = None
    end: dt.date | None = None
    region: str = ""
    category_ids: list[int] | None = None
    agency_id: int | None = None
    unit_id: int | None = None

    def q(self, *, with_period: bool = True) -> Q:
        q = self.scope & region_q(self.region)
        if with_period and self.start:
            q &= Q(month__gte=self.start)
        if with_period and self.end:
            q &= Q(month__lte=self.end)
        if self.category_ids is not None:
            q &= Q(category_id__in=self.category_ids)
        if self.agency_id is not None:
            q &= Q(agency_id=self.agency_id)
        if self.unit_id is not None:
            q &= Q(unit_id=self.unit_id)
        return q


BREAKDOWNS = {
    "total": (),
    "month": ("month",),
    "category": ("category_id",),
    "type": ("report_type",),
    "channel": ("channel",),
    "status": ("status",),
    "agency": ("agency_id",),
    "unit": ("agency_id", "unit_id"),
}


def _histograms(sel: Selection, groupings: dict[str, tuple[str, ...]]) -> dict:
    """{grouping: {group key: {measure: {bucket: count}}}} from the duration table."""
    sets = {n: (*cols, "measure", "bucket") for n, cols in groupings.items()}
    rows = grouped_sums(DurationCube, sel.q(), sets, ("reports",))
    out: dict[str, dict] = {}
    for name, cols in groupings.items():
        table: dict = defaultdict(lambda: {FIRST_RESPONSE: {}, CLOSURE: {}})
        for row in rows[name]:
            if row["reports"]:
                key = tuple(row[c] for c in cols)
                table[key][row["measure"]][row["bucket"]] = row["reports"]
        out[name] = table
    return out


@dataclass
class Overview:
    total: Figures
    by: dict[str, list[tuple[tuple, Figures]]]
    regions: list[tuple[str, Figures]]


# Groupings that feed the performance indicators read every measure; the others feed
# charts of report counts only, and summing one column instead of fifteen makes that
# (larger) statement several times cheaper.
FULL_FIGURES = ("total", "agency", "unit")


def overview(sel: Selection, breakdowns: Iterable[str] = tuple(BREAKDOWNS)) -> Overview:
    """Totals and every breakdown for the selection, in three statements. Breakdowns
    outside FULL_FIGURES carry report counts only."""
    groupings = {name: BREAKDOWNS[name] for name in breakdowns}
    groupings.setdefault("total", ())
    child = child_column(sel.region)
    if child:
        groupings["region"] = (child,)
    full = {n: cols for n, cols in groupings.items() if n in FULL_FIGURES}
    counts = {n: cols for n, cols in groupings.items() if n not in FULL_FIGURES}
    rows = grouped_sums(ReportCube, sel.q(), full, CUBE_MEASURES)
    if counts:
        rows |= grouped_sums(ReportCube, sel.q(), counts, ("reports",))
    durations = _histograms(sel, full)
    by: dict[str, list[tuple[tuple, Figures]]] = {}
    for name, cols in groupings.items():
        items = []
        for row in rows[name]:
            figures = Figures.from_row(row)
            if not figures.reports and name != "total":
                continue
            key = tuple(row[c] for c in cols)
            if name in durations and key in durations[name]:
                figures.first_response = durations[name][key][FIRST_RESPONSE]
                figures.closure = durations[name][key][CLOSURE]
            items.append((key, figures))
        by[name] = items
    total = by.pop("total")[0][1]
    regions = [(key[0], figures) for key, figures in by.pop("region", [])]
    return Overview(total=total, by=by, regions=regions)


def overdue_by_agency(sel: Selection, *, units: bool = True) -> list[dict]:
    """Agencies (and, with `units`, units) with overdue reports now, whatever the period:
    read from the stored is_overdue flag through a partial index on the few rows that
    have any."""
    q = sel.q(with_period=False) & Q(overdue__gt=0)
    columns = ("agency_id", "unit_id") if units else ("agency_id",)
    table = table_for(ReportCube, q_columns(q) | set(columns))
    rows = (
        table.objects.filter(q)
        .values_list(*columns)
        .annotate(overdue=Sum("overdue"))
        .filter(overdue__gt=0)
        .order_by(*columns)
    )
    return [
        {"agency_id": row[0], "unit_id": row[1] if units else 0, "overdue": row[-1]} for row in rows
    ]


def workload(sel: Selection, *, units: bool = True) -> list[dict]:
    """Open reports per unit (or, without `units`, per agency) and status, whatever the
    period: the current workload."""
    # `pending > 0` selects the same rows with reports as the open statuses do (pending
    # counts exactly the open reports) and lets a partial index skip all the others.
    q = sel.q(with_period=False) & Q(status__in=OPEN_STATUSES, pending__gt=0)
    columns = ("agency_id", "unit_id", "status") if units else ("agency_id", "status")
    table = table_for(ReportCube, q_columns(q) | set(columns))
    rows = (
        table.objects.filter(q)
        .values_list(*columns)
        .annotate(reports=Sum("reports"), overdue=Sum("overdue"))
        .filter(reports__gt=0)
        .order_by(*columns)
    )
    return [
        {
            "agency_id": row[0],
            "unit_id": row[1] if units else 0,
            "status": row[-3],
            "reports": row[-2],
            "overdue": row[-1],
        }
        for row in rows
    ]


def flow_q(sel: Selection) -> Q:
    """The selection on the daily flow table, which has no kecamatan or category: a
    kecamatan narrows to its regency there."""
    q = sel.flow_scope
    code = sel.region
    if code:
        q &= Q(province_code=code[:2])
        if len(code) > 2:
            q &= Q(regency_code=code[:5])
    if sel.agency_id is not None:
        q &= Q(agency_id=sel.agency_id)
    if sel.unit_id is not None:
        q &= Q(unit_id=sel.unit_id)
    return q


def daily_flow(q: Q, start: dt.date, end: dt.date) -> list[tuple[dt.date, int, int]]:
    """(day, received, closed) for every day from start to end inclusive."""
    table = table_for(DailyFlow, q_columns(q) | {"day"})
    rows = (
        table.objects.filter(q, day__gte=start, day__lte=end)
        .values("day")
        .annotate(received=Sum("received"), closed=Sum("closed"))
    )
    found = {row["day"]: (row["received"] or 0, row["closed"] or 0) for row in rows}
    days = []
    day = start
    while day <= end:
        received, closed = found.get(day, (0, 0))
        days.append((day, received, closed))
        day += dt.timedelta(days=1)
    return days
