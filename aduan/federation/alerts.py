"""Raising a federation problem to the people who must act on it.

A forked or broken history, a link stuck for too long, or signs that a node was restored
from a backup are recorded as SyncAlert rows (shown in the admin and by `sync_status`) and
e-mailed to the admins responsible for this node: the national admins on the central node,
the admins of the hosted agencies on a regional node. The e-mail is a background task
enqueued in the same transaction, sent after commit, and retried like every other job."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from aduan.accounts.models import Role, User

from .models import NodeRole, SyncAlert

logger = logging.getLogger(__name__)


def raise_alert(kind: str, *, peer: str = "", report_uuid=None, detail: str) -> SyncAlert:
    """Record the problem once (an open alert of the same kind, peer and report is not
    repeated) and tell the admins."""
    with transaction.atomic():
        existing = SyncAlert.objects.filter(
            kind=kind, peer=peer, report_uuid=report_uuid, resolved_at__isnull=True
        ).first()
        if existing is not None:
            return existing
        alert = SyncAlert.objects.create(
            kind=kind,
            peer=peer,
            report_uuid=report_uuid,
            detail=detail[:2000],
            created_at=timezone.now(),
        )
        logger.warning("federation alert %s from %s: %s", kind, peer or "-", detail)
        mail_alert.enqueue(alert.pk)
        return alert


def responsible_admins():
    users = User.objects.filter(is_active=True, home_node="").exclude(email="")
    if settings.NODE_ROLE == NodeRole.CENTRAL:
        return users.filter(role=Role.NATIONAL_ADMIN)
    return users.filter(role=Role.AGENCY_ADMIN, agency__node=settings.NODE_ID)


@task(queue_name="notifications")
def mail_alert(alert_id: int) -> int:
    alert = SyncAlert.objects.filter(pk=alert_id).first()
    if alert is None:
        return 0
    recipients = list(responsible_admins().values_list("email", flat=True))
    if not recipients:
        return 0
    with translation.override("id"):
        subject = _("[Aduan %(node)s] Peringatan sinkronisasi: %(kind)s") % {
            "node": settings.NODE_ID,
            "kind": alert.get_kind_display(),
        }
        body = _(
            "Simpul %(node)s mencatat masalah sinkronisasi dengan simpul %(peer)s.\n\n"
            "%(detail)s\n\nPeriksa dengan `manage.py sync_status` dan halaman admin "
            "Peringatan sinkronisasi."
        ) % {"node": settings.NODE_ID, "peer": alert.peer or "-", "detail": alert.detail}
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return len(recipients)
