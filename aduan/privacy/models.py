"""Requests a person made under the personal data protection law (UU 27/2022 PDP) to have
their data erased, and what became of each (docs/PRIVACY.md)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aduan.core.clock import ClockDateTimeField


class ErasureStatus(models.TextChoices):
    REQUESTED = "requested", _("Diminta")
    DONE = "done", _("Selesai")


class ErasureSource(models.TextChoices):
    ACCOUNT = "account", _("Akun")
    CONTACT = "contact", _("Kontak terverifikasi")
    ADMIN = "admin", _("Admin (atas permintaan tertulis)")


class ErasureRequest(models.Model):
    """One request to erase a person's identity and contacts, recorded when it is made and
    carried out by `erasure.carry_out_erasure` (the only code that erases).

    The row itself holds no personal data: the person is named by their reporter rows
    (kept, emptied) and, for an account, the account (kept, emptied and disabled).
    `summary` counts what was erased or deleted, per kind: the admin's report."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.CharField(max_length=10, choices=ErasureSource.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="erasure_requests",
    )
    reporters = models.ManyToManyField("accounts.Reporter", related_name="erasure_requests")
    # The staff member who recorded a request made in writing (source "admin").
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=ErasureStatus.choices, default=ErasureStatus.REQUESTED
    )
    requested_at = ClockDateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("permintaan penghapusan data")
        verbose_name_plural = _("permintaan penghapusan data")
        indexes = [models.Index(fields=["status", "requested_at"], name="erasure_status_idx")]

    def __str__(self) -> str:
        return f"ErasureRequest {self.uuid} {self.status}"


class RetentionState(models.Model):
    """When the worker last applied the retention schedule (one row): the periodic job
    runs every minute, the schedule at most every `RETENTION_EVERY_MINUTES`."""

    last_run_at = models.DateTimeField(null=True, blank=True)
    last_result = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"retention run at {self.last_run_at}"
