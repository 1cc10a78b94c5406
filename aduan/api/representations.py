"""What the API shows of reports, events and reference data.

Privacy: no representation carries a reporter's identity, whoever asks; integrators get
the public picture of a report plus, for reports their agency works on, the handling data,
the exact location and the non-public history. The public picture places an anonymous
report in its regency/city only (`aduan.reports.public`) and lists only published files.
Event payloads are copied field by field from a whitelist, never passed through whole."""

from __future__ import annotations

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import translation

from aduan.regions.models import RegionLevel
from aduan.reports.models import Attachment, ReportEvent, Status, Visibility
from aduan.reports.permissions import PUBLIC_ACTIONS, PUBLISHING_ACTIONS, available_actions
from aduan.reports.public import public_location, public_region


def both(label) -> tuple[str, str]:
    """A lazy translatable label in Indonesian and in English."""
    with translation.override("id"):
        label_id = str(label)
    with translation.override("en"):
        label_en = str(label)
    return label_id, label_en


def category_ref(category) -> dict | None:
    if category is None:
        return None
    return {"slug": category.slug, "name": category.name, "name_en": category.name_en}


def region_ref(region) -> dict | None:
    if region is None:
        return None
    return {"code": region.code, "name": region.name, "level": region.level}


def region_out(region) -> dict:
    name_id, name_en = both(RegionLevel(region.level).label)
    return region_ref(region) | {
        "level_name": name_id,
        "level_name_en": name_en,
        "parent_code": region.parent_id,
        "timezone": region.timezone,
    }


def agency_ref(agency) -> dict | None:
    if agency is None:
        return None
    return {
        "uuid": agency.uuid,
        "name": agency.name,
        "short_name": agency.short_name,
        "kind": agency.kind,
    }


def agency_out(agency) -> dict:
    return agency_ref(agency) | {
        "parent": agency_ref(agency.parent),
        "timezone": agency.timezone,
        "jurisdiction": sorted(r.code for r in agency.jurisdiction.all()),
        "categories": sorted(c.slug for c in agency.categories.all()),
    }


def attachment_out(report, attachment) -> dict:
    return {
        "uuid": attachment.uuid,
        "name": attachment.name,
        "content_type": attachment.content_type,
        "kind": attachment.kind,
        "size": attachment.size,
        "url": reverse(
            "api:download-attachment",
            kwargs={"key": report.tracking_number, "attachment": attachment.uuid},
        ),
    }


def report_queryset(qs):
    """The joins and prefetches one page of reports needs: a fixed number of queries."""
    return qs.select_related("category", "region", "agency", "unit").prefetch_related(
        Prefetch(
            "attachments",
            queryset=Attachment.objects.filter(visibility=Visibility.PUBLIC),
            to_attr="public_attachments",
        )
    )


def _public_attachments(report) -> list:
    if hasattr(report, "public_attachments"):
        return report.public_attachments
    return list(report.attachments.filter(visibility=Visibility.PUBLIC))


def _coordinate(value) -> float | None:
    return float(value) if value is not None else None


def report_out(report, *, working: bool = False, own: bool = False, acting_user=None) -> dict:
    """The API's picture of a report. `working`: the caller works on it (agency-scoped
    key, staff) and also gets its handling data, with the actions `acting_user` (the
    key's service account or the session's user) may take on it now. `own`: the caller
    is its reporter or just sent it. Both read the exact location; everyone else the
    public one."""
    status_id, status_en = both(Status(report.status).label)
    if working or own:
        region = report.region
        latitude, longitude, address = report.latitude, report.longitude, report.address
    else:
        location = public_location(report)
        region = public_region(report, location)
        latitude, longitude, address = location.latitude, location.longitude, location.address
    handling = None
    if working:
        handling = {
            # Report-level actions; publishing is decided file by file in the workspace,
            # and the public's support happens on the citizens' pages.
            "available_actions": [
                action
                for action in available_actions(acting_user, report)
                if action not in PUBLISHING_ACTIONS and action not in PUBLIC_ACTIONS
            ],
            "needs_inspection": report.needs_inspection,
            "is_escalated": report.is_escalated,
            "escalation_level": report.escalation_level,
            "returned_to": report.returned_to,
            "archive_reason": report.archive_reason,
            "verify_due_at": report.verify_due_at,
            "first_response_due_at": report.first_response_due_at,
            "completion_due_at": report.completion_due_at,
            "reply_due_at": report.reply_due_at,
        }
    return {
        "uuid": report.uuid,
        "tracking_number": report.tracking_number,
        "url": reverse("api:show-report", kwargs={"key": report.tracking_number}),
        "report_type": report.report_type,
        "title": report.title,
        "body": report.body,
        "status": report.status,
        "status_name": status_id,
        "status_name_en": status_en,
        "category": category_ref(report.category),
        "region": region_ref(region),
        "latitude": _coordinate(latitude),
        "longitude": _coordinate(longitude),
        "address": address,
        "media_url": report.media_url,
        "incident_date": report.incident_date,
        "channel": report.channel,
        "is_anonymous": report.is_anonymous,
        "is_confidential": report.is_confidential,
        "agency": agency_ref(report.agency),
        "unit": agency_ref(report.unit),
        "is_overdue": report.is_overdue,
        "rating": report.rating,
        "submitted_at": report.submitted_at,
        "updated_at": report.updated_at,
        "dispositioned_at": report.dispositioned_at,
        "responded_at": report.responded_at,
        "closed_at": report.closed_at,
        "attachments": [attachment_out(report, a) for a in _public_attachments(report)],
        "handling": handling,
    }


# Which payload entry becomes the event's free text, by event type.
TEXT_KEYS = ("text", "question", "reason", "note", "comment")


def _text(event) -> str | None:
    payload = event.payload or {}
    if event.type == "archived":
        return payload.get("note") or None
    if event.type == "verified":
        changes = payload.get("changes") or {}
        return ", ".join(sorted(changes)) or None
    if event.type in ("reminder", "overdue", "escalated"):
        return payload.get("deadline") or None
    for key in TEXT_KEYS:
        value = payload.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def event_out(report, event, attachments: list) -> dict:
    payload = event.payload or {}
    type_id, type_en = _type_labels(event.type)
    agency_name = payload.get("agency_name")
    if agency_name is None and event.type in ("follow_up", "progress_update"):
        agency_name = payload.get("by") or None
    if agency_name is None and event.type == "returned":
        agency_name = payload.get("from") or None
    rating = payload.get("rating")
    return {
        "uuid": event.uuid,
        "seq": event.seq,
        "type": event.type,
        "type_name": type_id,
        "type_name_en": type_en,
        "visibility": event.visibility,
        "at": event.at,
        "from_status": event.from_status or None,
        "to_status": event.to_status or None,
        "actor_role": event.actor_role,
        "text": _text(event),
        "agency_name": agency_name if isinstance(agency_name, str) else None,
        "unit_name": payload.get("unit_name")
        if isinstance(payload.get("unit_name"), str)
        else None,
        "reason_code": payload.get("reason") if event.type == "archived" else None,
        "rating": rating if isinstance(rating, int) else None,
        "attachments": [attachment_out(report, a) for a in attachments],
    }


def _type_labels(event_type: str) -> tuple[str, str]:
    from aduan.reports.models import EventType

    if event_type in EventType.values:
        return both(EventType(event_type).label)
    return event_type, event_type


def timeline(report, visibilities) -> list[dict]:
    events = list(
        ReportEvent.objects.filter(report=report, visibility__in=visibilities).order_by("seq")
    )
    by_event: dict[int, list] = {}
    for attachment in Attachment.objects.filter(
        report=report, event__in=[e.pk for e in events], visibility__in=visibilities
    ):
        by_event.setdefault(attachment.event_id, []).append(attachment)
    return [event_out(report, e, by_event.get(e.pk, [])) for e in events]
