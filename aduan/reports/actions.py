"""Domain actions: the only code that changes a report's state (STYLE habit 2).

Every action
- runs in one transaction and locks the report row (`SELECT ... FOR UPDATE`), so two staff
  acting at once cannot both succeed or append the same event number;
- checks the actor's permission and the state machine under that lock;
- appends an event to the hash-chained history;
- enqueues its side effects (notifications) in the same transaction: they run after
  commit, and never for a rolled-back change.

Views, APIs, Open311, commands and sync parse input, call an action and render the result.
"""

import contextlib
import dataclasses
import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from aduan.accounts.models import Reporter, Role
from aduan.agencies.models import Agency, AgencyKind
from aduan.categories.models import Category
from aduan.core import refcache
from aduan.core.uploads import (
    ProcessedUpload,
    UploadRejected,
    process_upload,
    validate_upload_batch,
)
from aduan.notifications.service import notify_reporter, notify_staff
from aduan.regions.models import Region

from . import deadlines, tracking
from .access import token_hash
from .actors import SYSTEM, Actor, as_actor
from .errors import InvalidInput, InvalidTransition, ValidationFailed
from .events import append_event, chain_event
from .models import (
    ArchiveReason,
    Attachment,
    Channel,
    EventType,
    Report,
    ReportEvent,
    ReportType,
    Status,
    Visibility,
)
from .permissions import require
from .signals import report_changed, snapshot
from .workflow import check_transition

TITLE_MAX = 200
BODY_MAX = 20_000
TEXT_MAX = 10_000

# ---------------------------------------------------------------------------- helpers


def _now() -> dt.datetime:
    return timezone.now()


def _lock(report: Report) -> Report:
    # of=("self",): PostgreSQL cannot lock the nullable side of the joined rows.
    locked = (
        Report.objects.select_for_update(of=("self",))
        .select_related("agency", "unit", "region", "reporter")
        .get(pk=report.pk)
    )
    locked._before = snapshot(locked)
    return locked


def _begin(report: Report, action: str, actor: Actor) -> tuple[Report, str | None]:
    locked = _lock(report)
    require(actor, action, locked)
    target = check_transition(action, locked.status)
    return locked, target


ALWAYS_SAVED = [
    "last_event_seq",
    "last_event_hash",
    "updated_at",
    "next_due_at",
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


def _clean_text(value: Any, field: str, *, required: bool = True, limit: int = TEXT_MAX) -> str:
    text = str(value or "").replace("\x00", "").strip()
    if required and not text:
        raise InvalidInput(
            f"Kolom {field} wajib diisi.", f"Field {field} is required.", field=field
        )
    if len(text) > limit:
        raise InvalidInput(
            f"Kolom {field} terlalu panjang (maks. {limit} karakter).",
            f"Field {field} is too long (max {limit} characters).",
            field=field,
        )
    return text


def _process_files(files: Sequence, existing: int = 0) -> list[ProcessedUpload]:
    """Validate and process every file before anything is written."""
    files = [f for f in (files or []) if f]
    if not files:
        return []
    try:
        validate_upload_batch(files, existing_count=existing)
        return [process_upload(f) for f in files]
    except UploadRejected as exc:
        message = exc.messages[0] if exc.messages else str(exc)
        raise InvalidInput(
            message, message, field="attachments", code=exc.code or "invalid_file"
        ) from exc


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
    stored: list[Attachment] = []
    for item in processed:
        attachment = Attachment(
            report=report,
            event=event,
            original_name=item.original_name,
            content_type=item.content_type,
            extension=item.extension,
            kind=item.kind,
            size=item.size,
            sha256=item.sha256,
            visibility=visibility,
            uploaded_by_reporter=by_reporter,
        )
        attachment.file.save(item.original_name, ContentFile(item.content), save=False)
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


# ---------------------------------------------------------------------------- submit


@dataclass
class SubmitResult:
    report: Report
    # The secret of the reporter's tracking link: shown once, only its hash is stored.
    secret: str
    attachments: list = dataclasses.field(default_factory=list)


@dataclass
class ReporterDetails:
    name: str = ""
    nik: str = ""
    phone: str = ""
    email: str = ""
    contact_verified_at: dt.datetime | None = None


def _resolve_category(value) -> Category | None:
    if value in (None, ""):
        return None
    if isinstance(value, Category):
        return value
    text = str(value)

    def load():
        qs = Category.objects.filter(is_active=True)
        category = qs.filter(slug=text).first()
        if category is None and text.isdigit():
            category = qs.filter(pk=int(text)).first()
        return category

    return refcache.lookup("category", text, load)


def _resolve_region(value) -> Region | None:
    if value in (None, ""):
        return None
    if isinstance(value, Region):
        return value
    code = str(value).strip()
    return refcache.lookup("region", code, lambda: Region.objects.filter(code=code).first())


def _coordinate(value, low: float, high: float) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return Decimal("NaN")
    if not number.is_finite() or not (low <= number <= high):
        return Decimal("NaN")
    return number.quantize(Decimal("0.000001"))


def validate_submission(
    data: dict, files: Sequence = (), *, reporter: "ReporterDetails | None" = None
) -> tuple[dict, list[ProcessedUpload]]:
    """Check every field and file of a new report, and the reporter's details when they
    are typed in (guest, counter, integrator) rather than taken from an account; raise
    ValidationFailed listing all problems at once. Nothing is written."""
    errors: dict[str, list[tuple[str, str]]] = {}

    def err(field, msg_id, msg_en):
        errors.setdefault(field, []).append((msg_id, msg_en))

    clean: dict[str, Any] = {}
    report_type = data.get("report_type") or ReportType.COMPLAINT
    if report_type not in ReportType.values:
        err("report_type", "Jenis laporan tidak dikenal.", "Unknown report type.")
    clean["report_type"] = report_type

    for field, limit, label_id, label_en in (
        ("title", TITLE_MAX, "Judul", "Title"),
        ("body", BODY_MAX, "Isi laporan", "Description"),
    ):
        value = str(data.get(field) or "").replace("\x00", "").strip()
        if not value:
            err(field, f"{label_id} wajib diisi.", f"{label_en} is required.")
        elif len(value) > limit:
            err(
                field,
                f"{label_id} terlalu panjang (maks. {limit} karakter).",
                f"{label_en} is too long (max {limit} characters).",
            )
        clean[field] = value
    if clean.get("body") and len(clean["body"]) < 10:
        err(
            "body",
            "Isi laporan terlalu singkat (min. 10 karakter).",
            "Description is too short (min 10 characters).",
        )

    incident = data.get("incident_date")
    if incident not in (None, ""):
        if isinstance(incident, str):
            try:
                incident = dt.date.fromisoformat(incident.strip())
            except ValueError:
                err(
                    "incident_date",
                    "Tanggal kejadian tidak valid (TTTT-BB-HH).",
                    "Invalid incident date (YYYY-MM-DD).",
                )
                incident = None
        if isinstance(incident, dt.datetime):
            incident = incident.date()
        if incident and incident > timezone.localdate() + dt.timedelta(days=1):
            err(
                "incident_date",
                "Tanggal kejadian tidak boleh di masa depan.",
                "The incident date cannot be in the future.",
            )
        if incident and incident.year < 1945:
            err(
                "incident_date",
                "Tanggal kejadian tidak valid.",
                "Invalid incident date.",
            )
    clean["incident_date"] = incident or None

    region_value = data.get("region") or data.get("region_code")
    region = _resolve_region(region_value)
    if region_value not in (None, "") and region is None:
        err("region", "Kode wilayah tidak dikenal.", "Unknown region code.")
    clean["region"] = region

    lat = _coordinate(data.get("latitude"), -90, 90)
    lon = _coordinate(data.get("longitude"), -180, 180)
    if (lat is not None and lat.is_nan()) or (lon is not None and lon.is_nan()):
        err("latitude", "Koordinat tidak valid.", "Invalid coordinates.")
        lat = lon = None
    elif (lat is None) != (lon is None):
        err(
            "latitude",
            "Lintang dan bujur harus diisi bersama.",
            "Latitude and longitude go together.",
        )
    clean["latitude"], clean["longitude"] = lat, lon
    clean["address"] = str(data.get("address") or "").replace("\x00", "").strip()[:300]
    media_url = str(data.get("media_url") or "").strip()
    if media_url:
        from django.core.validators import URLValidator

        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except DjangoValidationError:
            err("media_url", "Tautan media tidak valid.", "Invalid media URL.")
        if len(media_url) > 500:
            err("media_url", "Tautan media terlalu panjang.", "Media URL is too long.")
    clean["media_url"] = media_url

    category_value = data.get("category")
    category = _resolve_category(category_value)
    if category_value not in (None, "") and category is None:
        err("category", "Kategori tidak dikenal.", "Unknown category.")
    clean["category"] = category

    channel = data.get("channel") or Channel.WEB
    if channel not in Channel.values:
        err("channel", "Kanal tidak dikenal.", "Unknown channel.")
    clean["channel"] = channel
    clean["is_anonymous"] = bool(data.get("is_anonymous"))
    clean["is_confidential"] = bool(data.get("is_confidential"))

    if reporter is not None:
        nik = "".join(ch for ch in reporter.nik if ch.isdigit())
        if reporter.nik and len(nik) != 16:
            err("nik", "NIK harus 16 digit.", "NIK must have 16 digits.")
        if len(reporter.name.strip()) > 150:
            err("name", "Nama terlalu panjang (maks. 150 karakter).", "Name is too long (max 150).")
        if not (reporter.email.strip() or reporter.phone.strip()):
            err(
                "contact",
                "Isi surel atau nomor telepon.",
                "Give an e-mail address or a phone number.",
            )

    processed: list[ProcessedUpload] = []
    try:
        processed = _process_files(files)
    except InvalidInput as exc:
        errors.setdefault("attachments", []).append((exc.message_id, exc.message_en))
    if errors:
        raise ValidationFailed(errors)
    return clean, processed


def _reporter_for(actor: Actor, details: ReporterDetails | None) -> Reporter:
    user = actor.user
    if user is not None and user.role == Role.CITIZEN:
        reporter, _ = Reporter.objects.get_or_create(user=user)
        return reporter
    details = details or ReporterDetails()
    name = _clean_text(details.name, "name", required=False, limit=150)
    nik = "".join(ch for ch in details.nik if ch.isdigit())
    if details.nik and len(nik) != 16:
        raise ValidationFailed({"nik": [("NIK harus 16 digit.", "NIK must have 16 digits.")]})
    if not (details.email or details.phone):
        raise ValidationFailed(
            {
                "contact": [
                    (
                        "Isi surel atau nomor telepon.",
                        "Give an e-mail address or a phone number.",
                    )
                ]
            }
        )
    reporter = Reporter(
        name=name,
        nik=nik,
        phone=details.phone.strip()[:30],
        email=details.email.strip()[:254],
        contact_verified_at=details.contact_verified_at,
    )
    reporter.save()
    return reporter


def submit_report(
    data: dict,
    *,
    actor,
    reporter: ReporterDetails | None = None,
    files: Sequence = (),
) -> SubmitResult:
    """Record a new report from any channel. Validates everything first (raising
    ValidationFailed with every problem), then writes the report, its first event, its
    attachments and the reporter's confirmation in one transaction. A report with only
    coordinates gets a suggested region; a report is never refused for an unknown region."""
    actor = as_actor(actor)
    staff_entry = actor.user is not None and actor.user.role != Role.CITIZEN
    account_holder = actor.user is not None and not staff_entry
    clean, processed = validate_submission(
        data, files, reporter=None if account_holder else (reporter or ReporterDetails())
    )
    if staff_entry and clean["channel"] in (Channel.WEB, Channel.API):
        clean["channel"] = Channel.COUNTER
    now = _now()
    secret = secrets.token_urlsafe(24)
    with FileGuard() as guard, transaction.atomic():
        reporter_row = _reporter_for(actor if not staff_entry else Actor(), reporter)
        region: Region | None = clean["region"]
        report = Report(
            tracking_number=tracking.new_tracking_number(timezone.localdate(now).year),
            owner_node=_node(),
            report_type=clean["report_type"],
            title=clean["title"],
            body=clean["body"],
            incident_date=clean["incident_date"],
            channel=clean["channel"],
            region=region,
            province_code=region.code[:2] if region else "",
            regency_code=region.code[:5] if region and region.level >= 2 else "",
            latitude=clean["latitude"],
            longitude=clean["longitude"],
            address=clean["address"],
            media_url=clean["media_url"],
            category=clean["category"],
            is_anonymous=clean["is_anonymous"],
            is_confidential=clean["is_confidential"],
            reporter=reporter_row,
            access_token_hash=token_hash(secret),
            status=Status.SUBMITTED,
            submitted_at=now,
        )
        suggestion = None
        if region is None and report.latitude is not None:
            from aduan.regions.geo import suggest_region

            suggestion = suggest_region(float(report.latitude), float(report.longitude))
            if suggestion is not None:
                report.suggested_region = suggestion.district or suggestion.regency
                report.region_suggestion_reason = suggestion.reason[:300]
        deadlines.on_submitted(report, now)
        deadlines.refresh_next_due(report, now)
        # The first events are hashed before the insert, so the report row carries its
        # chain head from the start and the events go in with one statement.
        events = [
            chain_event(
                report,
                EventType.SUBMITTED,
                actor=actor,
                at=now,
                to_status=Status.SUBMITTED,
                payload={"channel": report.channel, "report_type": report.report_type},
            )
        ]
        if suggestion is not None:
            events.append(
                chain_event(
                    report,
                    EventType.REGION_SUGGESTED,
                    actor=SYSTEM,
                    at=now,
                    visibility=Visibility.INTERNAL,
                    payload={
                        "region": report.suggested_region_id,
                        "reason": report.region_suggestion_reason,
                    },
                )
            )
        report.save(force_insert=True)
        ReportEvent.objects.bulk_create(events)
        attachments = _store_files(
            report, processed, guard, event=events[0], by_reporter=not staff_entry
        )
        notify_reporter(
            report,
            "report_submitted",
            extra={"verify_due_at": report.verify_due_at.isoformat()},
            private={"secret": secret},
        )
        # Last before the commit: the statistics rows it updates are shared by every
        # submission of the same month, place and topic, and stay locked until commit.
        report_changed.send(sender=Report, report=report, before=None)
    return SubmitResult(report=report, secret=secret, attachments=attachments)


def _node() -> str:
    from django.conf import settings

    return settings.NODE_ID


# ---------------------------------------------------------------------------- verification


def _apply_edits(report: Report, edits: dict) -> tuple[dict, list[str]]:
    """Apply a verifier's corrections; return the change set and the changed fields."""
    changes: dict[str, list] = {}
    fields: list[str] = []
    if "title" in edits and edits["title"] is not None:
        title = _clean_text(edits["title"], "title", limit=TITLE_MAX)
        if title != report.title:
            changes["title"] = [report.title, title]
            report.title = title
            fields.append("title")
    if "category" in edits and edits["category"] not in (None, ""):
        category = _resolve_category(edits["category"])
        if category is None:
            raise InvalidInput("Kategori tidak dikenal.", "Unknown category.", field="category")
        if category.pk != report.category_id:
            changes["category"] = [
                report.category.slug if report.category_id else None,
                category.slug,
            ]
            report.category = category
            fields.append("category")
    if "region" in edits and edits["region"] not in (None, ""):
        region = _resolve_region(edits["region"])
        if region is None:
            raise InvalidInput(
                "Kode wilayah tidak dikenal.", "Unknown region code.", field="region"
            )
        if region.code != report.region_id:
            changes["region"] = [report.region_id, region.code]
            report.region = region
            report.province_code = region.code[:2]
            report.regency_code = region.code[:5] if region.level >= 2 else ""
            fields += ["region", "province_code", "regency_code"]
    if "report_type" in edits and edits["report_type"] not in (None, ""):
        if edits["report_type"] not in ReportType.values:
            raise InvalidInput(
                "Jenis laporan tidak dikenal.",
                "Unknown report type.",
                field="report_type",
            )
        if edits["report_type"] != report.report_type:
            changes["report_type"] = [report.report_type, edits["report_type"]]
            report.report_type = edits["report_type"]
            fields.append("report_type")
    if "is_confidential" in edits and edits["is_confidential"] is not None:
        value = bool(edits["is_confidential"])
        if value != report.is_confidential:
            changes["is_confidential"] = [report.is_confidential, value]
            report.is_confidential = value
            fields.append("is_confidential")
    return changes, fields


@transaction.atomic
def verify_report(report: Report, *, actor, **edits) -> Report:
    """Correct the title, category, region or type of a submitted report and mark it
    verified, without disposing it yet."""
    actor = as_actor(actor)
    now = _now()
    report, _ = _begin(report, "verify", actor)
    changes, fields = _apply_edits(report, edits)
    report.verified_at = report.verified_at or now
    append_event(
        report,
        EventType.VERIFIED,
        actor=actor,
        at=now,
        visibility=Visibility.INTERNAL,
        payload={"changes": changes},
    )
    _save(report, now, "verified_at", *fields)
    return report


def _check_target(agency: Agency | None, unit: Agency | None) -> tuple[Agency, Agency | None]:
    if agency is None and unit is not None:
        agency = unit.parent
    if agency is None or not agency.is_active or agency.kind == AgencyKind.UNIT:
        raise InvalidInput(
            "Pilih instansi tujuan yang aktif.",
            "Choose an active receiving agency.",
            field="agency",
        )
    if unit is not None and (
        unit.kind != AgencyKind.UNIT or unit.parent_id != agency.pk or not unit.is_active
    ):
        raise InvalidInput(
            "Unit kerja bukan bagian dari instansi tujuan.",
            "The unit does not belong to the receiving agency.",
            field="unit",
        )
    return agency, unit


@transaction.atomic
def dispose_report(
    report: Report,
    agency: Agency | None,
    *,
    actor,
    unit: Agency | None = None,
    note: str = "",
    needs_inspection: bool | None = None,
    **edits,
) -> Report:
    """Verify a submitted report (with optional corrections) and forward it to the
    responsible agency, optionally straight to one of its units. Starts the first-response
    and completion clocks."""
    actor = as_actor(actor)
    now = _now()
    report, target = _begin(report, "dispose", actor)
    agency, unit = _check_target(agency, unit)
    if actor.role == Role.AGENCY_ADMIN and agency.pk != actor.agency_id:
        # Delegated verification lets a regional admin keep reports, not send them away.
        raise InvalidInput(
            "Admin instansi hanya dapat mendisposisikan ke instansinya sendiri.",
            "An agency admin can only dispose to its own agency.",
            field="agency",
        )
    note = _clean_text(note, "note", required=False)
    changes, fields = _apply_edits(report, edits)
    before, after = _move(report, target)
    report.agency, report.unit = agency, unit
    report.returned_to = ""
    if needs_inspection is not None:
        report.needs_inspection = bool(needs_inspection)
    report.verified_at = report.verified_at or now
    report.dispositioned_at = now
    deadlines.on_dispositioned(report, now)
    if changes:
        append_event(
            report,
            EventType.VERIFIED,
            actor=actor,
            at=now,
            visibility=Visibility.INTERNAL,
            payload={"changes": changes},
        )
    append_event(
        report,
        EventType.DISPOSITIONED,
        actor=actor,
        at=now,
        from_status=before,
        to_status=after,
        payload={
            "agency": str(agency.uuid),
            "agency_name": agency.name,
            "unit": str(unit.uuid) if unit else None,
            "unit_name": unit.name if unit else None,
        },
    )
    if note:
        append_event(
            report,
            EventType.INTERNAL_NOTE,
            actor=actor,
            at=now,
            visibility=Visibility.INTERNAL,
            payload={"text": note},
        )
    _save(
        report,
        now,
        *fields,
        "status",
        "agency",
        "unit",
        "returned_to",
        "needs_inspection",
        "verified_at",
        "dispositioned_at",
        "first_response_due_at",
        "completion_due_at",
    )
    _notify_status(report, agency_name=agency.name)
    notify_staff(report, ("unit",) if unit else ("agency",), "new_disposition")
    return report


@transaction.atomic
def put_on_hold(report: Report, question: str, *, actor) -> Report:
    """Ask the reporter for more information. The report waits and its clocks pause."""
    actor = as_actor(actor)
    now = _now()
    report, target = _begin(report, "put_on_hold", actor)
    question = _clean_text(question, "question")
    before, after = _move(report, target)
    report.status_before_hold = before
    deadlines.pause(report, now)
    append_event(
        report,
        EventType.PUT_ON_HOLD,
        actor=actor,
        at=now,
        visibility=Visibility.PARTIES,
        from_status=before,
        to_status=after,
        payload={"question": question},
    )
    _save(report, now, "status", "status_before_hold", "paused_at")
    notify_reporter(report, "information_requested", extra={"question": question})
    return report


@transaction.atomic
def add_information(report: Report, text: str, *, actor, files: Sequence = ()) -> Report:
    """The reporter adds information; a report waiting on them resumes where it was and
    its deadlines move by the working days it waited."""
    actor = as_actor(actor)
    now = _now()
    report, _ = _begin(report, "add_information", actor)
    text = _clean_text(text, "text")
    with FileGuard() as guard:
        processed = _process_files(files, existing=report.attachments.count())
        before = report.status
        shift = 0
        if before == Status.ON_HOLD:
            report.status = report.status_before_hold or Status.SUBMITTED
            report.status_before_hold = ""
            shift = deadlines.resume(report, now)
        event = append_event(
            report,
            EventType.INFORMATION_ADDED,
            actor=actor,
            at=now,
            visibility=Visibility.PARTIES,
            from_status=before,
            to_status=report.status,
            payload={"text": text, "deadline_shift_working_days": shift},
        )
        _store_files(
            report,
            processed,
            guard,
            event=event,
            visibility=Visibility.PARTIES,
            by_reporter=True,
        )
        _save(
            report,
            now,
            "status",
            "status_before_hold",
            "paused_at",
            *deadlines.DEADLINE_FIELDS,
        )
        notify_staff(report, _handler_audiences(report), "reporter_added_information")
        return report


@transaction.atomic
def archive_report(
    report: Report,
    reason: str,
    *,
    actor,
    duplicate_of: Report | None = None,
    note: str = "",
) -> Report:
    """Close a report without follow-up, with a reason code. A duplicate is linked to its
    original (the root of any duplicate chain), never lost."""
    actor = as_actor(actor)
    now = _now()
    report, target = _begin(report, "archive", actor)
    if report.status == Status.ON_HOLD and report.status_before_hold not in ("", Status.SUBMITTED):
        # Only a report still awaiting verification may be archived; once disposed it
        # must be handled (or returned), never dropped.
        raise InvalidTransition("archive", report.status_before_hold)
    if reason not in ArchiveReason.values:
        raise InvalidInput("Alasan arsip tidak dikenal.", "Unknown archive reason.", field="reason")
    note = _clean_text(note, "note", required=False)
    if reason == ArchiveReason.DUPLICATE:
        if duplicate_of is None:
            raise InvalidInput(
                "Sebutkan laporan asli untuk duplikat.",
                "Name the original report of a duplicate.",
                field="duplicate_of",
            )
        original = duplicate_of
        while original.duplicate_of_id is not None:
            original = original.duplicate_of
        if original.pk == report.pk:
            raise InvalidInput(
                "Laporan tidak dapat menjadi duplikat dirinya sendiri.",
                "A report cannot duplicate itself.",
                field="duplicate_of",
            )
        report.duplicate_of = original
    elif duplicate_of is not None:
        raise InvalidInput(
            "Laporan asli hanya untuk alasan duplikat.",
            "An original report is only given for duplicates.",
            field="duplicate_of",
        )
    before, after = _move(report, target)
    report.archive_reason = reason
    report.closed_at = now
    report.paused_at = None
    report.status_before_hold = ""
    append_event(
        report,
        EventType.ARCHIVED,
        actor=actor,
        at=now,
        visibility=Visibility.PARTIES,
        from_status=before,
        to_status=after,
        payload={
            "reason": reason,
            "duplicate_of": report.duplicate_of.tracking_number if report.duplicate_of_id else None,
            "note": note,
        },
    )
    _save(
        report,
        now,
        "status",
        "archive_reason",
        "duplicate_of",
        "closed_at",
        "paused_at",
    )
    _notify_status(report, reason=str(ArchiveReason(reason).label))
    return report


# ---------------------------------------------------------------------------- disposition


@transaction.atomic
def forward_to_unit(report: Report, unit: Agency, *, actor, note: str = "") -> Report:
    """The agency admin passes a disposed report to one of its units (OPD)."""
    actor = as_actor(actor)
    now = _now()
    report, _ = _begin(report, "forward_to_unit", actor)
    _, unit = _check_target(report.agency, unit)
    if unit is None:
        raise InvalidInput("Pilih unit kerja.", "Choose a unit.", field="unit")
    note = _clean_text(note, "note", required=False)
    previous = report.unit
    report.unit = unit
    append_event(
        report,
        EventType.FORWARDED,
        actor=actor,
        at=now,
        from_status=report.status,
        to_status=report.status,
        payload={
            "unit": str(unit.uuid),
            "unit_name": unit.name,
            "previous_unit": str(previous.uuid) if previous else None,
        },
    )
    if note:
        append_event(
            report,
            EventType.INTERNAL_NOTE,
            actor=actor,
            at=now,
            visibility=Visibility.INTERNAL,
            payload={"text": note},
        )
    _save(report, now, "unit")
    notify_staff(report, ("unit",), "new_disposition")
    return report


@transaction.atomic
def return_not_authority(report: Report, reason: str, *, actor) -> Report:
    """The receiver says the report is not theirs. A unit returns it to its agency admin;
    an agency returns it to the national admins. Either must re-dispose it."""
    actor = as_actor(actor)
    now = _now()
    report, target = _begin(report, "return_not_authority", actor)
    reason = _clean_text(reason, "reason")
    before, after = _move(report, target)
    from_unit = report.unit
    # A unit hands the report back to its agency admin; an agency to the national admins.
    if actor.role == Role.UNIT_OFFICER:
        report.returned_to, audience = "agency", ("agency",)
    else:
        report.returned_to, audience = "national", ("national",)
    report.unit = None
    append_event(
        report,
        EventType.RETURNED,
        actor=actor,
        at=now,
        from_status=before,
        to_status=after,
        payload={
            "reason": reason,
            "returned_to": report.returned_to,
            "from": (from_unit or report.agency).name if (from_unit or report.agency) else None,
        },
    )
    _save(report, now, "status", "returned_to", "unit")
    notify_staff(report, audience, "report_returned", extra={"reason": reason})
    _notify_status(report)
    return report


@transaction.atomic
def redispose_report(
    report: Report,
    agency: Agency | None,
    *,
    actor,
    unit: Agency | None = None,
    note: str = "",
) -> Report:
    """Send a returned report on again. The national admin may choose any agency (the
    clocks restart for the new agency); an agency admin chooses another of its units."""
    actor = as_actor(actor)
    now = _now()
    report, target = _begin(report, "redispose", actor)
    if report.returned_to == "agency":
        agency = report.agency
        if unit is None:
            raise InvalidInput("Pilih unit kerja.", "Choose a unit.", field="unit")
    agency, unit = _check_target(agency, unit)
    note = _clean_text(note, "note", required=False)
    before, after = _move(report, target)
    agency_changed = agency.pk != report.agency_id
    report.agency, report.unit = agency, unit
    report.returned_to = ""
    if agency_changed:
        report.dispositioned_at = now
        deadlines.on_dispositioned(report, now)
    append_event(
        report,
        EventType.REDISPOSITIONED,
        actor=actor,
        at=now,
        from_status=before,
        to_status=after,
        payload={
            "agency": str(agency.uuid),
            "agency_name": agency.name,
            "unit": str(unit.uuid) if unit else None,
            "unit_name": unit.name if unit else None,
            "note": note,
        },
    )
    _save(
        report,
        now,
        "status",
        "agency",
        "unit",
        "returned_to",
        "dispositioned_at",
        "first_response_due_at",
        "completion_due_at",
    )
    notify_staff(report, ("unit",) if unit else ("agency",), "new_disposition")
    _notify_status(report, agency_name=agency.name)
    return report


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
    """Mark a complaint as needing an inspection or audit (60 working days to complete)."""
    actor = as_actor(actor)
    now = _now()
    report, _ = _begin(report, "add_internal_note", actor)
    if actor.role not in (Role.NATIONAL_ADMIN, Role.AGENCY_ADMIN):
        from .errors import NotAllowed

        raise NotAllowed("set_needs_inspection")
    report.needs_inspection = bool(value)
    deadlines.on_inspection_changed(report)
    append_event(
        report,
        EventType.INTERNAL_NOTE,
        actor=actor,
        at=now,
        visibility=Visibility.INTERNAL,
        payload={"needs_inspection": report.needs_inspection},
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


def _rating(value) -> int:
    try:
        rating = int(value)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise InvalidInput(
            "Penilaian harus 1 sampai 5.",
            "A rating must be from 1 to 5.",
            field="rating",
        )
    return rating


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
            "Laporan ini sudah dinilai.",
            "This report has already been rated.",
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
            "Banding hanya dapat diajukan satu kali.",
            "An appeal can be made only once.",
            field="reason",
            code="appeal_used",
        )
    if report.status == Status.CLOSED and report.closed_at:
        window_end = deadlines._add(report, report.closed_at, deadlines.REPLY_WINDOW_WD)
        if now > window_end:
            raise InvalidInput(
                "Masa banding (10 hari kerja setelah ditutup) sudah lewat.",
                "The appeal window (10 working days after closing) has passed.",
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
            locked.status != Status.RESPONDED
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
