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
from django.db.models import QuerySet
from django.utils import timezone

from aduan.reports.events import GENESIS, event_digest
from aduan.reports.models import Report, ReportEvent

from . import client, inbound, outbound
from .alerts import raise_alert
from .models import AlertKind, Holding, NodeRole, Peer

CHUNK = 200


def shared_reports(peer: Peer) -> QuerySet[Report]:
    """The reports this node holds that `peer` should hold as well."""
    if peer.role == NodeRole.CENTRAL or settings.NODE_ROLE != NodeRole.CENTRAL:
        return Report.objects.all()
    return Report.objects.filter(
        pk__in=Holding.objects.filter(node=peer.node_id).values("report_id")
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


def _heads(qs: QuerySet[Report], days: set[str] | None = None, *, deep: bool = False):
    recomputed = recomputed_heads(qs) if deep else {}
    rows = qs.values_list("pk", "submitted_at", "uuid", "last_event_seq", "last_event_hash")
    by_day: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    for pk, submitted_at, key, seq, head in rows.iterator(chunk_size=5000):
        day_key = submitted_at.astimezone(dt.UTC).date().isoformat()
        if days is None or day_key in days:
            by_day[day_key].append((str(key), seq, recomputed.get(pk, head) if deep else head))
    return by_day


def day_digests(qs: QuerySet[Report], *, deep: bool = False) -> dict[str, str]:
    digests = {}
    for day, heads in _heads(qs, deep=deep).items():
        digest = hashlib.sha256()
        for key, seq, head in sorted(heads):
            digest.update(f"{key}:{seq}:{head}\n".encode())
        digests[day] = digest.hexdigest()
    return digests


def answer(peer: Peer, their_days: dict[str, str], *, deep: bool = False) -> dict:
    """Responder: for every day that differs, our heads of that day."""
    ours = day_digests(shared_reports(peer), deep=deep)
    differing = {d for d in set(ours) | set(their_days) if ours.get(d) != their_days.get(d)}
    heads = _heads(shared_reports(peer), differing, deep=deep) if differing else {}
    return {"days": {d: sorted(heads.get(d, [])) for d in sorted(differing)}}


@dataclass
class ReconcileResult:
    days_compared: int = 0
    days_differing: int = 0
    pulled: int = 0
    pushed: int = 0
    forks: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return self.__dict__ | {"errors": self.errors[:20]}


def reconcile(peer: Peer, *, deep: bool = False) -> ReconcileResult:
    """Requester: compare with `peer` and repair both ways. `deep` compares each history
    recomputed from its events rather than the stored heads, so that an event edited in
    place on either node shows up even if its stored hash was left alone."""
    result = ReconcileResult()
    ours_qs = shared_reports(peer)
    digests = day_digests(ours_qs, deep=deep)
    result.days_compared = len(digests)
    status, data = client.call(peer, "POST", "/reconcile", {"v": 1, "days": digests, "deep": deep})
    if status != 200:
        raise client.PeerError(f"reconcile: HTTP {status}", status=status, data=data)
    their_days = data.get("days") or {}
    result.days_differing = len(their_days)
    mine = _heads(ours_qs, set(their_days), deep=deep)
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
    done = {"last_reconciled_at": timezone.now(), "last_reconcile_result": result.as_dict()}
    if deep:
        done["last_deep_reconciled_at"] = done["last_reconciled_at"]
    Peer.objects.filter(pk=peer.pk).update(**done)
    return result
