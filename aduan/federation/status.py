"""Replication state for `sync_status`, the admin page and /healthz."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Min
from django.utils import timezone

from aduan.reports.models import ReportEvent

from . import sequencer
from .models import BlobFetch, Message, MessageStatus, Peer, PendingEvent, SyncAlert
from .outbound import _events_for

BACKLOG_COUNT_LIMIT = 100_000


def peer_status(peer: Peer, head: int, now) -> dict:
    pending = _events_for(peer, peer.acked_position, head)
    backlog = pending[:BACKLOG_COUNT_LIMIT].count() if head > peer.acked_position else 0
    oldest = None
    if backlog:
        first = pending.order_by("position").values_list("at", flat=True).first()
        oldest = first
    stuck_after = timedelta(minutes=settings.FEDERATION_STUCK_MINUTES)
    since = peer.last_success_at or peer.paired_at
    stuck = bool(backlog) and since is not None and now - since > stuck_after
    return {
        "node": peer.node_id,
        "role": peer.role,
        "url": peer.url,
        "active": peer.is_active,
        "acked_position": peer.acked_position,
        "backlog_events": backlog,
        "backlog_capped": backlog >= BACKLOG_COUNT_LIMIT,
        "lag_seconds": round((now - oldest).total_seconds(), 1) if oldest else 0,
        "last_success_at": peer.last_success_at,
        "last_error": peer.last_error,
        "last_error_at": peer.last_error_at,
        "failures": peer.failures,
        "next_attempt_at": peer.next_attempt_at,
        "received_position": peer.received_position,
        "last_received_at": peer.last_received_at,
        "pending_messages": Message.objects.filter(
            target=peer.node_id, status=MessageStatus.PENDING
        ).count(),
        "pending_blobs": BlobFetch.objects.filter(source=peer.node_id).count(),
        "pending_events": PendingEvent.objects.filter(source=peer.node_id).count(),
        "last_reconciled_at": peer.last_reconciled_at,
        "last_reconcile": peer.last_reconcile_result,
        "stuck": stuck,
    }


def node_status() -> dict:
    now = timezone.now()
    head = sequencer.head_position()
    unsequenced = ReportEvent.objects.filter(position__isnull=True)
    oldest_unsequenced = unsequenced.aggregate(at=Min("at"))["at"]
    return {
        "node": settings.NODE_ID,
        "role": settings.NODE_ROLE,
        "stream_position": head,
        "unsequenced": unsequenced.count(),
        "unsequenced_oldest_at": oldest_unsequenced,
        "peers": [peer_status(p, head, now) for p in Peer.objects.all()],
        "alerts": [
            {
                "kind": a.kind,
                "peer": a.peer,
                "report": str(a.report_uuid) if a.report_uuid else None,
                "detail": a.detail,
                "at": a.created_at,
            }
            for a in SyncAlert.objects.filter(resolved_at__isnull=True)[:50]
        ],
    }


def health_summary() -> dict:
    """A small summary for /healthz: ok unless a link is stuck or an alert is open."""
    status = node_status()
    stuck = [p["node"] for p in status["peers"] if p["stuck"] and p["active"]]
    return {
        "ok": not stuck and not status["alerts"],
        "peers": {
            p["node"]: {"backlog": p["backlog_events"], "lag_seconds": p["lag_seconds"]}
            for p in status["peers"]
        },
        "stuck": stuck,
        "open_alerts": len(status["alerts"]),
    }
