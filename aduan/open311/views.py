"""Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2) with the common extensions.

Every view answers in the format of its URL suffix and turns every failure into the
spec's errors document with the right status code. Reads show only what the public may
see (`access.public_reports()`); a POST goes through the same domain action as the web
form (`submit_report`, channel "open311").
"""

from __future__ import annotations

import functools
import re
import uuid as uuid_module
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFilesSent,
    ValidationError,
)
from django.http import Http404, HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from aduan.accounts.identity import clean_email, clean_phone
from aduan.accounts.models import Role
from aduan.api.auth import anonymous_rate, client_ip
from aduan.api.keys import authenticate, check_rate, check_rate_bucket
from aduan.core.i18n import in_both
from aduan.reports import tracking
from aduan.reports.access import find_report, public_reports
from aduan.reports.actions import ReporterDetails, submit_report
from aduan.reports.deadlines import VERIFY_WD, report_timezone
from aduan.reports.errors import DomainError, ValidationFailed
from aduan.reports.models import (
    OPEN_STATUSES,
    Channel,
    Report,
    ReportEvent,
    ReportType,
    Visibility,
)

from . import output, params, services
from .params import value
from .render import MEDIA_TYPES, Open311Error, Problem, clean_text, error_response, respond

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this server's Open311 interface last changed (the discovery `changeset`).
CHANGESET = "2026-11-30T00:00:00+00:00"
TITLE_FROM_DESCRIPTION = 80


def _format_from_path(path: str) -> str:
    return "json" if path.lower().endswith(".json") else "xml"


def endpoint(*methods: str, check_jurisdiction: bool = True):
    """Wrap an Open311 view: allowed methods, jurisdiction check, errors in the requested
    format (the `fmt` URL argument), and CORS for the public reads."""

    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, fmt: str, **kwargs) -> HttpResponse:
            decision = None
            try:
                if request.method not in methods:
                    raise Open311Error.one(
                        405,
                        f"Metode {request.method} tidak didukung di sini.",
                        f"Method {request.method} is not supported here.",
                        headers={"Allow": ", ".join(methods)},
                    )
                if check_jurisdiction:
                    params.check_jurisdiction(_parameters(request))
                if request.method != "POST":
                    decision = _read_rate(request)
                response = view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as error:
                response = error_response(fmt, error)
            except Http404:
                response = error_response(
                    fmt, Open311Error.one(404, "Tidak ditemukan.", "Not found.")
                )
            if request.method == "GET":
                # Public data: any web page may read it (no cookies are involved).
                response["Access-Control-Allow-Origin"] = "*"
            if decision is not None:
                response["X-RateLimit-Limit"] = str(decision.limit)
                response["X-RateLimit-Remaining"] = str(decision.remaining)
                response["X-RateLimit-Reset"] = str(decision.retry_after)
            return response

        return wrapper

    return decorate


def _read_rate(request: HttpRequest):
    """Count a read against the same limits as the REST API's: the key's when a valid
    `api_key` comes with it, else the client address's (anonymous rate). Raises the
    429 error when the limit is spent."""
    key = authenticate(request.GET.get("api_key"))
    if key is not None:
        decision = check_rate(key)
    else:
        decision = check_rate_bucket(f"open311-rate-ip:{client_ip(request)}", anonymous_rate())
    if not decision.allowed:
        raise Open311Error.one(
            429,
            "Terlalu banyak permintaan; coba lagi sebentar lagi.",
            "Too many requests; try again shortly.",
            headers={"Retry-After": str(decision.retry_after)},
        )
    return decision


def _parameters(request: HttpRequest):
    """Query parameters, and for a POST the form fields (which win)."""
    if request.method != "POST":
        return request.GET
    try:
        form = request.POST
    except (RequestDataTooBig, TooManyFilesSent):
        raise Open311Error.one(
            400,
            "Permintaan terlalu besar.",
            "The request is too large.",
        )
    except (SuspiciousOperation, UnreadablePostError, MultiPartParserError):
        raise Open311Error.one(
            400,
            "Isi permintaan tidak dapat dibaca.",
            "The request body cannot be read.",
        )
    merged = request.GET.copy()
    for key in form:
        merged.setlist(key, form.getlist(key))
    return merged


# ---------------------------------------------------------------------------- discovery


@endpoint("GET", "HEAD", check_jurisdiction=False)
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    url = request.build_absolute_uri(reverse("open311:open311-root"))
    contact = getattr(settings, "OPEN311_CONTACT", "") or _(
        "Pengelola server pengaduan ini: %(site)s"
    ) % {"site": settings.SITE_URL}
    data = {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": _(
            "Membaca tidak memerlukan kunci. Untuk mengirim laporan (POST requests), mintalah "
            "kunci API kepada pengelola server ini."
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": list(MEDIA_TYPES),
            }
        ],
    }
    return respond(fmt, "discovery", data)


# ---------------------------------------------------------------------------- services


@endpoint("GET", "HEAD")
def service_list(request: HttpRequest, *, fmt: str) -> HttpResponse:
    entries = [services.service_entry(c) for c in services.service_categories()]
    return respond(fmt, "services", entries)


@endpoint("GET", "HEAD")
def service_definition(request: HttpRequest, service_code: str, *, fmt: str) -> HttpResponse:
    category = services.find_service(service_code)
    if category is None:
        raise _unknown_service(service_code)
    return respond(fmt, "service_definition", services.definition(category))


def _unknown_service(code: str) -> Open311Error:
    code = code[:80]
    return Open311Error.one(
        404,
        f"service_code '{code}' tidak ditemukan.",
        f"service_code '{code}' was not found.",
    )


# ---------------------------------------------------------------------------- requests


@endpoint("GET", "HEAD", "POST")
def request_list(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create_request(request, fmt)
    return _list_requests(request, fmt)


def _list_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    data = request.GET
    page = params.page_param(data)
    extensions = params.boolean_param(data, "extensions")
    reports = public_reports()
    ids = params.comma_list(data, "service_request_id")
    if ids:
        # The spec: a list of ids "overrides all other arguments".
        numbers = [n for n in (tracking.normalise(i) for i in ids) if n]
        reports = reports.filter(tracking_number__in=numbers)
    else:
        codes = params.comma_list(data, "service_code")
        if codes:
            reports = reports.filter(category__slug__in=codes)
        statuses = [s.lower() for s in params.comma_list(data, "status")]
        unknown = [s for s in statuses if s not in ("open", "closed")]
        if unknown:
            raise Open311Error.one(
                400,
                "status harus open atau closed (boleh keduanya, dipisah koma).",
                "status must be open or closed (or both, comma-separated).",
            )
        if set(statuses) == {"open"}:
            reports = reports.filter(status__in=OPEN_STATUSES)
        elif set(statuses) == {"closed"}:
            reports = reports.exclude(status__in=OPEN_STATUSES)
        window = params.date_window(data)
        reports = reports.filter(submitted_at__gte=window.start, submitted_at__lte=window.end)
    reports = output.with_related(reports.order_by("-submitted_at", "-pk"), extensions=extensions)
    rows, headers = _paginate(request, reports, page)
    entries = [output.request_entry(request, r, extensions=extensions) for r in rows]
    return respond(fmt, "service_requests", entries, headers=headers)


def _paginate(request: HttpRequest, queryset, page: params.Page) -> tuple[list, dict]:
    """One page of rows (one extra row is read to know whether another page follows) and
    the `Link: <...>; rel="next"` header when it does."""
    rows = list(queryset[page.offset : page.offset + page.size + 1])
    if len(rows) <= page.size:
        return rows, {}
    query = request.GET.copy()
    query["page"] = str(page.number + 1)
    link = request.build_absolute_uri("?" + query.urlencode())
    return rows[: page.size], {"Link": f'<{link}>; rel="next"'}


@endpoint("GET", "HEAD")
def request_detail(request: HttpRequest, service_request_id: str, *, fmt: str) -> HttpResponse:
    extensions = params.boolean_param(request.GET, "extensions")
    report = find_report(
        service_request_id, output.with_related(public_reports(), extensions=extensions)
    )
    if report is None:
        raise Open311Error.one(
            404,
            f"service_request_id '{service_request_id[:40]}' tidak ditemukan.",
            f"service_request_id '{service_request_id[:40]}' was not found.",
        )
    return respond(
        fmt, "service_requests", [output.request_entry(request, report, extensions=extensions)]
    )


# ---------------------------------------------------------------------------- POST


def _key_for(data):
    key = authenticate(value(data, "api_key"))
    if key is None or not key.can_submit or (key.user is not None and not key.user.is_active):
        raise Open311Error.one(
            403,
            "api_key tidak ada, tidak valid, atau tidak berhak mengirim laporan.",
            "api_key is missing, invalid, or not allowed to submit requests.",
        )
    decision = check_rate(key)
    if not decision.allowed:
        raise Open311Error.one(
            429,
            "Terlalu banyak permintaan dengan kunci ini; coba lagi sebentar lagi.",
            "Too many requests with this key; try again shortly.",
            headers={"Retry-After": str(decision.retry_after)},
        )
    return key


def _flag(data, code: str, problems: list[Problem]) -> bool:
    raw = value(data, f"attribute[{code}]")
    if raw is None:
        return False
    if raw.lower() in services.TRUE_VALUES:
        return True
    if raw.lower() in services.FALSE_VALUES:
        return False
    problems.append(
        Problem(
            400,
            f"attribute[{code}] harus true atau false.",
            f"attribute[{code}] must be true or false.",
        )
    )
    return False


def _contact(data, name: str, rule, problems: list[Problem]) -> str | None:
    """The reporter's e-mail or phone through the rule every channel uses (a phone number
    comes back in E.164 form), or None when absent or refused (with the problem noted)."""
    raw = value(data, name)
    if raw is None:
        return None
    try:
        return rule(raw) or None
    except ValidationError as error:
        message_id, message_en = in_both(error.message)
        problems.append(Problem(400, f"{name}: {message_id}", f"{name}: {message_en}"))
        return None


def _title_from(description: str) -> str:
    first_line = " ".join(description.split())
    if len(first_line) <= TITLE_FROM_DESCRIPTION:
        return first_line
    cut = first_line[:TITLE_FROM_DESCRIPTION].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + "…"


# Where the domain's field names come from in an Open311 POST.
FIELD_NAMES = {
    "title": "attribute[title]",
    "body": "description",
    "report_type": "attribute[report_type]",
    "region": "address_id / attribute[region]",
    "latitude": "lat/long",
    "longitude": "lat/long",
    "media_url": "media_url",
    "category": "service_code",
    "contact": "email/phone",
    "email": "email",
    "phone": "phone",
    "name": "first_name/last_name",
    "attachments": "media",
}


def _validation_problems(error: ValidationFailed) -> list[Problem]:
    problems = []
    for field, messages in error.errors.items():
        name = FIELD_NAMES.get(field, field)
        for message in messages:
            message_id, message_en = in_both(message)
            problems.append(Problem(400, f"{name}: {message_id}", f"{name}: {message_en}"))
    return problems


def _text(data, name: str) -> str | None:
    """A free-text field without the characters XML cannot carry, or None when empty."""
    raw = value(data, name)
    if raw is None:
        return None
    return clean_text(raw).strip() or None


def _create_request(request: HttpRequest, fmt: str) -> HttpResponse:
    data = _parameters(request)
    key = _key_for(data)
    service_code = value(data, "service_code")
    if service_code is None:
        raise Open311Error.one(400, "service_code wajib diisi.", "service_code is required.")
    category = services.find_service(service_code)
    if category is None:
        raise _unknown_service(service_code)

    problems: list[Problem] = []
    description = _text(data, "description")
    if description is None:
        problems.append(Problem(400, "description wajib diisi.", "description is required."))
    lat, long = value(data, "lat"), value(data, "long")
    address_string = _text(data, "address_string")
    region_code = value(data, "attribute[region]") or value(data, "address_id")
    if lat is None and long is None and address_string is None and region_code is None:
        problems.append(
            Problem(
                400,
                "Lokasi wajib diisi: lat dan long, address_string, atau address_id.",
                "A location is required: lat and long, address_string, or address_id.",
            )
        )
    report_type = value(data, "attribute[report_type]") or ReportType.COMPLAINT
    if report_type not in ReportType.values:
        problems.append(
            Problem(
                400,
                "attribute[report_type] harus complaint, aspiration, atau information_request.",
                "attribute[report_type] must be complaint, aspiration or information_request.",
            )
        )
    is_anonymous = _flag(data, "anonymous", problems)
    is_confidential = _flag(data, "confidential", problems)

    actor = key.user
    email = _contact(data, "email", clean_email, problems)
    phone = _contact(data, "phone", clean_phone, problems)
    reporter_is_account = actor is not None and actor.role == Role.CITIZEN
    given = value(data, "email") is not None or value(data, "phone") is not None
    if not reporter_is_account and not given:
        problems.append(
            Problem(
                400,
                "Isi email atau phone pelapor agar ia dapat menerima nomor pelacakan.",
                "Give the reporter's email or phone so they receive the tracking number.",
            )
        )
    if problems:
        raise Open311Error(*problems)

    name = " ".join(n for n in (_text(data, "first_name"), _text(data, "last_name")) if n)
    # Never cut: a name over the limit is refused like in the REST API (clean_reporter).
    reporter = ReporterDetails(name=name, email=email or "", phone=phone or "")
    payload = {
        "report_type": report_type,
        "title": _text(data, "attribute[title]") or _title_from(description),
        "body": description,
        "category": category,
        "region": region_code or "",
        "latitude": lat or "",
        "longitude": long or "",
        "address": address_string or "",
        "media_url": value(data, "media_url") or "",
        "channel": Channel.OPEN311,
        "is_anonymous": is_anonymous,
        "is_confidential": is_confidential,
    }
    files = request.FILES.getlist("media")
    try:
        result = submit_report(payload, actor=actor, reporter=reporter, files=files)
    except ValidationFailed as error:
        raise Open311Error(*_validation_problems(error))
    except DomainError as error:
        raise Open311Error.one(error.status_code, error.message_id, error.message_en)
    report = result.report
    return respond(fmt, "service_requests", [_posted_entry(report, value(data, "account_id"))])


def _posted_entry(report: Report, account_id: str | None) -> dict:
    """The answer to a POST. A new report is published only once verified and forwarded,
    and until then `requests/<id>` answers 404; so, as the spec allows, the answer carries
    only the `token` (GET tokens/<token> gives the id once the report is published)."""
    entry = _token_entry(report)
    entry["service_notice"] = _verification_notice(report)
    entry["account_id"] = account_id
    return entry


def _token_entry(report: Report) -> dict:
    """`service_request_id` only when the report is public, with its `token`."""
    if report.is_published:
        return {"service_request_id": report.tracking_number, "token": str(report.uuid)}
    return {"token": str(report.uuid)}


def _verification_notice(report: Report) -> str:
    local = timezone.localtime(report.verify_due_at, ZoneInfo(report_timezone(report)))
    return _(
        "Laporan diterima dan akan diverifikasi paling lambat %(date)s (%(days)s hari kerja). "
        "Laporan tampil di daftar publik setelah diverifikasi dan diteruskan ke instansi."
    ) % {"date": formats.date_format(local, "j F Y"), "days": VERIFY_WD}


# ---------------------------------------------------------------------------- tokens


@endpoint("GET", "HEAD")
def token_detail(request: HttpRequest, token: str, *, fmt: str) -> HttpResponse:
    """The request behind a token from a POST: `[{"token": …}]` while the report is not
    published, `[{"service_request_id": …, "token": …}]` once it is.

    The token is the report's UUID: random (version 4), so it says nothing about the
    report, its reporter or how many reports exist, and it only names a report to whoever
    was given it. An unpublished report answers the same whether it waits for
    verification, was archived or is confidential, so the token tells nothing about the
    verifier's decision either."""
    report = None
    try:
        report_uuid = uuid_module.UUID(token)
    except ValueError:
        report_uuid = None
    if report_uuid is not None:
        report = (
            Report.objects.filter(uuid=report_uuid, channel=Channel.OPEN311)
            .only("uuid", "tracking_number", "status", "status_before_hold", "is_confidential")
            .first()
        )
    if report is None:
        raise Open311Error.one(
            404,
            f"Token '{token[:40]}' tidak ditemukan.",
            f"Token '{token[:40]}' was not found.",
        )
    return respond(fmt, "service_requests", [_token_entry(report)])


# ---------------------------------------------------------------------------- updates


@endpoint("GET", "HEAD")
def service_request_updates(request: HttpRequest, *, fmt: str) -> HttpResponse:
    """FixMyStreet's extension: the public updates of published requests in a period
    (at most 90 days, by default the last 90), oldest first, paginated."""
    data = request.GET
    page = params.page_param(data)
    window = params.date_window(data)
    events = (
        ReportEvent.objects.filter(
            report__in=public_reports(),
            visibility=Visibility.PUBLIC,
            type__in=output.UPDATE_TYPES,
            at__gte=window.start,
            at__lte=window.end,
        )
        .select_related("report", "report__agency", "report__region")
        .prefetch_related(output.public_images_prefetch())
        .order_by("at", "pk")
    )
    rows, headers = _paginate(request, events, page)
    entries = [output.update_entry(request, e) for e in rows]
    return respond(fmt, "service_request_updates", entries, headers=headers)


# ---------------------------------------------------------------------------- fallbacks


_SUFFIX = re.compile(r"\.(json|xml)$", re.IGNORECASE)


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any other URL under /open311/: a 404 in the spec's format (JSON when the path ends
    in .json, otherwise XML, the format every Open311 server must offer)."""
    fmt = _format_from_path(request.path)
    if _SUFFIX.search(request.path):
        problem = Open311Error.one(404, "Sumber tidak ditemukan.", "Resource not found.")
    else:
        problem = Open311Error.one(
            404,
            "Sumber tidak ditemukan. Akhiri alamat dengan .json atau .xml.",
            "Resource not found. End the address with .json or .xml.",
        )
    return error_response(fmt, problem)
