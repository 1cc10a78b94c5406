"""What pages show of commands sent to the node that owns a report: waiting, refused
(with the owner's reason, in the reader's language) or applied but not yet copied back."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from aduan.reports.workflow import ACTION_LABELS

from .models import Message, MessageKind, MessageStatus

# Refusals stay on the page this long, so that the person who acted sees why.
SHOW_REFUSED_FOR = timedelta(days=14)
PENDING_NOTICE = _(
    "Laporan ini ditangani server %(node)s. Tindakan Anda telah dikirim ke sana dan akan "
    "tampil di riwayat begitu server itu menerapkannya."
)


@dataclass
class CommandLine:
    action: str
    label: str
    status: str
    node: str
    at: datetime
    reason: str

    @property
    def waiting(self) -> bool:
        return self.status == MessageStatus.PENDING


def commands_for(report, *, reporter_only: bool = False, now=None) -> list[CommandLine]:
    """Commands about `report` that this node sent and that are waiting, were refused
    recently, or were applied but whose result has not reached this node yet."""
    now = now or timezone.now()
    rows = Message.objects.filter(report=report, kind=MessageKind.COMMAND).order_by("-created_at")[
        :20
    ]
    english = (translation.get_language() or "id").startswith("en")
    lines = []
    for message in rows:
        if reporter_only and (message.body.get("actor") or {}).get("kind") != "reporter":
            continue
        status = message.status
        if status == MessageStatus.REFUSED and now - message.created_at > SHOW_REFUSED_FOR:
            continue
        if (
            status == MessageStatus.APPLIED
            and (message.result or {}).get("seq", 0) <= report.last_event_seq
        ):
            continue  # its events are here: the timeline shows it
        reason = ""
        if status == MessageStatus.REFUSED:
            reason = (message.result or {}).get("reason_en" if english else "reason") or (
                message.reason
            )
        lines.append(
            CommandLine(
                action=message.action,
                label=str(ACTION_LABELS.get(message.action, message.action)),
                status=status,
                node=message.target,
                at=message.created_at,
                reason=reason,
            )
        )
    return lines
