"""Appending to a report's hash-chained history, and verifying the chain."""

import contextlib
import contextvars
import datetime as dt
import functools
import hashlib
import hmac
import json
from dataclasses import dataclass

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F
from django.utils import timezone

from aduan.core import clock

from .actors import Actor
from .models import Report, ReportEvent, Visibility

GENESIS = "0" * 64


def as_utc(moment: dt.datetime) -> dt.datetime:
    """The same instant in UTC, as the database gives it back.

    The digest hashes `at.isoformat()`, which spells the offset: an event appended with a
    WITA time ("...+08:00") and read back from the database in UTC ("...+00:00") would no
    longer match its own hash. A naive time is read in the default time zone, as Django
    reads it when saving. Python and both databases keep microseconds, so nothing is
    rounded; the digest of an event already in UTC is unchanged."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment.astimezone(dt.UTC)


def event_digest(event: ReportEvent, report_uuid) -> str:
    body = {
        "report": str(report_uuid),
        "uuid": str(event.uuid),
        "seq": event.seq,
        "type": event.type,
        "visibility": event.visibility,
        # The account's global id, so that every node computes the same digest.
        "actor": str(event.actor_uuid) if event.actor_uuid else None,
        "actor_role": event.actor_role,
        "at": as_utc(event.at).isoformat(),
        "from": event.from_status,
        "to": event.to_status,
        "payload": event.payload,
        "origin": event.origin_node,
        "prev": event.prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# -------------------------------------------------------------------------- the seals
#
# The hash chain shows an edit to anyone who recomputes it, but someone who can write to
# the database can also recompute it after an edit. Each stored event is therefore also
# sealed: an HMAC-SHA256 of its place and hash under a key that lives outside the database
# (`AUDIT_CHAIN_KEYS`). Since an event's hash covers every event before it, a valid seal on
# each event means nobody without the key rewrote the history. Seals are this node's own:
# a node seals the events it stores, its own and those replicated from peers (whose
# hashes it checked on arrival). docs/SECURITY.md.


@functools.cache
def _keys(keys: tuple[str, ...]) -> dict[str, bytes]:
    """Key id -> key; the first key seals, every key verifies (rotation)."""
    table = {}
    for key in keys:
        raw = key.encode("utf-8")
        table[hashlib.sha256(b"aduan-audit-key:" + raw).hexdigest()[:8]] = raw
    return table


def _mac(key: bytes, report_uuid, seq: int, digest: str) -> str:
    message = f"{report_uuid}:{seq}:{digest}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def seal_of(report_uuid, seq: int, digest: str) -> str:
    """The seal of the event `seq` with hash `digest` of report `report_uuid`:
    "<key id>:<hmac>" under the first of `AUDIT_CHAIN_KEYS`."""
    keys = _keys(tuple(settings.AUDIT_CHAIN_KEYS))
    key_id, key = next(iter(keys.items()))
    return f"{key_id}:{_mac(key, report_uuid, seq, digest)}"


def seal_problem(report_uuid, seq: int, digest: str, seal: str) -> str:
    """What is wrong with an event's seal, or "" when it holds."""
    if not seal:
        return "not sealed"
    key_id, _, mac = seal.partition(":")
    key = _keys(tuple(settings.AUDIT_CHAIN_KEYS)).get(key_id)
    if key is None:
        return f"sealed with an unknown key ({key_id})"
    if not hmac.compare_digest(mac, _mac(key, report_uuid, seq, digest)):
        return "seal does not match (changed without the audit key)"
    return ""


# The command (from another node) whose application appends the events being built now.
# Recorded in each event's payload, so that the history itself says which command it
# applied: a node restored from an older backup gets those events back from its peers and
# still knows the command was applied, and never applies it twice.
_applying_command: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "applying_command", default=None
)


@contextlib.contextmanager
def applying_command(command_uuid: str):
    token = _applying_command.set(str(command_uuid))
    try:
        yield
    finally:
        _applying_command.reset(token)


def chain_event(
    report: Report,
    type: str,
    *,
    actor: Actor,
    payload: dict | None = None,
    visibility: str = Visibility.PUBLIC,
    from_status: str = "",
    to_status: str = "",
    at=None,
) -> ReportEvent:
    """The next event of the report's chain, hashed but not yet saved; the report's
    `last_event_seq`/`last_event_hash` already point at it. Lets a new report be inserted
    with its chain head and its first events in one statement each."""
    payload = dict(payload or {})
    command = _applying_command.get()
    if command:
        payload["command"] = command
    event = ReportEvent(
        report=report,
        seq=report.last_event_seq + 1,
        type=type,
        visibility=visibility,
        actor=actor.user,
        actor_uuid=actor.user.uuid if actor.user is not None else None,
        actor_role=actor.role,
        at=as_utc(at or clock.now()),
        from_status=from_status,
        to_status=to_status,
        payload=json.loads(json.dumps(payload, cls=DjangoJSONEncoder)),
        origin_node=settings.NODE_ID,
        prev_hash=report.last_event_hash or GENESIS,
    )
    event.hash = event_digest(event, report.uuid)
    event.seal = seal_of(report.uuid, event.seq, event.hash)
    report.last_event_seq = event.seq
    report.last_event_hash = event.hash
    return event


def append_event(report: Report, type: str, *, actor: Actor, **fields) -> ReportEvent:
    """Append one event. The caller holds the report's row lock inside a transaction and
    saves `last_event_seq`/`last_event_hash` together with its own changes."""
    event = chain_event(report, type, actor=actor, **fields)
    event.save(force_insert=True)
    return event


@dataclass
class ChainProblem:
    tracking_number: str
    seq: int | None
    problem: str


_AGENCY_EVENTS = ("dispositioned", "redispositioned")


class _Projection:
    """What a report's events say its row must hold: the status of the last change of
    status, the confidentiality and anonymity given at submission (and changed by staff
    edits since), the agency of the last disposition not returned since. Events stored
    before submissions recorded confidentiality and anonymity leave those unchecked."""

    def __init__(self):
        self.status = None
        self.is_confidential = None
        self.is_anonymous = None
        self.agency = None
        self.agency_known = False

    def add(self, event: ReportEvent) -> None:
        payload = event.payload if isinstance(event.payload, dict) else {}
        if event.to_status:
            self.status = event.to_status
        if event.type == "submitted":
            if "is_confidential" in payload:
                self.is_confidential = bool(payload["is_confidential"])
            if "is_anonymous" in payload:
                self.is_anonymous = bool(payload["is_anonymous"])
        changes = payload.get("changes")
        if isinstance(changes, dict) and isinstance(changes.get("is_confidential"), list):
            self.is_confidential = bool(changes["is_confidential"][-1])
        if event.type in _AGENCY_EVENTS and payload.get("agency"):
            self.agency, self.agency_known = str(payload["agency"]), True
        elif event.type == "returned":
            self.agency_known = False

    def problems(self, report: Report) -> list[str]:
        found = []
        if self.status is not None and report.status != self.status:
            found.append(f"row status {report.status!r}, its events say {self.status!r}")
        if self.is_confidential is not None and report.is_confidential != self.is_confidential:
            found.append(
                f"row confidential={report.is_confidential}, its events say {self.is_confidential}"
            )
        if self.is_anonymous is not None and report.is_anonymous != self.is_anonymous:
            found.append(f"row anonymous={report.is_anonymous}, its events say {self.is_anonymous}")
        if (
            self.agency_known
            and hasattr(report, "agency_uuid")
            and (str(report.agency_uuid) != self.agency)
        ):
            found.append("row agency differs from the last disposition")
        return found


def verify_report_chain(report: Report) -> list[ChainProblem]:
    """The problems of one report's history: links, contents, seals, the head, and the
    report row against what its events say. `report` carries `agency_uuid` when the
    agency is to be checked (`verify_audit_chain` annotates it)."""
    problems: list[ChainProblem] = []
    projection = _Projection()
    prev = GENESIS
    expected_seq = 1
    last = None
    events = report.events.annotate(account_uuid=F("actor__uuid")).order_by("seq")
    for event in events.iterator(chunk_size=500):
        if event.seq != expected_seq:
            problems.append(
                ChainProblem(report.tracking_number, event.seq, f"expected seq {expected_seq}")
            )
            expected_seq = event.seq
        if event.prev_hash != prev:
            problems.append(ChainProblem(report.tracking_number, event.seq, "broken link"))
        if event_digest(event, report.uuid) != event.hash:
            problems.append(ChainProblem(report.tracking_number, event.seq, "content changed"))
        broken_seal = seal_problem(report.uuid, event.seq, event.hash, event.seal)
        if broken_seal:
            problems.append(ChainProblem(report.tracking_number, event.seq, broken_seal))
        if event.account_uuid != event.actor_uuid:
            # The hash covers the account's global id; the local key must name that account.
            problems.append(ChainProblem(report.tracking_number, event.seq, "actor changed"))
        projection.add(event)
        prev = event.hash
        expected_seq += 1
        last = event
    if last is None or last.seq != report.last_event_seq or last.hash != report.last_event_hash:
        problems.append(
            ChainProblem(report.tracking_number, None, "chain head does not match the report")
        )
    problems.extend(
        ChainProblem(report.tracking_number, None, text) for text in projection.problems(report)
    )
    return problems
