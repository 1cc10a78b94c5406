"""Input checks shared by the domain actions: text, coordinates, categories, regions, files,
ratings and a new report's fields, each rule written once. Nothing here writes."""

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from aduan.accounts.identity import clean_email, clean_nik, clean_phone
from aduan.agencies.models import Agency, AgencyKind
from aduan.categories.models import Category
from aduan.core import refcache, rowsql
from aduan.core.uploads import (
    ProcessedUpload,
    UploadRejected,
    process_upload,
    validate_upload_batch,
)
from aduan.regions.geo import in_indonesia
from aduan.regions.models import Region

from ..errors import InvalidInput, Message, ValidationFailed
from ..models import Channel, ReportType

TITLE_MAX = 200
BODY_MAX = 20_000
TEXT_MAX = 10_000

# How the free-text fields are named in messages.
FIELD_LABELS = {
    "title": _("Judul"),
    "body": _("Isi laporan"),
    "note": _("Catatan"),
    "question": _("Pertanyaan"),
    "text": _("Teks"),
    "reason": _("Alasan"),
    "comment": _("Komentar"),
    "name": _("Nama"),
}


def _required(field: str) -> Message:
    return format_lazy(_("{field} wajib diisi."), field=FIELD_LABELS.get(field, field))


def _too_long(field: str, limit: int) -> Message:
    return format_lazy(
        _("{field} terlalu panjang (maks. {limit} karakter)."),
        field=FIELD_LABELS.get(field, field),
        limit=limit,
    )


# In a title (one line, shown in lists, e-mail subjects, exports and feeds): C0 and C1
# control characters, and the bidirectional embeddings, overrides and isolates
# (U+202A–U+202E, U+2066–U+2069), which make text display in another order than it is
# stored ("Trojan Source"). Tabs and line breaks are turned into spaces first.
_TITLE_SPACES = re.compile(r"[\t\n\r]+")
_TITLE_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean_title(value: Any) -> tuple[str, Message | None]:
    """A title as stored (line breaks as spaces, trimmed) and the problem with it, if
    any: required, at most TITLE_MAX characters, no control or text-direction characters."""
    title = _TITLE_SPACES.sub(" ", str(value or "").replace("\x00", "")).strip()
    if not title:
        return title, _required("title")
    if len(title) > TITLE_MAX:
        return title, _too_long("title", TITLE_MAX)
    if _TITLE_FORBIDDEN.search(title):
        return title, _(
            "Judul berisi karakter kontrol atau karakter pengubah arah teks; hapus karakter itu."
        )
    return title, None


def _clean_text(value: Any, field: str, *, required: bool = True, limit: int = TEXT_MAX) -> str:
    text = str(value or "").replace("\x00", "").strip()
    if required and not text:
        raise InvalidInput(_required(field), field=field)
    if len(text) > limit:
        raise InvalidInput(_too_long(field, limit), field=field)
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
        raise InvalidInput(
            exc.message, field="attachments", code=exc.code or "invalid_file"
        ) from exc


@dataclass
class ReporterDetails:
    name: str = ""
    nik: str = ""
    phone: str = ""
    email: str = ""
    contact_verified_at: dt.datetime | None = None


def clean_reporter(details: ReporterDetails) -> tuple[ReporterDetails, dict[str, list[Message]]]:
    """The reporter's details as they are stored (NIK digits, the phone in E.164 form,
    trimmed name and e-mail) and the problems found, by field. The NIK, phone and e-mail
    rules are the ones every form and API uses (`aduan.accounts.identity`)."""
    problems: dict[str, list[Message]] = {}
    clean = ReporterDetails(contact_verified_at=details.contact_verified_at)
    clean.name = str(details.name or "").replace("\x00", "").strip()
    if len(clean.name) > 150:
        problems["name"] = [_too_long("name", 150)]
    for field, rule in (("nik", clean_nik), ("phone", clean_phone), ("email", clean_email)):
        try:
            setattr(clean, field, rule(getattr(details, field)))
        except DjangoValidationError as error:
            problems[field] = [error.message]
    if not (clean.email or clean.phone) and not (problems.keys() & {"phone", "email"}):
        problems["contact"] = [_("Isi surel atau nomor telepon.")]
    return clean, problems


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
    # Most codes of a country's 80,000 villages are not in a process's cache: read with a
    # statement built once.
    return refcache.lookup("region", code, lambda: rowsql.by_key(Region, code))


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
    data: dict,
    files: Sequence = (),
    *,
    reporter: "ReporterDetails | None" = None,
    existing_files: int = 0,
) -> tuple[dict, list[ProcessedUpload]]:
    """Check every field and file of a new report, and the reporter's details when they
    are typed in (guest, counter, integrator) rather than taken from an account; raise
    ValidationFailed listing all problems at once. Nothing is written. `existing_files`
    counts files already checked (kept from an earlier attempt) toward the limit."""
    errors: dict[str, list[Message]] = {}

    def err(field: str, message: Message) -> None:
        errors.setdefault(field, []).append(message)

    clean: dict[str, Any] = {}
    report_type = data.get("report_type") or ReportType.COMPLAINT
    if report_type not in ReportType.values:
        err("report_type", _("Jenis laporan tidak dikenal."))
    clean["report_type"] = report_type

    clean["title"], problem = clean_title(data.get("title"))
    if problem is not None:
        err("title", problem)
    value = str(data.get("body") or "").replace("\x00", "").strip()
    if not value:
        err("body", _required("body"))
    elif len(value) > BODY_MAX:
        err("body", _too_long("body", BODY_MAX))
    clean["body"] = value
    if clean.get("body") and len(clean["body"]) < 10:
        err("body", _("Isi laporan terlalu singkat (min. 10 karakter)."))

    incident = data.get("incident_date")
    if incident not in (None, ""):
        if isinstance(incident, str):
            try:
                incident = dt.date.fromisoformat(incident.strip())
            except ValueError:
                err("incident_date", _("Tanggal kejadian tidak valid (TTTT-BB-HH)."))
                incident = None
        if isinstance(incident, dt.datetime):
            incident = incident.date()
        if incident and incident > timezone.localdate() + dt.timedelta(days=1):
            err("incident_date", _("Tanggal kejadian tidak boleh di masa depan."))
        if incident and incident.year < 1945:
            err("incident_date", _("Tanggal kejadian tidak valid."))
    clean["incident_date"] = incident or None

    region_value = data.get("region") or data.get("region_code")
    region = _resolve_region(region_value)
    if region_value not in (None, "") and region is None:
        err("region", _("Kode wilayah tidak dikenal."))
    clean["region"] = region

    lat = _coordinate(data.get("latitude"), -90, 90)
    lon = _coordinate(data.get("longitude"), -180, 180)
    if (lat is not None and lat.is_nan()) or (lon is not None and lon.is_nan()):
        err("latitude", _("Koordinat tidak valid."))
        lat = lon = None
    elif (lat is None) != (lon is None):
        err("latitude", _("Lintang dan bujur harus diisi bersama."))
    elif lat is not None and not in_indonesia(float(lat), float(lon)):
        err(
            "latitude",
            format_lazy(
                _(
                    "Titik lokasi ({latitude}, {longitude}) berada di luar Indonesia; "
                    "periksa lintang dan bujurnya."
                ),
                latitude=format(lat.normalize(), "f"),
                longitude=format(lon.normalize(), "f"),
            ),
        )
        lat = lon = None
    clean["latitude"], clean["longitude"] = lat, lon
    clean["address"] = str(data.get("address") or "").replace("\x00", "").strip()[:300]
    media_url = str(data.get("media_url") or "").strip()
    if media_url:
        from django.core.validators import URLValidator

        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except DjangoValidationError:
            err("media_url", _("Tautan media tidak valid."))
        if len(media_url) > 500:
            err("media_url", _("Tautan media terlalu panjang."))
    clean["media_url"] = media_url

    category_value = data.get("category")
    category = _resolve_category(category_value)
    if category_value not in (None, "") and category is None:
        err("category", _("Kategori tidak dikenal."))
    clean["category"] = category

    channel = data.get("channel") or Channel.WEB
    if channel not in Channel.values:
        err("channel", _("Kanal tidak dikenal."))
    clean["channel"] = channel
    clean["is_anonymous"] = bool(data.get("is_anonymous"))
    clean["is_confidential"] = bool(data.get("is_confidential"))

    if reporter is not None:
        problems = clean_reporter(reporter)[1]
        for field, messages in problems.items():
            errors.setdefault(field, []).extend(messages)

    processed: list[ProcessedUpload] = []
    try:
        processed = _process_files(files, existing_files)
    except InvalidInput as exc:
        errors.setdefault("attachments", []).append(exc.message)
    if errors:
        raise ValidationFailed(errors)
    return clean, processed


def _rating(value) -> int:
    try:
        rating = int(value)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise InvalidInput(_("Penilaian harus 1 sampai 5."), field="rating")
    return rating


def _check_target(agency: Agency | None, unit: Agency | None) -> tuple[Agency, Agency | None]:
    if agency is None and unit is not None:
        agency = unit.parent
    if agency is None or not agency.is_active or agency.kind == AgencyKind.UNIT:
        raise InvalidInput(_("Pilih instansi tujuan yang aktif."), field="agency")
    if unit is not None and (
        unit.kind != AgencyKind.UNIT or unit.parent_id != agency.pk or not unit.is_active
    ):
        raise InvalidInput(_("Unit kerja bukan bagian dari instansi tujuan."), field="unit")
    return agency, unit
