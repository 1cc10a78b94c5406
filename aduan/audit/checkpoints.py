"""Signed checkpoints of the audit history (docs/SECURITY.md).

A checkpoint is the root of a Merkle tree over every report's chain head — the leaf of a
report is SHA-256 of "<report uuid>:<last seq>:<last hash>" — read in one consistent
snapshot of the database, with the number of reports and events and the previous
checkpoint's root, signed with the node's Ed25519 key (kept outside the database). Since a
chain head's hash covers every event before it, the root covers the whole history.

Where it goes, so that whoever controls the database cannot rewrite it unnoticed:

- a row here (`Checkpoint`), for the record;
- two files for the operator in `AUDIT_CHECKPOINT_DIR`: the signed checkpoint
  (`checkpoint-<node>-<number>.json`) and the heads it was built from
  (`checkpoint-<node>-<number>.heads.gz`, one "uuid seq hash" line per report);
- every paired node, which checks the signature and keeps a copy (`PeerCheckpoint`);
- the public statistics page and the open data (`/statistik/rantai-audit.json`), where
  anyone can keep a copy.

`verify_since(path)` proves that nothing before a checkpoint changed: the heads file
gives the signed root again, and each report's chain still reaches its head with that
hash (the chain itself, and the events after the head, are what `verify_audit_chain`
checks event by event)."""

import gzip
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.dateparse import parse_datetime

from aduan.core import clock
from aduan.federation import keys
from aduan.reports.models import Report, ReportEvent

from .models import Checkpoint

logger = logging.getLogger(__name__)

FORMAT = "aduan-audit-checkpoint/1"


# ------------------------------------------------------------------------ the Merkle root


def leaf(report_uuid, seq: int, digest: str) -> bytes:
    return hashlib.sha256(b"\x00" + f"{report_uuid}:{seq}:{digest}".encode()).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


class MerkleRoot:
    """The root of a Merkle tree built leaf by leaf in O(log n) memory: complete subtrees
    of equal height are joined as soon as both exist (a "mountain range"); the peaks are
    joined right to left at the end. The same leaves in the same order give the same root."""

    def __init__(self):
        self.peaks: list[tuple[int, bytes]] = []
        self.count = 0

    def add(self, value: bytes) -> None:
        height, digest = 0, value
        while self.peaks and self.peaks[-1][0] == height:
            _, left = self.peaks.pop()
            digest = _node(left, digest)
            height += 1
        self.peaks.append((height, digest))
        self.count += 1

    def hexdigest(self) -> str:
        if not self.peaks:
            return hashlib.sha256(b"").hexdigest()
        digest = self.peaks[-1][1]
        for _, left in reversed(self.peaks[:-1]):
            digest = _node(left, digest)
        return digest.hex()


# ------------------------------------------------------------------------ the document


def canonical(body: dict) -> bytes:
    """The bytes that are signed: every field but the signature, keys sorted."""
    unsigned = {k: v for k, v in body.items() if k != "signature"}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":")).encode()


def document(checkpoint: Checkpoint) -> dict:
    return {
        "format": FORMAT,
        "node": checkpoint.node,
        "number": checkpoint.number,
        "created_at": checkpoint.created_at.isoformat(),
        "reports": checkpoint.reports,
        "events": checkpoint.events,
        "root": checkpoint.root,
        "previous_root": checkpoint.previous_root,
        "public_key": keys.public_key_b64(),
        "signature": checkpoint.signature,
    }


def signature_holds(body: dict, public_key: str) -> bool:
    return keys.verify(public_key, canonical(body), str(body.get("signature", "")))


def directory() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR)


def paths(node: str, number: int) -> tuple[Path, Path]:
    base = directory() / f"checkpoint-{node}-{number:06d}"
    return base.with_suffix(".json"), base.with_suffix(".heads.gz")


# ------------------------------------------------------------------------ making one


def _heads():
    """Every report's (uuid, last seq, last hash), in report order, streamed."""
    rows = Report.objects.order_by("pk").values_list("uuid", "last_event_seq", "last_event_hash")
    yield from rows.iterator(chunk_size=5000)


def make_checkpoint() -> Checkpoint:
    """Take a checkpoint of this node's history now and write its files. The heads are read
    by one query, so from one snapshot: a report written meanwhile is wholly in or wholly
    out (its row carries its own head). The event count, read just after, is for people;
    the proof is the heads."""
    directory().mkdir(parents=True, exist_ok=True)
    previous = Checkpoint.objects.order_by("-number").first()
    number = previous.number + 1 if previous else 1
    json_path, heads_path = paths(settings.NODE_ID, number)
    tmp_heads = heads_path.with_suffix(".tmp")
    tree = MerkleRoot()
    with transaction.atomic():
        now = clock.now()
        with gzip.open(tmp_heads, "wt", encoding="ascii") as out:
            for report_uuid, seq, digest in _heads():
                out.write(f"{report_uuid} {seq} {digest}\n")
                tree.add(leaf(report_uuid, seq, digest))
        events = ReportEvent.objects.count()
    checkpoint = Checkpoint(
        number=number,
        node=settings.NODE_ID,
        created_at=now,
        reports=tree.count,
        events=events,
        root=tree.hexdigest(),
        previous_root=previous.root if previous else "",
    )
    checkpoint.signature = keys.sign(canonical(document(checkpoint)))
    tmp_heads.replace(heads_path)
    tmp_json = json_path.with_suffix(".tmp")
    tmp_json.write_text(json.dumps(document(checkpoint), indent=2) + "\n")
    tmp_json.replace(json_path)
    checkpoint.save(force_insert=True)
    cache.delete(CACHE_KEY)
    logger.info("audit checkpoint %s: %s reports, root %s", number, tree.count, tree.hexdigest())
    return checkpoint


def due(now=None) -> bool:
    """Whether the worker should take a checkpoint: none yet, or the last one older than
    `AUDIT_CHECKPOINT_MINUTES`."""
    last = Checkpoint.objects.order_by("-number").only("created_at").first()
    if last is None:
        return True
    now = now or clock.now()
    return (now - last.created_at).total_seconds() >= settings.AUDIT_CHECKPOINT_MINUTES * 60


# ------------------------------------------------------------------------ checking


@dataclass
class Finding:
    where: str
    problem: str


def newest_file() -> Path | None:
    files = sorted(directory().glob(f"checkpoint-{settings.NODE_ID}-*.json"))
    return files[-1] if files else None


def verify_since(path: Path) -> tuple[dict, list[Finding]]:
    """Check the history against the checkpoint in `path` (and its heads file beside it):
    the signature, the root of the heads, and every head still in the database with the
    same hash. Returns the checkpoint and what is wrong."""
    body = json.loads(Path(path).read_text())
    findings: list[Finding] = []
    public_key = keys.public_key_b64()
    if body.get("format") != FORMAT:
        return body, [Finding("checkpoint", f"unknown format {body.get('format')!r}")]
    if body.get("public_key") != public_key:
        findings.append(Finding("checkpoint", "signed with another key than this node's"))
    if not signature_holds(body, public_key):
        findings.append(Finding("checkpoint", "signature does not verify"))
    heads_path = Path(path).with_suffix("").with_suffix(".heads.gz")
    if not heads_path.exists():
        return body, [*findings, Finding("checkpoint", f"{heads_path.name} is missing")]
    stored = Checkpoint.objects.filter(number=body.get("number"), node=body.get("node")).first()
    if stored is not None and (stored.root, stored.signature) != (body["root"], body["signature"]):
        findings.append(Finding("checkpoint", "the database's copy differs from the file"))
    tree = MerkleRoot()
    batch: list[tuple[str, int, str]] = []
    with gzip.open(heads_path, "rt", encoding="ascii") as lines:
        for line in lines:
            report_uuid, seq, digest = line.split()
            tree.add(leaf(report_uuid, int(seq), digest))
            batch.append((report_uuid, int(seq), digest))
            if len(batch) >= 2000:
                findings.extend(_check_heads(batch))
                batch = []
    findings.extend(_check_heads(batch))
    if tree.hexdigest() != body.get("root") or tree.count != body.get("reports"):
        findings.append(Finding("checkpoint", "the heads file does not give the signed root"))
    return body, findings


def _check_heads(batch: list[tuple[str, int, str]]) -> list[Finding]:
    """Each report of the batch still holds, at the checkpoint's seq, the event with the
    checkpoint's hash: an edited, re-hashed, reordered or deleted event before the
    checkpoint, or a deleted report, shows here."""
    if not batch:
        return []
    uuids = [row[0] for row in batch]
    wanted = {(report_uuid, seq) for report_uuid, seq, _ in batch}
    reports = dict(Report.objects.filter(uuid__in=uuids).values_list("uuid", "tracking_number"))
    # The events of these reports at or below their checkpoint heads (the (report, seq)
    # index): one pass over the history in all.
    found = {}
    events = ReportEvent.objects.filter(report__uuid__in=uuids).values_list(
        "report__uuid", "seq", "hash"
    )
    for report_uuid, seq, digest in events.iterator(chunk_size=5000):
        if (str(report_uuid), seq) in wanted:
            found[(str(report_uuid), seq)] = digest
    findings = []
    by_uuid = {str(k): v for k, v in reports.items()}
    for report_uuid, seq, digest in batch:
        number = by_uuid.get(report_uuid)
        if number is None:
            findings.append(Finding(report_uuid, "report deleted since the checkpoint"))
            continue
        if seq == 0:
            continue
        stored = found.get((report_uuid, seq))
        if stored is None:
            findings.append(Finding(number, f"event #{seq} deleted since the checkpoint"))
        elif stored != digest:
            findings.append(Finding(number, f"history up to #{seq} changed since the checkpoint"))
    return findings


def checkpoint_from_peer(body: dict, public_key: str) -> bool:
    """Whether a checkpoint a peer sent is well formed and signed by that peer."""
    required = {"format", "node", "number", "created_at", "root", "reports", "events"}
    if not isinstance(body, dict) or not required <= body.keys():
        return False
    if body["format"] != FORMAT or not isinstance(body["number"], int):
        return False
    if parse_datetime(str(body["created_at"])) is None:
        return False
    return signature_holds(body, public_key)


CACHE_KEY = "audit:latest-checkpoint"


def latest_public() -> dict | None:
    """The newest checkpoint as published (cached for a minute, dropped when a new one is
    taken): pages read it on every view."""
    body = cache.get(CACHE_KEY)
    if body is None:
        checkpoint = Checkpoint.objects.order_by("-number").first()
        body = document(checkpoint) if checkpoint is not None else {}
        cache.set(CACHE_KEY, body, 60)
    return body or None
