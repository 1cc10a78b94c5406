"""Closing: accepting, rating, contesting and withdrawing, and closing by an admin or by
the reporter's silence."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy

from aduan.notifications.service import notify_staff

from .. import deadlines
from ..actors import SYSTEM, as_actor
from ..errors import InvalidInput
from ..events import append_event
from ..models import EventType, Report, Status, Visibility
from ..permissions import require
from ..workflow import check_transition
from .base import _begin, _handler_audiences, _lock, _move, _notify_status, _now, _save
from .validation import _clean_text, _rating


@transaction.atomic
def accept_response(report: Report, *, actor, rating=None, comment: str = "") -> Report:
    """The reporter accepts the answer; the report closes, with their rating if given."""
    actor = as_actor(actor)
    now = _now()
    report, target = _begin(report, "accept", actor)
    rating_value = _rating(rating) if rating not in (None, "") else None
    comment = _clean_text(comment, "comment", required=False, limit=2000)
    before, after = _move(report, target)
    report.closed_at = now
    report.reply_due_at = None
    append_event(
        report,
        EventType.ACCEPTED,
        actor=actor,
        at=now,
        from_status=before,
        to_status=after,
    )
    fields = ["status", "closed_at", "reply_due_at"]
    if rating_value is not None:
        report.rating, report.rating_comment = rating_value, comment
        append_event(
            report,
            EventType.RATED,
            actor=actor,
            at=now,
            payload={"rating": rating_value, "comment": comment},
        )
        fields += ["rating", "rating_comment"]
    _save(report, now, *fields)
    notify_staff(report, _handler_audiences(report), "report_closed_staff")
    _notify_status(report, "report_closed")
    return report


@transaction.atomic
def rate_report(report: Report, rating, *, actor, comment: str = "") -> Report:
    actor = as_actor(actor)
    now = _now()
    report, _ = _begin(report, "rate", actor)
    if report.rating is not None:
        raise InvalidInput(
            gettext_lazy("Laporan ini sudah dinilai."),
            field="rating",
            code="already_rated",
        )
    report.rating = _rating(rating)
    report.rating_comment = _clean_text(comment, "comment", required=False, limit=2000)
    append_event(
        report,
        EventType.RATED,
        actor=actor,
        at=now,
        payload={"rating": report.rating, "comment": report.rating_comment},
    )
    _save(report, now, "rating", "rating_comment")
    return report


@transaction.atomic
def contest_response(report: Report, reason: str, *, actor) -> Report:
    """The reporter appeals the answer, once. The report reopens with an escalation flag
    and the agency admins, national admins and supervisors are told."""
    actor = as_actor(actor)
    now = _now()
    report, target = _begin(report, "contest", actor)
    if report.appeal_used:
        raise InvalidInput(
            gettext_lazy("Banding hanya dapat diajukan satu kali."),
            field="reason",
            code="appeal_used",
        )
    if report.status == Status.CLOSED and report.closed_at:
        window_end = deadlines._add(report, report.closed_at, deadlines.REPLY_WINDOW_WD)
        if now > window_end:
            raise InvalidInput(
                gettext_lazy("Masa banding (10 hari kerja setelah ditutup) sudah lewat."),
                field="reason",
                code="appeal_window_passed",
            )
    reason = _clean_text(reason, "reason")
    before, after = _move(report, target)
    report.appeal_used = True
    report.is_escalated = True
    report.closed_at = None
    report.reply_due_at = None
    append_event(
        report,
        EventType.CONTESTED,
        actor=actor,
        at=now,
        from_status=before,
        to_status=after,
        payload={"reason": reason},
    )
    _save(
        report,
        now,
        "status",
        "appeal_used",
        "is_escalated",
        "closed_at",
        "reply_due_at",
    )
    notify_staff(
        report,
        ("agency", "unit", "national", "supervisors"),
        "report_contested",
        extra={"reason": reason},
    )
    _notify_status(report)
    return report


@transaction.atomic
def withdraw_report(report: Report, *, actor, reason: str = "") -> Report:
    actor = as_actor(actor)
    now = _now()
    report, target = _begin(report, "withdraw", actor)
    reason = _clean_text(reason, "reason", required=False, limit=2000)
    before, after = _move(report, target)
    report.closed_at = now
    report.paused_at = None
    append_event(
        report,
        EventType.WITHDRAWN,
        actor=actor,
        at=now,
        visibility=Visibility.PARTIES,
        from_status=before,
        to_status=after,
        payload={"reason": reason},
    )
    _save(report, now, "status", "closed_at", "paused_at")
    if report.agency_id:
        notify_staff(report, _handler_audiences(report), "report_withdrawn")
    _notify_status(report)
    return report


# ---------------------------------------------------------------------------- closing


@transaction.atomic
def close_report(report: Report, *, actor, note: str = "") -> Report:
    """An admin closes a handled report (e.g. the reporter cannot be reached)."""
    actor = as_actor(actor)
    now = _now()
    report, target = _begin(report, "close", actor)
    note = _clean_text(note, "note", required=False)
    before, after = _move(report, target)
    report.closed_at = now
    report.reply_due_at = None
    append_event(
        report,
        EventType.CLOSED,
        actor=actor,
        at=now,
        from_status=before,
        to_status=after,
        payload={"note": note},
    )
    _save(report, now, "status", "closed_at", "reply_due_at")
    _notify_status(report, "report_closed")
    return report


def auto_close_report(report: Report, *, now: dt.datetime | None = None) -> Report | None:
    """Close a responded report whose reporter stayed silent for 10 working days.
    Returns None (and changes nothing) if it no longer qualifies, so it is safe to call
    twice."""
    now = now or _now()
    with transaction.atomic():
        locked = _lock(report)
        if (
            locked.owner_node != settings.NODE_ID
            or locked.status != Status.RESPONDED
            or locked.reply_due_at is None
            or locked.reply_due_at >= now
        ):
            return None
        require(SYSTEM, "auto_close", locked)
        target = check_transition("auto_close", locked.status)
        before, after = _move(locked, target)
        locked.closed_at = now
        locked.reply_due_at = None
        append_event(
            locked,
            EventType.AUTO_CLOSED,
            actor=SYSTEM,
            at=now,
            from_status=before,
            to_status=after,
        )
        _save(locked, now, "status", "closed_at", "reply_due_at")
        _notify_status(locked, "report_closed")
        return locked
