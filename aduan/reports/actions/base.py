"""Shared machinery of the domain actions: the row lock, the permission and state checks
under it, saving with the chain head and the deadline scan key, and storing attachments."""

import contextlib
import datetime as dt

from django.conf import settings
from django.core.files.base import ContentFile

from aduan.core import clock
from aduan.core.uploads import ProcessedUpload
from aduan.notifications.service import notify_reporter

from .. import deadlines
from ..actors import Actor
from ..errors import NotOwner
from ..events import append_event
from ..models import Attachment, EventType, Report, Status, Visibility, attachment_name
from ..permissions import require
from ..signals import report_changed, snapshot
from ..workflow import check_transition

# ---------------------------------------------------------------------------- helpers


def _now() -> dt.datetime:
    return clock.now()


def _lock(report: Report) -> Report:
    # of=("self",): PostgreSQL cannot lock the nullable side of the joined rows.
    locked = (
        Report.objects.select_for_update(of=("self",))
        .select_related("agency", "unit", "region", "reporter")
        .get(pk=report.pk)
    )
    locked._before = snapshot(locked)
    return locked


def require_owner(report: Report) -> None:
    """Only the node that owns a report appends to its history; elsewhere an action
    becomes a command to the owner (aduan/federation/dispatch.py)."""
    if report.owner_node != settings.NODE_ID:
        raise NotOwner(report.owner_node)


def _begin(report: Report, action: str, actor: Actor) -> tuple[Report, str | None]:
    locked = _lock(report)
    require_owner(locked)
    require(actor, action, locked)
    target = check_transition(action, locked.status)
    return locked, target


def hand_off_if_needed(report: Report, now: dt.datetime, actor: Actor) -> list[str]:
    """Pass ownership to the node that works for the report's handler now (a disposition
    to an agency hosted on a regional node, a return to the national admins on central).
    The handoff is an event of the history, the last one this node appends. Returns the
    fields to save."""
    from aduan.federation.relevance import central_id, owner_for_agency

    if report.status == Status.RETURNED and report.returned_to == "national":
        target = central_id() or settings.NODE_ID
    else:
        target = owner_for_agency(report.unit or report.agency)
    if target == report.owner_node:
        return []
    append_event(
        report,
        EventType.HANDED_OVER,
        actor=actor,
        at=now,
        visibility=Visibility.INTERNAL,
        payload={"from_node": report.owner_node, "to_node": target},
    )
    report.owner_node = target
    return ["owner_node"]


ALWAYS_SAVED = [
    "last_event_seq",
    "last_event_hash",
    "updated_at",
    "next_due_at",
    "next_notice_at",
    "is_overdue",
]


def _save(report: Report, now: dt.datetime, *fields: str) -> None:
    deadlines.refresh_next_due(report, now)
    report.save(update_fields=sorted(set(fields) | set(ALWAYS_SAVED)))
    report_changed.send(sender=Report, report=report, before=getattr(report, "_before", None))
    report._before = snapshot(report)


def _move(report: Report, target: str | None) -> tuple[str, str]:
    """Set the new status; return (from, to) for the event."""
    before = report.status
    if target is not None:
        report.status = target
    return before, report.status


class FileGuard:
    """Removes files written during an action if the action fails after writing them, so
    a failed action leaves neither rows nor files behind."""

    def __init__(self):
        self.written: list[str] = []

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            storage = Attachment._meta.get_field("file").storage
            for name in self.written:
                with contextlib.suppress(OSError):
                    storage.delete(name)
        return False


def _store_files(
    report: Report,
    processed: list[ProcessedUpload],
    guard: FileGuard,
    *,
    event=None,
    visibility: str = Visibility.PUBLIC,
    by_reporter: bool = False,
) -> list[Attachment]:
    """Write processed files and their rows. Each gets a generated name numbered in the
    report's upload order ("foto-3.jpg"): the client's file name may name the reporter and
    is never stored. The caller holds the report's lock, so the numbers cannot collide."""
    stored: list[Attachment] = []
    number = Attachment.objects.filter(report=report).count() if processed else 0
    for item in processed:
        number += 1
        attachment = Attachment(
            report=report,
            event=event,
            name=attachment_name(item.kind, item.extension, number),
            content_type=item.content_type,
            extension=item.extension,
            kind=item.kind,
            size=item.size,
            sha256=item.sha256,
            visibility=visibility,
            uploaded_by_reporter=by_reporter,
        )
        attachment.file.save(attachment.name, ContentFile(item.content), save=False)
        guard.written.append(attachment.file.name)
        attachment.save(force_insert=True)
        stored.append(attachment)
    return stored


def _notify_status(report: Report, template: str = "status_changed", **extra) -> None:
    notify_reporter(report, template, extra=extra)


def _handler_audiences(report: Report) -> tuple[str, ...]:
    if report.unit_id:
        return ("unit",)
    if report.agency_id:
        return ("agency",)
    return ("national",)
