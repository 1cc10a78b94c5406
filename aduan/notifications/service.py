"""Creating notifications (inside the caller's transaction) and delivering them.

Delivery is at least once. A notification is claimed (by a conditional update, under the
worker's id) before it is sent and marked sent afterwards. Two tasks for one message, a
retry racing the sweep, a slow mail server: none of them sends it twice, since a claim is
handed over only when the worker holding it is gone (its heartbeat older than
WORKER_HEARTBEAT_MAX_AGE) and a stopping worker finishes the send in hand. What remains is
a worker killed between handing the message to the mail server or gateway and recording
that it did: the sweep gives the claim to another worker, which sends it again. Where the
channel allows, that second copy is recognisably the same message: an e-mail carries a
Message-ID derived from the notification's UUID, and an SMS gateway receives that UUID as
its client reference (`sms.BaseSMSBackend`)."""

import functools
import json
import logging
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from aduan.accounts.models import Role, User
from aduan.core.rowsql import insert_new

from .models import Notification, NotificationChannel, NotificationStatus
from .sms import get_backend

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# Notifications per delivery job queued by the sweep.
SWEEP_BATCH = 50


@functools.lru_cache(maxsize=64)
def _status_label(model, status: str) -> str:
    """A status's label in the messages' language, whatever language the change was made
    in (a staff member working in English disposes a report: the reporter reads
    Indonesian). Kept per process: switching the language is the costly part, and the
    labels are fixed in the code."""
    with translation.override("id"):
        return str(dict(model._meta.get_field("status").flatchoices).get(status, status))


def _base_context(report) -> dict:
    return {
        "tracking_number": report.tracking_number,
        "title": report.title,
        "status": report.status,
        "status_label": _status_label(type(report), report.status),
        "site_url": settings.SITE_URL,
    }


def _create_and_enqueue(notifications: list[Notification]) -> list[Notification]:
    """Insert the notifications of one change together and queue one delivery job for
    them (two statements whatever their number; each is still claimed and retried on its
    own by `deliver`)."""
    if not notifications:
        return []
    from .tasks import deliver_notifications

    insert_new(notifications)
    deliver_notifications.enqueue([n.pk for n in notifications])
    return notifications


def _forward(node: str, report, audience: str, template: str, extra: dict | None) -> list:
    """Ask `node`, which holds the people concerned, to notify them. The context is taken
    here, from the state this change produced, except the links, which are the other
    node's."""
    from aduan.federation.messages import send_notice

    context = _base_context(report) | (extra or {})
    context.pop("site_url", None)
    context["report_agency"] = str(report.agency.uuid) if report.agency_id else None
    context["report_unit"] = str(report.unit.uuid) if report.unit_id else None
    send_notice(node, report, audience, template, context)
    return []


def staff_node(report, audience: str) -> str:
    """The node whose accounts make up `audience` for this report: national admins and
    supervisors work on central, an agency's (or unit's) staff where it is hosted."""
    from aduan.federation.relevance import central_id, owner_for_agency

    if audience in ("national", "supervisors"):
        return central_id() or settings.NODE_ID
    agency = report.unit if audience == "unit" else report.agency
    return owner_for_agency(agency) if agency is not None else settings.NODE_ID


def notify_reporter(
    report, template: str, *, extra: dict | None = None, private=None, forwarded: bool = False
) -> list:
    """Message the reporter: on the channel they chose on a report's page if they chose
    one, else on the channel the report came in by (SMS, WhatsApp), else by e-mail and SMS,
    whichever contacts they gave. Only the node where the report was submitted holds the
    contact and sends; another node asks it."""
    if not forwarded and report.origin_node and report.origin_node != settings.NODE_ID:
        return _forward(report.origin_node, report, "reporter", template, extra)
    reporter = report.reporter
    context = _base_context(report) | (extra or {})
    email = reporter.email
    phone = reporter.phone
    phone_channel = NotificationChannel.SMS
    choice = reporter.reply_channel
    if choice == NotificationChannel.EMAIL and email:
        # The reporter chose e-mail on the report's page: nothing by SMS or WhatsApp.
        phone = ""
    elif choice in (NotificationChannel.SMS, NotificationChannel.WHATSAPP) and phone:
        # The reporter chose a channel for their phone: only that, with the e-mail
        # address as its fallback (`_fallback_for`), as for a report made by SMS.
        email = ""
        phone_channel = choice
    elif report.channel in ("sms", "whatsapp") and reporter.phone:
        # Answers go back on the channel the citizen used; the e-mail address, if the
        # reporter has one, is the fallback when the SMS cannot be delivered (`deliver`).
        email = ""
        if report.channel == "whatsapp":
            # WhatsApp, with SMS to the same number as its fallback (`fall_back`).
            phone_channel = NotificationChannel.WHATSAPP
    return _create_and_enqueue(
        [
            Notification(
                report=report,
                audience="reporter",
                channel=channel,
                address=address,
                template=template,
                context=context,
                private_context=json.dumps(private) if private else "",
            )
            for channel, address in (
                (NotificationChannel.EMAIL, email),
                (phone_channel, phone),
            )
            if address
        ]
    )


def notify_address(
    channel: str, address: str, template: str, *, report=None, extra: dict | None = None
) -> list:
    """Message one address that is not (or not yet) a report's reporter, such as the
    sender of a message answered on its channel (`aduan.channels.intake`)."""
    context = (_base_context(report) if report is not None else {}) | (extra or {})
    return _create_and_enqueue(
        [
            Notification(
                report=report,
                audience="sender",
                channel=channel,
                address=address,
                template=template,
                context=context,
            )
        ]
    )


def staff_recipients(report, audience: str):
    """Active staff who must hear about this report: the unit's officers, the agency's
    admins, or the national admins and the supervisors whose scope covers the region."""
    # Copies of other nodes' accounts are never notified here: their home node does it.
    users = User.objects.filter(is_active=True, home_node="").exclude(email="")
    if audience == "unit":
        return (
            users.filter(role=Role.UNIT_OFFICER, agency_id=report.unit_id)
            if report.unit_id
            else users.none()
        )
    if audience == "agency":
        return (
            users.filter(role=Role.AGENCY_ADMIN, agency_id=report.agency_id)
            if report.agency_id
            else users.none()
        )
    if audience == "national":
        return users.filter(role=Role.NATIONAL_ADMIN)
    if audience == "supervisors":
        scope = Q(scope_region__isnull=True)
        if report.region_id:
            codes = [report.region_id[:i] for i in (2, 5, 8, 13) if len(report.region_id) >= i]
            scope |= Q(scope_region_id__in=codes)
        return users.filter(role=Role.SUPERVISOR).filter(scope)
    raise ValueError(audience)


def notify_staff(
    report, audiences: tuple[str, ...], template: str, *, extra=None, forwarded: bool = False
) -> list:
    context = _base_context(report) | (extra or {})
    pending = []
    seen = set()
    for audience in audiences:
        if not forwarded:
            node = staff_node(report, audience)
            if node != settings.NODE_ID:
                _forward(node, report, audience, template, extra)
                continue
        for user in staff_recipients(report, audience).only("id", "email"):
            if user.pk in seen:
                continue
            seen.add(user.pk)
            pending.append(
                Notification(
                    report=report,
                    recipient_user=user,
                    audience=audience,
                    channel=NotificationChannel.EMAIL,
                    address=user.email,
                    template=template,
                    context=context,
                )
            )
    return _create_and_enqueue(pending)


def render(notification: Notification) -> tuple[str, str]:
    context = dict(notification.context)
    if notification.private_context:
        context.update(json.loads(notification.private_context))
    # Messages go out in Indonesian, the language every reporter can be assumed to read.
    with translation.override("id"):
        if notification.channel == NotificationChannel.SMS:
            return "", render_sms(notification.template, context)
        if notification.channel == NotificationChannel.WHATSAPP:
            return "", render_whatsapp(notification.template, context)
        context.setdefault("zone", _zone_of(notification))
        text = render_to_string(f"notifications/{notification.template}.email.txt", context)
    subject, _, body = text.strip().partition("\n")
    return subject.removeprefix("Subject:").strip(), body.strip() + "\n"


def _zone_of(notification: Notification) -> str:
    """The time zone an e-mail's dates are written in: the report's (its agency's, where
    its deadlines run), else the site's."""
    if notification.report_id is None:
        return settings.TIME_ZONE
    from aduan.reports.deadlines import stored_report_timezone

    return stored_report_timezone(notification.report_id)


# The free texts an SMS may quote (an answer, a question); they are shortened so that the
# whole SMS fits in `CHANNEL_REPLY_MAX_SEGMENTS` parts.
SHORTENED = ("text", "question")


def render_sms(template: str, context: dict) -> str:
    """An SMS from its template, on one line, made GSM-7 where only typographic
    characters stood in the way, and at most `CHANNEL_REPLY_MAX_SEGMENTS` SMS long."""
    from aduan.channels import gsm

    limit = settings.CHANNEL_REPLY_MAX_SEGMENTS

    def build(values: dict) -> str:
        text = render_to_string(f"notifications/{template}.sms.txt", values)
        return gsm.to_gsm7_where_possible(" ".join(text.split()))

    text = build(context)
    quoted = [key for key in SHORTENED if context.get(key)]
    if gsm.segments(text).count <= limit or not quoted:
        return gsm.fit(text, limit)
    key, full = quoted[0], str(context[quoted[0]])

    def shortened(length: int) -> str:
        cut = full[:length].rsplit(" ", 1)[0] if " " in full[:length] else full[:length]
        return build(context | {key: cut.rstrip() + "..."})

    # The longest beginning of the quoted text with which the whole SMS fits.
    low, high = 0, len(full)
    while low < high:
        middle = (low + high + 1) // 2
        if gsm.segments(shortened(middle)).count <= limit:
            low = middle
        else:
            high = middle - 1
    return gsm.fit(shortened(low), limit)


# A WhatsApp text's limit (Meta's Cloud API: 4096 characters).
WHATSAPP_MAX = 4096
# Reply buttons under a domain notification on WhatsApp: (id, title); the id is the text
# the choice stands for, read by the intake like a typed keyword.
WHATSAPP_BUTTONS = {
    "follow_up_posted": [("TERIMA {n}", "Terima"), ("BANDING {n}", "Banding")],
}


def render_whatsapp(template: str, context: dict) -> str:
    """A WhatsApp message from its `.whatsapp.txt` template, else the SMS one; no SMS
    length limit, but WhatsApp's."""
    text = render_to_string(
        [f"notifications/{template}.whatsapp.txt", f"notifications/{template}.sms.txt"],
        context,
    ).strip()
    return text if len(text) <= WHATSAPP_MAX else text[: WHATSAPP_MAX - 3] + "..."


def whatsapp_buttons(notification: Notification) -> list:
    buttons = notification.context.get("buttons")
    if buttons is None:
        number = notification.context.get("tracking_number", "")
        buttons = [
            (key.format(n=number), title)
            for key, title in WHATSAPP_BUTTONS.get(notification.template, [])
        ]
    return [(str(key), str(title)) for key, title in buttons]


def send_whatsapp(notification: Notification, text: str) -> str:
    """Send on WhatsApp: free-form (with reply buttons) while the reporter's last message
    is less than 24 hours old, else the approved template (`channels.gateways.whatsapp`).
    A refusal, the template's included, is final: the outbox falls back to SMS."""
    from aduan.channels.gateways.base import PermanentFailure
    from aduan.channels.gateways.whatsapp import WhatsAppCloudGateway
    from aduan.channels.window import window_open

    if _opted_out(notification):
        raise Undeliverable("the recipient sent BERHENTI (opted out of WhatsApp)")
    try:
        return WhatsAppCloudGateway().send_message(
            notification.address,
            text,
            buttons=whatsapp_buttons(notification),
            window_open=window_open(notification.address),
        )
    except PermanentFailure as exc:
        raise Undeliverable(str(exc)) from exc


def message_id(notification: Notification) -> str:
    """The Message-ID of a notification's e-mail, the same on every attempt: a copy sent
    again after a crash is the same message to the receiving systems, which may drop it
    as a duplicate and thread it as one. The right-hand side is this node's public host
    name (stable across worker processes and machines, unlike the local host name Django
    would use)."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<notification-{notification.uuid}@{host}>"


def send_email(notification: Notification, subject: str, body: str) -> None:
    headers = {
        "Message-ID": message_id(notification),
        # RFC 3834: sent by a program, so vacation responders must not answer it (and
        # the e-mail intake drops any such answer that comes back: no mail loops).
        "Auto-Submitted": "auto-generated",
    }
    if settings.EMAIL_INTAKE_ADDRESS and notification.audience in ("reporter", "sender"):
        # A citizen's reply reaches the e-mail intake (docs/CHANNELS.md), threaded by
        # In-Reply-To to this message and so to its report.
        headers["Reply-To"] = settings.EMAIL_INTAKE_ADDRESS
    answered = notification.context.get("in_reply_to")
    if answered:
        headers["In-Reply-To"] = headers["References"] = answered
    unsubscribe = (
        json.loads(notification.private_context).get("unsubscribe_url")
        if notification.private_context
        else None
    )
    if unsubscribe:
        # Mail sent to a list (the alerts, docs/ALERTS.md): RFC 2369's link, and RFC 8058's
        # one-click POST, which mail clients send without cookies or a login.
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    EmailMessage(
        subject, body, settings.DEFAULT_FROM_EMAIL, [notification.address], headers=headers
    ).send()


class Undeliverable(Exception):
    """The message cannot be delivered on its channel, ever: no retries."""


def _opted_out(notification: Notification) -> bool:
    """The recipient sent BERHENTI on this channel (`aduan.channels`); the one message
    they still get is the confirmation of it."""
    from aduan.accounts.crypto import lookup_hash
    from aduan.accounts.models import normalise_phone
    from aduan.channels.models import BlockKind, SenderBlock

    if notification.context.get("confirms_opt_out"):
        return False
    return SenderBlock.objects.filter(
        channel=notification.channel,
        kind=BlockKind.OPTED_OUT,
        address_lookup=lookup_hash(normalise_phone(notification.address)),
    ).exists()


def send_sms(notification: Notification, text: str) -> str:
    """Hand the SMS to the configured backend; the provider's id for it, or ""."""
    from aduan.channels.gateways.base import PermanentFailure

    if _opted_out(notification):
        raise Undeliverable("the recipient sent BERHENTI (opted out of SMS)")
    try:
        provider_id = get_backend().send(
            notification.address, text, reference=str(notification.uuid)
        )
    except PermanentFailure as exc:
        raise Undeliverable(str(exc)) from exc
    return provider_id if isinstance(provider_id, str) else ""


def deliver(notification_id: int) -> str:
    """Send one notification. Claiming is a conditional update, so two workers (or a
    retry racing a sweep) cannot both send it while it is claimed; a claim whose worker
    died is given up by `sweep`, and the message is then sent again (at least once, see
    the module's docstring). A message given up for good (after MAX_ATTEMPTS, or refused
    by the provider for good) is a dead letter, and the reporter is written to on another
    channel where they gave one (`fall_back`)."""
    from aduan.core.scheduler import current_worker_id

    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, status=NotificationStatus.PENDING
    ).update(
        status=NotificationStatus.SENDING,
        attempts=F("attempts") + 1,
        next_attempt_at=now,
        claimed_by=current_worker_id(),
    )
    if not claimed:
        return "skipped"
    notification = Notification.objects.get(pk=notification_id)
    provider_id = ""
    try:
        subject, body = render(notification)
        if notification.channel == NotificationChannel.EMAIL:
            send_email(notification, subject, body)
        elif notification.channel == NotificationChannel.WHATSAPP:
            provider_id = send_whatsapp(notification, body)
        else:
            provider_id = send_sms(notification, body)
    except Exception as exc:  # noqa: BLE001 - any delivery failure is retried later
        failed = notification.attempts >= MAX_ATTEMPTS or isinstance(exc, Undeliverable)
        delay = timedelta(minutes=2 ** min(notification.attempts, 10))
        reason = str(exc) if isinstance(exc, Undeliverable) else f"{type(exc).__name__}: {exc}"
        with transaction.atomic():
            Notification.objects.filter(pk=notification.pk).update(
                status=NotificationStatus.FAILED if failed else NotificationStatus.PENDING,
                next_attempt_at=None if failed else now + delay,
                last_error=reason[:300],
            )
            if failed:
                fall_back(notification)
        logger.warning(
            "notification %s attempt %s failed", notification.uuid, notification.attempts
        )
        return "failed" if failed else "retry"
    Notification.objects.filter(pk=notification.pk).update(
        status=NotificationStatus.SENT,
        sent_at=timezone.now(),
        last_error="",
        provider_id=provider_id[:100],
        delivery_status="queued" if provider_id else "",
    )
    return "sent"


def _fallback_for(notification: Notification, report) -> tuple[str, str] | None:
    """The channel and address to try after `notification` failed for good, chosen by
    the reporter's contacts: a WhatsApp message (a template refused, a number not on
    WhatsApp) becomes an SMS to the same number, an SMS an e-mail if there is an address.
    Only reports made by SMS or WhatsApp, or reporters who chose one of those, need it: any
    other reporter is written to at every address at once (`notify_reporter`)."""
    reporter = report.reporter
    if notification.channel == NotificationChannel.WHATSAPP and reporter.phone:
        # A reporter who sent BERHENTI on WhatsApp asked for silence, not for SMS.
        if _opted_out(notification):
            return None
        return NotificationChannel.SMS, reporter.phone
    if (
        notification.channel == NotificationChannel.SMS
        and (report.channel in ("sms", "whatsapp") or reporter.reply_channel == "sms")
        and reporter.email
    ):
        return NotificationChannel.EMAIL, reporter.email
    return None


def fall_back(notification: Notification) -> Notification | None:
    """After a message to a reporter failed for good, the same message on the next of
    the reporter's contacts (`_fallback_for`), once."""
    if notification.audience != "reporter" or notification.report_id is None:
        return None
    report = notification.report
    target = _fallback_for(notification, report)
    if target is None:
        return None
    if Notification.objects.filter(fallback_of=notification).exists():
        return None
    created = _create_and_enqueue(
        [
            Notification(
                report=report,
                audience=notification.audience,
                channel=target[0],
                address=target[1],
                template=notification.template,
                context=notification.context,
                private_context=notification.private_context,
                fallback_of=notification,
            )
        ]
    )
    return created[0]


def record_delivery_report(
    provider_id: str, status: str, *, reference: str = "", error: str = ""
) -> Notification | None:
    """The provider's delivery report on a message it accepted. A final failure
    (undelivered, failed) makes the message a dead letter with the provider's reason and
    writes to the reporter on another channel (`fall_back`). Reports arrive out of order
    and more than once: a final state is never replaced by an earlier one."""
    candidates = Notification.objects.filter(provider_id=provider_id) if provider_id else None
    if not candidates and reference:
        try:
            candidates = Notification.objects.filter(uuid=uuid.UUID(reference))
        except ValueError:  # not our reference
            candidates = None
    notification = candidates.first() if candidates is not None else None
    if notification is None:
        return None
    # Reports only move a message forward: queued, sent, then a final state (read, on
    # WhatsApp, after delivered); nothing follows a failure.
    order = {
        "": 0,
        "queued": 1,
        "sent": 2,
        "delivered": 3,
        "undelivered": 3,
        "failed": 3,
        "read": 4,
    }
    if (
        not status
        or notification.delivery_status in ("undelivered", "failed")
        or order.get(status, 0) <= order.get(notification.delivery_status, 0)
    ):
        return notification
    with transaction.atomic():
        fields = {"delivery_status": status, "delivery_updated_at": timezone.now()}
        if status in ("undelivered", "failed"):
            fields |= {
                "status": NotificationStatus.FAILED,
                "last_error": (error or f"provider reports {status}")[:300],
            }
        Notification.objects.filter(pk=notification.pk).update(**fields)
        notification.refresh_from_db()
        if notification.status == NotificationStatus.FAILED:
            fall_back(notification)
    return notification


def sweep(now=None, *, stale_after: timedelta | None = None) -> int:
    """Re-enqueue notifications whose delivery is due again or whose worker died while
    sending. A claim is handed over when it is older than `stale_after`
    (NOTIFICATION_CLAIM_STALE_SECONDS) and the worker that made it no longer writes its
    heartbeat: that worker may have handed the message over already, and it is sent again
    (at least once). A live worker keeps its claim, however slow the send, up to
    NOTIFICATION_CLAIM_MAX_SECONDS. Runs on the worker's schedule; safe to run any number
    of times."""
    from aduan.core.models import WorkerHeartbeat

    from .tasks import deliver_notifications

    now = now or timezone.now()
    if stale_after is None:
        stale_after = timedelta(seconds=settings.NOTIFICATION_CLAIM_STALE_SECONDS)
    alive = WorkerHeartbeat.objects.filter(
        seen_at__gte=now - timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE)
    ).values("worker_id")
    longest = timedelta(seconds=settings.NOTIFICATION_CLAIM_MAX_SECONDS)
    Notification.objects.filter(status=NotificationStatus.SENDING).filter(
        (Q(next_attempt_at__lt=now - stale_after) & ~Q(claimed_by__in=alive))
        | Q(next_attempt_at__lt=now - longest)
    ).update(status=NotificationStatus.PENDING, next_attempt_at=now, claimed_by="")
    due = Notification.objects.filter(status=NotificationStatus.PENDING).filter(
        Q(
            next_attempt_at__isnull=True,
            created_at__lt=now - timedelta(seconds=settings.NOTIFICATION_SWEEP_AFTER_SECONDS),
        )
        | Q(next_attempt_at__lte=now)
    )
    # One job per batch, not per notification: after a burst the delivery lane may be
    # minutes behind, and thousands of pending notifications (most of them already in a
    # waiting job) must not become thousands of jobs. A notification in two jobs is sent
    # once: `deliver` claims it first.
    count = 0
    batch: list[int] = []
    for pk in due.values_list("pk", flat=True).iterator(chunk_size=SWEEP_BATCH):
        batch.append(pk)
        if len(batch) == SWEEP_BATCH:
            deliver_notifications.enqueue(batch)
            count, batch = count + len(batch), []
    if batch:
        deliver_notifications.enqueue(batch)
        count += len(batch)
    return count
