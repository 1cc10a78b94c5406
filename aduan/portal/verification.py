"""Sending and checking the 6-digit codes that prove an e-mail address or phone number:
a guest's before a report, a guest's to see their reports, a new account's, and a phone's
for a new password (the `Purpose` of each verification).

Limits, and why:
- a code is valid for 15 minutes and allows 5 guesses, so guessing one of a million codes
  succeeds with probability 5 in a million per code sent;
- a new code may be requested after 60 seconds, at most 5 times per verification, and at
  most 5 codes go to one address per hour: nobody can use Aduan to flood someone's phone
  or mailbox;
- every code sent (first or again) also counts against the browser session that asked for
  it and the client's address (`core.limits`): at most 5 per session and 20 per address
  per hour, whatever addresses they are for, so one visitor cannot send codes to a
  dozen numbers;
- the code goes out through the notifications outbox (a row and a job written in one
  transaction), like every other message, so it is retried if the gateway is down.
"""

import datetime as dt
import json
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from aduan.accounts.crypto import lookup_hash
from aduan.accounts.identity import clean_phone
from aduan.core import limits
from aduan.notifications.models import Notification, NotificationChannel

from .models import ContactVerification, Purpose

CODE_LIFETIME = dt.timedelta(minutes=15)
MAX_ATTEMPTS = 5
RESEND_AFTER = dt.timedelta(seconds=60)
MAX_SENDS_PER_VERIFICATION = 5
MAX_SENDS_PER_ADDRESS_PER_HOUR = 5
# Codes sent per hour at the request of one browser session / one client address.
SENDS_PER_REQUESTER = {"session": 5, "address": 20}
# A verified contact may file reports for this long (the session usually ends sooner).
VERIFIED_FOR = dt.timedelta(hours=12)
# Rows older than this are deleted whenever a new verification starts.
KEEP_ROWS_FOR = dt.timedelta(days=2)
# The message that carries the code says what it is for.
TEMPLATES = {
    Purpose.REPORT: "contact_code",
    Purpose.MY_REPORTS: "my_reports_code",
    Purpose.REGISTRATION: "registration_code",
    Purpose.PASSWORD_RESET: "password_reset_code",
}


class VerificationError(Exception):
    """A refusal with a machine code and a translatable message."""

    def __init__(self, code: str, message):
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class Contact:
    channel: str
    address: str


def normalise_address(channel: str, address: str) -> str:
    """The address as codes are sent to it and its throttling key is computed: a phone
    number in E.164 form (the contact form only lets valid mobile numbers through), an
    e-mail address in lower case."""
    if channel == NotificationChannel.SMS:
        return clean_phone(address)
    return address.strip().lower()


def _code_hash(verification_uuid, code: str) -> str:
    return salted_hmac("aduan.portal.contact-code", f"{verification_uuid}:{code}").hexdigest()


def _new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def _sends_last_hour(address_lookup: str, now: dt.datetime) -> int:
    total = ContactVerification.objects.filter(
        address_lookup=address_lookup, created_at__gte=now - dt.timedelta(hours=1)
    ).aggregate(total=Sum("send_count"))["total"]
    return total or 0


def _send(verification: ContactVerification, code: str) -> Notification | None:
    """Queue the code in the outbox; the caller holds a transaction."""
    from aduan.notifications.tasks import deliver_notification

    if not verification.send_codes:
        return None
    notification = Notification.objects.create(
        audience="guest",
        channel=verification.channel,
        address=verification.address,
        template=TEMPLATES[verification.purpose],
        context={
            "site_url": settings.SITE_URL,
            "minutes": int(CODE_LIFETIME.total_seconds() // 60),
        },
        # The code sits encrypted with the other private values, never in plain text.
        private_context=json.dumps({"code": code}),
    )
    deliver_notification.enqueue(notification.pk)
    return notification


def requester_of(request) -> dict[str, str]:
    """Who asks for codes, for the per-session and per-client limits."""
    return limits.request_keys(request)


def _check_requester(requester: dict[str, str] | None, now) -> None:
    if requester is None:
        return
    refusal = limits.check("code", requester, SENDS_PER_REQUESTER, now=now)
    if refusal is not None:
        raise VerificationError("requester_throttled", limits.codes_refusal_message(refusal))


def start_verification(
    contact: Contact,
    *,
    name: str = "",
    purpose: str = Purpose.REPORT,
    send: bool = True,
    requester: dict[str, str] | None = None,
) -> ContactVerification:
    """Create a verification for `contact` and send its first code. With `send=False`
    (a password reset for a number without an account) everything happens as usual,
    throttles included, except that no code goes out. `requester` (`requester_of`)
    counts the code against the asking session and client address."""
    now = timezone.now()
    address = normalise_address(contact.channel, contact.address)
    address_lookup = lookup_hash(address)
    _check_requester(requester, now)
    with transaction.atomic():
        ContactVerification.objects.filter(created_at__lt=now - KEEP_ROWS_FOR).delete()
        if _sends_last_hour(address_lookup, now) >= MAX_SENDS_PER_ADDRESS_PER_HOUR:
            raise VerificationError(
                "address_throttled",
                _("Terlalu banyak kode dikirim ke alamat ini. Coba lagi dalam satu jam."),
            )
        code = _new_code()
        verification = ContactVerification(
            channel=contact.channel,
            purpose=purpose,
            send_codes=send,
            address=address,
            address_lookup=address_lookup,
            name=name.strip()[:150],
            last_sent_at=now,
            expires_at=now + CODE_LIFETIME,
        )
        verification.code_hash = _code_hash(verification.uuid, code)
        verification.save(force_insert=True)
        _send(verification, code)
        if requester is not None:
            limits.record("code", requester, now=now)
    return verification


def resend_code(
    verification_uuid, *, requester: dict[str, str] | None = None
) -> ContactVerification:
    """Send a fresh code (the old one stops working), within the throttle limits."""
    now = timezone.now()
    _check_requester(requester, now)
    with transaction.atomic():
        verification = _locked(verification_uuid)
        if verification.verified_at is not None:
            return verification
        wait = verification.last_sent_at + RESEND_AFTER - now
        if wait > dt.timedelta(0):
            seconds = int(wait.total_seconds()) + 1
            raise VerificationError(
                "resend_too_soon",
                format_lazy(
                    _("Tunggu {seconds} detik sebelum meminta kode baru."), seconds=seconds
                ),
            )
        if (
            verification.send_count >= MAX_SENDS_PER_VERIFICATION
            or _sends_last_hour(verification.address_lookup, now) >= MAX_SENDS_PER_ADDRESS_PER_HOUR
        ):
            raise VerificationError(
                "address_throttled",
                _("Terlalu banyak kode dikirim ke alamat ini. Coba lagi dalam satu jam."),
            )
        code = _new_code()
        verification.code_hash = _code_hash(verification.uuid, code)
        verification.attempts = 0
        verification.send_count += 1
        verification.last_sent_at = now
        verification.expires_at = now + CODE_LIFETIME
        verification.save(
            update_fields=["code_hash", "attempts", "send_count", "last_sent_at", "expires_at"]
        )
        _send(verification, code)
        if requester is not None:
            limits.record("code", requester, now=now)
    return verification


def _locked(verification_uuid) -> ContactVerification:
    verification = (
        ContactVerification.objects.select_for_update().filter(uuid=verification_uuid).first()
    )
    if verification is None:
        raise VerificationError(
            "unknown",
            _("Permintaan verifikasi tidak ditemukan. Mulai lagi."),
        )
    return verification


def check_code(verification_uuid, code: str) -> ContactVerification:
    """Verify `code`; raise VerificationError for a wrong, expired or exhausted code.

    The row is locked so that two guesses sent at once both count."""
    now = timezone.now()
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    refusal: VerificationError | None = None
    # The refusal is raised after the transaction commits: a wrong guess must stay counted.
    with transaction.atomic():
        verification = _locked(verification_uuid)
        if verification.verified_at is not None:
            return verification
        if verification.attempts >= MAX_ATTEMPTS:
            raise VerificationError(
                "too_many_attempts",
                _("Terlalu banyak percobaan. Minta kode baru."),
            )
        if now > verification.expires_at:
            raise VerificationError(
                "expired",
                _("Kode sudah kedaluwarsa. Minta kode baru."),
            )
        verification.attempts += 1
        if len(code) == 6 and constant_time_compare(
            verification.code_hash, _code_hash(verification.uuid, code)
        ):
            verification.verified_at = now
            verification.save(update_fields=["attempts", "verified_at"])
            return verification
        verification.save(update_fields=["attempts"])
        left = MAX_ATTEMPTS - verification.attempts
        if left <= 0:
            refusal = VerificationError(
                "too_many_attempts",
                _("Kode salah. Percobaan sudah habis; minta kode baru."),
            )
        else:
            refusal = VerificationError(
                "wrong_code",
                format_lazy(_("Kode salah. Sisa percobaan: {left}."), left=left),
            )
    raise refusal


def verified_contact(
    verification_uuid, *, purpose: str = Purpose.REPORT, valid_for: dt.timedelta = VERIFIED_FOR
) -> ContactVerification | None:
    """The verification if it is verified, for `purpose`, and still recent enough (by
    default: to file reports)."""
    if not verification_uuid:
        return None
    try:
        verification = ContactVerification.objects.filter(
            uuid=verification_uuid, purpose=purpose, verified_at__isnull=False
        ).first()
    except ValidationError:  # not a UUID (a session written by other code)
        return None
    if verification is None or timezone.now() - verification.verified_at > valid_for:
        return None
    return verification


def mask_address(channel: str, address: str) -> str:
    """s***@example.com / +62812****789: enough for the guest to recognise it."""
    if channel == NotificationChannel.EMAIL and "@" in address:
        local, _, domain = address.partition("@")
        return f"{local[:1]}***@{domain}"
    if len(address) > 7:
        return address[:6] + "*" * (len(address) - 9) + address[-3:]
    return address
