"""Messages received on a channel (SMS now; WhatsApp and e-mail later) and the senders
refused or opted out.

Messages sent are rows of the notifications outbox (`notifications.Notification`), which
carries the channel, the provider's id, the send status and the delivery report: one
delivery machinery for every message Aduan sends, answers to a message included."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from aduan.accounts.crypto import EncryptedTextField
from aduan.core.clock import ClockDateTimeField


class ChannelName(models.TextChoices):
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("Surel")


class MessageStatus(models.TextChoices):
    RECEIVED = "received", _("Diterima")
    PROCESSED = "processed", _("Diproses")
    REFUSED = "refused", _("Ditolak (dijawab)")
    DUPLICATE = "duplicate", _("Duplikat")
    RATE_LIMITED = "rate_limited", _("Terlalu sering")
    BLOCKED = "blocked", _("Pengirim diblokir")
    INVALID_SENDER = "invalid_sender", _("Pengirim tidak valid")


class Message(models.Model):
    """One message received on a channel, stored before anything is done with it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(max_length=10, choices=ChannelName.choices)
    # The adapter that received it ("generic", "twilio") and the provider's id for it.
    gateway = models.CharField(max_length=20)
    provider_id = models.CharField(max_length=100)
    # The sender's phone number (E.164) or e-mail address, and the text: personal data,
    # encrypted at rest; the keyed hashes find a sender's earlier messages and repeats.
    sender = EncryptedTextField()
    sender_lookup = models.CharField(max_length=64)
    text = EncryptedTextField(blank=True)
    text_lookup = models.CharField(max_length=64, blank=True)
    received_at = ClockDateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=16, choices=MessageStatus.choices, default=MessageStatus.RECEIVED
    )
    # The keyword it was read as (lapor, cek, balas, terima, banding, berhenti, mulai).
    command = models.CharField(max_length=12, blank=True)
    # What a chat message carried (WhatsApp): text, image, document, location,
    # interactive (a button chosen) or other (audio, stickers: not read).
    kind = models.CharField(max_length=12, default="text")
    report = models.ForeignKey(
        "reports.Report",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="channel_messages",
    )
    # Why it was refused or what it did, in the operator's words (no personal data).
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            # A provider retrying (or an attacker replaying) a webhook is the same message.
            models.UniqueConstraint(
                fields=["channel", "gateway", "provider_id"], name="channel_message_once"
            )
        ]
        indexes = [
            models.Index(fields=["sender_lookup", "received_at"], name="channel_sender_idx"),
            models.Index(fields=["channel", "received_at"], name="channel_received_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.gateway}:{self.provider_id}"


class BlockKind(models.TextChoices):
    # Staff's blocklist: messages from the sender are stored and ignored, never answered.
    BLOCKED = "blocked", _("Diblokir")
    # The sender asked for no more messages (BERHENTI): nothing is sent on the channel.
    OPTED_OUT = "opted_out", _("Berhenti berlangganan")


class SenderBlock(models.Model):
    channel = models.CharField(max_length=10, choices=ChannelName.choices)
    kind = models.CharField(max_length=10, choices=BlockKind.choices)
    # Only the keyed hash of the address: the list must not become a list of numbers.
    address_lookup = models.CharField(max_length=64)
    reason = models.CharField(max_length=200, blank=True)
    created_at = ClockDateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "kind", "address_lookup"], name="channel_block_once"
            )
        ]
        indexes = [models.Index(fields=["address_lookup"], name="channel_block_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.channel}:{self.kind}:{self.address_lookup[:8]}"


class Conversation(models.Model):
    """A report being put together in a chat, one question at a time (what happened,
    where, a photo, confirm): `aduan.channels.conversation`. One per sender and channel;
    it expires `WHATSAPP_CONVERSATION_MINUTES` after the sender's last message, and its
    photos (already through the upload checks) wait in storage under `PENDING_FILES`
    until the report is sent or the conversation dropped."""

    channel = models.CharField(max_length=10, choices=ChannelName.choices)
    sender_lookup = models.CharField(max_length=64)
    step = models.CharField(max_length=10)
    # What the sender told so far (JSON: the text, the place, the coordinates, the stored
    # photos' names, the messages): personal data, encrypted at rest.
    data = EncryptedTextField(blank=True)
    updated_at = ClockDateTimeField(auto_now=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "sender_lookup"], name="channel_conversation_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.sender_lookup[:8]}:{self.step}"
