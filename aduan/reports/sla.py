"""The deadline scan run by the worker: it finds the reports whose deadlines call for a
notice and calls the domain actions that send it (`actions.escalation`), and closes the
reports whose reporter stayed silent (`actions.auto_close_report`).

The scan only reads; every change goes through an action, which re-checks under the
report's lock and records each notice once (a unique `DeadlineNotice` row), so the scan is
safe to run twice or on two workers at once. Reports whose notices all went out already
cost no lock: their notices are read with them, a chunk at a time.

What it reads is bounded by what can be due, not by the backlog: a report is a candidate
while its `next_notice_at` has come (`deadlines.first_notice_at` sets it from the first
deadline whenever an action saves the report). Once the notices due so far went out, the
scan moves it to when the next one can be due (`deadlines.next_notice_time`), or clears it
when every notice of the report's deadlines went out; a report overdue for a year is read
again only when an action changes it. That move is conditional on the report's status and
deadlines being those the scan judged, so a change made meanwhile is never skipped; the
moves are written a batch of reports per statement (`_Moves`).
"""

import functools
import logging
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.db.models import Prefetch

from aduan.core import clock
from aduan.core.scheduler import stop_requested

from . import deadlines
from .actions import auto_close_report, escalate, mark_overdue, send_deadline_reminder
from .models import DeadlineNotice, EscalationLevel, Report, Status

logger = logging.getLogger(__name__)

CHUNK = 500
# Moves of `next_notice_at` written together (`_Moves`).
MOVE_BATCH = 200


@dataclass
class ScanResult:
    auto_closed: int = 0
    reminders: int = 0
    overdue: int = 0
    escalations: int = 0
    errors: list[str] = field(default_factory=list)
    # True when the worker was asked to stop mid-scan: the reports not reached are still
    # due (their next_notice_at unchanged) and the next scan takes them.
    stopped: bool = False


def _candidates(now: datetime):
    """Open reports whose next notice may be due (a deadline passed or close enough for a
    reminder, and not every notice sent)."""
    # Only the node that owns a report acts on its deadlines; the others hold copies.
    return judged(Report.objects.filter(owner_node=settings.NODE_ID, next_notice_at__lte=now))


def judged(reports):
    """`reports` that the scan judges (not those waiting for their reporter), with what it
    needs to judge them: their zone, their running deadlines, the notices sent."""
    return (
        reports.exclude(status=Status.RESPONDED)
        .select_related("agency", "region")
        .only(
            "pk",
            "status",
            "region_id",
            "agency_id",
            "agency__timezone",
            "region__timezone",
            "first_response_at",
            *deadlines.DEADLINE_FIELDS,
        )
        .prefetch_related(
            Prefetch(
                "deadline_notices",
                queryset=DeadlineNotice.objects.only("report_id", "deadline", "due_at", "kind"),
            )
        )
        .order_by("pk")
    )


def _send(report: Report, deadline: str, kind: str, now: datetime, result: ScanResult) -> bool:
    """Send one notice; True when it was recorded now."""
    if kind == deadlines.REMINDER:
        if send_deadline_reminder(report, deadline, now=now) is not None:
            result.reminders += 1
            return True
    elif kind == deadlines.OVERDUE:
        if mark_overdue(report, deadline, now=now) is not None:
            result.overdue += 1
            return True
    else:
        level = EscalationLevel(int(kind.removeprefix("escalation_")))
        if escalate(report, deadline, level, now=now) is not None:
            result.escalations += 1
            return True
    return False


# What `next_notice_time` judges a report by: its next notice moves only while these are
# still what the scan read.
_JUDGED = ("status", "first_response_at", "region_id", "agency_id", *deadlines.DEADLINE_FIELDS)


class _Moves:
    """The scan's moves of `next_notice_at`, written a batch at a time: one UPDATE joined
    to a VALUES list (each report's key, its new time, and what the scan judged it by) for
    up to MOVE_BATCH reports, not one statement a report. The first scan after an
    upgrade, or after a long stop of the worker, moves every open report once."""

    def __init__(self, result: ScanResult | None = None):
        self.pending: list[tuple] = []
        self.result = result

    def add(self, report: Report, sent: set, now: datetime) -> None:
        later = deadlines.next_notice_time(report, sent, now)
        if later is not None and later <= now:
            return  # still to be looked at on the next scan: nothing to write
        self.pending.append((report.pk, later, *(getattr(report, n) for n in _JUDGED)))
        if len(self.pending) >= MOVE_BATCH:
            self.flush()

    def flush(self) -> None:
        moves, self.pending = self.pending, []
        if not moves:
            return
        try:
            _write_moves(moves)
        except Exception as exc:  # noqa: BLE001 - the reports are read again next scan
            if self.result is None:
                raise
            logger.exception("deadline scan: moving %s reports failed", len(moves))
            self.result.errors.append(f"moves of {len(moves)} reports: {type(exc).__name__}")


def _write_moves(moves: list[tuple]) -> None:
    if not _update_from():
        for pk, later, *judged in moves:
            unchanged = {}
            for name, value in zip(_JUDGED, judged, strict=True):
                if value is None:
                    unchanged[f"{name}__isnull"] = True
                else:
                    unchanged[name] = value
            Report.objects.filter(pk=pk, **unchanged).update(next_notice_at=later)
        return
    sql, columns = _move_statement(connection.vendor)
    params = [
        field.get_db_prep_value(value, connection)
        for move in moves
        for field, value in zip(columns, move, strict=True)
    ]
    rows = ", ".join([sql.row] * len(moves))
    with connection.cursor() as cursor:
        cursor.execute(sql.text.format(rows=rows), params)


def _update_from() -> bool:
    """Whether the database joins an UPDATE to a VALUES list: PostgreSQL does, SQLite from
    3.33 (Django 5.2 also runs on 3.31 and 3.32). Otherwise the moves go one at a time."""
    return connection.vendor != "sqlite" or sqlite3.sqlite_version_info >= (3, 33)


@dataclass(frozen=True)
class _MoveSQL:
    text: str  # with {rows} for the VALUES rows
    row: str  # one row's placeholders


@functools.cache
def _move_statement(vendor: str) -> tuple[_MoveSQL, tuple]:
    """UPDATE reports SET next_notice_at = v.later FROM (VALUES …) v WHERE the key matches
    and every judged column is still what the scan read (NULL matching NULL): a report
    changed since is left out. VALUES columns are column1, column2, … on PostgreSQL and
    SQLite alike; on PostgreSQL each value is cast to its column's type, so a column of
    NULLs still compares with its column."""
    meta = Report._meta
    quote = connection.ops.quote_name
    columns = (meta.pk, meta.get_field("next_notice_at"), *(meta.get_field(n) for n in _JUDGED))
    if vendor == "postgresql":
        row = "(" + ", ".join(f"%s::{f.db_type(connection)}" for f in columns) + ")"
        same = "IS NOT DISTINCT FROM"
    else:
        row = "(" + ", ".join(["%s"] * len(columns)) + ")"
        same = "IS"
    table = quote(meta.db_table)
    unchanged = " AND ".join(
        f"{table}.{quote(f.column)} {same} v.column{i}" for i, f in enumerate(columns[2:], start=3)
    )
    text = (
        f"UPDATE {table} SET {quote(columns[1].column)} = v.column2 "
        f"FROM (VALUES {{rows}}) AS v "
        f"WHERE {table}.{quote(meta.pk.column)} = v.column1 AND {unchanged}"
    )
    return _MoveSQL(text, row), columns


def _move_next_notice(report: Report, sent: set, now: datetime) -> None:
    """Move one report's next notice at once (what the scan does a batch at a time)."""
    moves = _Moves()
    moves.add(report, sent, now)
    moves.flush()


def scan_deadlines(now: datetime | None = None) -> ScanResult:
    now = now or clock.now()
    result = ScanResult()
    # Silent reporters first: these reports close rather than escalate.
    # Only the node that owns a report acts on its deadlines; the others hold copies.
    owned = Report.objects.filter(owner_node=settings.NODE_ID)
    silent = owned.filter(status=Status.RESPONDED, reply_due_at__lt=now).values_list(
        "pk", flat=True
    )
    for pk in silent.iterator(chunk_size=CHUNK):
        if stop_requested():
            result.stopped = True
            return result
        if auto_close_report(Report(pk=pk), now=now) is not None:
            result.auto_closed += 1
    moves = _Moves(result)
    for report in _candidates(now).iterator(chunk_size=CHUNK):
        if stop_requested():
            # Between two reports: each one's notices and move are saved with it or in
            # the batch flushed below, so nothing is half done.
            result.stopped = True
            break
        sent = {(n.deadline, n.due_at, n.kind) for n in report.deadline_notices.all()}
        try:
            for notice in deadlines.notices_due(report, now):
                deadline, _due, kind = notice
                if notice not in sent and _send(report, deadline, kind, now, result):
                    sent.add(notice)
            moves.add(report, sent, now)
        except Exception as exc:  # noqa: BLE001 - one bad report must not stop the scan
            logger.exception("deadline scan failed for report %s", report.pk)
            result.errors.append(f"{report.pk}: {type(exc).__name__}")
    moves.flush()
    return result
