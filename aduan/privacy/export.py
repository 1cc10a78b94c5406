"""Everything Aduan holds about one person, as JSON or as a ZIP with their own files
(the right of access and to data portability, UU 27/2022 PDP articles 7 and 13).

Both are streamed: rows are read in chunks with `.iterator()` and written out as they
come, so the memory used does not grow with the number of reports, messages or files.
The number of queries does not either: each section is one query (events and
attachments are read for all the person's reports at once, ordered so that they can be
merged with the reports as they stream)."""

import datetime as dt
import json
import zipfile
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aduan.accounts.models import PersonalDataAccess, Role
from aduan.alerts.models import Subscription
from aduan.channels.models import Message
from aduan.notifications.models import Notification
from aduan.portal.display import visible_event_levels
from aduan.portal.models import ContactVerification
from aduan.reports.models import Attachment, ReportEvent

from .models import ErasureRequest
from .subject import Subject

CHUNK = 200
FILE_CHUNK = 64 * 1024
FORMAT_VERSION = 1


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _role_label(role: str) -> str:
    return str(Role(role).label) if role in Role.values else role


def account(subject: Subject) -> dict | None:
    user = subject.user
    if user is None:
        return None
    return {
        "uuid": str(user.uuid),
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "language": user.language,
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
        "is_active": user.is_active,
    }


def reporters(subject: Subject) -> Iterator[dict]:
    for reporter in subject.reporters().order_by("pk").iterator(chunk_size=CHUNK):
        yield {
            "uuid": str(reporter.uuid),
            "name": reporter.name,
            "nik": reporter.nik,
            "phone": reporter.phone,
            "email": reporter.email,
            "contact_verified_at": _iso(reporter.contact_verified_at),
            "reply_channel": reporter.reply_channel,
            "created_at": _iso(reporter.created_at),
            "erased_at": _iso(reporter.erased_at),
        }


def _grouped(rows: Iterable, key: str) -> Iterator[tuple[int, list]]:
    """Consecutive rows with the same `key` attribute, as (key, rows)."""
    current, group = None, []
    for row in rows:
        value = getattr(row, key)
        if group and value != current:
            yield current, group
            group = []
        current = value
        group.append(row)
    if group:
        yield current, group


def _merge(outer, children_iter, key: str, outer_pk) -> Iterator[tuple[object, list]]:
    """Each outer item with its children; both are ordered by report id."""
    groups = _grouped(children_iter, key)
    pending = next(groups, None)
    for item in outer:
        pk = outer_pk(item)
        children: list = []
        while pending is not None and pending[0] < pk:
            pending = next(groups, None)
        if pending is not None and pending[0] == pk:
            children = pending[1]
            pending = next(groups, None)
        yield item, children


def reports(subject: Subject) -> Iterator[dict]:
    """The person's reports with the history a reporter sees (public and between the
    reporter and the staff; never internal notes) and their files' descriptions."""
    levels = visible_event_levels(for_reporter=True)
    report_ids = subject.reports().values("pk")
    report_rows = (
        subject.reports()
        .select_related("category", "agency", "unit")
        .order_by("pk")
        .iterator(chunk_size=CHUNK)
    )
    events = (
        ReportEvent.objects.filter(report_id__in=report_ids, visibility__in=levels)
        .only(
            "report_id",
            "seq",
            "type",
            "visibility",
            "at",
            "from_status",
            "to_status",
            "payload",
            "actor_role",
        )
        .order_by("report_id", "seq")
        .iterator(chunk_size=CHUNK)
    )
    files = (
        Attachment.objects.filter(report_id__in=report_ids, visibility__in=levels)
        .order_by("report_id", "id")
        .iterator(chunk_size=CHUNK)
    )
    with_events = _merge(report_rows, events, "report_id", lambda report: report.pk)
    with_files = _merge(with_events, files, "report_id", lambda pair: pair[0].pk)
    for (report, report_events), attachments in with_files:
        handler = report.unit or report.agency
        yield {
            "tracking_number": report.tracking_number,
            "uuid": str(report.uuid),
            "report_type": report.report_type,
            "title": report.title,
            "body": report.body,
            "incident_date": _iso(report.incident_date),
            "channel": report.channel,
            "region": report.region_id,
            "address": report.address,
            "latitude": _iso(report.latitude),
            "longitude": _iso(report.longitude),
            "category": report.category.slug if report.category_id else None,
            "is_anonymous": report.is_anonymous,
            "is_confidential": report.is_confidential,
            "status": report.status,
            "handled_by": handler.name if handler else None,
            "rating": report.rating,
            "rating_comment": report.rating_comment,
            "submitted_at": _iso(report.submitted_at),
            "closed_at": _iso(report.closed_at),
            "history": [
                {
                    "seq": e.seq,
                    "type": e.type,
                    "visibility": e.visibility,
                    "at": _iso(e.at),
                    "from_status": e.from_status,
                    "to_status": e.to_status,
                    "actor_role": e.actor_role,
                    "payload": e.payload,
                }
                for e in report_events
            ],
            "files": [
                {
                    "uuid": str(a.uuid),
                    "name": a.name,
                    "content_type": a.content_type,
                    "size": a.size,
                    "sha256": a.sha256,
                    "visibility": a.visibility,
                    "uploaded_by_reporter": a.uploaded_by_reporter,
                    "created_at": _iso(a.created_at),
                }
                for a in attachments
            ],
        }


def channel_messages(subject: Subject) -> Iterator[dict]:
    q = Q(report_id__in=subject.reports().values("pk"))
    lookups = subject.contacts.message_lookups()
    if lookups:
        q |= Q(sender_lookup__in=lookups)
    rows = Message.objects.filter(q).select_related("report").order_by("pk")
    for message in rows.iterator(chunk_size=CHUNK):
        yield {
            "uuid": str(message.uuid),
            "channel": message.channel,
            "sender": message.sender,
            "text": message.text,
            "received_at": _iso(message.received_at),
            "status": message.status,
            "command": message.command,
            "report": message.report.tracking_number if message.report_id else None,
        }


def notifications(subject: Subject) -> Iterator[dict]:
    q = Q(report_id__in=subject.reports().values("pk"), audience__in=["reporter", "sender"])
    if subject.user is not None:
        q |= Q(recipient_user=subject.user)
    rows = Notification.objects.filter(q).select_related("report").order_by("pk")
    for n in rows.iterator(chunk_size=CHUNK):
        yield {
            "uuid": str(n.uuid),
            "channel": n.channel,
            "address": n.address,
            "template": n.template,
            "report": n.report.tracking_number if n.report_id else None,
            "status": n.status,
            "created_at": _iso(n.created_at),
            "sent_at": _iso(n.sent_at),
            "delivery_status": n.delivery_status,
        }


def contact_verifications(subject: Subject) -> Iterator[dict]:
    lookups = subject.contacts.verification_lookups()
    if not lookups:
        return
    rows = ContactVerification.objects.filter(address_lookup__in=lookups).order_by("pk")
    for v in rows.iterator(chunk_size=CHUNK):
        yield {
            "uuid": str(v.uuid),
            "channel": v.channel,
            "address": v.address,
            "purpose": v.purpose,
            "name": v.name,
            "created_at": _iso(v.created_at),
            "verified_at": _iso(v.verified_at),
        }


def alert_subscriptions(subject: Subject) -> Iterator[dict]:
    lookups = subject.contacts.subscriber_lookups()
    if not lookups:
        return
    rows = (
        Subscription.objects.filter(subscriber__email_lookup__in=lookups)
        .select_related("subscriber", "category")
        .order_by("pk")
    )
    for s in rows.iterator(chunk_size=CHUNK):
        yield {
            "uuid": str(s.uuid),
            "email": s.subscriber.email,
            "area_kind": s.area_kind,
            "region": s.region_code,
            "latitude": _iso(s.latitude),
            "longitude": _iso(s.longitude),
            "radius_m": s.radius_m,
            "category": s.category.slug if s.category_id else None,
            "created_at": _iso(s.created_at),
            "confirmed_at": _iso(s.confirmed_at),
        }


def access_log(subject: Subject) -> Iterator[dict]:
    """Who read the person's data: the role and agency of the staff member, when, why and
    for which report. Not the officer's name: that is the officer's own personal data, and
    the role and agency are what the citizen needs to hold the agency to account (the
    national admin's report names the person, `views.admin_person_report`)."""
    rows = (
        PersonalDataAccess.objects.filter(reporter_id__in=subject.reporter_ids)
        .select_related("user__agency", "report")
        .order_by("-at", "-pk")
    )
    for row in rows.iterator(chunk_size=CHUNK):
        yield access_row(row)


# Why staff read the data (`reports.access.reporter_identity(purpose=...)`), in words.
PURPOSES = {
    "workspace": _("Menangani laporan di ruang kerja petugas"),
    "view": _("Melihat laporan"),
}


def purpose_label(purpose: str) -> str:
    return str(PURPOSES.get(purpose, purpose))


def access_row(row: PersonalDataAccess) -> dict:
    return {
        "at": _iso(row.at),
        "role": _role_label(row.user.role),
        "agency": row.user.agency.name if row.user.agency_id else None,
        "report": row.report.tracking_number if row.report_id else None,
        "fields": row.fields,
        "purpose": row.purpose,
        "purpose_label": purpose_label(row.purpose),
    }


def erasure_requests(subject: Subject) -> Iterator[dict]:
    rows = ErasureRequest.objects.filter(reporters__in=subject.reporter_ids).distinct()
    if subject.user is not None:
        rows = ErasureRequest.objects.filter(Q(pk__in=rows.values("pk")) | Q(user=subject.user))
    for r in rows.order_by("pk").iterator(chunk_size=CHUNK):
        yield {
            "uuid": str(r.uuid),
            "status": r.status,
            "requested_at": _iso(r.requested_at),
            "completed_at": _iso(r.completed_at),
        }


SECTIONS = (
    ("reporters", reporters),
    ("reports", reports),
    ("channel_messages", channel_messages),
    ("notifications", notifications),
    ("contact_verifications", contact_verifications),
    ("alert_subscriptions", alert_subscriptions),
    ("access_log", access_log),
    ("erasure_requests", erasure_requests),
)


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def json_chunks(subject: Subject) -> Iterator[bytes]:
    """The JSON document, piece by piece (one row at a time)."""
    head = {
        "format": "aduan-personal-data",
        "version": FORMAT_VERSION,
        "node": settings.NODE_ID,
        "generated_at": timezone.now().isoformat(),
        "account": account(subject),
    }
    yield _dumps(head)[:-1].encode()
    for name, section in SECTIONS:
        yield f', "{name}": ['.encode()
        first = True
        for row in section(subject):
            yield (("" if first else ", ") + _dumps(row)).encode()
            first = False
        yield b"]"
    yield b"}\n"


class _Sink:
    """A write-only, unseekable file for zipfile: what is written is handed out by
    `drain`, so the archive streams (zipfile then writes data descriptors)."""

    def __init__(self):
        self._parts: list[bytes] = []

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def own_files(subject: Subject):
    """The files the person sent with their reports (not the staff's)."""
    return (
        Attachment.objects.filter(
            report_id__in=subject.reports().values("pk"), uploaded_by_reporter=True
        )
        .select_related("report")
        .order_by("report_id", "id")
    )


def zip_chunks(subject: Subject) -> Iterator[bytes]:
    """A ZIP with data.json and the person's own files under files/<tracking number>/."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("data.json", "w") as out:
            for chunk in json_chunks(subject):
                out.write(chunk)
                data = sink.drain()
                if data:
                    yield data
        for attachment in own_files(subject).iterator(chunk_size=CHUNK):
            name = f"files/{attachment.report.tracking_number}/{attachment.name}"
            try:
                source = attachment.file.open("rb")
            except (FileNotFoundError, OSError):
                continue  # a file the storage lost is named in data.json all the same
            with source, archive.open(name, "w") as out:
                while block := source.read(FILE_CHUNK):
                    out.write(block)
                    data = sink.drain()
                    if data:
                        yield data
    yield sink.drain()
