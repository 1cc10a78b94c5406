"""Keeping the aggregate tables in step with the reports, and proving that they are.

- `on_report_changed` receives `report_changed` inside each domain action's transaction and
  applies after-minus-before to the few rows involved, with atomic upserts
  (`INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n`, on PostgreSQL and SQLite), so
  a rolled-back action leaves the aggregates untouched and two concurrent actions never
  lose an increment.
- `rebuild()` recomputes every table from the reports table, one month at a time
  (bounded memory), while holding off concurrent writers to the aggregates.
- `check()` compares the tables with a recount, also one month at a time.
"""

import datetime as dt
import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby

from django.db import connection, transaction
from django.db.models.functions import TruncMonth

from aduan.reports.models import Report, Status
from aduan.reports.signals import SNAPSHOT_FIELDS, snapshot

from .contributions import CUBE, DURATION, FLOW, contributions, difference, local_day
from .models import (
    CUBE_KEYS,
    CUBE_MEASURES,
    DURATION_KEYS,
    DURATION_MEASURES,
    FLOW_KEYS,
    FLOW_MEASURES,
    DailyFlow,
    DurationCube,
    ReportCube,
)

TABLES = {
    CUBE: (ReportCube, CUBE_KEYS, CUBE_MEASURES),
    DURATION: (DurationCube, DURATION_KEYS, DURATION_MEASURES),
    FLOW: (DailyFlow, FLOW_KEYS, FLOW_MEASURES),
}
CHUNK = 2000


# ------------------------------------------------------------------ incremental upkeep


def on_report_changed(sender, report, before, **kwargs) -> None:
    delta = difference(before, snapshot(report))
    if delta:
        apply(delta)


def _upsert_sql(model, keys: tuple[str, ...], measures: tuple[str, ...]) -> str:
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    columns = ", ".join(q(c) for c in keys + measures)
    placeholders = ", ".join(["%s"] * (len(keys) + len(measures)))
    updates = ", ".join(f"{q(m)} = {table}.{q(m)} + excluded.{q(m)}" for m in measures)
    conflict = ", ".join(q(c) for c in keys)
    return (
        f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "
        f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    )


def _params(keys, measures, key: tuple, amounts: dict[str, int]) -> list:
    values = []
    for value in key[1:]:
        if isinstance(value, dt.date):
            value = connection.ops.adapt_datefield_value(value)
        values.append(value)
    return values + [amounts.get(m, 0) for m in measures]


def apply(delta: dict[tuple, dict[str, int]]) -> None:
    """Add `delta` ({(table, *key): {measure: amount}}) to the tables.

    Rows are written in key order, so two transactions touching the same rows take their
    locks in the same order and cannot deadlock each other."""
    with connection.cursor() as cursor:
        for table, rows in groupby(sorted(delta.items()), key=lambda item: item[0][0]):
            model, keys, measures = TABLES[table]
            params = [_params(keys, measures, key, amounts) for key, amounts in rows]
            cursor.executemany(_upsert_sql(model, keys, measures), params)


# ------------------------------------------------------------------ recount by month


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _submitted(chunk_size: int) -> Iterator[tuple[dt.date, dict]]:
    rows = Report.objects.order_by("submitted_at", "pk").values(*SNAPSHOT_FIELDS)
    for row in rows.iterator(chunk_size=chunk_size):
        yield _month_start(local_day(row["submitted_at"])), row


def _finished(chunk_size: int) -> Iterator[tuple[dt.date, dict]]:
    rows = (
        Report.objects.filter(
            closed_at__isnull=False,
            status__in=(Status.CLOSED, Status.ARCHIVED, Status.WITHDRAWN),
        )
        .order_by("closed_at", "pk")
        .values(*SNAPSHOT_FIELDS)
    )
    for row in rows.iterator(chunk_size=chunk_size):
        yield _month_start(local_day(row["closed_at"])), row


def recount_by_month(chunk_size: int = CHUNK) -> Iterator[tuple[dt.date, dict]]:
    """Yield (month, rows) in month order, where rows are every aggregate row that lies in
    that month (cube and durations by submission month, daily flow by its day) as a direct
    recount from the reports table would give them.

    Two ordered passes run side by side: reports by submission time (the cube, durations
    and "received"), and finished reports by closing time ("closed"/"ended"). Memory holds
    one month of aggregate rows, whatever the number of reports."""
    streams = heapq.merge(
        ((month, 0, row) for month, row in _submitted(chunk_size)),
        ((month, 1, row) for month, row in _finished(chunk_size)),
        key=lambda item: (item[0], item[1]),
    )
    for month, items in groupby(streams, key=lambda item: item[0]):
        rows: dict[tuple, dict[str, int]] = {}
        for _, stream, report in items:
            for key, measures in contributions(report).items():
                if key[0] == FLOW:
                    # Each pass adds only its own flow measures: received by the
                    # submission day, closed/ended by the closing day.
                    wanted = ("received",) if stream == 0 else ("closed", "ended")
                    measures = {m: measures[m] for m in wanted if measures.get(m)}
                    if not measures:
                        continue
                elif stream == 1:
                    continue
                row = rows.setdefault(key, {})
                for name, amount in measures.items():
                    row[name] = row.get(name, 0) + amount
        yield month, rows


def _lock_tables() -> None:
    if connection.vendor == "postgresql":
        # Actions that change an aggregate wait here until the rebuild commits; they then
        # apply their change on top of a recount that saw the report as it was before.
        names = ", ".join(
            connection.ops.quote_name(m._meta.db_table) for m, _, _ in TABLES.values()
        )
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {names} IN EXCLUSIVE MODE")
    # SQLite runs IMMEDIATE transactions: the rebuild is the only writer already.


def _model_row(table: str, key: tuple, amounts: dict[str, int]):
    model, keys, measures = TABLES[table]
    values = dict(zip(keys, key[1:], strict=True))
    values.update({m: amounts.get(m, 0) for m in measures})
    return model(**values)


@dataclass
class RebuildResult:
    months: int = 0
    rows: dict[str, int] = field(default_factory=lambda: {CUBE: 0, DURATION: 0, FLOW: 0})


def rebuild(chunk_size: int = CHUNK) -> RebuildResult:
    """Replace every aggregate row with a recount from the reports table."""
    result = RebuildResult()
    with transaction.atomic():
        _lock_tables()
        for model, _, _ in TABLES.values():
            model.objects.all().delete()
        for _month, rows in recount_by_month(chunk_size):
            result.months += 1
            for table, items in groupby(sorted(rows.items()), key=lambda item: item[0][0]):
                objects = [_model_row(table, key, amounts) for key, amounts in items]
                TABLES[table][0].objects.bulk_create(objects, batch_size=1000)
                result.rows[table] += len(objects)
    return result


# ------------------------------------------------------------------ check


@dataclass
class Mismatch:
    table: str
    key: dict
    stored: dict
    recounted: dict

    def __str__(self) -> str:
        return f"{self.table} {self.key}: stored {self.stored}, recount {self.recounted}"


def _stored(table: str, month: dt.date) -> dict[tuple, dict[str, int]]:
    model, keys, measures = TABLES[table]
    if table == FLOW:
        end = (month + dt.timedelta(days=32)).replace(day=1)
        qs = model.objects.filter(day__gte=month, day__lt=end)
    else:
        qs = model.objects.filter(month=month)
    stored = {}
    for values in qs.values_list(*keys, *measures).iterator(chunk_size=CHUNK):
        amounts = {m: v for m, v in zip(measures, values[len(keys) :], strict=True) if v}
        if amounts:
            stored[(table, *values[: len(keys)])] = amounts
    return stored


def _differences(stored: dict, recounted: dict) -> Iterable[Mismatch]:
    for key in sorted(set(stored) | set(recounted)):
        have = {m: v for m, v in stored.get(key, {}).items() if v}
        want = {m: v for m, v in recounted.get(key, {}).items() if v}
        if have != want:
            table = key[0]
            names = TABLES[table][1]
            yield Mismatch(table, dict(zip(names, key[1:], strict=True)), have, want)


def check(chunk_size: int = CHUNK, limit: int = 100) -> list[Mismatch]:
    """Differences between the stored aggregates and a recount (empty when in step).

    On PostgreSQL the comparison reads one consistent snapshot (REPEATABLE READ) and
    blocks nobody."""
    found: list[Mismatch] = []
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        seen: set[dt.date] = set()
        for month, rows in recount_by_month(chunk_size):
            seen.add(month)
            stored: dict = {}
            for table in TABLES:
                stored.update(_stored(table, month))
            found.extend(_differences(stored, rows))
            if len(found) >= limit:
                return found[:limit]
        # Rows in months without any report at all.
        months = set(ReportCube.objects.values_list("month", flat=True).distinct())
        months |= set(DurationCube.objects.values_list("month", flat=True).distinct())
        months |= set(
            DailyFlow.objects.annotate(month=TruncMonth("day"))
            .values_list("month", flat=True)
            .distinct()
        )
        for month in sorted(months - seen):
            stored = {}
            for table in TABLES:
                stored.update(_stored(table, month))
            found.extend(_differences(stored, {}))
    return found[:limit]
