"""The outbox of messages to people. A row is written in the same transaction as the
change it reports; a worker task delivers it after commit and a periodic sweep retries
anything undelivered, so no notification is lost when a process dies."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aduan.accounts.crypto import EncryptedTextField
from aduan.core.clock import ClockDateTimeField


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("Surel")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu")
    SENDING = "sending", _("Sedang dikirim")
    SENT = "sent", _("Terkirim")
    FAILED = "failed", _("Gagal")


class Notification(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    report = models.ForeignKey(
        "reports.Report", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Staff only; messages to reporters carry their address instead.
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # notification_recipient_idx (partial)
    )
    # "reporter" or the staff role the message was addressed to.
    audience = models.CharField(max_length=20)
    channel = models.CharField(max_length=8, choices=NotificationChannel.choices)
    # A phone number or an e-mail address: personal data, encrypted at rest.
    address = EncryptedTextField()
    template = models.CharField(max_length=60)
    context = models.JSONField(default=dict)
    # Values that must not sit in plain text, such as the secret tracking link (JSON).
    private_context = EncryptedTextField(blank=True)
    status = models.CharField(
        max_length=8, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # The worker (`run_worker`'s id, under which it writes its heartbeat) that claimed the
    # message for sending: the sweep hands a claim over only when that worker is gone.
    claimed_by = models.CharField(max_length=100, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = ClockDateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # What the provider says became of a message it accepted (`channels` delivery
    # reports): its id for the message, then queued, sent, delivered, undelivered, failed.
    provider_id = models.CharField(max_length=100, blank=True)
    delivery_status = models.CharField(max_length=12, blank=True)
    delivery_updated_at = models.DateTimeField(null=True, blank=True)
    # The message this one replaces on another channel, after that one failed for good
    # (an e-mail after an SMS that could not be delivered).
    fallback_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="fallback"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["recipient_user"],
                name="notification_recipient_idx",
                condition=Q(recipient_user__isnull=False),
            ),
            models.Index(
                fields=["status", "next_attempt_at"],
                name="notification_due_idx",
                condition=Q(status__in=["pending", "sending"]),
            ),
            # The pruning of messages sent long ago (`core.pruning`).
            models.Index(
                fields=["sent_at"],
                name="notification_sent_idx",
                condition=Q(status="sent"),
            ),
            models.Index(
                fields=["provider_id"],
                name="notification_provider_idx",
                condition=~Q(provider_id=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.template}:{self.status}"


class DeadLetterManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(status=NotificationStatus.FAILED)


class DeadLetter(Notification):
    """The messages given up for good (status failed), with the reason: the admin's
    dead-letter list."""

    objects = DeadLetterManager()

    class Meta:
        proxy = True
        verbose_name = _("pesan gagal terkirim")
        verbose_name_plural = _("pesan gagal terkirim (dead letters)")
