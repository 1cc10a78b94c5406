"""Periodic reconciliation: two nodes compare what they hold and repair any difference.

The requester sends a digest per day (of submission, UTC) over the reports it holds that
the other node should hold too: SHA-256 of every report's uuid, last sequence number and
last hash, in uuid order. The responder computes the same over its side and answers, for
every day that differs, its list of (uuid, seq, hash). The requester then pulls each
report the responder has further (or that it lacks), pushes each report the responder is
behind on (or lacks), and raises a fork where both have the same sequence number with
different hashes. Both nodes run it against each other, so each direction is covered even
if one side's worker is down."""

import datetime as dt
import hashlib
import uuid as uuid_module
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from aduan.reports.events import GENESIS, event_digest
from aduan.reports.models import Report, ReportEvent

from . import client, inbound, outbound
from .alerts import raise_alert
from .models import AlertKind, Holding, NodeRole, Peer

CHUNK = 200


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
    heads: dict[int, str] = {}
    current, prev = None, GENESIS
    rows = (
        ReportEvent.objects.filter(report_id__in=qs.values("pk"))
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
    """Responder: for every day (of the span) that differs, our heads of that day."""
    qs = within(shared_reports(peer), span)
    ours, recomputed = compare(qs, deep=deep)
    differing = {d for d in set(ours) | set(their_days) if ours.get(d) != their_days.get(d)}
    heads = _heads(qs, differing, recomputed) if differing else {}
    return {"days": {d: sorted(heads.get(d, [])) for d in sorted(differing)}}


@dataclass
class ReconcileResult:
    days_compared: int = 0
    days_differing: int = 0
    pulled: int = 0
    pushed: int = 0
    forks: int = 0
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
    digests, recomputed = compare(ours_qs, deep=deep)
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
    result.days_differing = len(their_days)
    mine = _heads(ours_qs, set(their_days), recomputed)
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
                to_pull[key] = l_seq
            elif l_seq > r_seq:
                to_push[key] = r_seq
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
