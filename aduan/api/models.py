"""API keys for integrators (regional apps, city dashboards, civic-tech tools)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    """A key is shown once at creation; only its SHA-256 is stored (the secret has 256
    bits of entropy, so a slow hash adds nothing). `prefix` finds the row."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("nama"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    # Follow-up work is done as this service account, so the domain actions apply the
    # same permission rules as for a person (and the history names the integrator).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="api_keys",
    )
    # Scope: with an agency, the key may also read and act on that agency's reports.
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="api_keys"
    )
    can_submit = models.BooleanField(default=True)
    rate_limit_per_minute = models.PositiveIntegerField(default=120)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("kunci API")
        verbose_name_plural = _("kunci API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class RateCounter(models.Model):
    """Requests counted per bucket (a key, a user, an address) and minute. One atomic
    upsert per request (`keys.check_rate_bucket`), shared by every web process; the
    worker deletes minutes that have passed."""

    bucket = models.CharField(max_length=100)
    minute = models.BigIntegerField()  # minutes since the Unix epoch
    used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bucket", "minute"], name="api_ratecounter_unique")
        ]
        indexes = [models.Index(fields=["minute"], name="api_ratecounter_minute")]

    def __str__(self) -> str:
        return f"{self.bucket} @{self.minute}: {self.used}"
