"""Creating notifications (inside the caller's transaction) and delivering them.

Delivery is at least once. A notification is claimed before it is sent and marked sent
afterwards; a worker that dies in between (or whose send hangs past the sweep's staleness
limit) leaves it claimed, and the sweep hands it to another worker, which sends it again.
Where the channel allows, the second copy is recognisably the same message: an e-mail
carries a Message-ID derived from the notification's UUID, and an SMS gateway receives
that UUID as its client reference (`sms.BaseSMSBackend`)."""

import json
import logging
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from aduan.accounts.models import Role, User

from .models import Notification, NotificationChannel, NotificationStatus
from .sms import get_backend

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def _base_context(report) -> dict:
    return {
        "tracking_number": report.tracking_number,
        "title": report.title,
        "status": report.status,
        "status_label": str(report.get_status_display()),
        "site_url": settings.SITE_URL,
    }


def _create_and_enqueue(notifications: list[Notification]) -> list[Notification]:
    """Insert the notifications of one change together and queue one delivery job for
    them (two statements whatever their number; each is still claimed and retried on its
    own by `deliver`)."""
    if not notifications:
        return []
    from .tasks import deliver_notifications

    created = Notification.objects.bulk_create(notifications)
    deliver_notifications.enqueue([n.pk for n in created])
    return created


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
    """Message the reporter by e-mail and SMS, whichever contacts they gave. Only the node
    where the report was submitted holds the contact and sends; another node asks it."""
    if not forwarded and report.origin_node and report.origin_node != settings.NODE_ID:
        return _forward(report.origin_node, report, "reporter", template, extra)
    reporter = report.reporter
    context = _base_context(report) | (extra or {})
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
                (NotificationChannel.EMAIL, reporter.email),
                (NotificationChannel.SMS, reporter.phone),
            )
            if address
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
            text = render_to_string(f"notifications/{notification.template}.sms.txt", context)
            return "", " ".join(text.split())
        text = render_to_string(f"notifications/{notification.template}.email.txt", context)
    subject, _, body = text.strip().partition("\n")
    return subject.removeprefix("Subject:").strip(), body.strip() + "\n"


def message_id(notification: Notification) -> str:
    """The Message-ID of a notification's e-mail, the same on every attempt: a copy sent
    again after a crash is the same message to the receiving systems, which may drop it
    as a duplicate and thread it as one. The right-hand side is this node's public host
    name (stable across worker processes and machines, unlike the local host name Django
    would use)."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<notification-{notification.uuid}@{host}>"


def send_email(notification: Notification, subject: str, body: str) -> None:
    EmailMessage(
        subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        [notification.address],
        headers={"Message-ID": message_id(notification)},
    ).send()


def deliver(notification_id: int) -> str:
    """Send one notification. Claiming is a conditional update, so two workers (or a
    retry racing a sweep) cannot both send it while it is claimed; a claim whose worker
    died is given up by `sweep`, and the message is then sent again (at least once, see
    the module's docstring)."""
    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, status=NotificationStatus.PENDING
    ).update(status=NotificationStatus.SENDING, attempts=F("attempts") + 1, next_attempt_at=now)
    if not claimed:
        return "skipped"
    notification = Notification.objects.get(pk=notification_id)
    try:
        subject, body = render(notification)
        if notification.channel == NotificationChannel.EMAIL:
            send_email(notification, subject, body)
        else:
            get_backend().send(notification.address, body, reference=str(notification.uuid))
    except Exception as exc:  # noqa: BLE001 - any delivery failure is retried later
        failed = notification.attempts >= MAX_ATTEMPTS
        delay = timedelta(minutes=2 ** min(notification.attempts, 10))
        Notification.objects.filter(pk=notification.pk).update(
            status=NotificationStatus.FAILED if failed else NotificationStatus.PENDING,
            next_attempt_at=None if failed else now + delay,
            last_error=f"{type(exc).__name__}: {exc}"[:300],
        )
        logger.warning(
            "notification %s attempt %s failed", notification.uuid, notification.attempts
        )
        return "failed" if failed else "retry"
    Notification.objects.filter(pk=notification.pk).update(
        status=NotificationStatus.SENT, sent_at=timezone.now(), last_error=""
    )
    return "sent"


def sweep(now=None, *, stale_after=timedelta(minutes=10)) -> int:
    """Re-enqueue notifications whose delivery is due again or whose worker died while
    sending. A notification claimed more than `stale_after` ago is taken to belong to a
    dead worker; it may have been handed over already, and is sent again. Runs on the
    worker's schedule; safe to run any number of times."""
    from .tasks import deliver_notification

    now = now or timezone.now()
    Notification.objects.filter(
        status=NotificationStatus.SENDING, next_attempt_at__lt=now - stale_after
    ).update(status=NotificationStatus.PENDING, next_attempt_at=now)
    due = Notification.objects.filter(status=NotificationStatus.PENDING).filter(
        Q(next_attempt_at__isnull=True, created_at__lt=now - timedelta(minutes=2))
        | Q(next_attempt_at__lte=now)
    )
    count = 0
    for pk in due.values_list("pk", flat=True).iterator(chunk_size=500):
        with transaction.atomic():
            deliver_notification.enqueue(pk)
        count += 1
    return count
