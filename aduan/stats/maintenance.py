"""Keeping the aggregate tables in step with the reports, and proving that they are.

- `on_report_changed` receives `report_changed` inside each domain action's transaction and
  computes after-minus-before for the few rows involved. With STATS_UPKEEP="deferred" (the
  default) it writes that as one delta row, which the worker folds into the tables
  (`deltas.py`); with "immediate" it applies it at once, with atomic upserts
  (`INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n`, on PostgreSQL and SQLite), so
  a rolled-back action leaves the aggregates untouched and two concurrent actions never
  lose an increment.
- Rollups (`models.ROLLUPS`) receive the projection of the same change onto their keys.
  On PostgreSQL every upsert of one change goes to the server as ONE statement (chained
  data-modifying CTEs), so a submission costs one round trip for all statistics tables.
- `rebuild()` recomputes every table from the reports table, one month at a time
  (bounded memory), while holding off concurrent writers to the aggregates; rollups are
  then summed from their base tables in SQL.
- `check()` compares the tables (rollups included) with a recount, also one month at a
  time.
"""

import contextlib
import datetime as dt
import functools
import heapq
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby

from django.db import connection, transaction
from django.db.models.functions import TruncMonth
from django.utils import timezone

from aduan.reports.models import Report, Status
from aduan.reports.signals import SNAPSHOT_FIELDS, snapshot

from . import deltas
from .contributions import CUBE, DURATION, FLOW, contributions, difference, local_day
from .models import (
    CUBE_KEYS,
    CUBE_MEASURES,
    DURATION_KEYS,
    DURATION_MEASURES,
    FLOW_KEYS,
    FLOW_MEASURES,
    ROLLUPS,
    DailyFlow,
    DurationCube,
    ReportCube,
    StatsDelta,
)

BASE_TABLES = {
    CUBE: (ReportCube, CUBE_KEYS, CUBE_MEASURES),
    DURATION: (DurationCube, DURATION_KEYS, DURATION_MEASURES),
    FLOW: (DailyFlow, FLOW_KEYS, FLOW_MEASURES),
}
# Every table, in the order in which a change writes them (base tables first, then their
# rollups): two transactions always lock rows in this order, table by table, and in key
# order within a table, so they cannot deadlock each other.
TABLES = dict(BASE_TABLES)
# base table -> [(rollup name, positions of the rollup's keys in the base key)]
PROJECTIONS: dict[str, list[tuple[str, tuple[int, ...]]]] = {name: [] for name in BASE_TABLES}
for _name, (_base, _model) in ROLLUPS.items():
    assert _name not in TABLES, f"rollup {_name!r} shadows a table"
    _fields = {f.name for f in _model._meta.get_fields()}
    _keys = tuple(k for k in BASE_TABLES[_base][1] if k in _fields)
    TABLES[_name] = (_model, _keys, BASE_TABLES[_base][2])
    PROJECTIONS[_base].append((_name, tuple(BASE_TABLES[_base][1].index(k) for k in _keys)))
ORDER = {name: index for index, name in enumerate(TABLES)}
CHUNK = 2000


# ------------------------------------------------------------------ incremental upkeep


_batch = threading.local()


@contextlib.contextmanager
def batched() -> Iterator[None]:
    """Inside, the changes of many reports are summed and written once when the block
    ends (one statement for a whole replication batch instead of one per report). Use it
    inside the transaction that changes the reports: nothing is written if it fails."""
    if getattr(_batch, "delta", None) is not None:
        yield  # already batching: the outer block writes
        return
    _batch.delta = {}
    try:
        yield
        delta = _batch.delta
    finally:
        _batch.delta = None
    if delta:
        _upkeep(delta)


def _upkeep(delta: dict[tuple, dict[str, int]]) -> None:
    """Deferred: one delta row, folded by the worker (`deltas`); immediate: the upserts."""
    if deltas.deferred():
        deltas.record(delta)
    else:
        apply(with_rollups(delta))


def on_report_changed(sender, report, before, **kwargs) -> None:
    delta = difference(before, snapshot(report))
    pending = getattr(_batch, "delta", None)
    if pending is not None:
        deltas.add_into(pending, delta)
    elif delta:
        _upkeep(delta)


def with_rollups(rows: dict[tuple, dict[str, int]]) -> dict[tuple, dict[str, int]]:
    """`rows` of the base tables plus their sums on every rollup's keys (rows and measures
    that sum to zero left out, as in `difference`)."""
    out = dict(rows)
    for key, amounts in rows.items():
        for name, positions in PROJECTIONS[key[0]]:
            target = out.setdefault((name, *(key[1 + p] for p in positions)), {})
            for measure, amount in amounts.items():
                target[measure] = target.get(measure, 0) + amount
    return {
        key: {m: v for m, v in amounts.items() if v}
        for key, amounts in out.items()
        if any(amounts.values())
    }


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


def _ordered(delta: dict[tuple, dict[str, int]]) -> Iterator[tuple[str, list]]:
    """(table, [(key, amounts), ...]) in lock order: tables in `TABLES` order, rows in key
    order."""
    items = sorted(delta.items(), key=lambda item: (ORDER[item[0][0]], item[0][1:]))
    for table, rows in groupby(items, key=lambda item: item[0][0]):
        yield table, list(rows)


@functools.lru_cache(maxsize=64)
def _chained_upsert_sql(tables: tuple[str, ...]) -> str:
    """One PostgreSQL statement upserting into several tables in the given order.

    Each table's rows come as one array per column (`unnest ... WITH ORDINALITY`, read in
    the order given), so the statement has a few parameters whatever the number of rows and
    its text depends only on which tables it writes: built once here, and cheap for the
    driver to bind (a statement with a placeholder per value cost the federation's batches
    of a thousand reports more CPU to bind than to run).

    Data-modifying CTEs run "concurrently" and in an unspecified order; each one here
    selects its rows only after counting every row the previous one returned, which makes
    the order (and so the order of the row locks) the order of `tables`."""
    q = connection.ops.quote_name
    ctes = []
    main = ""
    for index, table in enumerate(tables):
        model, keys, measures = TABLES[table]
        columns = keys + measures
        casts = [model._meta.get_field(c).db_type(connection) for c in columns]
        arrays = ", ".join(f"%s::{cast}[]" for cast in casts)
        names = ", ".join(q(c) for c in columns)
        guard = f" WHERE (SELECT count(*) FROM step{index - 1}) >= 0" if index else ""
        updates = ", ".join(
            f"{q(m)} = {q(model._meta.db_table)}.{q(m)} + excluded.{q(m)}" for m in measures
        )
        conflict = ", ".join(q(c) for c in keys)
        statement = (
            f"INSERT INTO {q(model._meta.db_table)} ({names}) "
            f"SELECT {names} FROM unnest({arrays}) WITH ORDINALITY AS v ({names}, _row)"
            f"{guard} ORDER BY _row "
            f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
        )
        if index == len(tables) - 1:
            main = statement
        else:
            ctes.append(f"step{index} AS ({statement} RETURNING 1)")
    return (f"WITH {', '.join(ctes)} " if ctes else "") + main


def apply(delta: dict[tuple, dict[str, int]]) -> None:
    """Add `delta` ({(table, *key): {measure: amount}}) to the tables (rollups included:
    see `with_rollups`).

    Rows are written in lock order (`_ordered`), so two transactions touching the same
    rows take their locks in the same order and cannot deadlock each other. PostgreSQL
    gets one statement for the whole change; SQLite (one writer at a time) one
    `executemany` per table."""
    tables = list(_ordered(delta))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            params: list = []
            for table, rows in tables:
                _, keys, measures = TABLES[table]
                values = [_params(keys, measures, key, amounts) for key, amounts in rows]
                params.extend(list(column) for column in zip(*values, strict=True))
            cursor.execute(_chained_upsert_sql(tuple(table for table, _ in tables)), params)
            return
        for table, rows in tables:
            model, keys, measures = TABLES[table]
            params = [_params(keys, measures, key, amounts) for key, amounts in rows]
            cursor.executemany(_upsert_sql(model, keys, measures), params)


# ------------------------------------------------------------------ recount by month


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _submitted(chunk_size: int) -> Iterator[tuple[dt.date, dict]]:
    # (submitted_at, tracking_number) is report_newest_idx read backwards: no sort.
    rows = Report.objects.order_by("submitted_at", "tracking_number").values(*SNAPSHOT_FIELDS)
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
        # apply their change (or write their delta) on top of a recount that saw the
        # report as it was before. The delta table comes first, as in a fold, and waits
        # for every action that has written a delta to commit: after the lock, the
        # pending deltas are exactly the changes the recount sees.
        names = ", ".join(
            connection.ops.quote_name(m._meta.db_table)
            for m in (StatsDelta, *(m for m, _, _ in TABLES.values()))
        )
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {names} IN EXCLUSIVE MODE")
    # SQLite runs IMMEDIATE transactions: the rebuild is the only writer already.


def fill_rollups(names: Iterable[str] | None = None) -> dict[str, int]:
    """Replace the rows of the rollups (all, or `names`) with sums of their base tables,
    in SQL. {rollup: rows written}. Call inside a transaction that holds the tables
    (`rebuild`) or while nothing writes reports (after a bulk load)."""
    q = connection.ops.quote_name
    written = {}
    with connection.cursor() as cursor:
        for name in ROLLUPS if names is None else names:
            base = ROLLUPS[name][0]
            base_model = BASE_TABLES[base][0]
            model, keys, measures = TABLES[name]
            model.objects.all().delete()
            key_sql = ", ".join(q(k) for k in keys)
            sums = ", ".join(f"SUM({q(m)})" for m in measures)
            nonzero = " OR ".join(f"SUM({q(m)}) <> 0" for m in measures)
            cursor.execute(
                f"INSERT INTO {q(model._meta.db_table)} ({key_sql}, "
                f"{', '.join(q(m) for m in measures)}) "
                f"SELECT {key_sql}, {sums} FROM {q(base_model._meta.db_table)} "
                f"GROUP BY {key_sql} HAVING {nonzero}"
            )
            written[name] = cursor.rowcount
    return written


def _write_rows(table: str, items: Iterable[tuple[tuple, dict[str, int]]]) -> int:
    """Insert recounted rows into an emptied table: COPY on PostgreSQL (a million rows
    in seconds; ORM bulk inserts took minutes), bulk_create elsewhere."""
    model, keys, measures = TABLES[table]
    if connection.vendor != "postgresql":
        objects = [_model_row(table, key, amounts) for key, amounts in items]
        model.objects.bulk_create(objects, batch_size=1000)
        return len(objects)
    q = connection.ops.quote_name
    columns = ", ".join(q(c) for c in (*keys, *measures))
    count = 0
    with connection.cursor() as cursor:
        sql = f"COPY {q(model._meta.db_table)} ({columns}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for key, amounts in items:
                copy.write_row((*key[1:], *(amounts.get(m, 0) for m in measures)))
                count += 1
    return count


def _model_row(table: str, key: tuple, amounts: dict[str, int]):
    model, keys, measures = TABLES[table]
    values = dict(zip(keys, key[1:], strict=True))
    values.update({m: amounts.get(m, 0) for m in measures})
    return model(**values)


@dataclass
class RebuildResult:
    months: int = 0
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))


def rebuild(chunk_size: int = CHUNK) -> RebuildResult:
    """Replace every aggregate row with a recount from the reports table."""
    result = RebuildResult()
    with transaction.atomic():
        _lock_tables()
        started = timezone.now()
        # The recount below holds every committed change, the pending ones included.
        StatsDelta.objects.all().delete()
        for model, _, _ in TABLES.values():
            model.objects.all().delete()
        deltas.mark_complete(started)
        for _month, rows in recount_by_month(chunk_size):
            result.months += 1
            for table, items in groupby(sorted(rows.items()), key=lambda item: item[0][0]):
                result.rows[table] += _write_rows(table, items)
        result.rows.update(fill_rollups())
    return result


def rebuild_rollups() -> dict[str, int]:
    """Only the rollups, summed from the base tables (which are trusted as they are)."""
    with transaction.atomic():
        _lock_tables()
        return fill_rollups()


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
    if keys[0] == "day":
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


def _by_month(rows: dict[tuple, dict[str, int]]) -> dict[dt.date, dict[tuple, dict[str, int]]]:
    """Rows grouped by the month `_stored` reads them under (a day's month for the flow)."""
    out: dict[dt.date, dict[tuple, dict[str, int]]] = {}
    for key, amounts in rows.items():
        out.setdefault(_month_start(key[1]), {})[key] = amounts
    return out


def _add_unfolded(stored: dict, unfolded: dict) -> None:
    for key, amounts in unfolded.items():
        row = dict(stored.get(key, {}))
        for measure, amount in amounts.items():
            row[measure] = row.get(measure, 0) + amount
        stored[key] = {m: v for m, v in row.items() if v}


def check(chunk_size: int = CHUNK, limit: int = 100) -> list[Mismatch]:
    """Differences between the stored aggregates plus the pending deltas (not yet folded
    by the worker) and a recount (empty when in step).

    On PostgreSQL the comparison reads one consistent snapshot (REPEATABLE READ) and
    blocks nobody."""
    found: list[Mismatch] = []
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        # Changes committed but not yet folded (deferred upkeep) count as stored: the
        # tables plus the pending deltas must equal the recount.
        unfolded = _by_month(with_rollups(deltas.pending()))
        seen: set[dt.date] = set()
        for month, rows in recount_by_month(chunk_size):
            seen.add(month)
            stored: dict = {}
            for table in TABLES:
                stored.update(_stored(table, month))
            _add_unfolded(stored, unfolded.pop(month, {}))
            found.extend(_differences(stored, with_rollups(rows)))
            if len(found) >= limit:
                return found[:limit]
        # Rows in months without any report at all.
        months: set[dt.date] = set()
        for model, keys, _ in TABLES.values():
            if keys[0] == "day":
                qs = model.objects.annotate(month=TruncMonth("day"))
            else:
                qs = model.objects.all()
            months |= set(qs.values_list("month", flat=True).distinct())
        months |= set(unfolded)
        for month in sorted(months - seen):
            stored = {}
            for table in TABLES:
                stored.update(_stored(table, month))
            _add_unfolded(stored, unfolded.pop(month, {}))
            found.extend(_differences(stored, {}))
    return found[:limit]
