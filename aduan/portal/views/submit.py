"""Filing a report: the guest's contact verification, the report form, the confirmation.

Flow on a phone: a guest first confirms an e-mail address or phone number with a 6-digit
code (one short step, and nothing typed into the report can be lost to it), then fills in
the report; an account holder goes straight to the form. The form works without
JavaScript: each level of the region cascade has a "Pilih" button that sends the form back
with everything typed kept (files too: browsers never refill a file input, so the files
that passed the checks are kept on the server, `pending`); with JavaScript the levels load
by themselves from `/wilayah/<code>/anak.json`. Reports written without signal wait on the
phone and are sent to `report_queue` (docs/REPORT_FORM.md).
"""

import re
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from aduan.core import limits, uploads
from aduan.notifications.models import NotificationChannel
from aduan.reports.actions import (
    ReporterDetails,
    SubmitResult,
    submit_report,
    validate_submission,
)
from aduan.reports.errors import DomainError, ValidationFailed

from .. import display, grants, pending, verification
from ..forms import DOMAIN_FIELD_MAP, TYPE_HELP, CodeForm, ContactForm, ReportForm
from ..mapassets import map_context
from . import support

CONTACT_KEY = "portal_contact"
PENDING_KEY = "portal_contact_pending"
TOKENS_KEY = "portal_form_tokens"
MAX_TOKENS = 10
# The form's token doubles as the idempotency key: a UUID made by the server when the
# form is shown, or by the phone for a report written offline.
FORM_TOKEN_RE = re.compile(r"[A-Za-z0-9-]{16,64}")
OFFLINE_FORM_HEADER = "X-Aduan-Offline-Form"


def _guest_contact(request):
    return verification.verified_contact(request.session.get(CONTACT_KEY))


def _contact_page(request, form, status=200):
    return render(request, "portal/report_start.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def report_new(request):
    user = request.user
    if user.is_authenticated and user.is_staff_role:
        return render(request, "portal/report_staff.html")
    guest = None
    if not user.is_authenticated:
        guest = _guest_contact(request)
        if guest is None:
            return _contact_page(request, ContactForm())
    english = display.english()
    if request.method == "GET":
        response = _render_form(request, ReportForm(english=english), guest, token=uuid.uuid4().hex)
        # The service worker keeps the last form page it saw for use without signal.
        response[OFFLINE_FORM_HEADER] = "1"
        return response

    token = request.POST.get("form_token", "")
    done = request.session.get(TOKENS_KEY, {}).get(token)
    if done:
        # The same form sent twice (double tap, reload): show the report already filed.
        return redirect("portal:report-submitted", tracking_number=done)
    form = ReportForm(request.POST, english=english)
    send = request.POST.get("aksi", "kirim") == "kirim"
    # A "Pilih" button of the region cascade shows the form again with nothing checked
    # but the files (kept, so they need not be chosen again).
    outcome = _attempt(request, form, guest, token, send=send, similar_step=True)
    if outcome.page is not None:
        # Similar published reports first, once: support one instead, or go on.
        return outcome.page
    if outcome.result is not None:
        return _filed_redirect(request, token, outcome.result)
    return _render_form(
        request,
        form,
        guest,
        token=token,
        outcome=outcome,
        status=429 if outcome.limited else 400 if send else 200,
    )


@dataclass
class Outcome:
    """What one submit of the form came to: a filed report, or the problems and the
    files kept for the next attempt."""

    result: SubmitResult | None = None
    file_errors: list = field(default_factory=list)
    summary_errors: list = field(default_factory=list)
    kept: list = field(default_factory=list)
    # The "similar reports" page to show instead of filing (`support.interstitial`).
    page: object = None
    limited: bool = False  # refused by the hourly limits on reports (429)


def _limit_keys(request, guest) -> dict[str, str]:
    """Who files a report, for the hourly limits: the account or the guest's verified
    contact, the browser session, the client's address."""
    if request.user.is_authenticated:
        who = f"user:{request.user.pk}"
    else:
        who = f"guest:{guest.address_lookup}"
    return {"contact": who, **limits.request_keys(request)}


def _report_ceilings() -> dict[str, int]:
    per_reporter = settings.REPORTS_PER_HOUR_PER_REPORTER
    return {
        "contact": per_reporter,
        "session": per_reporter,
        "address": settings.REPORTS_PER_HOUR_PER_ADDRESS,
    }


def _details(guest) -> ReporterDetails | None:
    if guest is None:
        return None
    return ReporterDetails(
        name=guest.name,
        email=guest.address if guest.channel == NotificationChannel.EMAIL else "",
        phone=guest.address if guest.channel == NotificationChannel.SMS else "",
        contact_verified_at=guest.verified_at,
    )


def _submission_key(request, guest, token: str) -> str:
    """The idempotency key of this submit, scoped to who sends it: the account, or the
    guest's verified contact (stable across sessions, so a report queued offline and
    sent twice from two sessions is still filed once)."""
    if not FORM_TOKEN_RE.fullmatch(token or ""):
        return ""
    if request.user.is_authenticated:
        who = f"user:{request.user.pk}"
    else:
        who = f"guest:{guest.address_lookup}"
    return f"portal:{who}:{token}"


def _check_files(files, *, already: int) -> tuple[list, list]:
    """Check each new file on its own, so that one bad photo neither hides the problems of
    the others nor costs the good ones: returns (processed, display name) pairs and the
    messages of the refused files."""
    limit = uploads.max_count()
    if already + len(files) > limit:
        message = format_lazy(
            _("Terlalu banyak lampiran (maks. {count} per laporan)."), count=limit
        )
        return [], [message]
    checked, errors = [], []
    for uploaded in files:
        try:
            uploads.validate_upload_batch([uploaded])
            checked.append((uploads.process_upload(uploaded), uploads.display_name_of(uploaded)))
        except uploads.UploadRejected as exc:
            errors.append(exc.message)
    return checked, errors


def _place_errors(form, exc: ValidationFailed, outcome: Outcome) -> None:
    for name, texts in display.validation_errors(exc.errors).items():
        for text in texts:
            if name == "attachments":
                outcome.file_errors.append(text)
            elif name in DOMAIN_FIELD_MAP:
                form.add_error(DOMAIN_FIELD_MAP[name], text)
            else:
                outcome.summary_errors.append(text)


def _attempt(
    request, form, guest, token, *, send: bool, keep_files: bool = True, similar_step: bool = False
) -> Outcome:
    """Check the form and its files and file the report when everything is right.

    Every problem is found in one pass (the fields, the coordinates and each file), so
    the citizen sees them all at once. Files that pass the checks are kept for the next
    attempt (`pending`) unless `keep_files` is false (the offline queue, which still has
    them on the phone)."""
    outcome = Outcome()
    kept_rows, gone = pending.claimed(request, request.POST.getlist(pending.FIELD))
    limit_keys = _limit_keys(request, guest) if send else {}
    refusal = limits.check("report", limit_keys, _report_ceilings()) if send else None
    if refusal is not None:
        # Refused before any file is decoded; what was typed stays in the form.
        form.is_valid()
        outcome.limited = True
        outcome.summary_errors.append(limits.reports_refusal_message(refusal))
        outcome.kept = pending.describe(kept_rows)
        return outcome
    checked, outcome.file_errors = _check_files(
        request.FILES.getlist("attachments"), already=len(kept_rows)
    )
    if gone:
        outcome.file_errors.append(
            format_lazy(
                _(
                    "{count} berkas yang tadi tersimpan sudah kedaluwarsa atau dihapus; "
                    "pilih lagi jika masih diperlukan."
                ),
                count=gone,
            )
        )
    if not send:
        form.is_valid()
        form.errors.clear()
    else:
        form_ok = form.is_valid() and not form.chain.dropped
        if form.chain.dropped:
            form.add_error(
                "province",
                _(
                    "Pilihan wilayah berubah: kabupaten/kota, kecamatan, atau desa yang "
                    "dipilih tidak berada di wilayah atasnya. Periksa lagi pilihan wilayah."
                ),
            )
        details = _details(guest)
        user = request.user if request.user.is_authenticated else None
        if form_ok and not outcome.file_errors and similar_step:
            page = support.interstitial(request, form, files_chosen=False)
            if page is not None:
                # Shown: the files travel through it as kept files, not chosen again.
                kept = pending.describe(kept_rows)
                kept += [pending.keep(request, processed, name) for processed, name in checked]
                outcome.page = support.interstitial(
                    request, form, files_chosen=False, kept=kept, kept_field=pending.FIELD
                )
                return outcome
        if form_ok and not outcome.file_errors:
            try:
                result = submit_report(
                    form.submission_data(),
                    actor=user,
                    reporter=details,
                    checked_files=[pending.as_processed(row) for row in kept_rows]
                    + [processed for processed, _name in checked],
                    idempotency_key=_submission_key(request, guest, token),
                )
            except ValidationFailed as exc:
                _place_errors(form, exc, outcome)
            except DomainError as exc:
                outcome.summary_errors.append(display.error_text(exc))
            else:
                pending.release(kept_rows)
                if not result.duplicate:
                    limits.record("report", limit_keys)
                outcome.result = result
                return outcome
        elif form_ok:
            # A file was refused: the other fields are still checked, so that every
            # problem is shown now rather than one after another.
            try:
                validate_submission(
                    form.submission_data(),
                    reporter=details if user is None else None,
                )
            except ValidationFailed as exc:
                _place_errors(form, exc, outcome)
    kept = pending.describe(kept_rows)
    if keep_files:
        kept += [pending.keep(request, processed, name) for processed, name in checked]
    outcome.kept = kept
    return outcome


def _remember_filed(request, token: str, result: SubmitResult) -> None:
    report = result.report
    if result.secret:
        grants.remember_secret(request, report.tracking_number, result.secret)
    tokens = dict(request.session.get(TOKENS_KEY, {}))
    tokens[token] = report.tracking_number
    while len(tokens) > MAX_TOKENS:
        tokens.pop(next(iter(tokens)))
    request.session[TOKENS_KEY] = tokens


def _filed_redirect(request, token: str, result: SubmitResult):
    _remember_filed(request, token, result)
    number = result.report.tracking_number
    if not _confirmation_opens(request, result):
        messages.info(request, _already_filed_text(number))
        return redirect("portal:track")
    return redirect("portal:report-submitted", tracking_number=number)


def _confirmation_opens(request, result: SubmitResult) -> bool:
    """Whether this browser may see the confirmation page of the report just filed. A
    repeat sent from another session of the same guest has no secret here."""
    if not result.duplicate or request.user.is_authenticated:
        return True
    return bool(grants.session_secret(request, result.report.tracking_number))


def _already_filed_text(number: str):
    return format_lazy(
        _(
            "Laporan ini sudah terkirim sebelumnya dengan nomor {number}. Tautan untuk "
            "mengikutinya sudah dikirim ke kontak Anda."
        ),
        number=number,
    )


def _render_form(request, form, guest, *, token, outcome=None, status=200):
    outcome = outcome or Outcome()
    errors = [
        (form[name].auto_id if name in form.fields else "", text)
        for name, texts in form.errors.items()
        for text in texts
    ]
    errors += [("id_attachments", text) for text in outcome.file_errors]
    errors += [("", text) for text in outcome.summary_errors]
    context = {
        "form": form,
        "similar_seen": request.POST.get(support.SEEN_FIELD, ""),
        "guest": guest,
        "guest_address": verification.mask_address(guest.channel, guest.address) if guest else "",
        "form_token": token,
        "file_errors": outcome.file_errors,
        "kept_uploads": outcome.kept,
        "kept_field": pending.FIELD,
        "kept_hours": int(pending.KEEP_FOR.total_seconds() // 3600),
        "error_summary": errors,
        "region_fields": [form[name] for name in ("province", "regency", "district", "village")],
        "type_options": [(radio, TYPE_HELP[radio.data["value"]]) for radio in form["report_type"]],
        **map_context(),
    }
    return render(request, "portal/report_form.html", context, status=status)


def report_submitted(request, tracking_number):
    """The confirmation: the number, the secret link, and what happens next with dates."""
    viewer = grants.reporter_for(request, tracking_number)
    report = viewer.report
    secret = grants.session_secret(request, report.tracking_number)
    link = ""
    if secret:
        path = reverse("portal:report-detail", args=[report.tracking_number])
        link = request.build_absolute_uri(f"{path}?kunci={secret}")
    reporter = report.reporter
    context = {
        "report": report,
        "secret_link": link,
        "sent_by_email": bool(reporter.email),
        "sent_by_sms": bool(reporter.phone),
        "next_steps": display.next_steps(report),
        "verify_due": display.long_date(report.verify_due_at, display.zone_of(report)),
    }
    return render(request, "portal/report_submitted.html", context)


# ------------------------------------------------------------------------------ offline queue


def _json(payload: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(payload, status=status)
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def report_queue(request):
    """Reports written without signal, sent by the phone once it is back online.

    GET tells the page (or its service worker) whether this browser may file a report now
    and gives it a fresh CSRF token (the one in a page kept offline may be stale). POST
    takes one queued report, exactly as the form sends it, with the phone's UUID as
    `form_token`: sending it again (a lost answer, two tabs, the service worker and the
    page at once) files it once. A guest whose verified contact has lapsed gets
    `verify`: the report stays on the phone until they verify again, as the form asks
    of every guest. Answers are JSON, in the reader's language."""
    user = request.user
    form_url = reverse("portal:report-new")
    if user.is_authenticated and user.is_staff_role:
        return _json(
            {"status": "refused", "message": _("Petugas mencatat laporan di ruang kerja.")},
            status=403,
        )
    guest = None if user.is_authenticated else _guest_contact(request)
    can_submit = user.is_authenticated or guest is not None
    if request.method == "GET":
        return _json({"can_submit": can_submit, "csrf_token": get_token(request)})
    if not can_submit:
        return _json(
            {
                "status": "verify",
                "url": form_url,
                "message": _(
                    "Verifikasi kontak Anda dulu; laporan dikirim setelah kontak terverifikasi."
                ),
            },
            status=403,
        )
    token = request.POST.get("form_token", "")
    if not FORM_TOKEN_RE.fullmatch(token):
        return _json(
            {"status": "invalid", "errors": [{"field": "", "message": _("Formulir rusak.")}]},
            status=400,
        )
    done = request.session.get(TOKENS_KEY, {}).get(token)
    if done:
        return _json(_sent_payload(done, duplicate=True))
    form = ReportForm(request.POST, english=display.english())
    outcome = _attempt(request, form, guest, token, send=True, keep_files=False)
    if outcome.result is not None:
        result = outcome.result
        _remember_filed(request, token, result)
        number = result.report.tracking_number
        payload = _sent_payload(number, duplicate=result.duplicate)
        if not _confirmation_opens(request, result):
            payload["url"] = ""
            payload["message"] = str(_already_filed_text(number))
        return _json(payload, status=200 if result.duplicate else 201)
    errors = [
        {"field": name, "message": str(text)}
        for name, texts in form.errors.items()
        for text in texts
    ]
    errors += [{"field": "attachments", "message": str(text)} for text in outcome.file_errors]
    errors += [{"field": "", "message": str(text)} for text in outcome.summary_errors]
    if outcome.limited:
        return _json({"status": "limited", "errors": errors}, status=429)
    return _json({"status": "invalid", "errors": errors}, status=400)


def _sent_payload(number: str, *, duplicate: bool) -> dict:
    return {
        "status": "sent",
        "duplicate": duplicate,
        "tracking_number": number,
        "url": reverse("portal:report-submitted", args=[number]),
    }


# ------------------------------------------------------------------------------ guest contact


@require_POST
def contact_start(request):
    if request.user.is_authenticated:
        return redirect("portal:report-new")
    form = ContactForm(request.POST)
    if not form.is_valid():
        return _contact_page(request, form, status=400)
    try:
        record = verification.start_verification(
            form.contact(),
            name=form.cleaned_data["name"],
            requester=verification.requester_of(request),
        )
    except verification.VerificationError as exc:
        form.add_error(None, display.error_text(exc))
        return _contact_page(request, form, status=429)
    request.session[PENDING_KEY] = str(record.uuid)
    return redirect("portal:contact-verify")


def _pending(request):
    key = request.session.get(PENDING_KEY)
    if not key:
        return None
    return verification.ContactVerification.objects.filter(uuid=key).first()


@require_http_methods(["GET", "POST"])
def contact_verify(request):
    record = _pending(request)
    if record is None:
        return redirect("portal:report-new")
    form = CodeForm()
    status = 200
    resend_error = ""
    if request.method == "POST":
        if "kirim_ulang" in request.POST:
            try:
                verification.resend_code(record.uuid, requester=verification.requester_of(request))
            except verification.VerificationError as exc:
                resend_error = display.error_text(exc)
                status = 429
            else:
                messages.success(request, _("Kode baru telah dikirim."))
                return redirect("portal:contact-verify")
        else:
            form = CodeForm(request.POST)
            if form.is_valid():
                try:
                    verification.check_code(record.uuid, form.cleaned_data["code"])
                except verification.VerificationError as exc:
                    form.add_error("code", display.error_text(exc))
                    status = 400
                else:
                    request.session[CONTACT_KEY] = str(record.uuid)
                    request.session.pop(PENDING_KEY, None)
                    supported = support.after_contact_verified(request, record)
                    if supported is not None:
                        return supported
                    messages.success(
                        request, _("Kontak Anda sudah terverifikasi. Silakan isi laporan.")
                    )
                    return redirect("portal:report-new")
            else:
                status = 400
    context = {
        "form": form,
        "resend_error": resend_error,
        "record": record,
        "address": verification.mask_address(record.channel, record.address),
        "by_sms": record.channel == NotificationChannel.SMS,
        "minutes": int(verification.CODE_LIFETIME.total_seconds() // 60),
    }
    return render(request, "portal/contact_code.html", context, status=status)


@require_POST
def contact_reset(request):
    """Forget the guest's contact (to use another one)."""
    request.session.pop(CONTACT_KEY, None)
    request.session.pop(PENDING_KEY, None)
    return redirect("portal:report-new")
