"""The reporter's secret tracking link, issued again.

Only the hash of a link's secret is stored (`intake.submit_report`), so a lost link cannot
be sent again as it was: a new secret replaces it, and the old link stops opening the
report at once (`portal.grants` checks the secret on every request). That is also what a
citizen who lost the link wants: a link on a lost phone or in a forwarded e-mail should
stop working. The new link goes only to the reporter's contact on file, through the
outbox; it is never shown on a page.

The secret belongs to the node that holds the reporter's contact and sends their messages
(the report's origin node); it is not part of the history that nodes share, so issuing it
again appends no event.
"""

import json
import secrets

from django.conf import settings
from django.db import transaction

from aduan.notifications.models import Notification, NotificationChannel

from ..access import token_hash
from ..models import Report


def reissue_secret_link(report: Report, *, channel: str, address: str) -> Notification:
    """Replace the secret of `report`'s tracking link and queue the new link to `address`
    (`channel` email or sms), which the caller has matched with the reporter's contact on
    file. The row is locked so that two requests at once leave the secret of the last
    message queued."""
    from aduan.notifications.tasks import deliver_notification

    if channel not in (NotificationChannel.EMAIL, NotificationChannel.SMS):
        raise ValueError(channel)
    secret = secrets.token_urlsafe(24)
    with transaction.atomic():
        locked = Report.objects.select_for_update(of=("self",)).get(pk=report.pk)
        Report.objects.filter(pk=locked.pk).update(access_token_hash=token_hash(secret))
        notification = Notification.objects.create(
            report=locked,
            audience="reporter",
            channel=channel,
            address=address,
            template="secret_link",
            context={
                "tracking_number": locked.tracking_number,
                "title": locked.title,
                "site_url": settings.SITE_URL,
            },
            private_context=json.dumps({"secret": secret}),
        )
        deliver_notification.enqueue(notification.pk)
    return notification
