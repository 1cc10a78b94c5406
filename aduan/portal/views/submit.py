"""Filing a report: the guest's contact verification, the report form, the confirmation.

Flow on a phone: a guest first confirms an e-mail address or phone number with a 6-digit
code (one short step, and nothing typed into the report can be lost to it), then fills in
the report; an account holder goes straight to the form. The form works without
JavaScript: each level of the region cascade has a "Pilih" button that sends the form back
with everything typed kept (only chosen files must be chosen again: browsers never refill a
file input); with JavaScript the levels load by themselves from `/wilayah/<code>/anak.json`.
"""

import uuid

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from aduan.notifications.models import NotificationChannel
from aduan.reports.actions import ReporterDetails, submit_report
from aduan.reports.errors import DomainError, ValidationFailed

from .. import display, grants, verification
from ..forms import DOMAIN_FIELD_MAP, TYPE_HELP, CodeForm, ContactForm, ReportForm
from ..mapassets import map_context
from . import support

CONTACT_KEY = "portal_contact"
PENDING_KEY = "portal_contact_pending"
TOKENS_KEY = "portal_form_tokens"
MAX_TOKENS = 10


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
        return _render_form(request, ReportForm(english=english), guest, token=uuid.uuid4().hex)

    token = request.POST.get("form_token", "")
    done = request.session.get(TOKENS_KEY, {}).get(token)
    if done:
        # The same form sent twice (double tap, reload): show the report already filed.
        return redirect("portal:report-submitted", tracking_number=done)
    form = ReportForm(request.POST, english=english)
    files = request.FILES.getlist("attachments")
    if request.POST.get("aksi", "kirim") != "kirim":
        # A "Pilih" button of the region cascade: show the form again, nothing checked.
        form.is_valid()
        form.errors.clear()
        return _render_form(request, form, guest, token=token, files_dropped=bool(files))

    file_errors: list[str] = []
    summary_errors: list[str] = []
    if form.is_valid() and not form.chain.dropped:
        # Similar published reports first, once: support one instead, or go on.
        similar_page = support.interstitial(request, form, files_chosen=bool(files))
        if similar_page is not None:
            return similar_page
        details = None
        if guest is not None:
            details = ReporterDetails(
                name=guest.name,
                email=guest.address if guest.channel == NotificationChannel.EMAIL else "",
                phone=guest.address if guest.channel == NotificationChannel.SMS else "",
                contact_verified_at=guest.verified_at,
            )
        try:
            result = submit_report(
                form.submission_data(),
                actor=user if user.is_authenticated else None,
                reporter=details,
                files=files,
            )
        except ValidationFailed as exc:
            for name, texts in display.validation_errors(exc.errors).items():
                for text in texts:
                    if name == "attachments":
                        file_errors.append(text)
                    elif name in DOMAIN_FIELD_MAP:
                        form.add_error(DOMAIN_FIELD_MAP[name], text)
                    else:
                        summary_errors.append(text)
        except DomainError as exc:
            summary_errors.append(display.error_text(exc))
        else:
            report = result.report
            grants.remember_secret(request, report.tracking_number, result.secret)
            tokens = dict(request.session.get(TOKENS_KEY, {}))
            tokens[token] = report.tracking_number
            while len(tokens) > MAX_TOKENS:
                tokens.pop(next(iter(tokens)))
            request.session[TOKENS_KEY] = tokens
            return redirect("portal:report-submitted", tracking_number=report.tracking_number)
    elif form.chain.dropped:
        form.add_error(
            "province",
            _(
                "Pilihan wilayah berubah: kabupaten/kota, kecamatan, atau desa yang dipilih "
                "tidak berada di wilayah atasnya. Periksa lagi pilihan wilayah."
            ),
        )
    return _render_form(
        request,
        form,
        guest,
        token=token,
        files_dropped=bool(files),
        file_errors=file_errors,
        summary_errors=summary_errors,
        status=400,
    )


def _render_form(
    request,
    form,
    guest,
    *,
    token,
    files_dropped=False,
    file_errors=(),
    summary_errors=(),
    status=200,
):
    errors = [
        (form[name].auto_id if name in form.fields else "", text)
        for name, texts in form.errors.items()
        for text in texts
    ]
    errors += [("id_attachments", text) for text in file_errors]
    errors += [("", text) for text in summary_errors]
    context = {
        "form": form,
        "similar_seen": request.POST.get(support.SEEN_FIELD, ""),
        "guest": guest,
        "guest_address": verification.mask_address(guest.channel, guest.address) if guest else "",
        "form_token": token,
        "files_dropped": files_dropped,
        "file_errors": file_errors,
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


# ------------------------------------------------------------------------------ guest contact


@require_POST
def contact_start(request):
    if request.user.is_authenticated:
        return redirect("portal:report-new")
    form = ContactForm(request.POST)
    if not form.is_valid():
        return _contact_page(request, form, status=400)
    try:
        record = verification.start_verification(form.contact(), name=form.cleaned_data["name"])
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
                verification.resend_code(record.uuid)
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
