"""The REST API v1 object: authentication, rate limits, error handling and documentation.

Every operation runs inside `guard`, which
1. refuses oversized bodies (413) and NUL bytes in the URL (400) before anything is read;
2. identifies the caller (API key, browser session, or anonymous; 401 for a bad key;
   the CSRF check for session writes);
3. counts the request against the caller's rate limit (429 with Retry-After) and adds the
   X-RateLimit-* headers to every answer;
and every exception becomes the one error body of `aduan.api.errors` (never a traceback).
"""

from __future__ import annotations

import logging
from functools import wraps

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.urls import reverse
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import DocsBase

from . import keys
from .auth import Caller, client_ip, raw_key_from
from .bodies import validation_error
from .errors import ApiError, error_from_exception, standard_error

logger = logging.getLogger("aduan.api")

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Room for the multipart overhead around the largest allowed set of attachments.
BODY_OVERHEAD = 1024 * 1024


def max_body_bytes() -> int:
    per_file = getattr(settings, "ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
    count = getattr(settings, "ATTACHMENT_MAX_COUNT", 5)
    return per_file * count + BODY_OVERHEAD


class LocalSwagger(DocsBase):
    """Swagger UI from the files bundled with django-ninja, served by this app: the docs
    work without the internet and without `ninja` in INSTALLED_APPS."""

    def render_page(self, request, api, **kwargs):
        context = {
            "api": api,
            "openapi_url": reverse("api:openapi-json"),
            "asset": {
                name.replace("-", "_").replace(".", "_"): reverse("api:docs-asset", args=[name])
                for name in DOCS_ASSETS
            },
        }
        return render(request, "api/docs.html", context)


DOCS_ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "docs.js": "text/javascript",
    "favicon.svg": "image/svg+xml",
}


SECURITY_SCHEMES = {
    "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    "Session": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
}


class AduanAPI(NinjaAPI):
    def set_default_exception_handlers(self) -> None:
        self.add_exception_handler(Exception, handle_exception)

    def get_openapi_operation_id(self, operation) -> str:
        return operation.view_func.__name__

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema["components"]["securitySchemes"] = SECURITY_SCHEMES
        # Query parameter models are flattened into parameters; their own schemas are noise.
        for name in ("ReportFilters", "RegionFilters", "AgencyFilters"):
            schema["components"]["schemas"].pop(name, None)
        return schema


def error_for(exc: BaseException) -> ApiError:
    if isinstance(exc, NinjaValidationError):
        return validation_error(exc.errors)
    if isinstance(exc, HttpError):
        by_status = {
            400: "bad_request",
            401: "not_authenticated",
            403: "forbidden",
            404: "not_found",
            405: "method_not_allowed",
            413: "too_large",
            415: "unsupported_media_type",
            429: "rate_limited",
        }
        return standard_error(by_status.get(exc.status_code, "bad_request"))
    known = error_from_exception(exc)
    if known is not None:
        return known
    logger.error("Unhandled error in the REST API", exc_info=exc)
    return standard_error("server_error")


def handle_exception(request, exc):
    return error_for(exc).response()


def _rate_headers(response, decision: keys.RateDecision) -> None:
    response["X-RateLimit-Limit"] = str(decision.limit)
    response["X-RateLimit-Remaining"] = str(decision.remaining)
    response["X-RateLimit-Reset"] = str(decision.retry_after)


def _csrf_failure(request) -> bool:
    """True when a session write lacks a valid CSRF token (as Django's middleware checks
    for forms; the API's views are exempt from the middleware so key callers need none)."""
    middleware = CsrfViewMiddleware(lambda r: None)
    request.csrf_processing_done = False
    middleware.process_request(request)
    return middleware.process_view(request, lambda r: None, (), {}) is not None


def identify(request) -> Caller:
    """The caller of this request, or ApiErrorException (401 bad key, 403 CSRF)."""
    from .errors import ApiErrorException

    caller = Caller(ip=client_ip(request))
    raw = raw_key_from(request)
    if raw is not None:
        key = keys.authenticate(raw)
        if key is None:
            raise ApiErrorException(
                ApiError(
                    401,
                    "invalid_api_key",
                    "Kunci API tidak valid atau sudah dicabut.",
                    "The API key is invalid or has been revoked.",
                )
            )
        caller.key = key
        return caller
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active:
        caller.user = user
        if request.method in UNSAFE_METHODS and _csrf_failure(request):
            raise ApiErrorException(standard_error("csrf_failed"))
    return caller


def guard(run):
    @wraps(run)
    def wrapper(request, *args, **kwargs):
        decision = None
        try:
            length = request.META.get("CONTENT_LENGTH") or "0"
            if length.isdigit() and int(length) > max_body_bytes():
                raise RequestDataTooBig()
            if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
                raise _nul_in_url()
            caller = identify(request)
            request.caller = caller
            decision = caller.rate_decision()
            if not decision.allowed:
                response = standard_error("rate_limited").response(
                    headers={"Retry-After": str(decision.retry_after)}
                )
            else:
                response = run(request, *args, **kwargs)
        except Exception as exc:
            response = handle_exception(request, exc)
        if decision is not None:
            _rate_headers(response, decision)
        return response

    return wrapper


def _nul_in_url():
    from .errors import ApiErrorException

    return ApiErrorException(
        ApiError(
            400,
            "invalid_characters",
            "Alamat atau parameter berisi karakter NUL.",
            "The URL or its parameters contain a NUL character.",
        )
    )


DESCRIPTION = """\
REST API Aduan: laporan, linimasa, tindak lanjut instansi, dan data rujukan (kategori,
wilayah, instansi). / The Aduan REST API: reports, timelines, agency follow-up work and
reference data (categories, regions, agencies).

* **Autentikasi / Authentication**: `X-API-Key: aduan_…` (or `Authorization: Bearer aduan_…`),
  or the browser session of a logged-in user (CSRF token in `X-CSRFToken` for writes).
  Public data can be read without a key, with a stricter rate limit per IP address.
* **Kesalahan / Errors**: every failure has the body
  `{"error": {"code", "message", "message_id", "message_en", "fields"}}`.
* **Halaman / Pagination**: lists return `next_cursor`; pass it back as `cursor`.
* **Batas / Rate limits**: `X-RateLimit-Limit`, `X-RateLimit-Remaining`,
  `X-RateLimit-Reset` on every answer; `429` with `Retry-After` when exceeded.

See `docs/API.md` for copy-paste examples.
"""

api = AduanAPI(
    title="Aduan REST API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs=LocalSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
    openapi_extra={
        "tags": [
            {"name": "reports", "description": "Laporan / Reports"},
            {"name": "agency work", "description": "Pekerjaan instansi / Agency follow-up work"},
            {"name": "reference", "description": "Data rujukan / Reference data"},
        ],
    },
)
api.add_decorator(guard, mode="view")  # "view" wraps the whole run: before parsing

# Operations register themselves on import.
from . import views  # noqa: E402, F401
