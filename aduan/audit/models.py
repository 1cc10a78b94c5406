"""Checkpoints of the audit history: signed digests of every report's chain head, kept
here for the record and published where the database cannot reach (docs/SECURITY.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Checkpoint(models.Model):
    """One signed digest of this node's history: the root of a Merkle tree over every
    report's chain head (report, last seq, last hash) at one consistent moment, with the
    number of reports and events, chained to the previous checkpoint's root and signed
    with the node's Ed25519 key. The list of heads is written beside it in a file for the
    operator (`AUDIT_CHECKPOINT_DIR`), which `verify_audit_chain --since-checkpoint` reads."""

    number = models.PositiveIntegerField(unique=True)
    node = models.CharField(max_length=12)
    created_at = models.DateTimeField()
    reports = models.PositiveBigIntegerField()
    events = models.PositiveBigIntegerField()
    root = models.CharField(max_length=64)
    previous_root = models.CharField(max_length=64, blank=True)
    signature = models.CharField(max_length=100)
    # The peers that acknowledged a copy of it (node ids).
    delivered_to = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("titik periksa audit")
        verbose_name_plural = _("titik periksa audit")

    def __str__(self) -> str:
        return f"{self.node} #{self.number} {self.root[:12]}"


class PeerCheckpoint(models.Model):
    """A checkpoint a peer node sent us, kept as it came (its signature checked): a copy of
    that node's history digest that its own database administrator cannot reach."""

    node = models.CharField(max_length=12)
    number = models.PositiveIntegerField()
    body = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["node", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["node", "number"], name="peer_checkpoint_once")
        ]
        verbose_name = _("titik periksa simpul lain")
        verbose_name_plural = _("titik periksa simpul lain")

    def __str__(self) -> str:
        return f"{self.node} #{self.number}"
