"""A report's history as staff read it: every event, internal notes included and marked,
described from its payload. The reporter is only ever "Pelapor" here: the person behind
an anonymous report must not be named through the timeline."""

import datetime as dt
from dataclasses import dataclass, field

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from aduan.accounts.models import Role
from aduan.reports.deadlines import DEADLINE_LABELS
from aduan.reports.models import (
    ArchiveReason,
    Channel,
    EscalationLevel,
    EventType,
    Report,
    ReportEvent,
    ReportType,
    Status,
    Visibility,
)

E = EventType

CHANGE_LABELS = {
    "title": _("Judul"),
    "category": _("Kategori"),
    "region": _("Wilayah"),
    "report_type": _("Jenis laporan"),
    "is_confidential": _("Rahasia"),
}


ASSIGNMENT_REASONS = {
    "taken": _("diambil sendiri oleh petugas"),
    "assigned": _("ditugaskan oleh admin"),
    "released": _("dilepas oleh petugas"),
    "unassigned": _("dilepas oleh admin"),
    "unit_changed": _("unit kerja berganti"),
}


@dataclass
class Entry:
    event: ReportEvent
    label: str
    actor: str
    internal: bool
    text: str = ""
    details: list[tuple[str, object]] = field(default_factory=list)
    attachments: list = field(default_factory=list)


def actor_label(event: ReportEvent) -> str:
    if event.actor_role == "reporter":
        return str(_("Pelapor"))
    if event.actor_role == "public":
        return str(_("Warga"))
    if event.actor_role == "system" or event.actor_id is None:
        return str(_("Sistem"))
    user = event.actor
    role = Role(user.role).label if user.role in Role.values else user.role
    where = f", {user.agency}" if user.agency_id else ""
    return f"{user.display_name} ({role}{where})"


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _change_value(name: str, value) -> str:
    if value is None or value == "":
        return "—"
    if name == "report_type":
        return _label(ReportType, value)
    if name == "is_confidential":
        return str(_("ya")) if value else str(_("tidak"))
    return str(value)


def _describe(entry: Entry) -> None:
    event, p = entry.event, entry.event.payload or {}
    kind = event.type
    if kind in (
        E.FOLLOW_UP,
        E.PROGRESS_UPDATE,
        E.INTERNAL_NOTE,
        E.REPORTER_REPLIED,
        E.INFORMATION_ADDED,
    ):
        entry.text = p.get("text", "")
    if kind == E.PROGRESS_UPDATE:
        entry.details.append(
            (_("Jenis"), _("kabar sementara; batas balasan pelapor belum berjalan"))
        )
    if kind in (E.ASSIGNED, E.UNASSIGNED):
        assignee = (p.get("assignee") or {}).get("name")
        previous = (p.get("previous") or {}).get("name")
        if assignee:
            entry.details.append((_("Petugas"), assignee))
        if previous:
            entry.details.append((_("Sebelumnya"), previous))
        how = ASSIGNMENT_REASONS.get(p.get("reason", ""))
        if how:
            entry.details.append((_("Keterangan"), how))
    if kind in (E.INTERNAL_NOTE, E.INSPECTION_CHANGED) and "needs_inspection" in p:
        entry.text = str(
            _("Ditandai perlu pemeriksaan/audit (60 hari kerja).")
            if p["needs_inspection"]
            else _("Tanda perlu pemeriksaan/audit dicabut.")
        )
    if kind == E.INFORMATION_ADDED and p.get("deadline_shift_working_days"):
        entry.details.append((_("Tenggat bergeser (hari kerja)"), p["deadline_shift_working_days"]))
    if kind == E.SUBMITTED and p.get("channel"):
        entry.details.append((_("Kanal"), _label(Channel, p["channel"])))
    if kind == E.PUT_ON_HOLD:
        entry.text = p.get("question", "")
    if kind in (E.DISPOSITIONED, E.REDISPOSITIONED):
        entry.details.append((_("Instansi"), p.get("agency_name") or "—"))
        if p.get("unit_name"):
            entry.details.append((_("Unit kerja"), p["unit_name"]))
        entry.text = p.get("note", "")
    if kind == E.FORWARDED:
        entry.details.append((_("Unit kerja"), p.get("unit_name") or "—"))
    if kind == E.RETURNED:
        entry.text = p.get("reason", "")
        if p.get("from"):
            entry.details.append((_("Dari"), p["from"]))
        target = _("admin instansi") if p.get("returned_to") == "agency" else _("admin nasional")
        entry.details.append((_("Kembali ke"), target))
    if kind == E.ARCHIVED:
        entry.details.append((_("Alasan"), _label(ArchiveReason, p.get("reason", ""))))
        if p.get("duplicate_of"):
            entry.details.append((_("Duplikat dari"), p["duplicate_of"]))
        entry.text = p.get("note", "")
    if kind == E.CLUSTER_LINKED:
        entry.details.append((_("Bersama laporan"), p.get("with") or "—"))
        entry.text = p.get("reason", "")
    if kind in (E.CLUSTER_UNLINKED, E.CAMPAIGN_DETACHED):
        entry.text = p.get("note", "")
    if kind == E.UNMERGED:
        entry.details.append((_("Sebelumnya duplikat dari"), p.get("duplicate_of") or "—"))
        entry.text = p.get("note", "")
    if kind == E.VERIFIED:
        for name, change in (p.get("changes") or {}).items():
            old, new = (change + [None, None])[:2] if isinstance(change, list) else (None, change)
            entry.details.append(
                (
                    CHANGE_LABELS.get(name, name),
                    f"{_change_value(name, old)} → {_change_value(name, new)}",
                )
            )
    if kind in (E.CONTESTED, E.WITHDRAWN):
        entry.text = p.get("reason", "")
    if kind == E.CLOSED:
        entry.text = p.get("note", "")
    if kind == E.RATED:
        entry.details.append((_("Penilaian"), f"{p.get('rating')}/5"))
        entry.text = p.get("comment", "")
    if kind == E.INSPECTION_CHANGED:
        due = parse_datetime(p.get("completion_due_at") or "")
        if isinstance(due, dt.datetime):
            entry.details.append((_("Tenggat penyelesaian"), due))
    if kind in (E.REMINDER, E.OVERDUE, E.ESCALATED):
        label = DEADLINE_LABELS.get(p.get("deadline", ""), ("", ""))[0]
        if label:
            entry.details.append((_("Tenggat"), label))
        due = parse_datetime(p.get("due_at") or "")
        if isinstance(due, dt.datetime):
            entry.details.append((_("Jatuh tempo"), due))
        if kind == E.ESCALATED and p.get("level"):
            entry.details.append((_("Tingkat"), _label(EscalationLevel, p["level"])))
    if kind in (E.ATTACHMENT_PUBLISHED, E.ATTACHMENT_UNPUBLISHED):
        entry.details.append((_("Berkas"), p.get("name") or "—"))
    if kind == E.SUPPORTED:
        entry.text = str(_("Sejauh ini %(count)s orang.") % {"count": p.get("count", "?")})
    if kind == E.REGION_SUGGESTED:
        entry.details.append((_("Wilayah"), p.get("region") or "—"))
        entry.text = p.get("reason", "")
    if event.to_status and event.from_status and event.to_status != event.from_status:
        entry.details.append((_("Status"), _label(Status, event.to_status)))


def timeline(report: Report, attachments: list | None = None) -> list[Entry]:
    """The whole history, except that of the supports ("Saya juga mengalami", possibly
    thousands) only the latest is shown, with the count so far.

    `attachments`: every attachment of the report, when the caller has read them already
    (the staff page shows the report's own files too): each event gets its own from that
    list instead of a query of its own."""
    events = report.events.exclude(type=E.SUPPORTED).select_related("actor", "actor__agency")
    if attachments is None:
        events = events.prefetch_related("attachments")
    events = list(events.order_by("seq"))
    if report.support_count:
        latest = report.events.filter(type=E.SUPPORTED).order_by("-seq").first()
        if latest is not None:
            events.append(latest)
            events.sort(key=lambda event: event.seq)
    by_event: dict[int, list] = {}
    for attachment in attachments or ():
        if attachment.event_id is not None:
            by_event.setdefault(attachment.event_id, []).append(attachment)
    entries = []
    for event in events:
        entry = Entry(
            event=event,
            label=_label(EventType, event.type),
            actor=actor_label(event),
            internal=event.visibility == Visibility.INTERNAL,
            attachments=(
                list(event.attachments.all()) if attachments is None else by_event.get(event.pk, [])
            ),
        )
        _describe(entry)
        entries.append(entry)
    return entries
