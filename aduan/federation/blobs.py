"""Attachment contents between nodes: content-addressed by SHA-256, checked on arrival.

A replicated attachment row arrives with its metadata; its bytes are fetched by the
worker from the node that sent it and stored only if their SHA-256 matches. Until then the
pages say the file is still being copied."""

import hashlib
import logging
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from aduan.reports.models import Attachment

from . import client
from .models import BlobFetch, Peer
from .outbound import backoff_seconds

logger = logging.getLogger(__name__)


def fetch_due(peer: Peer, *, limit: int = 20) -> int:
    now = timezone.now()
    done = 0
    due = BlobFetch.objects.filter(source=peer.node_id, next_attempt_at__lte=now).select_related(
        "attachment"
    )[:limit]
    for job in due:
        attachment = job.attachment
        try:
            status, content = client.call(peer, "GET", f"/blobs/{attachment.sha256}", raw=True)
        except client.PeerError as exc:
            _retry(job, str(exc))
            break
        if status != 200:
            _retry(job, f"HTTP {status}")
            continue
        if (
            hashlib.sha256(content).hexdigest() != attachment.sha256
            or len(content) != attachment.size
        ):
            _retry(job, "content does not match its SHA-256")
            logger.warning("attachment %s: content from %s does not verify", attachment.uuid, peer)
            continue
        attachment.file.save(
            f"{attachment.uuid}{attachment.extension}", ContentFile(content), save=False
        )
        Attachment.objects.filter(pk=attachment.pk).update(file=attachment.file.name)
        job.delete()
        done += 1
    return done


def _retry(job: BlobFetch, error: str) -> None:
    attempts = job.attempts + 1
    BlobFetch.objects.filter(pk=job.pk).update(
        attempts=attempts,
        last_error=error[:500],
        next_attempt_at=timezone.now() + timedelta(seconds=backoff_seconds(attempts)),
    )


def blob_for(peer: Peer, sha256: str) -> Attachment | None:
    """A stored attachment with this content that `peer` may have."""
    from .views import may_hold

    for attachment in (
        Attachment.objects.filter(sha256=sha256).exclude(file="").select_related("report")[:20]
    ):
        if may_hold(peer, attachment.report):
            return attachment
    return None
