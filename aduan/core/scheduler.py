"""Periodic jobs and stuck-task recovery for the worker.

django-tasks has no scheduler, so the workers queue the periodic jobs themselves. Any
number of worker processes, on any number of hosts, share one database queue:

- A job is claimed by one worker only: django-tasks-db takes the next ready row with
  `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL and in an exclusive transaction on
  SQLite, and marks it running in the same transaction.
- Each periodic job is queued once per interval by all the workers together, not once by
  each: `PeriodicJob` holds when the job is next due, and the worker whose conditional
  update moves that time forward is the one that queues it. A job whose previous copy is
  still waiting or running is not queued again (a slow open-data build is not stacked).
- A job left "running" by a worker that died is queued again (`requeue_stale_tasks`), but
  never one whose worker is still alive (its heartbeat is fresh), so a long job is not
  started a second time beside itself.

Each job is idempotent as well (deadline notices are unique rows, notification delivery is
claimed by a conditional update), so a job that does run twice after a crash changes
nothing twice.
"""

import logging
import os
import socket
import threading
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


def current_worker_id() -> str:
    """This process's worker id: the one `run_worker` writes its heartbeat under, which
    the notifications it claims carry, so the sweep can tell a live claim from a dead one."""
    return _worker_id or f"{socket.gethostname()}-{os.getpid()}"[:100]


def set_worker_id(worker_id: str) -> None:
    global _worker_id
    _worker_id = worker_id


# Set when this process's worker is asked to stop (SIGTERM, SIGINT). Long jobs that work
# through a list (the deadline scan, the category suggestions) look at it between two items
# and end early, their work so far saved: what is left is still due and the next run, on
# this worker or another, goes on. Without it a stop would wait for the whole list.
_stopping = threading.Event()


def request_stop() -> None:
    _stopping.set()


def stop_requested() -> bool:
    return _stopping.is_set()


def clear_stop() -> None:
    """A new run of the worker in this process (and the tests) starts unstopped."""
    _stopping.clear()


def periodic_tasks():
    from aduan.alerts.tasks import send_alerts
    from aduan.api.tasks import purge_rate_counters
    from aduan.audit.tasks import take_checkpoint
    from aduan.core.tasks import prune_finished_work
    from aduan.notifications.tasks import sweep_notifications
    from aduan.portal.tasks import purge_pending_uploads
    from aduan.privacy.tasks import apply_retention
    from aduan.reports.tasks import purge_submission_keys, scan_deadlines
    from aduan.routing.tasks import (
        detect_duplicates_and_campaigns,
        retrain_category_model,
        suggest_categories,
    )
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
        suggest_categories,
        detect_duplicates_and_campaigns,
    ]


def intervals() -> dict[str, tuple[object, float]]:
    """Task path -> (task, seconds between two runs) of every periodic job."""
    from aduan.core.tasks import prune_finished_work

    every = float(settings.WORKER_SCHEDULE_SECONDS)
    return {
        task.module_path: (task, PRUNE_EVERY_SECONDS if task is prune_finished_work else every)
        for task in periodic_tasks()
    }


def enqueue_periodic(*, force: bool = False) -> list[str]:
    """Queue every periodic job that is due and not already waiting or running; returns
    the task paths queued. Several workers calling this at once queue each job once: the
    claim is `UPDATE ... SET due_at = now + interval WHERE name = job AND due_at <= now`,
    which only one of them can win (PostgreSQL re-checks the condition after the row lock
    of a concurrent update; SQLite has one writer). `force` (run_worker --once, a drain
    on demand) queues every job that is not waiting or running whatever its due time."""
    from django_tasks_db.models import DBTaskResult

    from .models import PeriodicJob

    now = timezone.now()
    jobs = intervals()
    PeriodicJob.objects.bulk_create(
        [PeriodicJob(name=name, due_at=now) for name in jobs], ignore_conflicts=True
    )
    unfinished = set(
        DBTaskResult.objects.filter(
            status__in=["READY", "RUNNING"], task_path__in=list(jobs)
        ).values_list("task_path", flat=True)
    )
    queued = []
    for name, (task, seconds) in jobs.items():
        if name in unfinished:
            continue
        with transaction.atomic():
            claim = PeriodicJob.objects.filter(name=name)
            if not force:
                claim = claim.filter(due_at__lte=now)
            if claim.update(due_at=now + timedelta(seconds=seconds)):
                task.enqueue()
                queued.append(name)
    return queued


def requeue_stale_tasks(now=None) -> int:
    """Put tasks whose worker died mid-run back in the queue, so no job is lost. A task
    still "running" after TASK_STALE_SECONDS is requeued only if the worker that claimed
    it has written no heartbeat for WORKER_HEARTBEAT_MAX_AGE (a live worker's lane writes
    one every few seconds even while its main loop runs a long job): a slow job on a live
    worker must not be started again by another."""
    from django_tasks_db.models import DBTaskResult

    from .models import WorkerHeartbeat

    now = now or timezone.now()
    stale_after = timedelta(seconds=settings.TASK_STALE_SECONDS)
    candidates = list(
        DBTaskResult.objects.filter(status="RUNNING", started_at__lt=now - stale_after).values_list(
            "pk", "worker_ids"
        )
    )
    if not candidates:
        return 0
    alive = set(
        WorkerHeartbeat.objects.filter(
            seen_at__gte=now - timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE)
        ).values_list("worker_id", flat=True)
    )
    dead = [pk for pk, workers in candidates if not workers or workers[-1] not in alive]
    count = DBTaskResult.objects.filter(
        pk__in=dead, status="RUNNING", started_at__lt=now - stale_after
    ).update(status="READY", started_at=None)
    if count:
        logger.warning("requeued %s task(s) left running by a dead worker", count)
    return count


def hold_lease(name: str, holder: str, seconds: float) -> bool:
    """Take or renew the lease `name` for `seconds`: true when `holder` has it now. Free
    when it has expired (its holder stopped renewing: dead or stopped) or was released.
    One conditional update, so two workers asking at once cannot both get it."""
    from django.db.models import Q

    from .models import PeriodicJob

    now = timezone.now()
    PeriodicJob.objects.bulk_create([PeriodicJob(name=name, due_at=now)], ignore_conflicts=True)
    taken = (
        PeriodicJob.objects.filter(name=name)
        .filter(Q(due_at__lte=now) | Q(held_by=holder))
        .update(due_at=now + timedelta(seconds=seconds), held_by=holder)
    )
    return bool(taken)


def release_lease(name: str, holder: str) -> None:
    from .models import PeriodicJob

    PeriodicJob.objects.filter(name=name, held_by=holder).update(due_at=timezone.now(), held_by="")
