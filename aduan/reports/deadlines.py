"""Legal deadlines as stored columns (docs/DESIGN.md, Deadlines).

Sources: Perpres 76/2013 on public-service complaint management and PermenPANRB 62/2018
(SP4N-LAPOR! guidelines): verification within 3 working days; a first follow-up within 5
working days of disposition; completion within 5 working days for aspirations and
information requests, 14 for complaints, 60 for complaints that need an inspection or audit
("berkadar pengawasan"); the reporter has 10 working days to answer a follow-up before the
report closes itself. Clocks pause while the report waits on the reporter.

All functions mutate the in-memory report; the calling action saves it.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from aduan.workdays.calendar import add_working_days, working_days_between

from .models import EscalationLevel, Report, ReportType, Status

VERIFY_WD = 3
FIRST_RESPONSE_WD = 5
COMPLETION_WD = {
    ReportType.ASPIRATION: 5,
    ReportType.INFORMATION_REQUEST: 5,
    ReportType.COMPLAINT: 14,
}
INSPECTION_COMPLETION_WD = 60
REPLY_WINDOW_WD = 10

DEADLINE_FIELDS = ("verify_due_at", "first_response_due_at", "completion_due_at", "reply_due_at")
DEADLINE_LABELS = {
    "verify_due_at": ("verifikasi", "verification"),
    "first_response_due_at": ("tindak lanjut pertama", "first follow-up"),
    "completion_due_at": ("penyelesaian", "completion"),
    "reply_due_at": ("tanggapan pelapor", "reporter reply"),
}


def report_timezone(report: Report) -> str:
    """Deadlines run in the responsible agency's zone, else the report region's."""
    if report.agency_id:
        return report.agency.timezone
    if report.region_id:
        return report.region.timezone
    return settings.TIME_ZONE


def stored_report_timezone(report_id: int) -> str:
    """`report_timezone` of a stored report, read in one small query instead of the whole
    report row and then its agency's or region's."""
    row = (
        Report.objects.filter(pk=report_id)
        .values_list("agency_id", "agency__timezone", "region_id", "region__timezone")
        .first()
    )
    if row is None:
        return settings.TIME_ZONE
    agency_id, agency_zone, region_id, region_zone = row
    if agency_id:
        return agency_zone
    if region_id:
        return region_zone
    return settings.TIME_ZONE


def _add(report: Report, start: datetime, days: int) -> datetime:
    return add_working_days(start, days, report_timezone(report), report.region_id)


def completion_days(report: Report) -> int:
    if report.report_type == ReportType.COMPLAINT and report.needs_inspection:
        return INSPECTION_COMPLETION_WD
    return COMPLETION_WD[ReportType(report.report_type)]


def on_submitted(report: Report, now: datetime) -> None:
    report.verify_due_at = _add(report, now, VERIFY_WD)


def on_dispositioned(report: Report, now: datetime) -> None:
    """A (re)disposition to an agency starts its first-response and completion clocks."""
    report.first_response_due_at = _add(report, now, FIRST_RESPONSE_WD)
    report.completion_due_at = _add(report, now, completion_days(report))


def on_inspection_changed(report: Report, previous_days: int) -> None:
    """Move the completion deadline to the limit of the report's new kind (14 or 60 working
    days), keeping the working days already credited for time spent on hold.

    The credit is not stored: the completion deadline was set `previous_days` working days
    after disposition and then moved by every resumed hold, so the working days between
    disposition and the deadline, less `previous_days`, are exactly what was credited."""
    if report.dispositioned_at is None or report.completion_due_at is None:
        return
    elapsed = working_days_between(
        report.dispositioned_at,
        report.completion_due_at,
        report_timezone(report),
        report.region_id,
    )
    # A holiday added (or cancelled) since can move the count by a day; never below zero.
    credited = max(0, elapsed - previous_days)
    report.completion_due_at = _add(
        report, report.dispositioned_at, completion_days(report) + credited
    )


def on_responded(report: Report, now: datetime) -> None:
    report.reply_due_at = _add(report, now, REPLY_WINDOW_WD)


def pause(report: Report, now: datetime) -> None:
    report.paused_at = now


def resume(report: Report, now: datetime) -> int:
    """Shift every running deadline by the working days spent waiting on the reporter."""
    if report.paused_at is None:
        return 0
    shift = working_days_between(report.paused_at, now, report_timezone(report), report.region_id)
    if shift:
        for field in DEADLINE_FIELDS:
            due = getattr(report, field)
            if due is not None and due > report.paused_at:
                setattr(report, field, _add(report, due, shift))
    report.paused_at = None
    return shift


def running_deadlines(report: Report) -> list[tuple[str, datetime]]:
    """The deadlines that still run for the report's current status."""
    status = report.status
    if status == Status.SUBMITTED:
        candidates = ["verify_due_at"]
    elif status in (Status.DISPOSITIONED, Status.RETURNED, Status.IN_PROGRESS):
        candidates = ["completion_due_at"]
        if report.first_response_at is None:
            candidates.insert(0, "first_response_due_at")
    elif status == Status.RESPONDED:
        candidates = ["reply_due_at"]
    else:  # on hold (paused) or finished
        candidates = []
    return [(f, getattr(report, f)) for f in candidates if getattr(report, f) is not None]


def working_days_left(report: Report, due: datetime, now: datetime) -> int:
    """Working days from `now` to the deadline `due`, counted like the deadline itself:
    the days after today's local date up to and including the deadline's. Positive while
    it runs (0 on its last day), negative once it passed: -1 on the first working day
    after it, 0 on a weekend or holiday right after it (passed, but not yet a working day
    late). A deadline set "5 working days" from now has exactly 5 left, not 6."""
    tz = report_timezone(report)
    if due >= now:
        return working_days_between(now, due, tz, report.region_id)
    return -working_days_between(due, now, tz, report.region_id)


def refresh_next_due(report: Report, now: datetime) -> None:
    running = running_deadlines(report)
    report.next_due_at = min((due for _, due in running), default=None)
    report.is_overdue = report.next_due_at is not None and report.next_due_at < now
    report.next_notice_at = first_notice_at(report.status, report.next_due_at)


def first_notice_at(status: str, next_due_at: datetime | None) -> datetime | None:
    """Where the deadline scan starts looking at a report whose deadlines were just set:
    the earliest moment a notice can be due, when its first deadline is `next_due_at`.
    None for a report that waits on its reporter's reply, which the scan closes by its
    own query rather than reminds (`sla.scan_deadlines`)."""
    if next_due_at is None or status == Status.RESPONDED:
        return None
    return next_due_at - REMINDER_LOOKAHEAD


# ---------------------------------------------------------------------------- the deadline watch
# Reminders before a deadline, then the overdue flag and escalation after it: first to the
# agency admin as soon as it passes, then to the national admins and supervisors
# (docs/DESIGN.md, Deadlines).

# Remind the handler when at most this many working days are left.
REMINDER_WORKING_DAYS = 1
# Escalate to the national admins and supervisors this many working days after a deadline
# passed (the agency admin is told at once).
SECOND_ESCALATION_WORKING_DAYS = 3
# The widest calendar gap a reminder window can span (Lebaran with cuti bersama).
REMINDER_LOOKAHEAD = timedelta(days=12)

REMINDER = "reminder"
OVERDUE = "overdue"


def escalation_kind(level: int) -> str:
    return f"escalation_{int(level)}"


def reminder_from(due: datetime, tz: str, region_code: str | None) -> datetime:
    """The first moment `notices_due` calls for the reminder of a deadline due at `due`:
    the start of the first local day with at most REMINDER_WORKING_DAYS working days
    left, and not before REMINDER_LOOKAHEAD ahead of it (the count depends on local dates
    only, so a day is one step; at most thirteen)."""
    zone = ZoneInfo(tz)
    earliest = due - REMINDER_LOOKAHEAD
    day = earliest.astimezone(zone).date()
    while True:
        start = max(datetime.combine(day, time.min, zone), earliest)
        if start >= due or working_days_between(start, due, tz, region_code) <= (
            REMINDER_WORKING_DAYS
        ):
            return start
        day += timedelta(days=1)


def next_notice_time(
    report: Report, sent: set[tuple[str, datetime, str]], now: datetime
) -> datetime | None:
    """When `notices_due` can next call for a notice not in `sent` (deadline field, due
    at, kind), judged on the report's deadlines as they are: `now` or earlier when one is
    due already or a reminder may be (the last days before a deadline are looked at on
    every scan, as the working-day count decides), a later moment when nothing can be
    due before it, None when every notice of these deadlines went out."""
    tz = None
    moments: list[datetime] = []
    for name, due in running_deadlines(report):
        if due > now:
            if (name, due, REMINDER) not in sent:
                tz = tz or report_timezone(report)
                moments.append(max(reminder_from(due, tz, report.region_id), now))
            else:
                moments.append(due)
            continue
        if (name, due, OVERDUE) not in sent or (
            name,
            due,
            escalation_kind(EscalationLevel.AGENCY_ADMIN),
        ) not in sent:
            moments.append(now)
        elif (name, due, escalation_kind(EscalationLevel.NATIONAL)) not in sent:
            tz = tz or report_timezone(report)
            second = add_working_days(due, SECOND_ESCALATION_WORKING_DAYS, tz, report.region_id)
            moments.append(max(second, now))
    return min(moments, default=None)


def notices_due(report: Report, now: datetime) -> list[tuple[str, datetime, str]]:
    """The notices the report's running deadlines call for at `now`, sent or not, as
    (deadline field, due at, kind): a reminder on the last working day, then once the
    deadline passed the overdue mark and the first escalation, and after three more
    working days the second escalation. Each is sent once per deadline and due date
    (`DeadlineNotice`); a deadline moved by a hold is a new due date."""
    due_now: list[tuple[str, datetime, str]] = []
    tz = report_timezone(report)
    for name, due in running_deadlines(report):
        if due > now:
            if due - now <= REMINDER_LOOKAHEAD and (
                working_days_between(now, due, tz, report.region_id) <= REMINDER_WORKING_DAYS
            ):
                due_now.append((name, due, REMINDER))
            continue
        due_now.append((name, due, OVERDUE))
        due_now.append((name, due, escalation_kind(EscalationLevel.AGENCY_ADMIN)))
        second = add_working_days(due, SECOND_ESCALATION_WORKING_DAYS, tz, report.region_id)
        if now > second:
            due_now.append((name, due, escalation_kind(EscalationLevel.NATIONAL)))
    return due_now
