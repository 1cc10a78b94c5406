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

from aduan.reports.models import Report

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


def _heads(qs: QuerySet[Report], days: set[str] | None = None):
    rows = qs.values_list("submitted_at", "uuid", "last_event_seq", "last_event_hash")
    by_day: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    for submitted_at, key, seq, head in rows.iterator(chunk_size=5000):
        day_key = submitted_at.astimezone(dt.UTC).date().isoformat()
        if days is None or day_key in days:
            by_day[day_key].append((str(key), seq, head))
    return by_day


def day_digests(qs: QuerySet[Report]) -> dict[str, str]:
    digests = {}
    for day, heads in _heads(qs).items():
        digest = hashlib.sha256()
        for key, seq, head in sorted(heads):
            digest.update(f"{key}:{seq}:{head}\n".encode())
        digests[day] = digest.hexdigest()
    return digests


def answer(peer: Peer, their_days: dict[str, str]) -> dict:
    """Responder: for every day that differs, our heads of that day."""
    ours = day_digests(shared_reports(peer))
    differing = {d for d in set(ours) | set(their_days) if ours.get(d) != their_days.get(d)}
    heads = _heads(shared_reports(peer), differing) if differing else {}
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


def reconcile(peer: Peer) -> ReconcileResult:
    """Requester: compare with `peer` and repair both ways."""
    result = ReconcileResult()
    ours_qs = shared_reports(peer)
    digests = day_digests(ours_qs)
    result.days_compared = len(digests)
    status, data = client.call(peer, "POST", "/reconcile", {"v": 1, "days": digests})
    if status != 200:
        raise client.PeerError(f"reconcile: HTTP {status}", status=status, data=data)
    their_days = data.get("days") or {}
    result.days_differing = len(their_days)
    mine = _heads(ours_qs, set(their_days))
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
                raise_alert(
                    AlertKind.FORK,
                    peer=peer.node_id,
                    report_uuid=uuid_module.UUID(key),
                    detail=f"event {l_seq} differs between {settings.NODE_ID} and "
                    f"{peer.node_id} ({l_hash[:12]} vs {r_hash[:12]})",
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
    Peer.objects.filter(pk=peer.pk).update(
        last_reconciled_at=timezone.now(), last_reconcile_result=result.as_dict()
    )
    return result
