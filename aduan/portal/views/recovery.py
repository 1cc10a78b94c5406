"""Getting back in without an account: the secret link sent again, and "my reports" for a
contact proved with a code.

Neither page ever says whether a report, a reporter or a contact exists: a request that
matches nothing is answered exactly like one that matches (the same page, the same status,
the same limits). The secret link is never shown: it goes to the reporter's contact on
file, through the outbox."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from aduan.accounts import recovery
from aduan.accounts.crypto import lookup_hash
from aduan.accounts.forms import client_ip
from aduan.accounts.models import normalise_phone
from aduan.notifications.models import NotificationChannel
from aduan.reports.actions import reissue_secret_link
from aduan.reports.models import Report

from .. import grants, verification
from ..codestep import code_step, intro_text
from ..forms import MyReportsContactForm, ResendLinkForm
from ..models import ContactVerification, Purpose

MY_REPORTS_PENDING_KEY = "portal_my_reports_pending"


# ------------------------------------------------------------------------ the secret link


def _contact_on_file(report: Report, channel: str, address: str) -> str:
    """The reporter's own address on `channel` if it is the one typed (compared by keyed
    hash), else ""."""
    reporter = report.reporter
    if channel == NotificationChannel.EMAIL:
        typed, stored = lookup_hash(address), reporter.email_lookup
        on_file = reporter.email if stored and stored == typed else ""
    else:
        typed, stored = lookup_hash(normalise_phone(address)), reporter.phone_lookup
        on_file = reporter.phone if stored and stored == typed else ""
    return on_file


@never_cache
@require_http_methods(["GET", "POST"])
def resend_link(request):
    """The tracking number and the contact the citizen reported with. When both match a
    report of this node, a new secret link goes to that contact (the old one stops
    working); the page reads the same when they do not."""
    form = ResendLinkForm(request.POST if request.method == "POST" else None)
    if request.method != "POST":
        return render(request, "portal/resend_link.html", {"form": form})
    if not form.is_valid():
        return render(request, "portal/resend_link.html", {"form": form}, status=400)
    number = form.cleaned_data["nomor"]
    contact = form.contact()
    # Limited per tracking number (whoever asks) and per client (whatever they ask for).
    if not recovery.throttle("link", number, client_ip(request)):
        form.add_error(None, recovery.too_many_requests())
        return render(request, "portal/resend_link.html", {"form": form}, status=429)
    report = (
        Report.objects.select_related("reporter")
        .filter(tracking_number=number, origin_node=settings.NODE_ID)
        .first()
    )
    address = _contact_on_file(report, contact.channel, contact.address) if report else ""
    if address:
        reissue_secret_link(report, channel=contact.channel, address=address)
    return redirect("portal:resend-link-sent")


def resend_link_sent(request):
    return render(request, "portal/resend_link_sent.html")


# ---------------------------------------------------------------------- my reports, guest


def my_reports_start(request, form=None, status=200):
    """For a visitor who is neither signed in nor holding a grant: sign in, or prove the
    contact they reported with."""
    context = {"form": form or MyReportsContactForm()}
    return render(request, "portal/my_reports_start.html", context, status=status)


@require_POST
def my_reports_contact(request):
    form = MyReportsContactForm(request.POST)
    if not form.is_valid():
        return my_reports_start(request, form, status=400)
    contact = form.contact()
    if not recovery.throttle("my_reports", contact.address.lower(), client_ip(request)):
        form.add_error(None, recovery.too_many_requests())
        return my_reports_start(request, form, status=429)
    try:
        # The code goes out whether or not any report has this contact: whoever can read
        # it may learn that, nobody else.
        record = verification.start_verification(
            contact, purpose=Purpose.MY_REPORTS, requester=verification.requester_of(request)
        )
    except verification.VerificationError as exc:
        form.add_error(None, str(exc))
        return my_reports_start(request, form, status=429)
    request.session[MY_REPORTS_PENDING_KEY] = str(record.uuid)
    return redirect("portal:my-reports-code")


@never_cache
@require_http_methods(["GET", "POST"])
def my_reports_code(request):
    record = ContactVerification.objects.filter(
        uuid=request.session.get(MY_REPORTS_PENDING_KEY) or None, purpose=Purpose.MY_REPORTS
    ).first()
    if record is None:
        return redirect("portal:my-reports")

    def grant(verified):
        request.session.pop(MY_REPORTS_PENDING_KEY, None)
        grants.grant_contact(request, verified)
        return redirect("portal:my-reports")

    return code_step(
        request,
        record,
        title=_("Masukkan kode verifikasi"),
        intro=intro_text(
            record,
            sms=_("Kami mengirim kode 6 angka lewat SMS ke {address}."),
            email=_("Kami mengirim kode 6 angka ke surel {address}. Periksa juga folder spam."),
        ),
        on_verified=grant,
        back_url=reverse("portal:my-reports"),
        back_label=_("Pakai kontak lain"),
    )


@require_POST
def my_reports_end(request):
    grants.end_contact_grant(request)
    request.session.pop(MY_REPORTS_PENDING_KEY, None)
    messages.success(request, _("Akses ke laporan Anda di perangkat ini sudah diakhiri."))
    return redirect("portal:my-reports")


def guest_contact_label(record: ContactVerification) -> str:
    return verification.mask_address(record.channel, record.address)
