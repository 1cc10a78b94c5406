"""Appending to a report's hash-chained history, and verifying the chain."""

import contextlib
import contextvars
import datetime as dt
import hashlib
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


def verify_report_chain(report: Report) -> list[ChainProblem]:
    problems: list[ChainProblem] = []
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
        if event.account_uuid != event.actor_uuid:
            # The hash covers the account's global id; the local key must name that account.
            problems.append(ChainProblem(report.tracking_number, event.seq, "actor changed"))
        prev = event.hash
        expected_seq += 1
        last = event
    if last is None or last.seq != report.last_event_seq or last.hash != report.last_event_hash:
        problems.append(
            ChainProblem(report.tracking_number, None, "chain head does not match the report")
        )
    return problems
