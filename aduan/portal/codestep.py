"""The page that asks for the 6-digit code sent to an address, with "send it again", shared
by every flow that proves a contact after the report form's own: a new account, a new
password by SMS, and a guest's "my reports". Each flow decides what the page says and what
happens once the code is right."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _

from aduan.notifications.models import NotificationChannel

from . import display, verification
from .forms import CodeForm
from .models import ContactVerification


def intro_text(record: ContactVerification, *, sms: str, email: str) -> str:
    """The sentence that says where the code went; `sms`/`email` are translated texts
    with an `{address}` placeholder, filled in with the masked address in bold."""
    text = sms if record.channel == NotificationChannel.SMS else email
    address = verification.mask_address(record.channel, record.address)
    return format_html(text, address=format_html("<strong>{}</strong>", address))


def code_step(
    request,
    record: ContactVerification,
    *,
    title: str,
    intro: str,
    on_verified: Callable[[ContactVerification], HttpResponse],
    back_url: str,
    back_label: str,
) -> HttpResponse:
    """GET shows the form; POST checks the code (wrong: 400 with the attempts left) or
    sends a new one (`kirim_ulang`; too soon or too many: 429)."""
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
                return redirect(request.path)
        else:
            form = CodeForm(request.POST)
            if form.is_valid():
                try:
                    verified = verification.check_code(record.uuid, form.cleaned_data["code"])
                except verification.VerificationError as exc:
                    form.add_error("code", display.error_text(exc))
                    status = 400
                else:
                    return on_verified(verified)
            else:
                status = 400
    context = {
        "title": title,
        "intro": intro,
        "form": form,
        "resend_error": resend_error,
        "minutes": int(verification.CODE_LIFETIME.total_seconds() // 60),
        "back_url": back_url,
        "back_label": back_label,
    }
    return render(request, "portal/code_step.html", context, status=status)
