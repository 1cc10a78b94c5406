"""Periodic jobs and stuck-task recovery for the worker.

django-tasks has no scheduler, so the worker enqueues the periodic jobs itself every
`WORKER_SCHEDULE_SECONDS`. Each job is idempotent (deadline notices are unique rows,
notification delivery is claimed by a conditional update), so two workers scheduling the
same job, or a job running twice, change nothing twice.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

# A task still "running" after this long belonged to a worker that died: run it again.
STALE_TASK_AFTER = timedelta(minutes=15)


def periodic_tasks():
    from aduan.alerts.tasks import send_alerts
    from aduan.api.tasks import purge_rate_counters
    from aduan.audit.tasks import take_checkpoint
    from aduan.notifications.tasks import sweep_notifications
    from aduan.portal.tasks import purge_pending_uploads
    from aduan.reports.tasks import purge_submission_keys, scan_deadlines
    from aduan.routing.tasks import retrain_category_model
    from aduan.stats.tasks import (
        refresh_open_data,
        warm_public_statistics,
        warm_staff_dashboards,
    )

    return [
        scan_deadlines,
        sweep_notifications,
        refresh_open_data,
        warm_public_statistics,
        warm_staff_dashboards,
        purge_rate_counters,
        purge_pending_uploads,
        purge_submission_keys,
        take_checkpoint,
        send_alerts,
        retrain_category_model,
    ]


def enqueue_periodic() -> None:
    with transaction.atomic():
        for task in periodic_tasks():
            task.enqueue()


def requeue_stale_tasks(now=None) -> int:
    """Put tasks whose worker died mid-run back in the queue, so no job is lost."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    count = DBTaskResult.objects.filter(
        status="RUNNING", started_at__lt=now - STALE_TASK_AFTER
    ).update(status="READY", started_at=None)
    if count:
        logger.warning("requeued %s task(s) left running by a dead worker", count)
    return count
