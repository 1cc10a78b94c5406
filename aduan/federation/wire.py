"""The JSON shape of what travels between nodes (docs/FEDERATION.md, "Messages").

Local row ids never leave a node: reports, events, agencies, accounts and attachments
travel by UUID, regions by Kemendagri code, categories by slug. `report_to_wire` lists
every replicated field of a report; `LOCAL_REPORT_FIELDS` the ones that stay (a test
checks that every field of the model is in one list or the other)."""

import datetime as dt
from decimal import Decimal

from django.utils.dateparse import parse_date, parse_datetime

from aduan.accounts.models import Reporter, User
from aduan.reports.deadlines import first_notice_at
from aduan.reports.models import Attachment, Report, ReportEvent

PROTOCOL_VERSION = 1

PLAIN_FIELDS = (
    "tracking_number",
    "owner_node",
    "origin_node",
    "report_type",
    "title",
    "body",
    "channel",
    "province_code",
    "regency_code",
    "region_suggestion_reason",
    "address",
    "media_url",
    "is_anonymous",
    "is_confidential",
    "status",
    "status_before_hold",
    "returned_to",
    "needs_inspection",
    "archive_reason",
    "rating",
    "rating_comment",
    "appeal_used",
    "escalation_level",
    "is_escalated",
    "is_overdue",
    "support_count",
    "last_event_seq",
    "last_event_hash",
)
DATETIME_FIELDS = (
    "submitted_at",
    "verified_at",
    "dispositioned_at",
    "first_response_at",
    "responded_at",
    "closed_at",
    "paused_at",
    "verify_due_at",
    "first_response_due_at",
    "completion_due_at",
    "reply_due_at",
    "next_due_at",
)
DATE_FIELDS = ("incident_date",)
DECIMAL_FIELDS = ("latitude", "longitude")
# Foreign keys by global key: field -> attribute of the related row that travels.
REFERENCE_FIELDS = {
    "region": "code",
    "suggested_region": "code",
    "category": "slug",
    "agency": "uuid",
    "unit": "uuid",
    "reporter": "uuid",
    "duplicate_of": "uuid",
    # The officer working on it; travels with the batch's "users" like an event's actor.
    "assignee": "uuid",
}
# Fields that stay on their node: row ids and bookkeeping, and the hash of the reporter's
# secret link (the reporter acts through the node that gave them the link).
# `next_notice_at` is the owner's deadline-scan bookkeeping: a node that receives a report
# starts it where new deadlines start (`report_fields_from_wire`).
LOCAL_REPORT_FIELDS = (
    "id",
    "uuid",
    "created_at",
    "updated_at",
    "access_token_hash",
    "next_notice_at",
)


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def report_to_wire(report: Report, refs: dict) -> dict:
    """The report's replicated state. `refs` maps (field, local id) -> global key, filled by
    the caller in bulk so that a batch needs no query per report."""
    data = {"uuid": str(report.uuid)}
    for field in PLAIN_FIELDS:
        data[field] = getattr(report, field)
    for field in DATETIME_FIELDS + DATE_FIELDS:
        data[field] = _iso(getattr(report, field))
    for field in DECIMAL_FIELDS:
        value = getattr(report, field)
        data[field] = str(value) if value is not None else None
    for field in REFERENCE_FIELDS:
        local = getattr(report, field + "_id")
        data[field] = refs.get((field, local)) if local is not None else None
    return data


def report_fields_from_wire(data: dict, resolve) -> dict:
    """Model field values from a wire state. `resolve(field, key)` returns the local row
    for a global key or raises LookupError."""
    values = {field: data[field] for field in PLAIN_FIELDS}
    for field in DATETIME_FIELDS:
        values[field] = parse_datetime(data[field]) if data.get(field) else None
    for field in DATE_FIELDS:
        values[field] = parse_date(data[field]) if data.get(field) else None
    for field in DECIMAL_FIELDS:
        values[field] = Decimal(data[field]) if data.get(field) is not None else None
    for field in REFERENCE_FIELDS:
        key = data.get(field)
        values[field] = resolve(field, key) if key else None
    # Not on the wire: the receiving node judges the report's deadlines afresh, from the
    # first moment a notice can be due (if it owns the report or comes to own it).
    values["next_notice_at"] = first_notice_at(values["status"], values["next_due_at"])
    return values


def event_to_wire(event: ReportEvent, report_uuid) -> dict:
    return {
        "uuid": str(event.uuid),
        "report": str(report_uuid),
        "seq": event.seq,
        "type": event.type,
        "visibility": event.visibility,
        "actor": str(event.actor_uuid) if event.actor_uuid else None,
        "actor_role": event.actor_role,
        "at": event.at.astimezone(dt.UTC).isoformat(),
        "from": event.from_status,
        "to": event.to_status,
        "payload": event.payload,
        "origin": event.origin_node,
        "prev": event.prev_hash,
        "hash": event.hash,
    }


def event_from_wire(data: dict, report: Report, actor: User | None, source: str) -> ReportEvent:
    return ReportEvent(
        uuid=data["uuid"],
        report=report,
        seq=data["seq"],
        type=data["type"],
        visibility=data["visibility"],
        actor=actor,
        actor_uuid=data["actor"],
        actor_role=data["actor_role"],
        at=parse_datetime(data["at"]),
        from_status=data["from"],
        to_status=data["to"],
        payload=data["payload"],
        origin_node=data["origin"],
        prev_hash=data["prev"],
        hash=data["hash"],
        received_from=source,
    )


def user_to_wire(user: User, agency_uuid, own_node: str) -> dict:
    return {
        "uuid": str(user.uuid),
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
        "agency": str(agency_uuid) if agency_uuid else None,
        "node": user.home_node or own_node,
    }


def reporter_to_wire(reporter: Reporter, *, personal: bool) -> dict:
    data = {"uuid": str(reporter.uuid), "personal": personal}
    if personal:
        data |= {
            "name": reporter.name,
            "nik": reporter.nik,
            "phone": reporter.phone,
            "email": reporter.email,
            "contact_verified_at": _iso(reporter.contact_verified_at),
        }
    return data


def attachment_to_wire(attachment: Attachment, report_uuid, event_uuid) -> dict:
    return {
        "uuid": str(attachment.uuid),
        "report": str(report_uuid),
        "event": str(event_uuid) if event_uuid else None,
        "name": attachment.name,
        "content_type": attachment.content_type,
        "extension": attachment.extension,
        "kind": attachment.kind,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "visibility": attachment.visibility,
        "uploaded_by_reporter": attachment.uploaded_by_reporter,
    }
