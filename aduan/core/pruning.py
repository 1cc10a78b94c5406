"""Pruning of rows that only grow: finished background task rows, notifications
delivered long ago, heartbeats of workers long gone. Run by the worker
(`core.tasks.prune_finished_work`), in batches so that no statement holds a lock long or
loads many rows."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone


def delete_in_batches(queryset, batch_size: int | None = None) -> int:
    """Delete the rows of `queryset` a batch at a time; how many were deleted."""
    batch_size = batch_size or settings.PRUNE_BATCH_SIZE
    model = queryset.model
    total = 0
    while True:
        ids = list(queryset.order_by().values_list("pk", flat=True)[:batch_size])
        if not ids:
            return total
        model.objects.filter(pk__in=ids).delete()
        total += len(ids)


def prune_task_results(now=None) -> int:
    """Task rows finished (successfully or not) more than TASK_RESULTS_KEEP_DAYS ago.
    Rows still ready or running are never touched."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.TASK_RESULTS_KEEP_DAYS)
    return delete_in_batches(
        DBTaskResult.objects.filter(
            status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
            finished_at__lt=cutoff,
        )
    )


def prune_notifications(now=None) -> int:
    """Notifications sent more than NOTIFICATIONS_KEEP_DAYS ago. Pending and claimed ones
    are still to be delivered, and failed ones are the admin's dead letters: both stay."""
    from aduan.notifications.models import Notification, NotificationStatus

    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.NOTIFICATIONS_KEEP_DAYS)
    return delete_in_batches(
        Notification.objects.filter(status=NotificationStatus.SENT, sent_at__lt=cutoff)
    )


def prune_heartbeats(now=None) -> int:
    """Heartbeats of workers that stopped writing them a day ago (killed, not stopped)."""
    from .models import WorkerHeartbeat

    now = now or timezone.now()
    return WorkerHeartbeat.objects.filter(seen_at__lt=now - timedelta(days=1)).delete()[0]


def prune_finished_work(now=None) -> dict:
    now = now or timezone.now()
    return {
        "task_results": prune_task_results(now),
        "notifications": prune_notifications(now),
        "heartbeats": prune_heartbeats(now),
    }
