"""The deadline scan run by the worker: reminders before a deadline, escalation after it
(first to the agency admin, then to the national admins and supervisors), and the
automatic closing of reports whose reporter stayed silent.

Safe to run twice or concurrently: every reminder and escalation is a unique
DeadlineNotice row inserted under the report's lock before anything is sent, and
auto-closing re-checks the report under its lock.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from aduan.core import clock
from aduan.notifications.service import notify_staff
from aduan.workdays.calendar import add_working_days, working_days_between

from . import deadlines
from .actions import auto_close_report
from .actions.base import _lock, _save
from .actors import SYSTEM
from .events import append_event
from .models import DeadlineNotice, EscalationLevel, EventType, Report, Status, Visibility

logger = logging.getLogger(__name__)

# Remind the handler when at most this many working days are left.
REMINDER_WORKING_DAYS = 1
# Escalate to the national admins and supervisors this many working days after a
# deadline passed (the agency admin is told at once).
SECOND_ESCALATION_WORKING_DAYS = 3
# The widest calendar gap a reminder window can span (Lebaran with cuti bersama).
LOOKAHEAD = timedelta(days=12)


@dataclass
class ScanResult:
    auto_closed: int = 0
    reminders: int = 0
    escalations: int = 0
    errors: list[str] = field(default_factory=list)


def _record_notice(report: Report, deadline: str, due_at: datetime, kind: str) -> bool:
    """Insert the notice row; False when it exists already (the scan ran before)."""
    try:
        with transaction.atomic():
            DeadlineNotice.objects.create(
                report=report, deadline=deadline, due_at=due_at, kind=kind
            )
    except IntegrityError:
        return False
    return True


def _handle(report_id: int, now: datetime, result: ScanResult) -> None:
    with transaction.atomic():
        report = _lock(Report(pk=report_id))
        seq_before = report.last_event_seq
        tz = deadlines.report_timezone(report)
        changed: list[str] = []
        for name, due in deadlines.running_deadlines(report):
            label_id, label_en = deadlines.DEADLINE_LABELS[name]
            payload = {"deadline": name, "due_at": due.isoformat()}
            handler = (
                ("unit",) if report.unit_id else ("agency",) if report.agency_id else ("national",)
            )
            if due > now:
                left = working_days_between(now, due, tz, report.region_id)
                if left <= REMINDER_WORKING_DAYS and _record_notice(report, name, due, "reminder"):
                    append_event(
                        report,
                        EventType.REMINDER,
                        actor=SYSTEM,
                        at=now,
                        visibility=Visibility.INTERNAL,
                        payload=payload,
                    )
                    notify_staff(
                        report,
                        handler,
                        "deadline_reminder",
                        extra={"deadline": label_id, "due_at": due.isoformat()},
                    )
                    result.reminders += 1
                continue
            if not report.is_overdue:
                report.is_overdue = True
                changed.append("is_overdue")
            level = EscalationLevel.AGENCY_ADMIN
            second = add_working_days(due, SECOND_ESCALATION_WORKING_DAYS, tz, report.region_id)
            if now > second:
                level = EscalationLevel.NATIONAL
            for step in range(EscalationLevel.AGENCY_ADMIN, level + 1):
                if not _record_notice(report, name, due, f"escalation_{step}"):
                    continue
                if step == EscalationLevel.AGENCY_ADMIN:
                    audiences = ("agency",) if report.agency_id else ("national",)
                else:
                    audiences = ("national", "supervisors")
                append_event(
                    report,
                    EventType.ESCALATED,
                    actor=SYSTEM,
                    at=now,
                    visibility=Visibility.INTERNAL,
                    payload=payload | {"level": step},
                )
                notify_staff(
                    report,
                    audiences,
                    "deadline_escalation",
                    extra={"deadline": label_id, "due_at": due.isoformat(), "level": step},
                )
                if report.escalation_level < step:
                    report.escalation_level = step
                    changed.append("escalation_level")
                report.is_escalated = True
                changed.append("is_escalated")
                result.escalations += 1
        if changed or report.last_event_seq != seq_before:
            _save(report, now, *changed)


def scan_deadlines(now: datetime | None = None) -> ScanResult:
    now = now or clock.now()
    result = ScanResult()
    # Silent reporters first: these reports close rather than escalate.
    silent = Report.objects.filter(status=Status.RESPONDED, reply_due_at__lt=now).values_list(
        "pk", flat=True
    )
    for pk in silent.iterator(chunk_size=500):
        if auto_close_report(Report(pk=pk), now=now) is not None:
            result.auto_closed += 1
    candidates = (
        Report.objects.filter(next_due_at__lt=now + LOOKAHEAD)
        .exclude(status=Status.RESPONDED)
        .values_list("pk", flat=True)
    )
    for pk in candidates.iterator(chunk_size=500):
        try:
            _handle(pk, now, result)
        except Exception as exc:  # noqa: BLE001 - one bad report must not stop the scan
            logger.exception("deadline scan failed for report %s", pk)
            result.errors.append(f"{pk}: {type(exc).__name__}")
    return result
