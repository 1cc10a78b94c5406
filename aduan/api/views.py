"""REST API v1 operations: reports, agency follow-up work, reference data.

Views parse input, fetch-and-authorize through `aduan.reports.access`, call a domain
action from `aduan.reports.actions`, and render the result (docs/ARCHITECTURE.md, "One door
for state changes"). They never
assign a status and never show a reporter's identity."""

from __future__ import annotations

import uuid
from typing import Literal

from django.db.models import Q
from django.http import Http404
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from aduan.agencies.models import Agency, AgencyKind
from aduan.categories.models import Category
from aduan.core import limits
from aduan.core.files import stored_file_response
from aduan.core.i18n import ENGLISH, INDONESIAN, in_language
from aduan.federation.dispatch import perform
from aduan.federation.display import PENDING_NOTICE
from aduan.federation.messages import Pending
from aduan.regions.models import Region
from aduan.reports import actions
from aduan.reports.access import (
    find_report,
    get_report_for,
    region_subtree_q,
    reporter_actor_from_secret,
)
from aduan.reports.actors import Actor
from aduan.reports.models import Attachment, Channel, Report

from . import representations as rep
from .api import api
from .auth import EVERYTHING, PARTIES, Caller
from .bodies import FILES_FIELD, parse_body
from .errors import ApiError, ApiErrorException, standard_error
from .pagination import DEFAULT_LIMIT, MAX_LIMIT, Keyset, fingerprint
from .schemas import (
    AgencyDetailOut,
    AgencyPage,
    CategoryOut,
    CommandPendingOut,
    ErrorOut,
    ForwardIn,
    InformationRequestIn,
    Moment,
    RegionDetailOut,
    RegionPage,
    ReportCreatedOut,
    ReportIn,
    ReportOut,
    ReportPage,
    ReturnIn,
    SortName,
    StatusName,
    Text,
    TextIn,
    TimelineOut,
)

reports = Router(tags=["reports"])
work = Router(tags=["agency work"])
reference = Router(tags=["reference"])

KEY_MAX = 64  # longer than any tracking number or UUID

# -------------------------------------------------------------------- documentation helpers

READ_ERRORS = (400, 401, 404, 429, 500)
WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 415, 429, 500)
OPTIONAL_AUTH = [{}, {"ApiKey": []}, {"Session": []}]
REQUIRED_AUTH = [{"ApiKey": []}, {"Session": []}]


def responses(ok: dict, errors=READ_ERRORS) -> dict:
    return ok | dict.fromkeys(errors, ErrorOut)


def _inline(schema: dict) -> dict:
    """A pydantic model's JSON schema without titles (the documentation reads better)."""
    schema = {k: v for k, v in schema.items() if k != "title"}
    if "properties" in schema:
        schema["properties"] = {
            name: {k: v for k, v in prop.items() if k != "title"}
            for name, prop in schema["properties"].items()
        }
    return schema


def body_doc(model, *, files: bool = False, required: bool = True) -> dict:
    """OpenAPI requestBody for a body read with `parse_body`: JSON, or multipart (with
    attachments when `files`)."""
    json_schema = _inline(model.model_json_schema())
    content = {"application/json": {"schema": json_schema}}
    if files:
        form_schema = dict(json_schema)
        form_schema["properties"] = dict(json_schema["properties"]) | {
            FILES_FIELD: {
                "type": "array",
                "items": {"type": "string", "format": "binary"},
                "maxItems": 5,
                "description": "Foto (JPEG, PNG, WebP, GIF) atau PDF / Photos or PDF documents.",
            }
        }
        content["multipart/form-data"] = {"schema": form_schema}
    return {"requestBody": {"required": required, "content": content}}


def doc(*, auth=OPTIONAL_AUTH, body: dict | None = None) -> dict:
    extra = {"security": auth}
    if body:
        extra |= body
    return extra


# -------------------------------------------------------------------- shared helpers


def caller_of(request) -> Caller:
    return request.caller


def _not_found() -> Http404:
    return Http404("Laporan tidak ditemukan / Report not found")


def readable_report(request, key: str) -> tuple[Report, tuple[str, ...]]:
    """The report `key` as this caller may read it, and the event visibilities they see.
    A reporter may prove ownership with `X-Tracking-Secret`."""
    caller = caller_of(request)
    key = key[:KEY_MAX]
    secret = request.headers.get("X-Tracking-Secret")
    if secret:
        report, actor = reporter_actor_from_secret(key, secret[:200])
        caller.reporter_actor = actor
    else:
        report = find_report(key, caller.readable_reports())
        if report is None:
            raise _not_found()
    report = rep.report_queryset(Report.objects.filter(pk=report.pk)).get()
    return report, caller.visibilities(report)


def _field_error(field: str, message_id: str, message_en: str) -> ApiErrorException:
    return ApiErrorException(
        ApiError(
            400,
            "validation_failed",
            f"Data yang dikirim tidak valid: {field}",
            f"The submitted data is invalid: {field}",
            {field: [(message_id, message_en)]},
        )
    )


# -------------------------------------------------------------------- reports


class ReportFilters(Schema):
    status: list[StatusName] | None = Field(None, description="One or more statuses.")
    category: Text | None = Field(
        None, max_length=80, description="Category slug (a parent includes its children)."
    )
    region: Text | None = Field(None, max_length=13, description="Region code (whole subtree).")
    agency: uuid.UUID | None = Field(None, description="Agency or unit UUID.")
    submitted_after: Moment | None = Field(None, description="ISO 8601; UTC when no zone.")
    submitted_before: Moment | None = Field(None, description="ISO 8601; UTC when no zone.")
    updated_since: Moment | None = Field(None, description="ISO 8601; UTC when no zone.")
    sort: SortName = "-submitted_at"
    cursor: Text | None = Field(None, max_length=2000)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


@reports.get(
    "/reports",
    response=responses({200: ReportPage}),
    url_name="list-reports",
    summary="Daftar laporan / List reports",
    openapi_extra=doc(),
)
def list_reports(request, filters: Query[ReportFilters]):
    """Public reports, plus the reports of the key's agency for agency-scoped keys.
    Newest first by default; `sort=updated_at` with `updated_since` suits synchronisation.
    Confidential reports appear only to callers in their scope."""
    caller = caller_of(request)
    qs = caller.readable_reports()
    if filters.status:
        qs = qs.filter(status__in=filters.status)
    if filters.category:
        if not Category.objects.filter(slug=filters.category).exists():
            raise _field_error("category", "Kategori tidak dikenal.", "Unknown category.")
        qs = qs.filter(
            Q(category__slug=filters.category) | Q(category__parent__slug=filters.category)
        )
    if filters.region:
        code = filters.region.strip()
        if not Region.objects.filter(code=code).exists():
            raise _field_error("region", "Kode wilayah tidak dikenal.", "Unknown region code.")
        qs = qs.filter(region_subtree_q([code]))
        if len(code) > len("64.08"):
            # Finer than a regency/city: an anonymous report must not be found by its
            # district or village unless the caller may know where it is exactly.
            qs = qs.filter(Q(is_anonymous=False) | caller.exact_location_q())
    if filters.agency:
        agency = Agency.objects.filter(uuid=filters.agency).first()
        if agency is None:
            raise _field_error("agency", "Instansi tidak dikenal.", "Unknown agency.")
        qs = qs.filter(Q(agency=agency) | Q(unit=agency))
    if filters.submitted_after:
        qs = qs.filter(submitted_at__gte=filters.submitted_after)
    if filters.submitted_before:
        qs = qs.filter(submitted_at__lt=filters.submitted_before)
    if filters.updated_since:
        qs = qs.filter(updated_at__gte=filters.updated_since)
    # The tracking number orders reports of the same instant; with submitted_at it matches
    # the (-submitted_at, -tracking_number) index of the reports table.
    keyset = Keyset(
        field=filters.sort.lstrip("-"),
        descending=filters.sort.startswith("-"),
        tiebreak="tracking_number",
    )
    scope = caller.key.pk if caller.key else (caller.user.pk if caller.user else None)
    filter_print = fingerprint(
        filters.model_dump(exclude={"cursor", "limit"}) | {"caller": [caller.kind, scope]}
    )
    rows, next_cursor = keyset.page(
        rep.report_queryset(qs), cursor=filters.cursor, limit=filters.limit, filters=filter_print
    )
    ids = [r.pk for r in rows]
    working = caller.working_on(ids)
    own = caller.own_reports(ids)
    return {
        "results": [
            rep.report_out(
                r,
                working=r.pk in working,
                own=r.pk in own,
                acting_user=caller.acting_user,
            )
            for r in rows
        ],
        "next_cursor": next_cursor,
    }


def _citizen_limit_keys(request, caller: Caller) -> dict[str, str]:
    """A signed-in citizen's reports count against the same hourly limits as on the web
    form (docs/SECURITY.md); keys and staff at the counter do not. Raises 429 when a
    limit is reached, before the body is read."""
    from django.conf import settings

    if caller.kind != "session" or caller.is_staff_like:
        return {}
    keys = {"contact": f"user:{caller.user.pk}", **limits.request_keys(request)}
    per_reporter = settings.REPORTS_PER_HOUR_PER_REPORTER
    ceilings = {
        "contact": per_reporter,
        "session": per_reporter,
        "address": settings.REPORTS_PER_HOUR_PER_ADDRESS,
    }
    refusal = limits.check("report", keys, ceilings)
    if refusal is not None:
        message = limits.reports_refusal_message(refusal)
        raise ApiErrorException(
            ApiError(
                429,
                "too_many_reports",
                in_language(message, INDONESIAN),
                in_language(message, ENGLISH),
            )
        )
    return keys


@reports.post(
    "/reports",
    response=responses({201: ReportCreatedOut}, WRITE_ERRORS),
    url_name="create-report",
    summary="Kirim laporan / Submit a report",
    openapi_extra=doc(auth=REQUIRED_AUTH, body=body_doc(ReportIn, files=True)),
)
def create_report(request):
    """Submit a report on behalf of a citizen (JSON, or multipart/form-data with up to
    five `attachments`). Needs an API key that may submit, or a logged-in session. The
    reporter's name, e-mail, phone and NIK are stored encrypted and never shown by the
    API. Give at least an e-mail address or a phone number."""
    caller = caller_of(request)
    if caller.kind == "anonymous":
        raise ApiErrorException(standard_error("not_authenticated"))
    if caller.key is not None and not caller.key.can_submit:
        raise ApiErrorException(
            ApiError(
                403,
                "key_cannot_submit",
                "Kunci API ini tidak boleh mengirim laporan.",
                "This API key may not submit reports.",
            )
        )
    limit_keys = _citizen_limit_keys(request, caller)
    payload, files = parse_body(request, ReportIn, allow_files=True)
    data = payload.model_dump(
        exclude={"reporter_name", "reporter_email", "reporter_phone", "reporter_nik"}
    )
    data["channel"] = Channel.API
    details = actions.ReporterDetails(
        name=payload.reporter_name,
        email=payload.reporter_email,
        phone=payload.reporter_phone,
        nik=payload.reporter_nik,
    )
    # An integrator submits for a citizen it names; a logged-in citizen submits as themself.
    actor = Actor() if caller.key is not None else caller.user
    # The domain checks the report and the reporter's details together, all at once.
    result = actions.submit_report(data, actor=actor, reporter=details, files=files)
    if limit_keys and not result.duplicate:
        limits.record("report", limit_keys)
    # The new report is answered from memory: its category and region are loaded, it has
    # no agency yet, and its attachments are the ones just stored. The caller sent it, so
    # the answer shows it as sent: the files (under their generated names, shared with
    # the staff until published) and the exact location.
    report = result.report
    report.public_attachments = result.attachments
    return Status(201, rep.report_out(report, own=True) | {"tracking_secret": result.secret})


@reports.get(
    "/reports/{key}",
    response=responses({200: ReportOut}),
    url_name="show-report",
    summary="Satu laporan / One report",
    openapi_extra=doc(),
)
def show_report(request, key: str):
    """A report by tracking number (`PST-26-0001234-7`) or UUID. Unpublished and
    confidential reports answer 404 unless the caller works on them."""
    report, visibilities = readable_report(request, key)
    return rep.report_out(
        report,
        working=visibilities == EVERYTHING,
        own=visibilities == PARTIES,
        acting_user=caller_of(request).acting_user,
    )


@reports.get(
    "/reports/{key}/timeline",
    response=responses({200: TimelineOut}),
    url_name="show-report-timeline",
    summary="Linimasa laporan / Report timeline",
    openapi_extra=doc(),
)
def show_report_timeline(request, key: str):
    """The report's history: public events for everyone; for keys scoped to the report's
    agency (and staff) also the events shared with the reporter and internal notes."""
    report, visibilities = readable_report(request, key)
    return {"report": report.tracking_number, "events": rep.timeline(report, visibilities)}


ATTACHMENT_TYPES = ("image/jpeg", "image/png", "image/webp", "application/pdf")


@reports.get(
    "/reports/{key}/attachments/{attachment}",
    response=responses({}),  # the 200 (a file) is described in openapi_extra
    url_name="download-attachment",
    summary="Unduh lampiran / Download an attachment",
    openapi_extra=doc()
    | {
        "responses": {
            "200": {
                "description": "The file",
                "content": {
                    t: {"schema": {"type": "string", "format": "binary"}} for t in ATTACHMENT_TYPES
                },
            },
            "302": {
                "description": "Where the files are on object storage: a redirect to a "
                "presigned URL of the file, valid for a few minutes",
            },
        }
    },
)
def download_attachment(request, key: str, attachment: uuid.UUID):
    report, visibilities = readable_report(request, key)
    item = Attachment.objects.filter(
        report=report, uuid=attachment, visibility__in=visibilities
    ).first()
    if item is None:
        raise Http404("Lampiran tidak ditemukan / Attachment not found")
    return stored_file_response(
        item.file, content_type=item.content_type, as_attachment=True, filename=item.name
    )


# -------------------------------------------------------------------- agency work


def acting_user(request):
    """The account an agency action runs as: the key's service account or the session's
    staff user. Refuses anonymous callers (401) and keys without a service account (403)."""
    caller = caller_of(request)
    if caller.kind == "anonymous":
        raise ApiErrorException(standard_error("not_authenticated"))
    if not caller.is_staff_like:
        raise ApiErrorException(
            ApiError(
                403,
                "not_scoped",
                "Tindakan ini memerlukan kunci API instansi (dengan akun layanan) atau "
                "akun petugas.",
                "This action needs an agency-scoped API key (with a service account) or a "
                "staff account.",
            )
        )
    return caller.acting_user


def _work_report(request, key: str) -> tuple[object, Report]:
    user = acting_user(request)
    return user, get_report_for(user, key[:KEY_MAX])


def _done(outcome, user):
    """The report after the action; or, when another node owns the report and the action
    went there as a command, 202 with the command to wait for."""
    if isinstance(outcome, Pending):
        message = PENDING_NOTICE % {"node": outcome.node}
        return Status(
            202,
            {
                "status": "pending",
                "node": outcome.node,
                "command": str(outcome.message.uuid),
                "message_id": in_language(message, INDONESIAN),
                "message_en": in_language(message, ENGLISH),
            },
        )
    fresh = rep.report_queryset(Report.objects.filter(pk=outcome.pk)).get()
    return rep.report_out(fresh, working=True, acting_user=user)


WORK = {"response": responses({200: ReportOut, 202: CommandPendingOut}, WRITE_ERRORS)}


@work.post(
    "/reports/{key}/acknowledge",
    **WORK,
    url_name="acknowledge-report",
    summary="Terima untuk diproses / Acknowledge",
    openapi_extra=doc(auth=REQUIRED_AUTH),
)
def acknowledge_report(request, key: str):
    """The unit (or the agency handling it itself) confirms it works on the report:
    `dispositioned` → `in_progress`."""
    user, report = _work_report(request, key)
    return _done(perform("acknowledge", report, actor=user), user)


@work.post(
    "/reports/{key}/follow-ups",
    **WORK,
    url_name="create-follow-up",
    summary="Kirim tindak lanjut / Post a follow-up",
    openapi_extra=doc(auth=REQUIRED_AUTH, body=body_doc(TextIn, files=True)),
)
def create_follow_up(request, key: str):
    """The agency's answer to the reporter, with optional `attachments` (multipart):
    → `responded`; the reporter then has 10 working days to reply."""
    user, report = _work_report(request, key)
    payload, files = parse_body(request, TextIn, allow_files=True)
    return _done(perform("post_follow_up", report, payload.text, actor=user, files=files), user)


@work.post(
    "/reports/{key}/progress-updates",
    **WORK,
    url_name="create-progress-update",
    summary="Perkembangan penanganan / Post an interim progress update",
    openapi_extra=doc(auth=REQUIRED_AUTH, body=body_doc(TextIn, files=True)),
)
def create_progress_update(request, key: str):
    """An interim update to the reporter, with optional `attachments` (multipart): public,
    the status stays, and the reporter's 10-working-day reply window does not start (only
    a follow-up starts it)."""
    user, report = _work_report(request, key)
    payload, files = parse_body(request, TextIn, allow_files=True)
    return _done(
        perform("post_progress_update", report, payload.text, actor=user, files=files), user
    )


@work.post(
    "/reports/{key}/information-requests",
    **WORK,
    url_name="create-information-request",
    summary="Minta informasi pelapor / Ask the reporter for information",
    openapi_extra=doc(auth=REQUIRED_AUTH, body=body_doc(InformationRequestIn)),
)
def create_information_request(request, key: str):
    """Put the report on hold with a question to the reporter; its clocks pause."""
    user, report = _work_report(request, key)
    payload, _ = parse_body(request, InformationRequestIn)
    return _done(perform("put_on_hold", report, payload.question, actor=user), user)


@work.post(
    "/reports/{key}/return",
    **WORK,
    url_name="return-report",
    summary="Kembalikan: bukan wewenang / Return as not our authority",
    openapi_extra=doc(auth=REQUIRED_AUTH, body=body_doc(ReturnIn)),
)
def return_report(request, key: str):
    """A unit returns the report to its agency admin; an agency to the national admins."""
    user, report = _work_report(request, key)
    payload, _ = parse_body(request, ReturnIn)
    return _done(perform("return_not_authority", report, payload.reason, actor=user), user)


@work.post(
    "/reports/{key}/forward",
    **WORK,
    url_name="forward-report",
    summary="Teruskan ke unit / Forward to a unit",
    openapi_extra=doc(auth=REQUIRED_AUTH, body=body_doc(ForwardIn)),
)
def forward_report(request, key: str):
    """An agency admin account passes a disposed report to one of its units."""
    user, report = _work_report(request, key)
    payload, _ = parse_body(request, ForwardIn)
    unit = Agency.objects.filter(uuid=payload.unit, kind=AgencyKind.UNIT).first()
    if unit is None:
        raise _field_error("unit", "Unit kerja tidak dikenal.", "Unknown unit.")
    return _done(perform("forward_to_unit", report, unit, actor=user, note=payload.note), user)


@work.post(
    "/reports/{key}/internal-notes",
    **WORK,
    url_name="create-internal-note",
    summary="Catatan internal / Add an internal note",
    openapi_extra=doc(auth=REQUIRED_AUTH, body=body_doc(TextIn, files=True)),
)
def create_internal_note(request, key: str):
    """A note among staff, never shown to the reporter or the public."""
    user, report = _work_report(request, key)
    payload, files = parse_body(request, TextIn, allow_files=True)
    return _done(perform("add_internal_note", report, payload.text, actor=user, files=files), user)


# -------------------------------------------------------------------- reference data


@reference.get(
    "/categories",
    response=responses({200: list[CategoryOut]}),
    url_name="list-categories",
    summary="Pohon kategori / Category tree",
    openapi_extra=doc(),
)
def list_categories(request):
    """Active categories with their active sub-categories."""
    rows = list(Category.objects.filter(is_active=True).order_by("sort_order", "name"))
    children: dict[int, list] = {}
    for row in rows:
        if row.parent_id:
            children.setdefault(row.parent_id, []).append(rep.category_ref(row))
    return [
        rep.category_ref(row) | {"children": children.get(row.pk, [])}
        for row in rows
        if row.parent_id is None
    ]


class RegionFilters(Schema):
    parent: Text | None = Field(
        None, max_length=13, description="Children of this code (provinces when absent)."
    )
    q: Text | None = Field(
        None, min_length=2, max_length=100, description="Search by name (case-insensitive)."
    )
    level: int | None = Field(None, ge=1, le=4, description="1 province … 4 village.")
    cursor: Text | None = Field(None, max_length=2000)
    limit: int = Field(50, ge=1, le=MAX_LIMIT)


@reference.get(
    "/regions",
    response=responses({200: RegionPage}),
    url_name="list-regions",
    summary="Wilayah / Regions",
    openapi_extra=doc(),
)
def list_regions(request, filters: Query[RegionFilters]):
    """Without `q`: the children of `parent` (the provinces when absent). With `q`: regions
    whose name contains it, optionally within `parent`'s subtree and at one `level`.
    Ordered by code, paginated with `next_cursor`."""
    qs = Region.objects.all()
    parent = filters.parent.strip() if filters.parent else None
    if parent and not Region.objects.filter(code=parent).exists():
        raise _field_error("parent", "Kode wilayah tidak dikenal.", "Unknown region code.")
    if filters.q:
        qs = qs.filter(name__icontains=filters.q.strip())
        if parent:
            qs = qs.filter(code__startswith=parent + ".")
    elif parent:
        qs = qs.filter(parent_id=parent)
    elif filters.level is None:
        qs = qs.filter(level=1)
    if filters.level is not None:
        qs = qs.filter(level=filters.level)
    keyset = Keyset(field="code", descending=False, kind="str")
    rows, next_cursor = keyset.page(
        qs,
        cursor=filters.cursor,
        limit=filters.limit,
        filters=fingerprint(filters.model_dump(exclude={"cursor", "limit"})),
    )
    return {"results": [rep.region_out(r) for r in rows], "next_cursor": next_cursor}


@reference.get(
    "/regions/{code}",
    response=responses({200: RegionDetailOut}),
    url_name="show-region",
    summary="Satu wilayah / One region",
    openapi_extra=doc(),
)
def show_region(request, code: str):
    region = Region.objects.filter(code=code.strip()[:20]).first()
    if region is None:
        raise Http404("Wilayah tidak ditemukan / Region not found")
    ancestors = Region.objects.filter(code__in=region.ancestor_codes()[1:]).order_by("level")
    return rep.region_out(region) | {"ancestors": [rep.region_ref(a) for a in ancestors]}


class AgencyFilters(Schema):
    kind: Literal["national", "ministry", "province", "regency", "unit"] | None = None
    parent: uuid.UUID | None = Field(None, description="Units of this agency.")
    q: Text | None = Field(None, min_length=2, max_length=100, description="Search by name.")
    cursor: Text | None = Field(None, max_length=2000)
    limit: int = Field(50, ge=1, le=MAX_LIMIT)


def _agency_queryset():
    return (
        Agency.objects.filter(is_active=True)
        .select_related("parent")
        .prefetch_related("jurisdiction", "categories")
    )


@reference.get(
    "/agencies",
    response=responses({200: AgencyPage}),
    url_name="list-agencies",
    summary="Instansi / Agencies",
    openapi_extra=doc(),
)
def list_agencies(request, filters: Query[AgencyFilters]):
    """Active agencies and units by name, paginated with `next_cursor`."""
    qs = _agency_queryset()
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.parent:
        qs = qs.filter(parent__uuid=filters.parent)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(short_name__icontains=filters.q))
    keyset = Keyset(field="name", descending=False, kind="str")
    rows, next_cursor = keyset.page(
        qs,
        cursor=filters.cursor,
        limit=filters.limit,
        filters=fingerprint(filters.model_dump(exclude={"cursor", "limit"})),
    )
    return {"results": [rep.agency_out(a) for a in rows], "next_cursor": next_cursor}


@reference.get(
    "/agencies/{agency}",
    response=responses({200: AgencyDetailOut}),
    url_name="show-agency",
    summary="Satu instansi dengan unitnya / One agency with its units",
    openapi_extra=doc(),
)
def show_agency(request, agency: uuid.UUID):
    row = _agency_queryset().filter(uuid=agency).first()
    if row is None:
        raise Http404("Instansi tidak ditemukan / Agency not found")
    units = Agency.objects.filter(parent=row, kind=AgencyKind.UNIT, is_active=True).order_by("name")
    return rep.agency_out(row) | {"units": [rep.agency_ref(u) for u in units]}


api.add_router("", reports)
api.add_router("", work)
api.add_router("", reference)
