"""Periodic jobs and stuck-task recovery for the worker.

django-tasks has no scheduler, so the worker enqueues the periodic jobs itself every
`WORKER_SCHEDULE_SECONDS`. Each job is idempotent (deadline notices are unique rows,
notification delivery is claimed by a conditional update), so two workers scheduling the
same job, or a job running twice, change nothing twice.
"""

import logging
import os
import socket
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

# The queue of messages to people, run by a lane of its own in every worker
# (`run_worker`), so that a notification never waits behind periodic or statistics work.
NOTIFICATIONS_QUEUE = "notifications"
# Seconds between two prunings by one worker process (`core.pruning`).
PRUNE_EVERY_SECONDS = 3600

_worker_id = None
_last_prune = None


def current_worker_id() -> str:
    """This process's worker id: the one `run_worker` writes its heartbeat under, which
    the notifications it claims carry, so the sweep can tell a live claim from a dead one."""
    return _worker_id or f"{socket.gethostname()}-{os.getpid()}"[:100]


def set_worker_id(worker_id: str) -> None:
    global _worker_id
    _worker_id = worker_id


def periodic_tasks():
    from aduan.alerts.tasks import send_alerts
    from aduan.api.tasks import purge_rate_counters
    from aduan.audit.tasks import take_checkpoint
    from aduan.core.tasks import prune_finished_work
    from aduan.notifications.tasks import sweep_notifications
    from aduan.portal.tasks import purge_pending_uploads
    from aduan.privacy.tasks import apply_retention
    from aduan.reports.tasks import purge_submission_keys, scan_deadlines
    from aduan.routing.tasks import detect_duplicates_and_campaigns, retrain_category_model
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
        apply_retention,
        prune_finished_work,
        retrain_category_model,
        detect_duplicates_and_campaigns,
    ]


def enqueue_periodic() -> None:
    """Queue every periodic job; the pruning only once in PRUNE_EVERY_SECONDS per process
    (it scans the task table, which the other jobs do not need)."""
    global _last_prune
    from aduan.core.tasks import prune_finished_work

    prune_due = _last_prune is None or time.monotonic() - _last_prune >= PRUNE_EVERY_SECONDS
    with transaction.atomic():
        for task in periodic_tasks():
            if task is prune_finished_work and not prune_due:
                continue
            task.enqueue()
    if prune_due:
        _last_prune = time.monotonic()


def requeue_stale_tasks(now=None) -> int:
    """Put tasks whose worker died mid-run back in the queue, so no job is lost."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    # A task still "running" after TASK_STALE_SECONDS belonged to a worker that died.
    stale_after = timedelta(seconds=settings.TASK_STALE_SECONDS)
    count = DBTaskResult.objects.filter(status="RUNNING", started_at__lt=now - stale_after).update(
        status="READY", started_at=None
    )
    if count:
        logger.warning("requeued %s task(s) left running by a dead worker", count)
    return count
