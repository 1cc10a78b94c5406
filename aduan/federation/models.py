"""What a node keeps about its peers and the streams between them (docs/FEDERATION.md).

- `Peer`: a paired node, its public key, and both cursors: how far it has acknowledged our
  event stream (`acked_position`) and how far we have applied its stream
  (`received_position`).
- `StreamState`: the last position given to an event of this node's stream. Positions are
  handed out by the sequencer after commit, in one serialised step, so a reader that has
  seen position N never later finds an event below N (no event is skipped).
- `Holding`: which regional nodes hold which report (central holds every report).
- `Message`: a command or a notice for one peer, delivered at least once with retries;
  `AppliedMessage` makes applying it happen exactly once on the receiver.
- `PendingEvent`: events that arrived ahead of a gap (or that broke a chain), kept until the
  missing ones are pulled, never dropped.
- `BlobFetch`: an attachment whose bytes are still to be fetched and verified.
- `SyncAlert`: a problem raised to the admins (fork, broken chain, stuck link, restore).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NodeRole(models.TextChoices):
    CENTRAL = "central", _("Pusat")
    REGIONAL = "regional", _("Daerah")


class Peer(models.Model):
    node_id = models.CharField(_("kode simpul"), max_length=12, unique=True)
    role = models.CharField(_("peran"), max_length=10, choices=NodeRole.choices)
    name = models.CharField(_("nama"), max_length=200, blank=True)
    url = models.URLField(_("alamat"), max_length=300)
    public_key = models.CharField(_("kunci publik"), max_length=64)
    fingerprint = models.CharField(_("sidik jari"), max_length=60)
    is_active = models.BooleanField(_("aktif"), default=True)
    paired_at = models.DateTimeField(_("dipasangkan"), auto_now_add=True)

    # Our stream to them: the highest position they acknowledged.
    acked_position = models.BigIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    stuck_alerted_at = models.DateTimeField(null=True, blank=True)

    # Their stream to us: the highest position we applied (or durably kept).
    received_position = models.BigIntegerField(default=0)
    last_received_at = models.DateTimeField(null=True, blank=True)

    reference_etag = models.CharField(max_length=64, blank=True)
    reference_synced_at = models.DateTimeField(null=True, blank=True)
    last_reconciled_at = models.DateTimeField(null=True, blank=True)
    last_deep_reconciled_at = models.DateTimeField(null=True, blank=True)
    # A deep pass in progress: the last day of submission it has compared ("" = none).
    deep_reconcile_through = models.CharField(max_length=10, blank=True, default="")
    last_reconcile_result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["node_id"]
        verbose_name = _("simpul mitra")
        verbose_name_plural = _("simpul mitra")

    def __str__(self) -> str:
        return f"{self.node_id} ({self.get_role_display()})"


class StreamState(models.Model):
    """One row: the last stream position handed out on this node."""

    last_position = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"stream at {self.last_position}"


class Holding(models.Model):
    """A regional node holds this report (it receives its events). Once held, always held:
    a node keeps the history of every report it ever worked on."""

    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="+")
    node = models.CharField(max_length=12)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["node", "report"], name="holding_node_report_unique")
        ]

    def __str__(self) -> str:
        return f"{self.node} holds {self.report_id}"


class SeenNonce(models.Model):
    """Nonces of signed requests within the replay window; a repeat is refused."""

    node = models.CharField(max_length=12)
    nonce = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["node", "nonce"], name="seen_nonce_unique")]

    def __str__(self) -> str:
        return f"{self.node}:{self.nonce}"


class MessageKind(models.TextChoices):
    COMMAND = "command", _("Perintah")
    NOTICE = "notice", _("Pemberitahuan")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu simpul tujuan")
    APPLIED = "applied", _("Diterapkan")
    REFUSED = "refused", _("Ditolak")


class Message(models.Model):
    """A command (an action on a report another node owns) or a notice (a notification
    that only another node can deliver), sent to one peer until it answers."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    target = models.CharField(max_length=12)
    kind = models.CharField(max_length=10, choices=MessageKind.choices)
    report = models.ForeignKey(
        "reports.Report", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=40, blank=True)
    body = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    reason = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["target", "next_attempt_at"],
                name="message_pending_idx",
                condition=Q(status="pending"),
            ),
            models.Index(fields=["report", "status"], name="message_report_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.action} → {self.target} ({self.status})"


class AppliedMessage(models.Model):
    """A message this node applied, with its outcome: a repeat gets the same answer."""

    uuid = models.UUIDField(unique=True)
    source = models.CharField(max_length=12)
    kind = models.CharField(max_length=10)
    applied_at = models.DateTimeField()
    outcome = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.kind} {self.uuid} from {self.source}"


class PendingEvent(models.Model):
    """A received event that cannot be appended yet: an earlier one is missing (a gap,
    pulled from the sender) or it conflicts with the local chain (a fork, raised)."""

    source = models.CharField(max_length=12)
    report_uuid = models.UUIDField()
    seq = models.PositiveIntegerField()
    data = models.JSONField()
    problem = models.CharField(max_length=20, default="gap")
    received_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report_uuid", "seq", "source"], name="pending_event_unique"
            )
        ]
        indexes = [models.Index(fields=["report_uuid", "seq"], name="pending_event_report_idx")]

    def __str__(self) -> str:
        return f"{self.report_uuid}#{self.seq} ({self.problem})"


class BlobFetch(models.Model):
    """An attachment whose content is still to be fetched from `source` and checked
    against its SHA-256."""

    attachment = models.OneToOneField(
        "reports.Attachment", on_delete=models.CASCADE, related_name="+"
    )
    source = models.CharField(max_length=12)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"blob of attachment {self.attachment_id} from {self.source}"


class AlertKind(models.TextChoices):
    FORK = "fork", _("Riwayat bercabang")
    BROKEN_CHAIN = "broken_chain", _("Rantai audit rusak")
    STUCK = "stuck", _("Sinkronisasi macet")
    RESTORED = "restored", _("Simpul dipulihkan dari cadangan")
    BAD_SIGNATURE = "bad_signature", _("Tanda tangan tidak sah")
    REFUSED = "refused", _("Data ditolak")


class SyncAlert(models.Model):
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    peer = models.CharField(max_length=12, blank=True)
    report_uuid = models.UUIDField(null=True, blank=True)
    detail = models.TextField()
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("peringatan sinkronisasi")
        verbose_name_plural = _("peringatan sinkronisasi")

    def __str__(self) -> str:
        return f"{self.kind} {self.peer} {self.created_at:%Y-%m-%d %H:%M}"
