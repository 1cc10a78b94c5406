"""Reading request bodies: JSON, or multipart/form-data (for attachments), or
form-encoded; and turning validation errors into per-field messages in both languages.

Write endpoints parse their bodies here rather than through the framework so that one
operation accepts JSON and multipart alike, every failure has the API's error format, and
nothing is written before the whole input is valid."""

from __future__ import annotations

import json
import math
from typing import Any

import pydantic
from django.http.multipartparser import MultiPartParserError

from aduan.core.i18n import in_both

from .errors import ApiError, ApiErrorException, standard_error

FILES_FIELD = "attachments"
JSON_TYPES = ("application/json",)
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def _constant(name: str):
    raise ValueError(f"{name} is not allowed")


def _malformed(detail_en: str = "") -> ApiErrorException:
    error = standard_error("malformed_json")
    if detail_en:
        error.message_en = f"{error.message_en} ({detail_en})"
    return ApiErrorException(error)


def read_json(request) -> dict:
    raw = request.body
    if not raw.strip():
        return {}
    try:
        text = raw.decode("utf-8")
        data = json.loads(text, parse_constant=_constant)
    except UnicodeDecodeError:
        raise _malformed("not UTF-8") from None
    except (ValueError, RecursionError):
        raise _malformed() from None
    if not isinstance(data, dict):
        raise ApiErrorException(
            ApiError(
                400,
                "malformed_json",
                "Isi permintaan harus berupa objek JSON.",
                "The request body must be a JSON object.",
            )
        )
    return data


def read_form(request, *, allow_files: bool) -> tuple[dict, list]:
    try:
        post, files = request.POST, request.FILES
    except MultiPartParserError:
        raise ApiErrorException(
            ApiError(
                400,
                "malformed_body",
                "Isi multipart/form-data tidak dapat dibaca.",
                "The multipart/form-data body cannot be read.",
            )
        ) from None
    data: dict[str, Any] = {}
    for name in post:
        values = post.getlist(name)
        value = values[-1] if values else ""
        # An empty form field means "not given", as in HTML forms.
        if value != "":
            data[name] = value
    uploads: list = []
    unknown_files = [name for name in files if not (allow_files and name == FILES_FIELD)]
    if unknown_files:
        raise ApiErrorException(
            ApiError(
                400,
                "validation_failed",
                "Data yang dikirim tidak valid.",
                "The submitted data is invalid.",
                {
                    name: [("Berkas tidak diharapkan di sini.", "No file expected here.")]
                    for name in unknown_files
                },
            )
        )
    if allow_files:
        uploads = files.getlist(FILES_FIELD)
    return data, uploads


def check_uploads(files: list, *, existing: int = 0) -> None:
    """Refuse too many, empty or oversized files before the domain reads them: an
    oversized file is 413 (the domain reports every file problem as a field error)."""
    from aduan.core.uploads import UploadRejected, validate_upload_batch

    if not files:
        return
    try:
        validate_upload_batch(files, existing_count=existing)
    except UploadRejected as exc:
        message_id, message_en = in_both(exc.message)
        status, code = (413, "too_large") if exc.code == "too_large" else (400, "validation_failed")
        raise ApiErrorException(
            ApiError(status, code, message_id, message_en, {FILES_FIELD: [exc.message]})
        ) from None


def parse_body(request, model: type[pydantic.BaseModel], *, allow_files: bool = False):
    """(validated model, uploaded files) from the request body, or ApiErrorException."""
    content_type = (request.content_type or "").lower()
    if (
        content_type in JSON_TYPES
        or (content_type == "" and not request.body.strip())
        or content_type.endswith("+json")
    ):
        data, uploads = read_json(request), []
    elif content_type in FORM_TYPES:
        data, uploads = read_form(request, allow_files=allow_files)
    else:
        raise ApiErrorException(standard_error("unsupported_media_type"))
    try:
        validated = model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ApiErrorException(validation_error(exc.errors(include_url=False))) from None
    check_uploads(uploads)
    return validated, uploads


# ---------------------------------------------------------------------------- messages


def _number(value) -> str:
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return str(value)


def error_messages(error: dict) -> tuple[str, str]:
    """One pydantic error as (Indonesian, English)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "aduan":
        return ctx["message_id"], ctx["message_en"]
    if kind == "missing":
        return "Wajib diisi.", "This field is required."
    if kind == "extra_forbidden":
        return "Kolom tidak dikenal.", "Unknown field."
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return "Wajib diisi, tidak boleh kosong.", "Must not be empty."
    if kind == "string_too_short":
        n = ctx.get("min_length")
        return f"Minimal {n} karakter.", f"At least {n} characters."
    if kind == "string_too_long":
        n = ctx.get("max_length")
        return f"Maksimal {n} karakter.", f"At most {n} characters."
    if kind == "string_pattern_mismatch":
        return "Format tidak valid.", "Invalid format."
    if kind in ("string_type", "string_unicode"):
        return "Harus berupa teks.", "Must be a string."
    if kind.startswith("int_"):
        return "Harus berupa bilangan bulat.", "Must be an integer."
    if kind.startswith("float_") or kind == "finite_number":
        return "Harus berupa angka.", "Must be a number."
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter(ctx.values()), "")
        words = {
            "greater_than_equal": ("lebih besar atau sama dengan", "greater than or equal to"),
            "greater_than": ("lebih besar dari", "greater than"),
            "less_than_equal": ("lebih kecil atau sama dengan", "less than or equal to"),
            "less_than": ("lebih kecil dari", "less than"),
        }[kind]
        return f"Harus {words[0]} {_number(bound)}.", f"Must be {words[1]} {_number(bound)}."
    if kind.startswith("bool_"):
        return "Harus berupa true atau false.", "Must be true or false."
    if kind in ("literal_error", "enum"):
        expected = ctx.get("expected", "")
        return f"Nilai tidak dikenal; pilihan: {expected}.", f"Unknown value; expected {expected}."
    if kind.startswith("uuid_"):
        return "UUID tidak valid.", "Invalid UUID."
    if kind.startswith("datetime_") or kind == "timezone_aware":
        return (
            "Tanggal/waktu tidak valid (ISO 8601, mis. 2025-01-31T08:00:00+08:00).",
            "Invalid date/time (ISO 8601, e.g. 2025-01-31T08:00:00+08:00).",
        )
    if kind.startswith("date_"):
        return "Tanggal tidak valid (TTTT-BB-HH).", "Invalid date (YYYY-MM-DD)."
    if kind in ("list_type", "tuple_type", "set_type"):
        return "Harus berupa daftar.", "Must be a list."
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "Harus berupa objek.", "Must be an object."
    return "Nilai tidak valid.", "Invalid value."


SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


# The name views give their query-parameter models (`filters: Query[ReportFilters]`).
QUERY_MODEL_PARAM = "filters"


def field_name(loc) -> str:
    parts = list(loc)
    if parts and parts[0] == "query":
        # ("query", "filters", "status", 0) -> "status": the parameter as the caller wrote it.
        parts = [p for p in parts[1:] if p != QUERY_MODEL_PARAM and not isinstance(p, int)]
    elif parts and parts[0] in SOURCES:
        parts = parts[1:]
    return ".".join(str(p) for p in parts) or "body"


def validation_error(errors: list[dict]) -> ApiError:
    fields: dict[str, list[tuple[str, str]]] = {}
    for error in errors:
        fields.setdefault(field_name(error.get("loc", ())), []).append(error_messages(error))
    return ApiError(
        400,
        "validation_failed",
        "Data yang dikirim tidak valid: " + ", ".join(fields),
        "The submitted data is invalid: " + ", ".join(fields),
        fields,
    )
