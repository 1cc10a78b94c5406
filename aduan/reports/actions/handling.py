"""Handling: the agency's work on a disposed report, and the reporter's replies to it."""

from collections.abc import Sequence

from django.db import transaction

from aduan.notifications.service import notify_reporter, notify_staff

from .. import deadlines
from ..actors import as_actor
from ..events import append_event
from ..models import EventType, Report, Visibility
from ..workflow import check_condition
from .base import (
    FileGuard,
    _begin,
    _handler_audiences,
    _move,
    _notify_status,
    _now,
    _save,
    _store_files,
)
from .validation import _clean_text, _process_files

# ---------------------------------------------------------------------------- handling


@transaction.atomic
def acknowledge_report(report: Report, *, actor) -> Report:
    """The unit (or the agency handling it itself) confirms it is working on the report."""
    actor = as_actor(actor)
    now = _now()
    report, target = _begin(report, "acknowledge", actor)
    before, after = _move(report, target)
    append_event(
        report,
        EventType.ACKNOWLEDGED,
        actor=actor,
        at=now,
        from_status=before,
        to_status=after,
    )
    _save(report, now, "status")
    _notify_status(report)
    return report


@transaction.atomic
def post_follow_up(report: Report, text: str, *, actor, files: Sequence = ()) -> Report:
    """The agency's substantive answer. The reporter then has 10 working days to reply
    before the report closes itself."""
    actor = as_actor(actor)
    now = _now()
    report, target = _begin(report, "post_follow_up", actor)
    text = _clean_text(text, "text")
    with FileGuard() as guard:
        processed = _process_files(files, existing=report.attachments.count())
        before, after = _move(report, target)
        report.first_response_at = report.first_response_at or now
        report.responded_at = now
        deadlines.on_responded(report, now)
        event = append_event(
            report,
            EventType.FOLLOW_UP,
            actor=actor,
            at=now,
            from_status=before,
            to_status=after,
            payload={
                "text": text,
                "by": str(report.handling_agency) if report.handling_agency else "",
            },
        )
        _store_files(report, processed, guard, event=event)
        _save(report, now, "status", "first_response_at", "responded_at", "reply_due_at")
        notify_reporter(
            report,
            "follow_up_posted",
            extra={"text": text, "reply_due_at": report.reply_due_at.isoformat()},
        )
        return report


@transaction.atomic
def post_progress_update(report: Report, text: str, *, actor, files: Sequence = ()) -> Report:
    """An interim update to the reporter ("perkembangan penanganan"): public, told to the
    reporter, and nothing else. The status stays; no clock starts or stops. In particular
    the reporter's 10 working days to reply before the report closes itself (PermenPANRB
    62/2018) run from the answer, `post_follow_up`, never from an update like this one,
    which the reporter cannot reply to, accept or appeal."""
    actor = as_actor(actor)
    now = _now()
    report, _ = _begin(report, "post_progress_update", actor)
    text = _clean_text(text, "text")
    with FileGuard() as guard:
        processed = _process_files(files, existing=report.attachments.count())
        event = append_event(
            report,
            EventType.PROGRESS_UPDATE,
            actor=actor,
            at=now,
            # The status it was posted in (unchanged), for readers of one event alone.
            from_status=report.status,
            to_status=report.status,
            payload={
                "text": text,
                "by": str(report.handling_agency) if report.handling_agency else "",
            },
        )
        _store_files(report, processed, guard, event=event)
        _save(report, now)
        notify_reporter(report, "progress_update", extra={"text": text})
        return report


@transaction.atomic
def add_internal_note(report: Report, text: str, *, actor, files: Sequence = ()) -> Report:
    """A note among staff: never shown to the reporter or the public."""
    actor = as_actor(actor)
    now = _now()
    report, _ = _begin(report, "add_internal_note", actor)
    text = _clean_text(text, "text")
    with FileGuard() as guard:
        processed = _process_files(files, existing=report.attachments.count())
        event = append_event(
            report,
            EventType.INTERNAL_NOTE,
            actor=actor,
            at=now,
            visibility=Visibility.INTERNAL,
            payload={"text": text},
        )
        _store_files(report, processed, guard, event=event, visibility=Visibility.INTERNAL)
        _save(report, now)
        return report


@transaction.atomic
def set_needs_inspection(report: Report, value: bool, *, actor) -> Report:
    """Mark a complaint as needing an inspection or audit ("berkadar pengawasan"), or
    remove the mark. Its completion limit becomes 60 working days from disposition instead
    of 14; the working days credited for time on hold stay credited. Set by the national
    admin or the admin of the report's agency; changing nothing records nothing."""
    actor = as_actor(actor)
    now = _now()
    report, _ = _begin(report, "set_needs_inspection", actor)
    check_condition("set_needs_inspection", report)
    value = bool(value)
    if value == report.needs_inspection:
        return report
    previous_days = deadlines.completion_days(report)
    previous_due = report.completion_due_at
    report.needs_inspection = value
    deadlines.on_inspection_changed(report, previous_days)
    append_event(
        report,
        EventType.INSPECTION_CHANGED,
        actor=actor,
        at=now,
        visibility=Visibility.INTERNAL,
        payload={
            "needs_inspection": value,
            "completion_due_at": report.completion_due_at,
            "previous_completion_due_at": previous_due,
        },
    )
    _save(report, now, "needs_inspection", "completion_due_at")
    return report


# ---------------------------------------------------------------------------- reporter


@transaction.atomic
def reporter_reply(report: Report, text: str, *, actor, files: Sequence = ()) -> Report:
    """The reporter answers a follow-up: the report goes back to the handler."""
    actor = as_actor(actor)
    now = _now()
    report, target = _begin(report, "reporter_reply", actor)
    text = _clean_text(text, "text")
    with FileGuard() as guard:
        processed = _process_files(files, existing=report.attachments.count())
        before, after = _move(report, target)
        report.reply_due_at = None
        event = append_event(
            report,
            EventType.REPORTER_REPLIED,
            actor=actor,
            at=now,
            visibility=Visibility.PARTIES,
            from_status=before,
            to_status=after,
            payload={"text": text},
        )
        _store_files(
            report,
            processed,
            guard,
            event=event,
            visibility=Visibility.PARTIES,
            by_reporter=True,
        )
        _save(report, now, "status", "reply_due_at")
        notify_staff(report, _handler_audiences(report), "reporter_replied")
        return report
