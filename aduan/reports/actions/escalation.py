"""The deadline watch: reminders before a deadline, the overdue mark when it passes, and
escalation after it (first to the agency admin, then to the national admins and
supervisors). The worker's scan (`aduan.reports.sla`) finds the reports and calls these.

Each action is taken by the system, once per deadline and due date: the `DeadlineNotice`
row is inserted under the report's lock before the event is appended and anything is
enqueued, so running the scan twice, or on two workers at once, sends nothing twice. An
action whose notice is no longer due (the report moved on, the deadline moved, or the
notice went out already) changes nothing and returns None.
"""

import datetime as dt

from django.db import transaction

from aduan.notifications.service import notify_staff

from .. import deadlines
from ..actors import SYSTEM
from ..events import append_event
from ..models import DeadlineNotice, EscalationLevel, EventType, Report, Visibility
from ..permissions import require
from ..workflow import can_transition
from .base import _handler_audiences, _lock, _now, _save


def _begin_notice(
    report: Report, action: str, deadline: str, kind: str, now: dt.datetime
) -> tuple[Report, dt.datetime] | None:
    """Lock the report and record the notice; None when it is not (or no longer) due."""
    locked = _lock(report)
    require(SYSTEM, action, locked)
    if not can_transition(action, locked.status):
        # The report moved on (answered, waiting on its reporter, closed) since the scan.
        return None
    for name, due, due_kind in deadlines.notices_due(locked, now):
        if (name, due_kind) != (deadline, kind):
            continue
        _, created = DeadlineNotice.objects.get_or_create(
            report=locked, deadline=deadline, due_at=due, kind=kind
        )
        return (locked, due) if created else None
    return None


def _append(
    report: Report, type: str, deadline: str, due: dt.datetime, now: dt.datetime, **extra
) -> None:
    append_event(
        report,
        type,
        actor=SYSTEM,
        at=now,
        visibility=Visibility.INTERNAL,
        payload={"deadline": deadline, "due_at": due.isoformat()} | extra,
    )


def _label(deadline: str) -> str:
    # Notifications go out in Indonesian.
    return deadlines.DEADLINE_LABELS[deadline][0]


def send_deadline_reminder(
    report: Report, deadline: str, *, now: dt.datetime | None = None
) -> Report | None:
    """Remind the handler (the unit, else the agency, else the national admins) on the
    last working day before `deadline` (a deadline field, e.g. "first_response_due_at")."""
    now = now or _now()
    with transaction.atomic():
        begun = _begin_notice(report, "remind", deadline, deadlines.REMINDER, now)
        if begun is None:
            return None
        locked, due = begun
        _append(locked, EventType.REMINDER, deadline, due, now)
        _save(locked, now)
        notify_staff(
            locked,
            _handler_audiences(locked),
            "deadline_reminder",
            extra={"deadline": _label(deadline), "due_at": due.isoformat()},
        )
        return locked


def mark_overdue(report: Report, deadline: str, *, now: dt.datetime | None = None) -> Report | None:
    """Record that `deadline` passed: the report is flagged overdue (a flag, not a state)
    and its history says which deadline was missed. Escalation tells people."""
    now = now or _now()
    with transaction.atomic():
        begun = _begin_notice(report, "mark_overdue", deadline, deadlines.OVERDUE, now)
        if begun is None:
            return None
        locked, due = begun
        _append(locked, EventType.OVERDUE, deadline, due, now)
        # _save() sets `is_overdue` from the running deadlines at `now`.
        _save(locked, now)
        return locked


def escalate(
    report: Report, deadline: str, level: int, *, now: dt.datetime | None = None
) -> Report | None:
    """Escalate a missed `deadline`: level 1 tells the agency admin (the national admins
    for a report not yet disposed) as soon as it passed; level 2 tells the national
    admins and the supervisors of the report's region three working days later."""
    level = EscalationLevel(level)
    if level == EscalationLevel.NONE:
        raise ValueError("escalation starts at level 1")
    now = now or _now()
    with transaction.atomic():
        kind = deadlines.escalation_kind(level)
        begun = _begin_notice(report, "escalate", deadline, kind, now)
        if begun is None:
            return None
        locked, due = begun
        _append(locked, EventType.ESCALATED, deadline, due, now, level=int(level))
        locked.escalation_level = max(locked.escalation_level, level)
        locked.is_escalated = True
        _save(locked, now, "escalation_level", "is_escalated")
        if level == EscalationLevel.AGENCY_ADMIN:
            audiences = ("agency",) if locked.agency_id else ("national",)
        else:
            audiences = ("national", "supervisors")
        notify_staff(
            locked,
            audiences,
            "deadline_escalation",
            extra={
                "deadline": _label(deadline),
                "due_at": due.isoformat(),
                "level": int(level),
            },
        )
        return locked
