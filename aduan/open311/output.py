"""Reports as Open311 service requests, their public history as notes, and the
FixMyStreet-style updates feed.

Only public data leaves here: the callers pass reports from `access.public_reports()`
(published, never confidential), only events and files whose visibility is public are
read, and no field names or describes the reporter (Open311 requests carry no identity,
and anonymous reports must not reveal one). Locations follow the public rule of
`aduan.reports.public`: an anonymous report is placed in its regency/city only.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from aduan.reports.deadlines import report_timezone
from aduan.reports.models import (
    OPEN_STATUSES,
    Attachment,
    EventType,
    Report,
    ReportEvent,
    Status,
    Visibility,
)
from aduan.reports.public import public_location, public_region

from .services import category_name

E = EventType

# Public events that tell the story of a request (the `notes` extension).
NOTE_TYPES = (
    E.SUBMITTED,
    E.DISPOSITIONED,
    E.FORWARDED,
    E.RETURNED,
    E.REDISPOSITIONED,
    E.ACKNOWLEDGED,
    E.PROGRESS_UPDATE,
    E.FOLLOW_UP,
    E.ACCEPTED,
    E.CONTESTED,
    E.CLOSED,
    E.AUTO_CLOSED,
)
# Events that are updates of a request once it exists (servicerequestupdates).
UPDATE_TYPES = tuple(t for t in NOTE_TYPES if t != E.SUBMITTED)

# FixMyStreet's extended statuses (status_extended) for each kind of update.
UPDATE_STATUS_BY_EVENT = {
    E.FORWARDED: "internal_referral",
    E.REDISPOSITIONED: "internal_referral",
    E.RETURNED: "not_councils_responsibility",
    E.CONTESTED: "reopen",
}
UPDATE_STATUS_BY_STATUS = {
    Status.DISPOSITIONED: "open",
    Status.IN_PROGRESS: "in_progress",
    Status.RESPONDED: "in_progress",
    Status.CLOSED: "closed",
}


def open311_status(status: str) -> str:
    """GeoReport v2 knows two statuses. Every status in which the report still waits for
    someone (submitted ... responded, including on hold and returned) is "open"; closed,
    archived and withdrawn are "closed"."""
    return "open" if status in OPEN_STATUSES else "closed"


def w3c(moment: dt.datetime | None, zone: str) -> str | None:
    """ISO 8601 with the offset of the report's own time zone (WIB/WITA/WIT)."""
    if moment is None:
        return None
    return timezone.localtime(moment, ZoneInfo(zone)).isoformat(timespec="seconds")


def public_events_prefetch(types=NOTE_TYPES) -> Prefetch:
    return Prefetch(
        "events",
        queryset=ReportEvent.objects.filter(visibility=Visibility.PUBLIC, type__in=types)
        .only(*EVENT_COLUMNS)
        .order_by("seq"),
        to_attr="open311_events",
    )


def public_images_prefetch() -> Prefetch:
    """The public photos of a report or an event (re-encoded on upload, safe to show)."""
    return Prefetch(
        "attachments",
        queryset=Attachment.objects.filter(visibility=Visibility.PUBLIC, kind="image").order_by(
            "created_at", "id"
        ),
        to_attr="open311_images",
    )


# The columns an Open311 request (with extensions) shows: a page of 100 reports would
# otherwise load and convert every column of the report and its relations (~70 % of the
# page's CPU went into building objects and parsing timestamps nobody reads).
REQUEST_COLUMNS = (
    "id",
    "uuid",
    "tracking_number",
    "title",
    "body",
    "status",
    "report_type",
    "channel",
    "submitted_at",
    "updated_at",
    "completion_due_at",
    "address",
    "latitude",
    "longitude",
    "is_anonymous",
    "province_code",
    "regency_code",
    "media_url",
    "is_overdue",
    "is_confidential",
    "status_before_hold",
    "region__code",
    "region__name",
    "region__timezone",
    "agency__name",
    "agency__timezone",
    "unit__name",
    "category__slug",
    "category__name",
    "category__name_en",
)
EVENT_COLUMNS = ("id", "report_id", "seq", "type", "at", "from_status", "to_status", "payload")


def with_related(queryset: QuerySet[Report], *, extensions: bool = True) -> QuerySet[Report]:
    """Everything a request needs, in three queries whatever the number of reports.
    Without extensions only the agency's answers are read (for `status_notes`), not
    every public event (the `notes` extension)."""
    events = public_events_prefetch() if extensions else public_events_prefetch((E.FOLLOW_UP,))
    return (
        queryset.select_related("agency", "unit", "region", "category")
        .only(*REQUEST_COLUMNS)
        .prefetch_related(events, public_images_prefetch())
    )


def media_url(request: HttpRequest, own_url: str, images: list[Attachment]) -> str:
    """The link the client gave, else the first public photo on the public web page's
    attachment address (which serves public attachments of published reports)."""
    if own_url:
        return own_url
    if not images:
        return ""
    try:
        path = reverse("portal:attachment", kwargs={"uuid": images[0].uuid})
    except NoReverseMatch:
        return ""
    return request.build_absolute_uri(path)


def _agency_text(
    payload: dict, agency_key: str = "agency_name", unit_key: str = "unit_name"
) -> str:
    names = [payload.get(agency_key), payload.get(unit_key)]
    return " › ".join(n for n in names if n)


def event_description(event: ReportEvent) -> str:
    """What the public may read about one event: the agency's answer in full, the agency
    or unit a report went to, otherwise only what happened (reasons and notes written for
    staff or by the reporter stay out)."""
    label = str(EventType(event.type).label)
    payload = event.payload or {}
    if event.type in (E.FOLLOW_UP, E.PROGRESS_UPDATE):
        return str(payload.get("text") or label)
    if event.type in (E.DISPOSITIONED, E.REDISPOSITIONED):
        target = _agency_text(payload)
        return f"{label}: {target}" if target else label
    if event.type == E.FORWARDED:
        unit = payload.get("unit_name")
        return f"{label}: {unit}" if unit else label
    return label


def _latest_follow_up(report: Report) -> str | None:
    for event in reversed(getattr(report, "open311_events", [])):
        if event.type == E.FOLLOW_UP:
            return event_description(event)
    return None


def status_notes(report: Report) -> str:
    """The agency's latest public answer, else the name of the current status."""
    return _latest_follow_up(report) or str(Status(report.status).label)


def service_notice(report: Report, zone: str) -> str:
    if report.status in OPEN_STATUSES and report.completion_due_at:
        local = timezone.localtime(report.completion_due_at, ZoneInfo(zone))
        return _("Target penyelesaian: %(date)s.") % {"date": formats.date_format(local, "j F Y")}
    return ""


def _coordinate(value) -> float | None:
    return float(value) if value is not None else None


def request_entry(request: HttpRequest, report: Report, *, extensions: bool = False) -> dict:
    zone = report_timezone(report)
    handler = report.unit or report.agency
    category = report.category
    location = public_location(report)
    region = public_region(report, location)
    entry = {
        "service_request_id": report.tracking_number,
        "status": open311_status(report.status),
        "status_notes": status_notes(report),
        "service_name": category_name(category),
        "service_code": category.slug if category else "",
        "description": report.body,
        "agency_responsible": handler.name if handler else "",
        "service_notice": service_notice(report, zone),
        "requested_datetime": w3c(report.submitted_at, zone),
        "updated_datetime": w3c(report.updated_at, zone),
        "expected_datetime": w3c(report.completion_due_at, zone),
        "address": location.address or (region.name if region else ""),
        "address_id": location.region_code,
        "zipcode": "",
        "lat": _coordinate(location.latitude),
        "long": _coordinate(location.longitude),
        "media_url": media_url(request, report.media_url, getattr(report, "open311_images", [])),
    }
    if extensions:
        entry["notes"] = notes(report, zone)
        entry["extended_attributes"] = extended_attributes(report, region)
    return entry


def notes(report: Report, zone: str) -> list[dict]:
    return [
        {
            "datetime": w3c(event.at, zone),
            "description": event_description(event),
            "type": event.type,
            "status": event.to_status or event.from_status,
        }
        for event in getattr(report, "open311_events", [])
    ]


def extended_attributes(report: Report, region) -> dict:
    """More about a request; `region` is the one the public may see (public_region)."""
    category = report.category
    return {
        "tracking_number": report.tracking_number,
        "uuid": str(report.uuid),
        "title": report.title,
        "status": report.status,
        "status_label": str(Status(report.status).label),
        "report_type": report.report_type,
        "channel": report.channel,
        "agency": report.agency.name if report.agency else "",
        "unit": report.unit.name if report.unit else "",
        "category": category.slug if category else "",
        "category_name": category_name(category),
        "region_code": region.code if region else "",
        "region_name": region.name if region else "",
        "is_overdue": report.is_overdue,
    }


def update_entry(request: HttpRequest, event: ReportEvent) -> dict:
    report = event.report
    zone = report_timezone(report)
    status = UPDATE_STATUS_BY_EVENT.get(event.type) or UPDATE_STATUS_BY_STATUS.get(
        event.to_status, open311_status(event.to_status)
    )
    return {
        "update_id": str(event.uuid),
        "service_request_id": report.tracking_number,
        "status": status,
        "external_status_code": event.to_status,
        "updated_datetime": w3c(event.at, zone),
        "description": event_description(event),
        "media_url": media_url(request, "", getattr(event, "open311_images", [])),
    }
