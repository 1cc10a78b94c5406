"""Commands and notices between nodes.

A command is an action taken on a node that does not own the report (a citizen replying on
central's site to a report a region owns, a supervisor's note, the national admin
re-disposing). It is stored here as a Message, delivered to the owner until it answers,
and applied there through the same domain action and permission checks as a local action.
The owner records the command's id with its outcome in the action's own transaction
(`AppliedMessage`), so a command delivered twice is applied once and answered the same way
both times. A refusal comes back with its reason; the result itself (the new events)
reaches the issuing node by replication.

A notice asks the node that holds the people concerned to notify them: the reporter's
contact lives on the node where the report was submitted, national admins and supervisors
on central, an agency's staff on the node that hosts it.
"""

import base64
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from aduan.accounts.models import Role, User
from aduan.agencies.models import Agency
from aduan.reports import actions
from aduan.reports.actors import PUBLIC, Actor
from aduan.reports.errors import DomainError
from aduan.reports.events import applying_command
from aduan.reports.models import Attachment, Report, ReportEvent

from . import client
from .inbound import Refused
from .models import AppliedMessage, Message, MessageKind, MessageStatus, NodeRole, Peer
from .outbound import backoff_seconds

logger = logging.getLogger(__name__)

# The actions a command may carry, by name.
ACTIONS = {
    "verify": actions.verify_report,
    "dispose": actions.dispose_report,
    "put_on_hold": actions.put_on_hold,
    "add_information": actions.add_information,
    "archive": actions.archive_report,
    "forward_to_unit": actions.forward_to_unit,
    "return_not_authority": actions.return_not_authority,
    "redispose": actions.redispose_report,
    "acknowledge": actions.acknowledge_report,
    "post_follow_up": actions.post_follow_up,
    "post_progress_update": actions.post_progress_update,
    "take_report": actions.take_report,
    "assign_report": actions.assign_report,
    "release_report": actions.release_report,
    "add_internal_note": actions.add_internal_note,
    "set_needs_inspection": actions.set_needs_inspection,
    "reporter_reply": actions.reporter_reply,
    "accept": actions.accept_response,
    "rate": actions.rate_report,
    "contest": actions.contest_response,
    "withdraw": actions.withdraw_report,
    "close": actions.close_report,
    "publish_attachment": lambda report, attachment, *, actor: actions.publish_attachment(
        attachment, actor=actor
    ),
    "unpublish_attachment": lambda report, attachment, *, actor: actions.unpublish_attachment(
        attachment, actor=actor
    ),
    "support": actions.support_report,
    "unmerge": actions.unmerge_report,
}


# ------------------------------------------------------------------ arguments on the wire


def encode_value(value):
    if isinstance(value, Attachment):
        return {"$attachment": str(value.uuid)}
    if isinstance(value, Agency):
        return {"$agency": str(value.uuid)}
    if isinstance(value, Report):
        return {"$report": str(value.uuid)}
    if isinstance(value, User):
        return {"$user": str(value.uuid)}
    if hasattr(value, "slug") and value.__class__.__name__ == "Category":
        return {"$category": value.slug}
    if hasattr(value, "read") and hasattr(value, "name"):
        value.seek(0)
        content = value.read()
        value.seek(0)
        return {"$file": {"name": value.name, "content": base64.b64encode(content).decode()}}
    if isinstance(value, list | tuple):
        return [encode_value(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "pk") and hasattr(value, "code"):  # a Region
        return value.code
    raise TypeError(f"cannot send {type(value).__name__} in a command")


def decode_value(value):
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    if isinstance(value, dict):
        if "$agency" in value:
            agency = Agency.objects.filter(uuid=value["$agency"]).first()
            if agency is None:
                raise Refused(f"unknown agency {value['$agency']}")
            return agency
        if "$report" in value:
            report = Report.objects.filter(uuid=value["$report"]).first()
            if report is None:
                raise Refused(f"unknown report {value['$report']}")
            return report
        if "$attachment" in value:
            attachment = Attachment.objects.filter(uuid=value["$attachment"]).first()
            if attachment is None:
                raise Refused(f"unknown attachment {value['$attachment']}")
            return attachment
        if "$user" in value:
            # An officer to assign: staff of the owner's own agencies, so known there.
            user = User.objects.filter(uuid=value["$user"]).first()
            if user is None:
                raise Refused(f"unknown account {value['$user']}")
            return user
        if "$category" in value:
            return value["$category"]
        if "$file" in value:
            data = value["$file"]
            return SimpleUploadedFile(data["name"], base64.b64decode(data["content"]))
    return value


def actor_to_wire(actor: Actor, report: Report) -> dict:
    if actor.user is not None and actor.user.role != Role.CITIZEN:
        user = actor.user
        return {
            "kind": "user",
            "uuid": str(user.uuid),
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "role": user.role,
            "agency": str(user.agency.uuid) if user.agency_id else None,
            "node": user.home_node or settings.NODE_ID,
        }
    if actor.is_reporter_of(report):
        return {"kind": "reporter", "report": str(report.uuid)}
    if actor.public:
        # A supporter: no identity travels (the issuing node checked their contact and
        # sends only its keyed hash, see actions.support_report).
        return {"kind": "public"}
    raise ValueError("only staff, the report's reporter or the public can send a command")


def actor_from_wire(peer: Peer, data: dict, report: Report) -> Actor:
    """The actor a peer asserts, if that peer may speak for them.

    The reporter: only the node where the report was submitted, which holds their contact
    and checked their secret link or account. A staff account: only its home node, and a
    regional node only for the agencies it hosts; central for national roles and the
    agencies it hosts."""
    if data.get("kind") == "public":
        # The public may only support a report (permissions.PUBLIC_ACTIONS); any peer may
        # speak for it.
        return PUBLIC
    if data.get("kind") == "reporter":
        if data.get("report") != str(report.uuid) or peer.node_id != report.origin_node:
            raise Refused(f"{peer.node_id} cannot speak for the reporter of {report.uuid}")
        return Actor(reporter_id=report.reporter_id)
    if data.get("kind") != "user" or data.get("node") != peer.node_id:
        raise Refused("an account is asserted only by its home node")
    role = data.get("role")
    agency = Agency.objects.filter(uuid=data["agency"]).first() if data.get("agency") else None
    if data.get("agency") and agency is None:
        raise Refused(f"unknown agency {data['agency']}")
    hosted_at = ""
    if agency is not None:
        hosted_at = agency.node or (agency.parent.node if agency.parent_id else "")
    if peer.role == NodeRole.REGIONAL:
        if role not in (Role.AGENCY_ADMIN, Role.UNIT_OFFICER) or hosted_at != peer.node_id:
            raise Refused(f"{peer.node_id} cannot assert a {role} of {data.get('agency')}")
    elif role not in (Role.NATIONAL_ADMIN, Role.SUPERVISOR) and hosted_at:
        raise Refused(f"{peer.node_id} cannot assert a {role} of an agency hosted at {hosted_at}")
    user = User.objects.filter(uuid=data["uuid"]).first()
    if user is None:
        from django.contrib.auth.hashers import make_password

        user = User(uuid=data["uuid"], password=make_password(None), home_node=peer.node_id)
        user.username = f"{peer.node_id}~{data.get('username', '')}"[:150]
    elif user.home_node != peer.node_id:
        raise Refused(f"account {data['uuid']} does not belong to {peer.node_id}")
    user.first_name = (data.get("first_name") or "")[:150]
    user.last_name = (data.get("last_name") or "")[:150]
    user.role = role
    user.agency = agency
    user.is_active = True
    user.save()
    return Actor(user=user)


# ------------------------------------------------------------------------- issuing side


@dataclass
class Pending:
    """What a page or API answers when the action became a command to another node."""

    message: Message

    @property
    def node(self) -> str:
        return self.message.target


def send_command(report: Report, action: str, *args, actor: Actor, **kwargs) -> Message:
    """Store a command for the report's owner; the worker delivers it."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action}")
    body = {
        "report": str(report.uuid),
        "action": action,
        "args": [encode_value(a) for a in args],
        "kwargs": {k: encode_value(v) for k, v in kwargs.items()},
        "actor": actor_to_wire(actor, report),
    }
    return Message.objects.create(
        target=report.owner_node,
        kind=MessageKind.COMMAND,
        report=report,
        actor=actor.user if actor.user is not None and actor.user.pk else None,
        action=action,
        body=body,
        created_at=timezone.now(),
        next_attempt_at=timezone.now(),
    )


def send_notice(node: str, report: Report, audience: str, template: str, extra: dict) -> Message:
    return Message.objects.create(
        target=node,
        kind=MessageKind.NOTICE,
        report=report,
        action=template,
        body={
            "report": str(report.uuid),
            "audience": audience,
            "template": template,
            "extra": extra,
        },
        created_at=timezone.now(),
        next_attempt_at=timezone.now(),
    )


def pending_commands(report: Report):
    return Message.objects.filter(
        report=report, kind=MessageKind.COMMAND, status=MessageStatus.PENDING
    )


def deliver(peer: Peer, *, limit: int = 50) -> int:
    """Send due messages to `peer`; return how many were answered."""
    now = timezone.now()
    due = Message.objects.filter(
        target=peer.node_id, status=MessageStatus.PENDING, next_attempt_at__lte=now
    ).order_by("created_at", "id")[:limit]
    answered = 0
    for message in due:
        body = {"v": 1, "uuid": str(message.uuid), "kind": message.kind} | message.body
        try:
            status, data = client.call(peer, "POST", "/messages", body)
        except client.PeerError as exc:
            _retry(message, str(exc))
            break
        outcome = data.get("status") if isinstance(data, dict) else None
        if status == 200 and outcome in (MessageStatus.APPLIED, MessageStatus.REFUSED):
            Message.objects.filter(pk=message.pk).update(
                status=outcome,
                reason=data.get("reason", "")[:2000],
                result=data,
                completed_at=timezone.now(),
                last_error="",
                attempts=message.attempts + 1,
            )
            answered += 1
        elif (
            status == 200
            and outcome == "redirect"
            and data.get("owner")
            and message.kind == MessageKind.COMMAND
        ):
            owner = data["owner"]
            if owner == settings.NODE_ID:
                # The report came back to this node meanwhile: the command is applied here.
                answered += apply_here(message)
                continue
            target = owner if Peer.objects.filter(node_id=owner).exists() else message.target
            Message.objects.filter(pk=message.pk).update(target=target)
            _retry(message, f"owner is now {owner}")
        else:
            _retry(message, f"HTTP {status}: {data}")
    return answered


def apply_here(message: Message) -> int:
    """Apply a command this node sent, now that this node owns the report, as the person
    who acted here. Returns 1 when it has its answer."""

    def local_actor(report):
        if message.actor_id is not None:
            return Actor(user=message.actor)
        if (message.body.get("actor") or {}).get("kind") == "reporter":
            return Actor(reporter_id=report.reporter_id)
        raise Refused("a command without an actor")

    body = {"uuid": str(message.uuid)} | message.body
    with transaction.atomic():
        try:
            with transaction.atomic():
                outcome = run_command(message.report, body, local_actor)
        except Refused as exc:
            outcome = {"status": MessageStatus.REFUSED, "reason": str(exc)}
        if outcome["status"] not in (MessageStatus.APPLIED, MessageStatus.REFUSED):
            _retry(message, f"owner is now {outcome.get('owner')}")
            return 0
        # Applied (or refused) here: this node keeps the record, as an owner does.
        AppliedMessage.objects.get_or_create(
            uuid=message.uuid,
            defaults={
                "source": settings.NODE_ID,
                "kind": MessageKind.COMMAND,
                "applied_at": timezone.now(),
                "outcome": outcome,
            },
        )
    Message.objects.filter(pk=message.pk).update(
        target=settings.NODE_ID,
        status=outcome["status"],
        reason=outcome.get("reason", "")[:2000],
        result=outcome,
        completed_at=timezone.now(),
        attempts=message.attempts + 1,
    )
    return 1


def _retry(message: Message, error: str) -> None:
    attempts = message.attempts + 1
    Message.objects.filter(pk=message.pk).update(
        attempts=attempts,
        last_error=error[:2000],
        next_attempt_at=timezone.now() + timedelta(seconds=backoff_seconds(attempts)),
    )


# ------------------------------------------------------------------------ receiving side


def apply_message(peer: Peer, body: dict) -> dict:
    """Apply a command or notice exactly once; the same answer for a repeat."""
    key = body.get("uuid")
    kind = body.get("kind")
    if not key or kind not in MessageKind.values:
        raise Refused("a message needs a uuid and a known kind")
    done = AppliedMessage.objects.filter(uuid=key).first()
    if done is not None:
        return done.outcome
    report = Report.objects.filter(uuid=body.get("report")).first()
    if report is None:
        return {"status": "retry", "reason": "report not here yet"}
    try:
        with transaction.atomic():
            if kind == MessageKind.COMMAND:
                outcome = _apply_command(peer, body, report)
                if outcome["status"] == "redirect":
                    return outcome
            else:
                outcome = _apply_notice(peer, body, report)
            AppliedMessage.objects.create(
                uuid=key,
                source=peer.node_id,
                kind=kind,
                applied_at=timezone.now(),
                outcome=outcome,
            )
    except IntegrityError:
        done = AppliedMessage.objects.filter(uuid=key).first()
        if done is None:
            raise
        return done.outcome
    return outcome


def _apply_command(peer: Peer, body: dict, report: Report) -> dict:
    return run_command(
        report, body, lambda locked: actor_from_wire(peer, body.get("actor") or {}, locked)
    )


def run_command(report: Report, body: dict, actor_for) -> dict:
    """Apply a command on the owner (this node), once: `actor_for(locked_report)` gives the
    actor. Returns the outcome; "redirect" when another node owns the report now."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    applied = (
        ReportEvent.objects.filter(report=report, payload__command=body["uuid"])
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    if applied is not None:
        # Its events are in the history (this node's record of the answer was lost, e.g. a
        # restore from a backup, and the events came back from a peer): applied already.
        return {"status": MessageStatus.APPLIED, "seq": applied}
    if report.owner_node != settings.NODE_ID:
        return {"status": "redirect", "owner": report.owner_node}
    func = ACTIONS.get(body.get("action"))
    if func is None:
        raise Refused(f"unknown action {body.get('action')!r}")
    actor = actor_for(report)
    args = [decode_value(a) for a in body.get("args") or []]
    kwargs = {k: decode_value(v) for k, v in (body.get("kwargs") or {}).items()}
    if "actor" in kwargs:
        raise Refused("the actor is not an argument")
    try:
        with transaction.atomic(), applying_command(body["uuid"]):
            updated = func(report, *args, actor=actor, **kwargs)
    except DomainError as exc:
        reason_id, reason_en = exc.message_id, exc.message_en
        return {
            "status": MessageStatus.REFUSED,
            "code": exc.code,
            "reason": reason_id,
            "reason_en": reason_en,
        }
    return {"status": MessageStatus.APPLIED, "seq": updated.last_event_seq}


def _apply_notice(peer: Peer, body: dict, report: Report) -> dict:
    from aduan.notifications.service import notify_reporter, notify_staff

    audience = body.get("audience")
    template = body.get("template") or ""
    extra = body.get("extra") or {}
    if audience == "reporter":
        if report.origin_node != settings.NODE_ID:
            return {"status": MessageStatus.REFUSED, "reason": "reporter contact not here"}
        created = notify_reporter(report, template, extra=extra, forwarded=True)
    else:
        # Recipients follow the agency and unit of the change that caused the notice, even
        # if its events have not reached this node yet.
        for field in ("agency", "unit"):
            key = extra.get(f"report_{field}")
            setattr(report, field, Agency.objects.filter(uuid=key).first() if key else None)
        if audience not in ("national", "supervisors", "agency", "unit"):
            raise Refused(f"unknown audience {audience!r}")
        created = notify_staff(report, (audience,), template, extra=extra, forwarded=True)
    return {"status": MessageStatus.APPLIED, "notifications": len(created)}
