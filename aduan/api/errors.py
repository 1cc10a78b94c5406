"""One error format for every API failure (shared by the REST API and Open311).

Every error body is::

    {"error": {"code": "validation_failed",
               "message": "<Indonesian> / <English>",
               "message_id": "<Indonesian>",
               "message_en": "<English>",
               "fields": {"title": [{"message": "...", "message_id": "...", "message_en": "..."}]}}}

`code` is a stable machine code, the messages are for people. `fields` is present (possibly
empty) on every error so that clients can read it without checking. The helpers are plain
Django, independent of the API framework, so Open311 and middleware can use them too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError

from aduan.core.i18n import in_both, validation_messages_in_both
from aduan.reports.errors import (
    DomainError,
    InvalidInput,
    InvalidTransition,
    NotAllowed,
    ValidationFailed,
)

# (code, status, Indonesian, English): the messages for failures that carry none of their own.
STANDARD_ERRORS: dict[str, tuple[int, str, str]] = {
    "invalid": (400, "Data yang dikirim tidak valid.", "The submitted data is invalid."),
    "validation_failed": (400, "Data yang dikirim tidak valid.", "The submitted data is invalid."),
    "malformed_json": (
        400,
        "Isi permintaan bukan JSON yang valid.",
        "The request body is not valid JSON.",
    ),
    "bad_request": (400, "Permintaan tidak valid.", "Bad request."),
    "not_authenticated": (
        401,
        "Kunci API tidak ada atau tidak valid.",
        "The API key is missing or invalid.",
    ),
    "forbidden": (
        403,
        "Anda tidak berwenang melakukan tindakan ini.",
        "You are not allowed to do this.",
    ),
    "csrf_failed": (
        403,
        "Pemeriksaan CSRF gagal; muat ulang halaman dan coba lagi.",
        "CSRF check failed; reload the page and try again.",
    ),
    "not_found": (404, "Tidak ditemukan.", "Not found."),
    "report_not_found": (404, "Laporan tidak ditemukan.", "Report not found."),
    "method_not_allowed": (
        405,
        "Metode HTTP ini tidak diizinkan untuk alamat ini.",
        "This HTTP method is not allowed for this URL.",
    ),
    "not_acceptable": (
        406,
        "Format jawaban yang diminta tidak tersedia.",
        "The requested response format is not available.",
    ),
    "invalid_transition": (
        409,
        "Tindakan ini tidak dapat dilakukan pada status laporan saat ini.",
        "This action is not allowed in the report's current status.",
    ),
    "too_large": (
        413,
        "Isi permintaan terlalu besar.",
        "The request body is too large.",
    ),
    "unsupported_media_type": (
        415,
        "Jenis isi permintaan tidak didukung; gunakan application/json atau multipart/form-data.",
        "Unsupported content type; use application/json or multipart/form-data.",
    ),
    "rate_limited": (
        429,
        "Terlalu banyak permintaan; coba lagi nanti.",
        "Too many requests; try again later.",
    ),
    "server_error": (
        500,
        "Terjadi kesalahan pada server. Kesalahan ini telah dicatat.",
        "Something went wrong on the server. The error has been logged.",
    ),
}


@dataclass
class ApiError:
    """An error ready to be rendered: status, machine code, both messages, per-field messages.

    `fields` maps a field name to a list of messages: translatable messages (rendered in
    both languages) or (Indonesian, English) pairs."""

    status: int
    code: str
    message_id: str
    message_en: str
    fields: dict[str, list] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return f"{self.message_id} / {self.message_en}"

    def body(self) -> dict:
        return error_body(self.code, self.message_id, self.message_en, fields=self.fields)

    def response(self, headers: dict | None = None) -> JsonResponse:
        return JsonResponse(self.body(), status=self.status, headers=headers)


class ApiErrorException(Exception):
    """Raise an ApiError from anywhere inside a view; the API's handler renders it."""

    def __init__(self, error: ApiError):
        super().__init__(error.message)
        self.error = error


def standard_error(code: str, *, fields: dict | None = None, status: int | None = None) -> ApiError:
    """The ApiError for one of STANDARD_ERRORS."""
    default_status, message_id, message_en = STANDARD_ERRORS[code]
    return ApiError(status or default_status, code, message_id, message_en, dict(fields or {}))


def _field_entries(messages) -> list[dict]:
    entries = []
    for message in messages:
        if isinstance(message, (tuple, list)) and len(message) == 2:
            message_id, message_en = str(message[0]), str(message[1])
        else:  # a translatable message (a plain string reads the same in both)
            message_id, message_en = in_both(message)
        entries.append(
            {
                "message": f"{message_id} / {message_en}",
                "message_id": message_id,
                "message_en": message_en,
            }
        )
    return entries


def error_body(
    code: str,
    message_id: str,
    message_en: str,
    *,
    fields: dict[str, list] | None = None,
) -> dict:
    """The JSON body of an error (see the module docstring for the shape)."""
    return {
        "error": {
            "code": code,
            "message": f"{message_id} / {message_en}",
            "message_id": message_id,
            "message_en": message_en,
            "fields": {name: _field_entries(msgs) for name, msgs in (fields or {}).items()},
        }
    }


def error_response(
    code: str,
    message_id: str | None = None,
    message_en: str | None = None,
    *,
    status: int | None = None,
    fields: dict[str, list] | None = None,
    headers: dict | None = None,
) -> JsonResponse:
    """A JsonResponse with the error body. Messages and status default to STANDARD_ERRORS."""
    default_status, default_id, default_en = STANDARD_ERRORS.get(code, (400, "", ""))
    error = ApiError(
        status or default_status,
        code,
        message_id or default_id,
        message_en or default_en,
        dict(fields or {}),
    )
    return error.response(headers=headers)


def _split_message(text: str) -> tuple[str, str] | None:
    """'Indonesian / English' → the two halves (the domain's Http404 messages use it)."""
    if " / " in text:
        message_id, message_en = text.split(" / ", 1)
        return message_id.strip(), message_en.strip()
    return None


def error_from_exception(exc: BaseException) -> ApiError | None:
    """The ApiError for a known exception, or None for anything unexpected (a bug: the
    caller logs it and answers with standard_error("server_error"), never a traceback)."""
    if isinstance(exc, ApiErrorException):
        return exc.error
    if isinstance(exc, ValidationFailed):
        return ApiError(exc.status_code, exc.code, exc.message_id, exc.message_en, dict(exc.errors))
    if isinstance(exc, InvalidInput):
        fields = {exc.field: [exc.message]} if exc.field else {}
        status = 413 if exc.code == "too_large" else exc.status_code
        return ApiError(status, exc.code, exc.message_id, exc.message_en, fields)
    if isinstance(exc, (InvalidTransition, NotAllowed, DomainError)):
        fields = {exc.field: [exc.message]} if exc.field else {}
        return ApiError(exc.status_code, exc.code, exc.message_id, exc.message_en, fields)
    if isinstance(exc, Http404):
        halves = _split_message(str(exc.args[0])) if exc.args else None
        if halves:
            code = "report_not_found" if halves[1].lower().startswith("report") else "not_found"
            return ApiError(404, code, *halves)
        return standard_error("not_found")
    if isinstance(exc, PermissionDenied):
        return standard_error("forbidden")
    if isinstance(exc, RequestDataTooBig):
        return standard_error("too_large")
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            fields = {
                name: [pair for e in errors for pair in validation_messages_in_both(e)]
                for name, errors in exc.error_dict.items()
            }
            return standard_error("invalid", fields=fields)
        messages = validation_messages_in_both(exc)
        halves = None
        if messages:
            message_id, message_en = messages[0]
            # A message that reads the same in both languages was not translated: use it
            # only when it carries both halves itself.
            halves = (message_id, message_en) if message_id != message_en else None
            halves = halves or _split_message(message_id)
        if halves:
            return ApiError(400, "invalid", *halves)
        return standard_error("invalid")
    if isinstance(exc, SuspiciousOperation):
        return standard_error("bad_request")
    if isinstance(exc, (MultiPartParserError, UnreadablePostError)):
        return standard_error("bad_request")
    return None
