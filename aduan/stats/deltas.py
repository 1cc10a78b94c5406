"""Statistics upkeep out of the request: deltas written with the change, folded by the worker.

With `STATS_UPKEEP = "deferred"` (the default) an action that changes a report does not
upsert the twelve aggregate tables itself. It writes its change to the base tables
(`contributions.difference`) as ONE row of `stats_statsdelta`, with one small INSERT, in
its own transaction: the delta exists if and only if the change is committed.

The worker folds the deltas every `STATS_FOLD_SECONDS` (`fold`): in one transaction it
deletes a batch of deltas (`DELETE ... RETURNING`), sums them, adds the sum with its
rollups to the aggregate tables (`maintenance.apply`, one statement on PostgreSQL), and
records up to when the tables are complete (`StatsFold.as_of`). Nothing is lost and nothing
counted twice:

- a crash before the commit of a fold rolls back both the deletion and the additions, so
  the deltas are still there for the next fold; after the commit they are gone and their
  sum is in the tables. A delta is never in both places nor in neither;
- one fold at a time (a transaction-level advisory lock on PostgreSQL; SQLite has one
  writer), so `as_of` is never claimed while an older batch is being folded elsewhere;
- `rebuild_stats` locks the delta table before the aggregates, deletes the pending deltas
  and recounts: the recount already holds their changes;
- `check_stats` compares aggregates + pending deltas (read in the same snapshot) with the
  recount, so it proves exactness whether or not the worker has caught up.

The tables are therefore exact as of `as_of`, which the statistics pages show ("data hingga
HH:MM:SS"); while the worker runs that is at most `STATS_FOLD_SECONDS` plus one fold
behind.

`STATS_UPKEEP = "immediate"` keeps the former behaviour (the receiver upserts the tables
in the action's transaction) for installations without a worker and for most tests.
"""

import datetime as dt
import json
import logging
import threading
from dataclasses import dataclass

from django.conf import settings
from django.db import close_old_connections, connection, connections, transaction
from django.utils import timezone

from aduan.core import rowsql

from .models import StatsDelta, StatsFold

logger = logging.getLogger(__name__)

# Deltas taken per fold transaction: bounds the memory and the time the fold holds the
# aggregate rows it touches.
FOLD_BATCH = 5000
# Any 64-bit number unique to this lock among the project's advisory locks.
FOLD_LOCK = 0x5354_4154_5346_4F4C  # "STATSFOL"

_INSERT_SQL = None


def deferred() -> bool:
    return settings.STATS_UPKEEP == "deferred"


def encode(delta: dict[tuple, dict[str, int]]) -> str:
    """{(table, day_or_month, *key): {measure: amount}} as compact JSON. The first key
    column of every base table is a date (month or day)."""
    return json.dumps(
        [[key[0], key[1].isoformat(), *key[2:], amounts] for key, amounts in delta.items()],
        separators=(",", ":"),
    )


def decode(text: str) -> dict[tuple, dict[str, int]]:
    out = {}
    for row in json.loads(text):
        out[(row[0], dt.date.fromisoformat(row[1]), *row[2:-1])] = row[-1]
    return out


def add_into(target: dict[tuple, dict[str, int]], delta: dict[tuple, dict[str, int]]) -> None:
    for key, amounts in delta.items():
        row = target.setdefault(key, {})
        for measure, amount in amounts.items():
            row[measure] = row.get(measure, 0) + amount


def record(delta: dict[tuple, dict[str, int]]) -> None:
    """Write one delta in the current transaction (one INSERT, its SQL built once)."""
    global _INSERT_SQL
    if _INSERT_SQL is None:
        q = connection.ops.quote_name
        _INSERT_SQL = f"INSERT INTO {q(StatsDelta._meta.db_table)} ({q('rows')}) VALUES (%s)"
    # Nobody reads its result: held with the transaction's other rows when a batch is
    # deferring them (core/rowsql.py), else executed now.
    rowsql.execute_later(_INSERT_SQL, [encode(delta)])


def pending() -> dict[tuple, dict[str, int]]:
    """The sum of every delta not yet folded (base tables only), as the current
    transaction sees them."""
    total: dict[tuple, dict[str, int]] = {}
    for text in StatsDelta.objects.order_by("pk").values_list("rows", flat=True).iterator():
        add_into(total, decode(text))
    return total


def complete_as_of() -> dt.datetime | None:
    """Up to when the aggregate tables hold every change: the last fold's moment when
    deferred (None before the first), now when the actions update them directly."""
    return as_of() if deferred() else timezone.now()


def pending_count() -> int:
    return StatsDelta.objects.count()


def as_of() -> dt.datetime | None:
    """Up to when the aggregates are complete (None before the first fold)."""
    return StatsFold.objects.filter(pk=1).values_list("as_of", flat=True).first()


def mark_complete(moment: dt.datetime) -> None:
    StatsFold.objects.update_or_create(pk=1, defaults={"as_of": moment})


@dataclass
class FoldResult:
    deltas: int = 0
    batches: int = 0
    as_of: dt.datetime | None = None
    skipped: bool = False


def _take(batch: int) -> list[str]:
    table = connection.ops.quote_name(StatsDelta._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE id IN "  # noqa: S608 - the table's own name
            f"(SELECT id FROM {table} ORDER BY id LIMIT %s) RETURNING rows",
            [batch],
        )
        return [row[0] for row in cursor.fetchall()]


def _locked() -> bool:
    """Take the fold's advisory lock for this transaction (False: another fold holds it)."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [FOLD_LOCK])
        return cursor.fetchone()[0]


def fold(batch: int = FOLD_BATCH, max_batches: int | None = None, _between=None) -> FoldResult:
    """Add the pending deltas to the aggregate tables and delete them, batch by batch, each
    batch in one transaction; then record `as_of`. Idempotent: running it twice, or after
    a crash at any point, adds every committed delta exactly once."""
    from .maintenance import apply, with_rollups

    result = FoldResult()
    while max_batches is None or result.batches < max_batches:
        with transaction.atomic():
            if not _locked():
                result.skipped = True
                return result
            # Before the DELETE takes its snapshot: every delta committed before this
            # moment is taken by this batch or was by an earlier one.
            started = timezone.now()
            taken = _take(batch)
            summed: dict[tuple, dict[str, int]] = {}
            for text in taken:
                add_into(summed, decode(text))
            if _between is not None:
                _between(len(taken))  # tests: a crash between taking and adding
            change = with_rollups(summed)
            if change:
                apply(change)
            complete = len(taken) < batch
            if complete:
                StatsFold.objects.update_or_create(pk=1, defaults={"as_of": started})
                result.as_of = started
        result.deltas += len(taken)
        result.batches += 1
        if complete:
            break
    return result


class FoldLoop(threading.Thread):
    """The worker's statistics lane: folds every `interval` seconds until stopped."""

    def __init__(self, interval: float | None = None):
        super().__init__(name="stats-fold", daemon=True)
        self.interval = settings.STATS_FOLD_SECONDS if interval is None else interval
        self.stopping = threading.Event()
        self.folds = 0

    def run(self):
        try:
            while not self.stopping.is_set():
                close_old_connections()
                try:
                    fold()
                    self.folds += 1
                except Exception:  # noqa: BLE001 - logged; the next round retries
                    logger.exception("statistics fold failed; retrying")
                self.stopping.wait(self.interval)
        finally:
            connections.close_all()

    def stop(self):
        self.stopping.set()
