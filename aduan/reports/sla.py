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
deadlines being those the scan judged, so a change made meanwhile is never skipped.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Prefetch

from aduan.core import clock

from . import deadlines
from .actions import auto_close_report, escalate, mark_overdue, send_deadline_reminder
from .models import DeadlineNotice, EscalationLevel, Report, Status

logger = logging.getLogger(__name__)

CHUNK = 500


@dataclass
class ScanResult:
    auto_closed: int = 0
    reminders: int = 0
    overdue: int = 0
    escalations: int = 0
    errors: list[str] = field(default_factory=list)


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


def _move_next_notice(report: Report, sent: set, now: datetime) -> None:
    later = deadlines.next_notice_time(report, sent, now)
    if later is not None and later <= now:
        return  # still to be looked at on the next scan: nothing to write
    unchanged = {}
    for name in _JUDGED:
        value = getattr(report, name)
        if value is None:
            unchanged[f"{name}__isnull"] = True
        else:
            unchanged[name] = value
    Report.objects.filter(pk=report.pk, **unchanged).update(next_notice_at=later)


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
        if auto_close_report(Report(pk=pk), now=now) is not None:
            result.auto_closed += 1
    for report in _candidates(now).iterator(chunk_size=CHUNK):
        sent = {(n.deadline, n.due_at, n.kind) for n in report.deadline_notices.all()}
        try:
            for notice in deadlines.notices_due(report, now):
                deadline, _due, kind = notice
                if notice not in sent and _send(report, deadline, kind, now, result):
                    sent.add(notice)
            _move_next_notice(report, sent, now)
        except Exception as exc:  # noqa: BLE001 - one bad report must not stop the scan
            logger.exception("deadline scan failed for report %s", report.pk)
            result.errors.append(f"{report.pk}: {type(exc).__name__}")
    return result
