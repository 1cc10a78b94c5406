"""A report's conversation on the channels, as the staff and the reporter read it: the
messages received (attached to the report by the intake) and the messages sent to the
reporter or the sender on a channel, oldest first. The sender's number is never shown:
staff who may see the reporter's identity read it in the identity panel, which logs the
read. Texts are plain strings; templates escape them."""

import heapq
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from aduan.notifications.models import Notification, NotificationChannel, NotificationStatus
from aduan.notifications.service import render

from .models import Message

# What the provider reported, else where the outbox is with the message.
DELIVERY_LABELS = {
    "queued": _("Diterima operator"),
    "sent": _("Dikirim operator"),
    "delivered": _("Sampai"),
    "read": _("Dibaca"),
    "undelivered": _("Tidak sampai"),
    "failed": _("Gagal"),
}


# What a chat message carried besides its text (the file itself is among the report's
# attachments).
KIND_LABELS = {
    "image": _("[foto]"),
    "document": _("[dokumen]"),
    "location": _("[lokasi]"),
    "other": _("[pesan yang tidak dapat dibaca]"),
}


@dataclass
class Line:
    at: object
    incoming: bool
    channel: str
    status: str
    text: str
    # Tells a message from an event in a timeline that holds both (`with_messages`).
    message: bool = True


def with_messages(entries: list, lines: list[Line], when) -> list:
    """A report's timeline with the messages exchanged on its channels in their places:
    both lists are in time order and `when(entry)` is an entry's time."""
    return list(
        heapq.merge(
            entries, lines, key=lambda item: item.at if isinstance(item, Line) else when(item)
        )
    )


def conversation(report) -> list[Line]:
    lines = [
        Line(
            m.received_at,
            True,
            m.get_channel_display(),
            m.get_status_display(),
            m.text if m.kind not in KIND_LABELS else f"{KIND_LABELS[m.kind]} {m.text}".strip(),
        )
        for m in Message.objects.filter(report=report).only(
            "received_at", "channel", "status", "text", "kind"
        )
    ]
    # The messages on the channel the report came in by (a WhatsApp message may fall back
    # to an SMS) and on the one the reporter chose to hear on, if they chose one. A web
    # report's e-mails and SMS are notices, not a conversation: not shown.
    channels = {
        "sms": {NotificationChannel.SMS},
        "whatsapp": {NotificationChannel.WHATSAPP, NotificationChannel.SMS},
        "email": {NotificationChannel.EMAIL},
    }.get(report.channel, set())
    if report.reporter.reply_channel:
        channels.add(report.reporter.reply_channel)
    outgoing = Notification.objects.filter(
        report=report, channel__in=channels, audience__in=("reporter", "sender")
    )
    for notification in outgoing if channels else ():
        # The secret of the tracking link stays out of pages: rendered without it.
        notification.private_context = ""
        status = DELIVERY_LABELS.get(notification.delivery_status) or (
            NotificationStatus(notification.status).label
        )
        lines.append(
            Line(
                notification.created_at,
                False,
                notification.get_channel_display(),
                status,
                render(notification)[1],
            )
        )
    lines.sort(key=lambda line: line.at)
    return lines
