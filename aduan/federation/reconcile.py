"""Periodic reconciliation: two nodes compare what they hold and repair any difference.

The requester sends a digest per day (of submission, UTC) over the reports it holds that
the other node should hold too: SHA-256 of every report's uuid, last sequence number and
last hash, in uuid order. The responder computes the same over its side and answers, for
every day that differs, its list of (uuid, seq, hash). The requester then pulls each
report the responder has further (or that it lacks), pushes each report the responder is
behind on (or lacks), and raises a fork where both have the same sequence number with
different hashes. Both nodes run it against each other, so each direction is covered even
if one side's worker is down.

What the streams are still carrying is not a difference to repair: a report whose newest
events are in our stream to the peer but not yet acknowledged by it (or not yet given a
position) is compared only up to what the peer acknowledged (`in_flight`), on both sides;
pulling or pushing it anyway would meet the stream's own batch for it at the receiver
(the concurrent apply refused with `retry_later`, the sender backing off). Nothing is left
out for good: the acknowledged part of every report is always compared, and events count
as in flight only while the link is acknowledging or for FEDERATION_RECONCILE_SETTLE_SECONDS
after they were recorded, so a link that stops carrying them has them repaired by the next
pass."""

import datetime as dt
import hashlib
import uuid as uuid_module
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from aduan.reports.events import GENESIS, event_digest
from aduan.reports.models import Report, ReportEvent

from . import client, inbound, outbound
from .alerts import raise_alert
from .models import AlertKind, Holding, NodeRole, Peer

CHUNK = 200
ID_CHUNK = 5000


def shared_reports(peer: Peer) -> QuerySet[Report]:
    """The reports this node holds that `peer` should hold as well: at central, those
    recorded as held by that regional node, and those it owns or where they were submitted
    (even before the sequencer recorded them as held)."""
    if peer.role == NodeRole.CENTRAL or settings.NODE_ROLE != NodeRole.CENTRAL:
        return Report.objects.all()
    return Report.objects.filter(
        Q(pk__in=Holding.objects.filter(node=peer.node_id).values("report_id"))
        | Q(owner_node=peer.node_id)
        | Q(origin_node=peer.node_id)
    )


EVENT_FIELDS = (
    "report_id",
    "uuid",
    "seq",
    "type",
    "visibility",
    "actor_uuid",
    "actor_role",
    "at",
    "from_status",
    "to_status",
    "payload",
    "origin_node",
    "prev_hash",
    "hash",
)


def recomputed_heads(qs: QuerySet[Report]) -> dict[int, str]:
    """Each report's head as its stored events say, recomputed from the start: the stored
    head when nothing was edited, something else when an event's content was changed in
    place (even with its stored hash left alone). The deep comparison uses these."""
    uuids = dict(qs.values_list("pk", "uuid"))
    ids = sorted(uuids)
    heads: dict[int, str] = {}
    current, prev = None, GENESIS
    # The events of a few thousand reports at a time, by their ids (the report_id index),
    # rather than a join of the whole events table with the selection.
    for start in range(0, len(ids), ID_CHUNK):
        rows = (
            ReportEvent.objects.filter(report_id__in=ids[start : start + ID_CHUNK])
            .order_by("report_id", "seq")
            .values_list(*EVENT_FIELDS)
        )
        for values in rows.iterator(chunk_size=5000):
            fields = dict(zip(EVENT_FIELDS, values, strict=True))
            report_id = fields.pop("report_id")
            if report_id != current:
                current, prev = report_id, GENESIS
            fields.pop("hash")
            fields["prev_hash"] = prev
            prev = event_digest(ReportEvent(**fields), uuids[report_id])
            heads[report_id] = prev
    return heads


def in_flight(peer: Peer, keys: set[str] | None = None) -> dict[str, int]:
    """The reports whose newest events are still on their way to `peer` in our stream:
    uuid -> the last sequence number the peer has acknowledged of that report (the one
    before its first event not yet acknowledged). Limited to `keys` where given.

    An event is on its way when the stream has not given it a position yet or the peer has
    not acknowledged its position, and it is one the stream sends to that peer (not an
    event that came from it; for a regional peer, of a report it holds). It counts as on
    its way only while the link is live — the peer acknowledged within the last
    FEDERATION_RECONCILE_SETTLE_SECONDS — or the event was recorded within that time: a
    link that stopped acknowledging carries nothing, and reconciliation repairs around it.

    The caller reads its heads first and this afterwards: every event its heads include is
    then either acknowledged (applied at the peer before this look) or listed here."""
    settle = dt.timedelta(seconds=settings.FEDERATION_RECONCILE_SETTLE_SECONDS)
    now = timezone.now()
    acked, last_success = (
        Peer.objects.filter(pk=peer.pk).values_list("acked_position", "last_success_at").get()
    )
    unsequenced = Q(position__isnull=True)
    events = ReportEvent.objects.filter(unsequenced | Q(position__gt=acked)).exclude(
        received_from=peer.node_id
    )
    if peer.role == NodeRole.REGIONAL:
        # As the stream: only the reports it holds (recorded when events are sequenced).
        events = events.filter(
            unsequenced
            | Q(report_id__in=Holding.objects.filter(node=peer.node_id).values("report_id"))
        )
    if last_success is None or now - last_success >= settle:
        events = events.filter(at__gte=now - settle)
    if keys is not None and not keys:
        return {}
    rows = events.values_list("report__uuid").annotate(first=Min("seq")).order_by()
    # (Few reports are in flight at a time: narrowed here rather than by a long IN list.)
    flying = {str(key): first - 1 for key, first in rows}
    return flying if keys is None else {k: s for k, s in flying.items() if k in keys}


def _heads(
    qs: QuerySet[Report], days: set[str] | None = None, recomputed: dict[int, str] | None = None
):
    """(uuid, last seq, head) per day of submission; the recomputed heads where given."""
    rows = qs.values_list("pk", "submitted_at", "uuid", "last_event_seq", "last_event_hash")
    by_day: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    for pk, submitted_at, key, seq, head in rows.iterator(chunk_size=5000):
        day_key = submitted_at.astimezone(dt.UTC).date().isoformat()
        if days is None or day_key in days:
            by_day[day_key].append(
                (str(key), seq, recomputed.get(pk, head) if recomputed is not None else head)
            )
    return by_day


def day_digests(by_day: dict[str, list[tuple[str, int, str]]]) -> dict[str, str]:
    digests = {}
    for day, heads in by_day.items():
        digest = hashlib.sha256()
        for key, seq, head in sorted(heads):
            digest.update(f"{key}:{seq}:{head}\n".encode())
        digests[day] = digest.hexdigest()
    return digests


# -- deep passes, a slice of days at a time ---------------------------------------------
#
# Recomputing every history costs time in proportion to the events held (both sides do
# it), so a deep pass goes through the days of submission in slices of about
# FEDERATION_DEEP_SLICE reports, one slice per request: no request has to recompute a
# whole national database, and replication goes on between the slices. A span is
# (after, through): the days after `after` up to and including `through` ("" = open).


def _day_start(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), tzinfo=dt.UTC)


def within(qs: QuerySet[Report], span: tuple[str, str]) -> QuerySet[Report]:
    after, through = span
    if after:
        qs = qs.filter(submitted_at__gte=_day_start(after) + dt.timedelta(days=1))
    if through:
        qs = qs.filter(submitted_at__lt=_day_start(through) + dt.timedelta(days=1))
    return qs


def next_span(qs: QuerySet[Report], after: str) -> tuple[str, str]:
    """The days after `after` holding about FEDERATION_DEEP_SLICE of our reports (at least
    one day); `through` is "" for the last slice, which also covers any later day only
    the peer has."""
    rows = (
        within(qs, (after, ""))
        .annotate(day=TruncDate("submitted_at", tzinfo=dt.UTC))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("day")
        .values_list("day", "n")
    )
    total, through, days = 0, "", list(rows)
    for index, (_day, count) in enumerate(days):
        if total and total + count > settings.FEDERATION_DEEP_SLICE:
            through = days[index - 1][0].isoformat()
            break
        total += count
    return after, through


def compare(qs: QuerySet[Report], *, deep: bool) -> tuple[dict, dict[int, str] | None]:
    """(digest per day, recomputed heads or None) over `qs`."""
    recomputed = recomputed_heads(qs) if deep else None
    return day_digests(_heads(qs, recomputed=recomputed)), recomputed


def answer(peer: Peer, their_days: dict[str, str], *, deep: bool = False, span=("", "")) -> dict:
    """Responder: for every day (of the span) that differs, our heads of that day, and which
    of those reports are still on their way to the requester (`in_flight`: uuid -> the
    last sequence number it acknowledged), so that it does not pull them."""
    qs = within(shared_reports(peer), span)
    recomputed = recomputed_heads(qs) if deep else None
    by_day = _heads(qs, recomputed=recomputed)
    ours = day_digests(by_day)
    differing = {d for d in set(ours) | set(their_days) if ours.get(d) != their_days.get(d)}
    days = {d: sorted(by_day.get(d, [])) for d in sorted(differing)}
    # Looked at after the heads were read (see `in_flight`).
    flying = in_flight(peer, {key for heads in days.values() for key, _s, _h in heads})
    return {"days": days, "in_flight": flying}


@dataclass
class ReconcileResult:
    days_compared: int = 0
    days_differing: int = 0
    pulled: int = 0
    pushed: int = 0
    forks: int = 0
    # Reports that differed only by what the streams are still carrying: left to them.
    in_flight: int = 0
    deep_through: str = ""  # a deep slice's last day; "" once the pass is complete
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return self.__dict__ | {"errors": self.errors[:20]}


def reconcile(peer: Peer, *, deep: bool = False) -> ReconcileResult:
    """Requester: compare with `peer` and repair both ways. `deep` compares each history
    recomputed from its events rather than the stored heads, so that an event edited in
    place on either node shows up even if its stored hash was left alone."""
    result = ReconcileResult()
    ours_qs = shared_reports(peer)
    span = ("", "")
    if deep:
        span = next_span(ours_qs, peer.deep_reconcile_through)
        ours_qs = within(ours_qs, span)
    recomputed = recomputed_heads(ours_qs) if deep else None
    # Our heads are read once, before the request, and what is on its way to the peer
    # right after them: a report is then never taken as missing at the peer for events
    # the stream is still carrying (see `in_flight`).
    by_day = _heads(ours_qs, recomputed=recomputed)
    digests = day_digests(by_day)
    ours_flying = in_flight(peer)
    result.days_compared = len(digests)
    status, data = client.call(
        peer,
        "POST",
        "/reconcile",
        {"v": 1, "days": digests, "deep": deep, "span": list(span)},
        timeout=max(settings.FEDERATION_TIMEOUT, 120),
    )
    if status != 200:
        raise client.PeerError(f"reconcile: HTTP {status}", status=status, data=data)
    their_days = data.get("days") or {}
    # A responder of an earlier version says nothing of what it is sending: all compared.
    theirs_flying = data.get("in_flight") or {}
    result.days_differing = len(their_days)
    mine = {day: heads for day, heads in by_day.items() if day in their_days}
    stored_heads = (
        {k: h for heads in _heads(ours_qs, set(their_days)).values() for k, _s, h in heads}
        if deep
        else {}
    )
    to_pull: dict[str, int] = {}
    to_push: dict[str, int] = {}
    for day, theirs in their_days.items():
        local = {k: (s, h) for k, s, h in mine.get(day, [])}
        remote = {k: (s, h) for k, s, h in theirs}
        for key in set(local) | set(remote):
            l_seq, l_hash = local.get(key, (0, ""))
            r_seq, r_hash = remote.get(key, (0, ""))
            if l_seq == r_seq and l_hash != r_hash:
                result.forks += 1
                where = f"between {settings.NODE_ID} and {peer.node_id}"
                if deep:
                    stored = stored_heads.get(key)
                    where = (
                        f"on {settings.NODE_ID}: an event was edited in place here (its "
                        "events no longer give the stored history)"
                        if stored is not None and stored != l_hash
                        else f"on {peer.node_id}: its history is not the one this node holds "
                        "(an event was changed there)"
                    )
                raise_alert(
                    AlertKind.FORK if not deep else AlertKind.BROKEN_CHAIN,
                    peer=peer.node_id,
                    report_uuid=uuid_module.UUID(key),
                    detail=f"history of {key} up to event {l_seq} differs {where} "
                    f"({l_hash[:12]} vs {r_hash[:12]})",
                )
            elif r_seq > l_seq:
                to_pull[key] = r_seq  # (decided below, against our head after the answer)
            elif l_seq > r_seq:
                if key in ours_flying and ours_flying[key] <= r_seq:
                    # The peer has all we sent it of this report; the rest is on its way.
                    result.in_flight += 1
                    continue
                to_push[key] = r_seq
    if to_pull:
        # Ours now, not as before the request: what the peer's stream brought meanwhile is
        # not pulled again.
        now_at = dict(
            Report.objects.filter(uuid__in=list(to_pull)).values_list("uuid", "last_event_seq")
        )
        for key, r_seq in list(to_pull.items()):
            here = now_at.get(uuid_module.UUID(key), 0)
            flying = theirs_flying.get(key)
            if here >= r_seq or (isinstance(flying, int) and flying <= here):
                # Arrived meanwhile, or the rest is on its way to us in the peer's stream.
                del to_pull[key]
                result.in_flight += 1
            else:
                to_pull[key] = here
    for key, after in to_pull.items():
        try:
            status, bundle = client.call(
                peer, "GET", f"/reports/{key}/events", params={"after": after}
            )
            if status == 200:
                inbound.apply_bundle(peer, bundle)
                result.pulled += 1
            else:
                result.errors.append(f"pull {key}: HTTP {status}")
        except (client.PeerError, inbound.Refused, inbound.RetryLater) as exc:
            result.errors.append(f"pull {key}: {exc}")
    ids = dict(Report.objects.filter(uuid__in=list(to_push)).values_list("uuid", "pk"))
    pending = [
        (ids[uuid_module.UUID(k)], seq + 1)
        for k, seq in to_push.items()
        if uuid_module.UUID(k) in ids
    ]
    for start in range(0, len(pending), CHUNK):
        chunk = dict(pending[start : start + CHUNK])
        payload = {"v": 1} | outbound.bundle(peer, chunk, echo=True)
        try:
            status, data = client.call(peer, "POST", "/reports", payload)
            if status == 200:
                result.pushed += len(chunk)
            else:
                result.errors.append(f"push: HTTP {status}: {data}")
        except client.PeerError as exc:
            result.errors.append(f"push: {exc}")
    done = {"last_reconcile_result": result.as_dict()}
    if deep:
        result.deep_through = span[1]
        done["last_reconcile_result"] = result.as_dict()
        # The pass goes on from the end of this slice, or is complete after the last one.
        done["deep_reconcile_through"] = span[1]
        if not span[1]:
            done["last_deep_reconciled_at"] = timezone.now()
        peer.deep_reconcile_through = span[1]
    else:
        done["last_reconciled_at"] = timezone.now()
    Peer.objects.filter(pk=peer.pk).update(**done)
    return result


def reconcile_deep(peer: Peer) -> list[ReconcileResult]:
    """A whole deep pass now, slice after slice (`sync_now --reconcile --deep`)."""
    results = [reconcile(peer, deep=True)]
    while results[-1].deep_through:
        results.append(reconcile(peer, deep=True))
    return results
