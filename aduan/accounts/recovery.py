"""Getting back in: the hourly limits on recovery requests, and the password reset.

A password is reset by e-mail with a link (Django's token machinery: the token is an HMAC
over the account's password hash and last login, so it works once, and for an hour), or by
SMS with a 6-digit code (the contact-verification codes of `aduan.portal.verification`:
15 minutes, 5 guesses, throttled per number). Either way the page that answers the request
reads the same whether or not an account has that address: nobody learns from Aduan who
has an account. Staff with an authenticator app still type its code after a reset.
"""

import datetime as dt
import json

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode
from django.utils.translation import gettext as _

from .crypto import lookup_hash
from .models import STAFF_ROLES, RecoveryRequest, User, normalise_phone

# Requests per hour: (per address or tracking number, per client address). Government
# offices and mobile carriers put many people behind one address, so a client gets more.
LIMITS = {
    "password": (5, 20),
    "link": (3, 10),
    "my_reports": (5, 10),
    "register": (5, 10),
}
WINDOW = dt.timedelta(hours=1)
KEEP_FOR = dt.timedelta(days=1)

RESET_LINK_LIFETIME = dt.timedelta(hours=1)


def throttle(kind: str, key: str, ip_address: str | None) -> bool:
    """Count one `kind` request for `key` (an address or a tracking number) from
    `ip_address`; False, and nothing counted, when either has reached its hourly limit.

    Counted whether or not `key` matches anything. Two requests at the same instant can
    both pass the last free place (a count, then an insert): a limit may be overshot by
    the number of simultaneous requests, which is harmless for limits meant against floods.
    """
    per_key, per_client = LIMITS[kind]
    now = timezone.now()
    key_hash = lookup_hash(f"{kind}:{key}")
    recent = RecoveryRequest.objects.filter(kind=kind, at__gte=now - WINDOW)
    if recent.filter(key_hash=key_hash).count() >= per_key:
        return False
    if ip_address and recent.filter(ip_address=ip_address).count() >= per_client:
        return False
    RecoveryRequest.objects.filter(at__lt=now - KEEP_FOR).delete()
    RecoveryRequest.objects.create(
        kind=kind, key_hash=key_hash, ip_address=ip_address or None, at=now
    )
    return True


def too_many_requests() -> str:
    """The refusal of a throttled request: the same whatever was asked for."""
    return _("Terlalu banyak permintaan. Demi keamanan, coba lagi dalam satu jam.")


# ---------------------------------------------------------------------- password reset


class PasswordResetTokens(PasswordResetTokenGenerator):
    """Django's reset tokens under their own salt, valid for `RESET_LINK_LIFETIME` (an
    hour; Django's default is three days, too long for a link sitting in a mailbox)."""

    key_salt = "aduan.accounts.password-reset"

    def check_token(self, user, token) -> bool:
        if not super().check_token(user, token):
            return False
        issued = base36_to_int(token.split("-")[0])
        age = self._num_seconds(self._now()) - issued
        return age <= RESET_LINK_LIFETIME.total_seconds()


reset_tokens = PasswordResetTokens()


def accounts_with_email(address: str):
    """Active local accounts that may reset their password through `address`: staff by
    their work address (on the user), citizens by the address on their reporter record
    (a keyed-hash look-up). Accounts without a usable password (such as the load-test
    harness's) are never offered a reset, as in Django's own form."""
    address = address.strip()
    staff = Q(role__in=list(STAFF_ROLES), email__iexact=address)
    citizen = Q(reporter__email_lookup=lookup_hash(address))
    return resettable(User.objects.filter(staff | citizen))


def accounts_with_phone(phone: str):
    """Active local citizen accounts whose reporter record has this mobile number (staff
    accounts carry no phone number)."""
    return resettable(
        User.objects.filter(reporter__phone_lookup=lookup_hash(normalise_phone(phone)))
    )


def resettable(users):
    """The accounts among `users` whose password may be reset."""
    return (
        users.filter(is_active=True, home_node="")
        .exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX)
        .exclude(password="")
        .distinct()
        .order_by("username")
    )


def reset_path(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("accounts:password-reset-link", args=[uid, reset_tokens.make_token(user)])


def send_reset_links(address: str) -> int:
    """Queue one e-mail with a reset link for each account with `address` (several
    accounts may share one); none when there is no such account. The link is a secret:
    it sits encrypted in the outbox, like every secret a message carries."""
    from aduan.notifications.models import Notification, NotificationChannel
    from aduan.notifications.tasks import deliver_notifications

    users = list(accounts_with_email(address))
    if not users:
        return 0
    minutes = int(RESET_LINK_LIFETIME.total_seconds() // 60)
    with transaction.atomic():
        created = Notification.objects.bulk_create(
            [
                Notification(
                    recipient_user=user,
                    audience="account",
                    channel=NotificationChannel.EMAIL,
                    address=address.strip(),
                    template="password_reset",
                    context={
                        "site_url": settings.SITE_URL,
                        "username": user.username,
                        "minutes": minutes,
                    },
                    private_context=json.dumps({"path": reset_path(user)}),
                )
                for user in users
            ]
        )
        deliver_notifications.enqueue([notification.pk for notification in created])
    return len(created)
