"""E-mail alerts for an area and a category (docs/ALERTS.md).

A subscriber is one e-mail address, stored encrypted with a keyed hash for lookups
(`aduan.accounts.crypto`), like every other piece of personal data. Each of their
subscriptions names one area (a regency/city, a district, or a radius around a point) and
optionally a category; it sends nothing until the address confirms it (double opt-in).
Unsubscribing deletes the subscription, and the subscriber with their last one: nothing
is kept about an address that no longer wants mail.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aduan.accounts.crypto import EncryptedTextField
from aduan.core.clock import ClockDateTimeField


class Subscriber(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Personal data: encrypted at rest; found by its keyed hash, never by the plaintext.
    email = EncryptedTextField()
    email_lookup = models.CharField(max_length=64, unique=True)
    created_at = ClockDateTimeField(auto_now_add=True)
    # The per-address limit on confirmation mails: the start of the current hour's window
    # and how many went out in it (`subscriptions.MAX_CONFIRMATIONS_PER_HOUR`).
    confirmations_window_start = models.DateTimeField(null=True, blank=True)
    confirmations_in_window = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("pelanggan peringatan")
        verbose_name_plural = _("pelanggan peringatan")

    def __str__(self) -> str:
        return str(self.uuid)


class AreaKind(models.TextChoices):
    REGENCY = "regency", _("Kabupaten/kota")
    DISTRICT = "district", _("Kecamatan")
    RADIUS = "radius", _("Radius sekitar titik")


class Subscription(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    area_kind = models.CharField(max_length=10, choices=AreaKind.choices)
    # The regency ("64.08") or district ("64.08.04") code; "" for a radius.
    region_code = models.CharField(max_length=13, blank=True)
    # The centre and radius of a radius subscription.
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    radius_m = models.PositiveIntegerField(null=True, blank=True)
    # None: every category. A top-level category covers its subcategories.
    category = models.ForeignKey(
        "categories.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = ClockDateTimeField(auto_now_add=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    # Null until the address confirms: an unconfirmed subscription sends no alert.
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("langganan peringatan")
        verbose_name_plural = _("langganan peringatan")
        indexes = [
            # The digest's matching: confirmed subscriptions by area code...
            models.Index(
                fields=["area_kind", "region_code"],
                name="alert_sub_region_idx",
                condition=Q(confirmed_at__isnull=False),
            ),
            # ...and radius subscriptions by the bounding box of the reports.
            models.Index(
                fields=["latitude", "longitude"],
                name="alert_sub_point_idx",
                condition=Q(confirmed_at__isnull=False, area_kind="radius"),
            ),
            # The purge of unconfirmed subscriptions.
            models.Index(
                fields=["confirmation_sent_at"],
                name="alert_sub_pending_idx",
                condition=Q(confirmed_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(area_kind="radius", latitude__isnull=False, longitude__isnull=False)
                    & Q(radius_m__isnull=False)
                )
                | (~Q(area_kind="radius") & ~Q(region_code="")),
                name="alert_sub_area_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area_kind}:{self.region_code or f'{self.latitude},{self.longitude}'}"


class AlertState(models.Model):
    """The single row holding the digest's high-water mark: the stream position
    (`ReportEvent.position`, `aduan.federation.sequencer`) of the last event considered.
    Every event above it is alerted at the next run, none at or below it again."""

    position = models.BigIntegerField(default=0)
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"alerts @{self.position}"
