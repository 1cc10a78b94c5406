"""Publishing: staff decide which of a reporter's files the public may see.

A reporter's files (sent with the report, with added information or with a reply) are
shared with the staff only: a photo can show the reporter's house, face or street, and
a document can carry their name. An admin who verifies reports looks at a file and
publishes it when it helps the public record; an admin can also withdraw a published
file again, including one staff attached to a follow-up.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy

from ..actors import as_actor
from ..errors import InvalidInput
from ..events import append_event
from ..models import Attachment, EventType, Visibility
from .base import _begin, _now, _save


@transaction.atomic
def publish_attachment(attachment: Attachment, *, actor) -> Attachment:
    """Make a file shared between the reporter and the staff public. It then appears on
    the report's public page, in the public API, Open311 and wherever the report is
    public; never while the report itself is not (unpublished, confidential). Files of
    internal notes and of confidential reports are refused. Publishing a file that is
    already public changes nothing."""
    return _change_visibility(
        attachment,
        "publish_attachment",
        Visibility.PUBLIC,
        EventType.ATTACHMENT_PUBLISHED,
        actor=actor,
    )


@transaction.atomic
def unpublish_attachment(attachment: Attachment, *, actor) -> Attachment:
    """Withdraw a public file: the reporter and the staff still see it, the public no
    longer does. Withdrawing a file that is not public changes nothing."""
    return _change_visibility(
        attachment,
        "unpublish_attachment",
        Visibility.PARTIES,
        EventType.ATTACHMENT_UNPUBLISHED,
        actor=actor,
    )


def _change_visibility(
    attachment: Attachment, action: str, visibility: str, event_type: str, *, actor
) -> Attachment:
    actor = as_actor(actor)
    now = _now()
    report, _ = _begin(attachment.report, action, actor)
    # Read again under the report's lock: every change to a report's files takes it.
    item = Attachment.objects.get(pk=attachment.pk, report=report)
    if item.visibility == Visibility.INTERNAL:
        raise InvalidInput(
            gettext_lazy("Lampiran catatan internal tidak dapat dipublikasikan."),
            field="attachment",
            code="attachment_internal",
        )
    if visibility == Visibility.PUBLIC and report.is_confidential:
        raise InvalidInput(
            gettext_lazy("Lampiran laporan rahasia tidak dapat dipublikasikan."),
            field="attachment",
            code="report_confidential",
        )
    if item.visibility == visibility:
        return item
    item.visibility = visibility
    item.save(update_fields=["visibility"])
    # Shared with the reporter: they learn that their file is now public (or no longer).
    append_event(
        report,
        event_type,
        actor=actor,
        at=now,
        visibility=Visibility.PARTIES,
        payload={"attachment": str(item.uuid), "name": item.name},
    )
    _save(report, now)
    return item
