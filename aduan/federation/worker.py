"""The federation loop run by each node's worker (`run_worker`), in its own thread.

Each round: give new events their stream positions; for every active peer push the stream,
deliver commands and notices, fetch attachment contents, pull what gaps are waiting for;
now and then pull reference data and reconcile; raise links stuck for too long. Every step
is idempotent and safe to interrupt: a killed worker resumes from the cursors in the
database."""

import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from aduan.core.scheduler import current_worker_id, hold_lease, release_lease

from . import blobs, client, inbound, messages, outbound, reconcile, reference, sequencer, signing
from .alerts import raise_alert
from .models import AlertKind, Peer, PendingEvent, SyncAlert

logger = logging.getLogger(__name__)

REFERENCE_EVERY = timedelta(minutes=5)
# One federation loop per node, whatever the number of worker processes (FederationThread).
LEASE = "lease:federation"


def lease_seconds() -> float:
    return float(settings.FEDERATION_LEASE_SECONDS)


def repair_gaps(peer: Peer, *, limit: int = 20) -> int:
    """Pull the missing events of reports whose later events wait in PendingEvent."""
    now = timezone.now()
    keys = (
        PendingEvent.objects.filter(source=peer.node_id, problem="gap", next_attempt_at__lte=now)
        .values_list("report_uuid", flat=True)
        .distinct()[:limit]
    )
    repaired = 0
    from aduan.reports.models import Report

    for key in list(keys):
        head = Report.objects.filter(uuid=key).values_list("last_event_seq", flat=True).first()
        try:
            status, data = client.call(
                peer, "GET", f"/reports/{key}/events", params={"after": head or 0}
            )
            if status == 200:
                inbound.apply_bundle(peer, data)
        except (client.PeerError, inbound.Refused, inbound.RetryLater) as exc:
            logger.info("gap repair of %s from %s failed: %s", key, peer.node_id, exc)
        head = Report.objects.filter(uuid=key).values_list("last_event_seq", flat=True).first()
        PendingEvent.objects.filter(report_uuid=key, problem="gap", seq__lte=head or 0).delete()
        left = PendingEvent.objects.filter(report_uuid=key, problem="gap")
        if left.exists():
            left.update(
                attempts=left.first().attempts + 1,
                next_attempt_at=now + timedelta(seconds=outbound.backoff_seconds(2)),
            )
        else:
            repaired += 1
    return repaired


def check_stuck(peer: Peer, now) -> None:
    """Raise a link that has had something to send and no success for too long."""
    limit = timedelta(minutes=settings.FEDERATION_STUCK_MINUTES)
    since = peer.last_success_at or peer.paired_at
    if peer.stuck_alerted_at or not since or now - since <= limit:
        return  # (the stream's head is read only for a link that has been quiet that long)
    if sequencer.head_position() > peer.acked_position:
        raise_alert(
            AlertKind.STUCK,
            peer=peer.node_id,
            detail=f"no successful exchange with {peer.node_id} since {since:%Y-%m-%d %H:%M} "
            f"UTC; last error: {peer.last_error or '-'}",
        )
        Peer.objects.filter(pk=peer.pk).update(stuck_alerted_at=now)


def run_round(*, push_budget: float = 2.0, clock=time.monotonic) -> dict:
    """One round of every federation duty; returns counts for logging and tests."""
    now = timezone.now()
    started = clock()
    summary = {
        "sequenced": 0,
        "pushed": 0,
        "messages": 0,
        "blobs": 0,
        "gaps": 0,
        "backlog": False,
    }
    while True:
        given = sequencer.sequence()
        summary["sequenced"] += given
        if given < 5000:
            break
        if clock() - started >= push_budget:
            # A long backlog of unnumbered events (after an upgrade, a restore, a bulk
            # import) is numbered over several rounds, one budget at a time: between
            # them the loop renews its lease and answers a stop.
            summary["backlog"] = True
            break
    for peer in Peer.objects.filter(is_active=True):
        try:
            result = outbound.push(peer, time_budget=push_budget)
            summary["pushed"] += result.events
            summary["backlog"] = summary["backlog"] or result.backlog
            if peer.next_attempt_at and peer.next_attempt_at > now and not result.batches:
                check_stuck(peer, now)
                continue
            summary["messages"] += messages.deliver(peer)
            summary["blobs"] += blobs.fetch_due(peer)
            summary["gaps"] += repair_gaps(peer)
            if not peer.reference_synced_at or now - peer.reference_synced_at > REFERENCE_EVERY:
                try:
                    reference.sync_reference(peer)
                except client.PeerError as exc:
                    logger.info("reference sync with %s failed: %s", peer.node_id, exc)
            every = timedelta(seconds=settings.FEDERATION_RECONCILE_SECONDS)
            deep_every = timedelta(hours=settings.FEDERATION_DEEP_RECONCILE_HOURS)
            if not peer.last_reconciled_at or now - peer.last_reconciled_at > every:
                try:
                    reconcile.reconcile(peer)
                except client.PeerError as exc:
                    logger.info("reconciliation with %s failed: %s", peer.node_id, exc)
            # A deep pass, one slice per round, in rounds with nothing else to send.
            deep_due = (
                peer.deep_reconcile_through
                or not peer.last_deep_reconciled_at
                or now - peer.last_deep_reconciled_at > deep_every
            )
            if deep_due and not result.batches:
                try:
                    reconcile.reconcile(peer, deep=True)
                except client.PeerError as exc:
                    logger.info("deep reconciliation with %s failed: %s", peer.node_id, exc)
            check_stuck(peer, now)
        except Exception as exc:  # noqa: BLE001 - one peer's failure must not stop the others
            logger.exception("federation round with %s failed", peer.node_id)
            # Shown by sync_status and the admin, and retried with backoff like any failure.
            outbound.record_failure(peer, f"{type(exc).__name__}: {exc}")
    _purge_nonces(now)
    return summary


PURGE_EVERY = timedelta(minutes=1)
_last_purge = [None]


def _purge_nonces(now) -> None:
    """Forget nonces older than the replay window, once a minute (not every round: the
    window is minutes long and a nonce kept a little longer is harmless)."""
    if _last_purge[0] is None or now - _last_purge[0] >= PURGE_EVERY or now < _last_purge[0]:
        signing.purge_nonces(now)
        _last_purge[0] = now


# Rounds are spaced while intake is steady: a round ends once the peers have the stream
# up to its head, and the next one waits FEDERATION_PUSH_WAIT_MS, so that the reports submitted
# meanwhile travel together, several to a request, instead of one request (and one apply
# at the receiver, and one round of queries here) per report. The price is at most that
# much more lag (docs/FEDERATION.md, Measurements). A backlog is sent back to back.


class FederationThread(threading.Thread):
    """Runs `run_round` until stopped: back to back while there is a backlog, every
    `push_wait` seconds (FEDERATION_PUSH_WAIT_MS) while events come in, every `interval`
    seconds when idle.

    With several worker processes (on one host or many) only one runs the rounds at a
    time: the one holding the lease `LEASE` (`core.scheduler.hold_lease`), renewed while it
    works; the others ask again every half lease and take over within
    FEDERATION_LEASE_SECONDS when the holder dies (at once when it stops). The rounds would be
    safe side by side (every step is idempotent) but would push the same batches several
    times."""

    def __init__(self, interval: float = 0.5, push_wait: float | None = None):
        super().__init__(name="federation", daemon=True)
        self.interval = interval
        if push_wait is None:
            push_wait = settings.FEDERATION_PUSH_WAIT_MS / 1000
        self.push_wait = push_wait
        self.stopping = threading.Event()
        self.holder = current_worker_id()

    def run(self):
        renewed = 0.0
        while not self.stopping.is_set():
            close_old_connections()
            # Renewed when half the lease has gone: one row update per half lease.
            seconds = lease_seconds()
            if time.monotonic() - renewed >= seconds / 2:
                try:
                    held = hold_lease(LEASE, self.holder, seconds)
                except Exception:  # noqa: BLE001 - the database is away: try again later
                    logger.exception("federation lease check failed")
                    held = False
                if not held:
                    self.stopping.wait(seconds / 2)
                    continue
                renewed = time.monotonic()
            try:
                summary = run_round()
                busy = summary["pushed"] or summary["sequenced"]
                backlog = summary["backlog"]
            except Exception:  # noqa: BLE001 - keep the loop alive; the error is logged
                logger.exception("federation round failed")
                busy = backlog = False
            if backlog:
                continue
            self.stopping.wait(self.push_wait if busy else self.interval)
        try:
            if renewed:
                release_lease(LEASE, self.holder)
        finally:
            close_old_connections()

    def stop(self):
        self.stopping.set()


def open_alerts():
    return SyncAlert.objects.filter(resolved_at__isnull=True)


def seconds_since(moment) -> float | None:
    return (timezone.now() - moment).total_seconds() if moment else None
