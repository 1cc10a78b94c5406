"""A report's conversation on the channels, as the staff and the reporter read it: the
messages received (attached to the report by the intake) and the messages sent to the
reporter or the sender on a channel, oldest first. The sender's number is never shown:
staff who may see the reporter's identity read it in the identity panel, which logs the
read. Texts are plain strings; templates escape them."""

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
    # The messages on the channel the reporter used (e-mail for a report made by e-mail).
    channels = (
        (NotificationChannel.EMAIL,)
        if report.channel == "email"
        else (NotificationChannel.SMS, NotificationChannel.WHATSAPP)
    )
    for notification in Notification.objects.filter(
        report=report,
        channel__in=channels,
        audience__in=("reporter", "sender"),
    ):
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
