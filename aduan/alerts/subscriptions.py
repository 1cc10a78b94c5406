"""Subscribing to alerts, confirming, unsubscribing (docs/ALERTS.md).

- A request writes the subscription (unconfirmed) and its confirmation mail in one
  transaction: the mail is an outbox row and a delivery job, sent after commit.
- The confirmation link carries a signed, timestamped token (`CONFIRM_DAYS`); the page it
  opens asks for one button press, so that a mail scanner that follows links cannot
  confirm for the person. Unconfirmed subscriptions are deleted after `CONFIRM_DAYS`.
- The unsubscribe link carries a signed token that never expires (it must work from an
  old mail) and is the only credential needed: no login, no CSRF token, so that a mail
  client's one-click POST (RFC 8058) works.
- Limits, so that nobody can use Aduan to flood a mailbox: `ALERTS_SUBSCRIBE_PER_MINUTE`
  requests per client address per minute, `MAX_CONFIRMATIONS_PER_HOUR` confirmation
  mails per e-mail address per hour.
"""

import datetime as dt
import json
import uuid as uuid_module
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aduan.accounts.crypto import lookup_hash
from aduan.categories.models import Category
from aduan.notifications.models import Notification, NotificationChannel
from aduan.regions.models import Region

from .models import AlertState, AreaKind, Subscriber, Subscription

CONFIRM_DAYS = 7
MAX_CONFIRMATIONS_PER_HOUR = 3
RADIUS_CHOICES_M = (500, 1000, 2000, 5000)
MAX_RADIUS_M = max(RADIUS_CHOICES_M)
CONFIRM_SALT = "aduan.alerts.confirm"
UNSUBSCRIBE_SALT = "aduan.alerts.unsubscribe"


class SubscriptionError(Exception):
    """A refusal with a machine code, a translatable message and an HTTP status."""

    def __init__(self, code: str, message, status: int = 400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class Area:
    kind: str
    region_code: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    radius_m: int | None = None


# ------------------------------------------------------------------------------ tokens


def confirm_token(subscription: Subscription) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(str(subscription.uuid))


def unsubscribe_token(subscription: Subscription) -> str:
    """Ends this one subscription."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(f"s.{subscription.uuid}")


def unsubscribe_all_token(subscriber: Subscriber) -> str:
    """Ends every subscription of this address (the one-click link of a digest)."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(f"a.{subscriber.uuid}")


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def confirm_url(subscription: Subscription) -> str:
    return absolute(reverse("alerts:confirm", args=[confirm_token(subscription)]))


def unsubscribe_url(token: str) -> str:
    return absolute(reverse("alerts:unsubscribe", args=[token]))


INVALID_LINK = gettext_lazy(
    "Tautan ini tidak valid. Salin seluruh tautan dari surel, atau minta langganan baru."
)


def read_confirm_token(token: str) -> uuid_module.UUID:
    try:
        value = signing.TimestampSigner(salt=CONFIRM_SALT).unsign(
            token, max_age=dt.timedelta(days=CONFIRM_DAYS)
        )
    except signing.SignatureExpired:
        raise SubscriptionError(
            "expired",
            _("Tautan konfirmasi ini sudah kedaluwarsa (berlaku %(days)s hari). Minta lagi.")
            % {"days": CONFIRM_DAYS},
            status=410,
        )
    except signing.BadSignature:
        raise SubscriptionError("invalid", INVALID_LINK)
    return uuid_module.UUID(value)


def read_unsubscribe_token(token: str) -> tuple[str, uuid_module.UUID]:
    """("s", subscription uuid) or ("a", subscriber uuid)."""
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
        scope, _sep, key = value.partition(".")
        if scope not in ("s", "a"):
            raise ValueError(scope)
        return scope, uuid_module.UUID(key)
    except (signing.BadSignature, ValueError):
        raise SubscriptionError("invalid", INVALID_LINK)


# ------------------------------------------------------------------------------ describing


def km(metres: int) -> str:
    if metres % 1000 == 0:
        return f"{metres // 1000} km"
    return f"{metres / 1000:.1f}".replace(".", ",") + " km"


def area_text(subscription, region_names: dict[str, str] | None = None) -> str:
    """'Kecamatan Sangatta Utara, Kabupaten Kutai Timur', 'Kabupaten Kutai Timur' or
    'radius 1 km dari -0.512300, 117.654300', in the active language. `region_names`
    (code -> name) saves the query when the caller has them."""
    if subscription.area_kind == AreaKind.RADIUS:
        return _("radius %(distance)s dari titik %(lat)s, %(lon)s") % {
            "distance": km(subscription.radius_m),
            "lat": subscription.latitude,
            "lon": subscription.longitude,
        }
    code = subscription.region_code
    names = region_names
    if names is None or code not in names or code[:5] not in names:
        names = dict(Region.objects.filter(code__in=[code, code[:5]]).values_list("code", "name"))
    if subscription.area_kind == AreaKind.DISTRICT:
        return _("Kecamatan %(district)s, %(regency)s") % {
            "district": names.get(code, code),
            "regency": names.get(code[:5], code[:5]),
        }
    return names.get(code, code)


def category_text(subscription) -> str:
    category = subscription.category
    if category is None:
        return _("semua kategori")
    english = (translation.get_language() or "id").startswith("en")
    return category.name_en if english and category.name_en else category.name


def describe(subscription, region_names: dict[str, str] | None = None) -> str:
    return _("%(area)s, %(category)s") % {
        "area": area_text(subscription, region_names),
        "category": category_text(subscription),
    }


# ------------------------------------------------------------------------------ actions


def _check_rate(ip: str | None) -> None:
    from aduan.api.keys import check_rate_bucket

    decision = check_rate_bucket(
        f"alerts-subscribe:{ip or 'unknown'}", settings.ALERTS_SUBSCRIBE_PER_MINUTE
    )
    if not decision.allowed:
        raise SubscriptionError(
            "rate_limited",
            _("Terlalu banyak permintaan dari jaringan Anda. Coba lagi dalam satu menit."),
            status=429,
        )


def _count_confirmation(subscriber: Subscriber, now: dt.datetime) -> None:
    """Count one confirmation mail against the address's hourly limit (row locked)."""
    start = subscriber.confirmations_window_start
    if start is None or now - start >= dt.timedelta(hours=1):
        subscriber.confirmations_window_start = now
        subscriber.confirmations_in_window = 0
    if subscriber.confirmations_in_window >= MAX_CONFIRMATIONS_PER_HOUR:
        raise SubscriptionError(
            "address_throttled",
            _("Terlalu banyak surel konfirmasi dikirim ke alamat ini. Coba lagi dalam satu jam."),
            status=429,
        )
    subscriber.confirmations_in_window += 1
    subscriber.save(update_fields=["confirmations_window_start", "confirmations_in_window"])


def _send_confirmation(subscriber: Subscriber, subscription: Subscription) -> Notification:
    """Queue the confirmation mail in the outbox; the caller holds a transaction."""
    from aduan.notifications.tasks import deliver_notification

    with translation.override("id"):
        description = describe(subscription)
    notification = Notification.objects.create(
        audience="subscriber",
        channel=NotificationChannel.EMAIL,
        address=subscriber.email,
        template="alert_confirm",
        context={"site_url": settings.SITE_URL, "description": description, "days": CONFIRM_DAYS},
        # The link is a credential: it sits encrypted with the other private values.
        private_context=json.dumps({"confirm_url": confirm_url(subscription)}),
    )
    deliver_notification.enqueue(notification.pk)
    return notification


def request_subscription(
    email: str, area: Area, category: Category | None, *, ip: str | None
) -> Subscription:
    """Record an unconfirmed subscription and send its confirmation mail.

    Asking again for a subscription that waits for confirmation sends the mail again
    (within the limits); asking for one already confirmed sends nothing, and the answer
    is the same, so the form never tells a stranger whether an address subscribes."""
    _check_rate(ip)
    now = timezone.now()
    address = email.strip().lower()
    key = lookup_hash(address)
    with transaction.atomic():
        Subscriber.objects.get_or_create(email_lookup=key, defaults={"email": address})
        subscriber = Subscriber.objects.select_for_update().get(email_lookup=key)
        subscription = Subscription.objects.filter(
            subscriber=subscriber,
            area_kind=area.kind,
            region_code=area.region_code,
            latitude=area.latitude,
            longitude=area.longitude,
            radius_m=area.radius_m,
            category=category,
        ).first()
        if subscription is not None and subscription.confirmed_at is not None:
            return subscription
        _count_confirmation(subscriber, now)
        if subscription is None:
            subscription = Subscription.objects.create(
                subscriber=subscriber,
                area_kind=area.kind,
                region_code=area.region_code,
                latitude=area.latitude,
                longitude=area.longitude,
                radius_m=area.radius_m,
                category=category,
                confirmation_sent_at=now,
            )
        else:
            subscription.confirmation_sent_at = now
            subscription.save(update_fields=["confirmation_sent_at"])
        _send_confirmation(subscriber, subscription)
    return subscription


def subscription_for_confirmation(token: str) -> Subscription:
    key = read_confirm_token(token)
    subscription = (
        Subscription.objects.select_related("category", "subscriber").filter(uuid=key).first()
    )
    if subscription is None:
        raise SubscriptionError(
            "unknown",
            _("Langganan ini tidak ada lagi (sudah dihentikan atau kedaluwarsa). Minta lagi."),
            status=404,
        )
    return subscription


def confirm(token: str) -> Subscription:
    """Confirm the subscription of `token`; confirming twice changes nothing."""
    from aduan.federation.sequencer import head_position

    key = read_confirm_token(token)
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().filter(uuid=key).first()
        if subscription is None:
            subscription_for_confirmation(token)  # raises the "unknown" refusal
        if subscription.confirmed_at is None:
            subscription.confirmed_at = timezone.now()
            subscription.save(update_fields=["confirmed_at"])
        # The digest's mark starts at the stream's head when the first subscription is
        # confirmed, so that a new node does not walk its whole history once.
        AlertState.objects.get_or_create(pk=1, defaults={"position": head_position()})
    return subscription


def subscriptions_for_unsubscribe(token: str) -> list[Subscription]:
    scope, key = read_unsubscribe_token(token)
    qs = Subscription.objects.select_related("category")
    if scope == "s":
        return list(qs.filter(uuid=key))
    return list(qs.filter(subscriber__uuid=key).order_by("created_at", "id"))


def unsubscribe(token: str) -> int:
    """Delete the subscription(s) of `token`, and the subscriber with their last one.
    Returns how many ended; 0 when they had already ended (a repeated click)."""
    scope, key = read_unsubscribe_token(token)
    with transaction.atomic():
        if scope == "s":
            subscriber_id = (
                Subscription.objects.filter(uuid=key)
                .values_list("subscriber_id", flat=True)
                .first()
            )
            deleted, _rows = Subscription.objects.filter(uuid=key).delete()
        else:
            subscriber_id = Subscriber.objects.filter(uuid=key).values_list("id", flat=True).first()
            deleted, _rows = Subscription.objects.filter(subscriber_id=subscriber_id).delete()
        if subscriber_id is not None:
            Subscriber.objects.filter(pk=subscriber_id, subscriptions__isnull=True).delete()
    return deleted


def purge_unconfirmed(now: dt.datetime | None = None) -> int:
    """Delete subscriptions left unconfirmed past their link's life, and subscribers
    left with none."""
    now = now or timezone.now()
    deleted, _rows = Subscription.objects.filter(
        confirmed_at__isnull=True, confirmation_sent_at__lt=now - dt.timedelta(days=CONFIRM_DAYS)
    ).delete()
    if deleted:
        Subscriber.objects.filter(subscriptions__isnull=True).delete()
    return deleted
