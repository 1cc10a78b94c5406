"""Typed request and response shapes of the REST API. The OpenAPI schema is generated from
these, and every response is validated against them, so the documentation cannot drift
from what the API sends."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from aduan.accounts.identity import clean_email, clean_nik, clean_phone
from aduan.core.i18n import in_both
from aduan.reports import permissions
from aduan.reports.models import Channel, EventType, ReportType, Status, Visibility


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError(
            "aduan",
            "{message_id} / {message_en}",
            {
                "message_id": "Teks tidak boleh berisi karakter NUL.",
                "message_en": "Text must not contain NUL characters.",
            },
        )
    return value


def _shared_rule(rule):
    """A pydantic validator from one of the rules every channel uses (`accounts.identity`):
    the cleaned value, or the rule's message in both languages."""

    def validate(value: str) -> str:
        try:
            return rule(value)
        except DjangoValidationError as error:
            message_id, message_en = in_both(error.message)
            raise PydanticCustomError(
                "aduan",
                "{message_id} / {message_en}",
                {"message_id": message_id, "message_en": message_en},
            ) from None

    return validate


def _utc(value: dt.datetime) -> dt.datetime:
    """A moment in UTC; a time without a zone is read as UTC. Every database accepts
    the result (PostgreSQL refuses some offsets that ISO 8601 allows)."""
    try:
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise PydanticCustomError(
            "aduan",
            "{message_id} / {message_en}",
            {
                "message_id": "Tanggal/waktu di luar jangkauan.",
                "message_en": "Date/time out of range.",
            },
        ) from None


Text = Annotated[str, AfterValidator(_no_nul)]
Moment = Annotated[dt.datetime, AfterValidator(_utc)]

StatusName = Literal[
    "submitted",
    "on_hold",
    "dispositioned",
    "returned",
    "in_progress",
    "responded",
    "closed",
    "archived",
    "withdrawn",
]
ReportTypeName = Literal["complaint", "aspiration", "information_request"]
ChannelName = Literal[
    "web", "api", "open311", "sms", "whatsapp", "email", "counter", "phone", "sync"
]
VisibilityName = Literal["public", "parties", "internal"]
SortName = Literal["-submitted_at", "submitted_at", "-updated_at", "updated_at"]

# Keep the Literal lists in step with the models' choices (checked at import).
assert set(StatusName.__args__) == set(Status.values)
assert set(ReportTypeName.__args__) == set(ReportType.values)
assert set(ChannelName.__args__) == set(Channel.values)
assert set(VisibilityName.__args__) == set(Visibility.values)
EVENT_TYPES = tuple(EventType.values)


# ---------------------------------------------------------------------------- errors


class FieldMessage(Schema):
    message: str
    message_id: str
    message_en: str


class ErrorDetail(Schema):
    code: str = Field(description="Stable machine code, e.g. `validation_failed`.")
    message: str = Field(description="Indonesian, then ' / ', then English.")
    message_id: str = Field(description="The message in Indonesian.")
    message_en: str = Field(description="The message in English.")
    fields: dict[str, list[FieldMessage]] = Field(
        description="Messages per input field (empty when the error is not about a field)."
    )


class ErrorOut(Schema):
    error: ErrorDetail


# ---------------------------------------------------------------------------- reference


class CategoryRef(Schema):
    slug: str
    name: str
    name_en: str


class SubcategoryOut(CategoryRef):
    pass


class CategoryOut(CategoryRef):
    children: list[SubcategoryOut]


class RegionRef(Schema):
    code: str
    name: str
    level: int = Field(description="1 province, 2 regency/city, 3 district, 4 village.")


class RegionOut(RegionRef):
    level_name: str
    level_name_en: str
    parent_code: str | None
    timezone: str


class RegionDetailOut(RegionOut):
    ancestors: list[RegionRef] = Field(description="From the province down to the parent.")


class RegionPage(Schema):
    results: list[RegionOut]
    next_cursor: str | None


class AgencyRef(Schema):
    uuid: uuid.UUID
    name: str
    short_name: str
    kind: Literal["national", "ministry", "province", "regency", "unit"]


class AgencyOut(AgencyRef):
    parent: AgencyRef | None
    timezone: str
    jurisdiction: list[str] = Field(description="Region codes (subtrees); empty = nationwide.")
    categories: list[str] = Field(description="Slugs of the categories it handles.")


class AgencyDetailOut(AgencyOut):
    units: list[AgencyRef]


class AgencyPage(Schema):
    results: list[AgencyOut]
    next_cursor: str | None


# ---------------------------------------------------------------------------- reports


class AttachmentOut(Schema):
    uuid: uuid.UUID
    name: str
    content_type: str
    kind: str
    size: int
    url: str


# The report-level actions a staff account may take (names of the domain actions), for
# the schema; publishing is decided file by file in the workspace.
STAFF_ACTIONS = sorted(
    (
        permissions.NATIONAL_ACTIONS
        | permissions.AGENCY_ACTIONS
        | permissions.AGENCY_VERIFICATION_ACTIONS
        | permissions.UNIT_ACTIONS
    )
    - permissions.PUBLISHING_ACTIONS
)


class HandlingOut(Schema):
    """Working data shown only to callers who work on the report."""

    available_actions: list[str] = Field(
        description=(
            "What the acting account (the key's service account or the session's user) may "
            "do to the report now, by domain action name; empty for a key without a "
            "service account. Each name is offered exactly when the action would be "
            "accepted (with valid input)."
        ),
        json_schema_extra={"items": {"type": "string", "enum": STAFF_ACTIONS}},
    )
    needs_inspection: bool
    is_escalated: bool
    escalation_level: int
    returned_to: str
    archive_reason: str
    verify_due_at: dt.datetime | None
    first_response_due_at: dt.datetime | None
    completion_due_at: dt.datetime | None
    reply_due_at: dt.datetime | None


class ReportOut(Schema):
    uuid: uuid.UUID
    tracking_number: str
    url: str
    report_type: ReportTypeName
    title: str
    body: str
    status: StatusName
    status_name: str
    status_name_en: str
    category: CategoryRef | None
    region: RegionRef | None
    latitude: float | None
    longitude: float | None
    address: str
    media_url: str
    incident_date: dt.date | None
    channel: ChannelName
    is_anonymous: bool
    is_confidential: bool
    agency: AgencyRef | None
    unit: AgencyRef | None
    is_overdue: bool
    rating: int | None
    submitted_at: dt.datetime
    updated_at: dt.datetime
    dispositioned_at: dt.datetime | None
    responded_at: dt.datetime | None
    closed_at: dt.datetime | None
    attachments: list[AttachmentOut]
    handling: HandlingOut | None = Field(
        description="Only for callers who work on the report (agency-scoped keys, staff)."
    )


class ReportCreatedOut(ReportOut):
    tracking_secret: str = Field(
        description=(
            "The secret of the reporter's tracking link, shown once. Give it to the reporter "
            "only; send it as `X-Tracking-Secret` to read the report as its reporter."
        )
    )


class ReportPage(Schema):
    results: list[ReportOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class CommandPendingOut(Schema):
    """Another node owns the report: the action was sent there as a command and will be
    applied by that node (then it appears in the report's timeline), or refused."""

    status: str = Field(description='Always "pending".')
    node: str = Field(description="The node that owns the report and will apply the action.")
    command: str = Field(description="The command's UUID.")
    message_id: str
    message_en: str


class EventOut(Schema):
    uuid: uuid.UUID
    seq: int
    type: str
    type_name: str
    type_name_en: str
    visibility: VisibilityName
    at: dt.datetime
    from_status: StatusName | None
    to_status: StatusName | None
    actor_role: str
    text: str | None
    agency_name: str | None
    unit_name: str | None
    reason_code: str | None
    rating: int | None
    attachments: list[AttachmentOut]


class TimelineOut(Schema):
    report: str = Field(description="The report's tracking number.")
    events: list[EventOut]


# ---------------------------------------------------------------------------- input

FORBID = ConfigDict(extra="forbid")


class ReportIn(Schema):
    model_config = FORBID

    title: Text = Field(min_length=1, max_length=200)
    body: Text = Field(min_length=10, max_length=20_000)
    report_type: ReportTypeName = "complaint"
    category: Text | None = Field(None, max_length=80, description="Category slug.")
    region: Text | None = Field(None, max_length=13, description="Kemendagri region code.")
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    address: Text = Field("", max_length=300)
    incident_date: dt.date | None = None
    media_url: Text = Field("", max_length=500)
    is_anonymous: bool = Field(False, description="Hide the reporter from the agency and public.")
    is_confidential: bool = Field(False, description="Keep the content off public pages.")
    reporter_name: Text = Field("", max_length=150)
    reporter_email: Annotated[Text, AfterValidator(_shared_rule(clean_email))] = Field(
        "", max_length=254
    )
    reporter_phone: Annotated[Text, AfterValidator(_shared_rule(clean_phone))] = Field(
        "",
        max_length=30,
        description="An Indonesian mobile number (08..., +628..., 628...); stored as +628...",
    )
    reporter_nik: Annotated[Text, AfterValidator(_shared_rule(clean_nik))] = Field(
        "", max_length=16, description="16 digits, with a valid date of birth and province."
    )


class TextIn(Schema):
    model_config = FORBID

    text: Text = Field(min_length=1, max_length=10_000)


class InformationRequestIn(Schema):
    model_config = FORBID

    question: Text = Field(min_length=1, max_length=10_000)


class ReturnIn(Schema):
    model_config = FORBID

    reason: Text = Field(min_length=1, max_length=10_000)


class ForwardIn(Schema):
    model_config = FORBID

    unit: uuid.UUID = Field(description="The UUID of one of the agency's units.")
    note: Text = Field("", max_length=10_000)
