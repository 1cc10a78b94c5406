"""Sending this node's stream to a peer: batches of events in stream order, each report's
state with all its events up to that state, the accounts and reporters they name (personal
data only where the receiver's roles may see it), and the attachments' metadata.

The receiver acknowledges the position it has durably applied; only that moves our cursor.
A lost answer means the batch is sent again and applied as a no-op (idempotent by event).
Failures back off exponentially with jitter, up to FEDERATION_MAX_BACKOFF seconds."""

import contextlib
import logging
import random
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Q
from django.utils import timezone

from aduan.accounts.models import Reporter, User
from aduan.agencies.models import Agency
from aduan.categories.models import Category
from aduan.reports.models import Attachment, Report, ReportEvent

from . import client, sequencer, wire
from .alerts import raise_alert
from .models import AlertKind, Holding, NodeRole, Peer
from .relevance import Hosting

logger = logging.getLogger(__name__)


def _events_for(peer: Peer, after: int, head: int):
    qs = ReportEvent.objects.filter(position__gt=after, position__lte=head).exclude(
        received_from=peer.node_id
    )
    if peer.role == NodeRole.REGIONAL:
        qs = qs.filter(report_id__in=Holding.objects.filter(node=peer.node_id).values("report_id"))
    return qs


def identity_allowed(node: str, report: Report, hosting: Hosting | Callable[[], Hosting]) -> bool:
    """Whether a reporter's identity may be held on `node`: central always; the node where
    the report was submitted (it has it); a node whose agencies may see it — for an
    anonymous report only a node whose agency admins verify reports of that region.
    `hosting` may be given as a function that loads it, called only when it is needed."""
    if node == report.origin_node or not report.is_anonymous:
        return True
    if callable(hosting):
        hosting = hosting()
    if node == hosting.central:
        return True
    region = report.region_id or ""
    return any(
        n == node and any(region == c or region.startswith(c + ".") for c in codes)
        for n, codes in hosting.verification_areas
    )


def build_batch(peer: Peer, after: int, limit: int | None = None) -> dict | None:
    """The next batch for `peer` after stream position `after`, or None if there is none."""
    return _next_batch(peer, after, limit)[0]


def _next_batch(peer: Peer, after: int, limit: int | None = None) -> tuple[dict | None, bool]:
    """The next batch, and whether more of the stream waits behind it (the batch is full,
    a backlog) rather than the batch reaching the head of the stream."""
    limit = limit or settings.FEDERATION_BATCH_SIZE
    head = sequencer.head_position()
    if head <= after:
        return None, False
    rows = list(
        _events_for(peer, after, head)
        .order_by("position")
        .values("report_id", "seq", "position")[:limit]
    )
    full = len(rows) >= limit
    last = rows[-1]["position"] if full else head
    first_seq: dict[int, int] = {}
    for row in rows:
        first_seq.setdefault(row["report_id"], row["seq"])
    batch = {
        "v": wire.PROTOCOL_VERSION,
        "from": settings.NODE_ID,
        "to": peer.node_id,
        "after": after,
        "last": last,
    } | bundle(peer, first_seq)
    return batch, full


def bundle(peer: Peer, first_seq: dict[int, int], *, echo: bool = False) -> dict:
    """Reports (by local id) with their state and every event from `first_seq[id]` up to
    that state, plus the accounts, reporters and attachments those name. Events that came
    from `peer` are left out unless `echo` (a repair: the peer may have lost them)."""
    if not first_seq:
        # Only a position to report (the events up to it are none of this peer's).
        return {"reports": [], "users": {}, "reporters": {}, "attachments": []}
    reports = {r.pk: r for r in Report.objects.filter(pk__in=list(first_seq))}
    first_seq = {pk: seq for pk, seq in first_seq.items() if pk in reports}
    # Every event of each report from the first one asked for up to its current state, so
    # that the receiver can take the state together with the events it follows.
    events_by_report: dict[int, list[ReportEvent]] = {pk: [] for pk in first_seq}
    if first_seq:
        candidates = ReportEvent.objects.filter(
            report_id__in=list(first_seq), seq__gte=min(first_seq.values())
        ).order_by("report_id", "seq")
        if not echo:
            candidates = candidates.exclude(received_from=peer.node_id)
        for event in candidates:
            pk = event.report_id
            if first_seq[pk] <= event.seq <= reports[pk].last_event_seq:
                events_by_report[pk].append(event)
    reporter_rows = {
        r.pk: r for r in Reporter.objects.filter(pk__in={r.reporter_id for r in reports.values()})
    }
    refs = _references(reports.values(), reporter_rows)
    loaded: list[Hosting] = []

    def hosting() -> Hosting:
        # Only an anonymous report for a regional node submitted elsewhere needs to know
        # where agencies are hosted (a batch for central never does).
        if not loaded:
            loaded.append(Hosting.load())
        return loaded[0]

    actor_uuids = {e.actor_uuid for evs in events_by_report.values() for e in evs if e.actor_uuid}
    # The assignee is named by the state: described like an actor, so the receiver knows
    # the account (an assignment always has its event, so this adds a row only rarely).
    assignee_ids = {r.assignee_id for r in reports.values()} - {None}
    users = {}
    for user in User.objects.filter(
        Q(uuid__in=actor_uuids) | Q(pk__in=assignee_ids)
    ).select_related("agency"):
        users[str(user.uuid)] = wire.user_to_wire(
            user, user.agency.uuid if user.agency_id else None, settings.NODE_ID
        )
    # The reporter travels with the identity only where the receiver may hold it; else
    # under a pseudonym made from the report, so that nothing links an anonymous report
    # to the same person's other reports on that node.
    reporter_key: dict[int, str] = {}
    reporters: dict[str, dict] = {}
    central_peer = peer.role == NodeRole.CENTRAL
    for pk, report in reports.items():
        reporter = reporter_rows[report.reporter_id]
        if central_peer or identity_allowed(peer.node_id, report, hosting):
            key = str(reporter.uuid)
            reporters[key] = wire.reporter_to_wire(reporter, personal=True)
        else:
            key = str(uuid.uuid5(reporter.uuid, f"report:{report.uuid}"))
            reporters.setdefault(key, {"uuid": key, "personal": False})
        reporter_key[pk] = key
    event_ids = {e.pk: e for evs in events_by_report.values() for e in evs}
    attachments = [
        wire.attachment_to_wire(a, reports[a.report_id].uuid, event_ids[a.event_id].uuid)
        for a in Attachment.objects.filter(event_id__in=list(event_ids))
    ]
    items = [
        {
            "state": wire.report_to_wire(reports[pk], refs) | {"reporter": reporter_key[pk]},
            "events": [wire.event_to_wire(e, reports[pk].uuid) for e in events_by_report[pk]],
        }
        for pk in first_seq
    ]
    return {"reports": items, "users": users, "reporters": reporters, "attachments": attachments}


def _references(reports, reporters: dict[int, Reporter]) -> dict:
    """Local ids of the reports' references -> their global keys (`reporters`: the
    reports' reporters, already loaded)."""
    reports = list(reports)
    refs: dict = {}
    for report in reports:
        refs[("region", report.region_id)] = report.region_id
        refs[("suggested_region", report.suggested_region_id)] = report.suggested_region_id
    category_ids = {r.category_id for r in reports} - {None}
    for pk, slug in Category.objects.filter(pk__in=category_ids).values_list("pk", "slug"):
        refs[("category", pk)] = slug
    agency_ids = {r.agency_id for r in reports} | {r.unit_id for r in reports}
    for pk, key in Agency.objects.filter(pk__in=agency_ids - {None}).values_list("pk", "uuid"):
        refs[("agency", pk)] = refs[("unit", pk)] = str(key)
    for pk, reporter in reporters.items():
        refs[("reporter", pk)] = str(reporter.uuid)
    assignee_ids = {r.assignee_id for r in reports} - {None}
    for pk, key in User.objects.filter(pk__in=assignee_ids).values_list("pk", "uuid"):
        refs[("assignee", pk)] = str(key)
    duplicate_ids = {r.duplicate_of_id for r in reports} - {None}
    for pk, key in Report.objects.filter(pk__in=duplicate_ids).values_list("pk", "uuid"):
        refs[("duplicate_of", pk)] = str(key)
    return refs


@dataclass
class PushResult:
    batches: int = 0
    events: int = 0
    position: int = 0
    error: str = ""
    # More of the stream was waiting when the push stopped (its time budget ran out while
    # it sent full batches): the worker's next round should follow at once.
    backlog: bool = False


def backoff_seconds(failures: int) -> float:
    """Exponential backoff with jitter: 1, 2, 4 ... seconds, capped, times 0.5-1.0."""
    base = min(settings.FEDERATION_MAX_BACKOFF, 2 ** min(failures, 20))
    return base * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not security


def record_failure(peer: Peer, error: str) -> None:
    now = timezone.now()
    failures = peer.failures + 1
    Peer.objects.filter(pk=peer.pk).update(
        failures=failures,
        last_error=error[:2000],
        last_error_at=now,
        last_attempt_at=now,
        next_attempt_at=now + timedelta(seconds=backoff_seconds(failures)),
    )
    peer.failures = failures


def push(peer: Peer, *, time_budget: float = 5.0, force: bool = False) -> PushResult:
    """Send batches to `peer` until it has the stream up to its head (as it was when the
    last batch was built) or the time budget is spent.

    A batch that reaches the head ends the push even if events came in meanwhile: they
    wait for the next round, so that under steady intake reports travel several to a
    request instead of one request per report (the worker spaces its rounds,
    `worker.PUSH_WAIT`). Only while a backlog is sent (full batches) the next batch is
    built on a second database connection while the peer applies this one (it reads
    committed rows only, which is all a batch ever holds), so that the sender and the
    receiver work at the same time. Inside a transaction (tests, shells) batches are built
    one after the other on this connection."""
    result = PushResult(position=peer.acked_position)
    now = timezone.now()
    if not force and peer.next_attempt_at and peer.next_attempt_at > now:
        return result
    started = time.monotonic()
    ahead = None
    try:
        batch, more = _next_batch(peer, peer.acked_position)
        if batch is not None and not batch["reports"] and not force and _acked_lately(peer, now):
            # Nothing for this peer, only our position to report (events that came from
            # it): said at most every EMPTY_EVERY, not once per round.
            return result
        while batch is not None:
            if time.monotonic() - started >= time_budget:
                result.backlog = True
                break
            if more and not connection.in_atomic_block:
                ahead = ahead or _Ahead(peer)
                ahead.build_after(batch["last"])
            try:
                status, data = client.call(peer, "POST", "/events", batch)
            except client.PeerError as exc:
                record_failure(peer, str(exc))
                result.error = str(exc)
                break
            position = data.get("position") if isinstance(data, dict) else None
            if status not in (200, 409) or not isinstance(position, int):
                error = (
                    f"HTTP {status}: {data.get('error', data) if isinstance(data, dict) else ''}"
                )
                record_failure(peer, error)
                result.error = error
                break
            if position > batch["last"]:
                # Beyond what we sent: perhaps beyond all we ever numbered (a restore).
                _check_restore(peer, position)
            peer.acked_position = position
            peer.failures = 0
            success = timezone.now()
            peer.last_success_at = success
            Peer.objects.filter(pk=peer.pk).update(
                acked_position=position,
                failures=0,
                last_success_at=success,
                last_attempt_at=success,
                next_attempt_at=None,
                stuck_alerted_at=None,
            )
            result.position = position
            if status == 200:
                result.batches += 1
                result.events += sum(len(item["events"]) for item in batch["reports"])
            if position == batch["last"] and not more:
                break  # the head as it was: what came since goes in the next round
            if ahead is not None and ahead.pending and position == batch["last"]:
                batch, more = ahead.take()
            else:
                # The peer is elsewhere in our stream (409), or a full batch was built
                # here: build from where it is.
                if ahead is not None:
                    ahead.discard()
                batch, more = _next_batch(peer, position)
    finally:
        if ahead is not None:
            ahead.close()
    return result


EMPTY_EVERY = timedelta(seconds=5)


def _acked_lately(peer: Peer, now) -> bool:
    return peer.last_success_at is not None and now - peer.last_success_at < EMPTY_EVERY


def _close_own_connection() -> None:
    """Close the building thread's connection (an in-memory SQLite test database hands
    every thread the main thread's connection, which is not ours to close)."""
    with contextlib.suppress(DatabaseError):
        connection.close()


class _Ahead:
    """Builds the next batch in a second thread (its own database connection)."""

    def __init__(self, peer: Peer):
        self.peer = peer
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="federation-ahead")
        self.future = None

    @property
    def pending(self) -> bool:
        return self.future is not None

    def build_after(self, position: int) -> None:
        self.discard()
        self.future = self.pool.submit(self._build, position)

    def _build(self, position: int):
        return _next_batch(self.peer, position)

    def take(self) -> tuple[dict | None, bool]:
        future, self.future = self.future, None
        return future.result()

    def discard(self) -> None:
        """Drop a batch built for a position the peer did not reach."""
        if self.future is not None:
            future, self.future = self.future, None
            future.cancel()
            try:
                future.result()
            except Exception:  # noqa: BLE001 - a discarded speculative batch
                logger.debug("discarded batch failed to build", exc_info=True)

    def close(self) -> None:
        self.discard()
        self.pool.submit(_close_own_connection).result()
        self.pool.shutdown(wait=True)


def _check_restore(peer: Peer, position: int) -> None:
    """A peer that acknowledges more of our stream than we ever numbered saw events we no
    longer have: this node was restored from an older backup. Never reuse those positions,
    and raise it so that the lost events are pulled back (reconciliation)."""
    if position > sequencer.head_position():
        sequencer.skip_past(position)
        raise_alert(
            AlertKind.RESTORED,
            peer=peer.node_id,
            detail=f"{peer.node_id} acknowledged position {position} of our stream, beyond "
            f"our last one: this node lost events (restored from a backup?); they are "
            f"pulled back from the peers by reconciliation.",
        )
