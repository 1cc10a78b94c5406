"""The background worker: runs queued tasks, writes a heartbeat, schedules periodic jobs.

python manage.py run_worker            # run until stopped (SIGINT/SIGTERM)
python manage.py run_worker --once     # one schedule + drain the queues, then exit
python manage.py run_worker --verbose  # also log every task and federation round (INFO)

Lanes share the process: a thread runs only the notifications queue, another folds the
statistics deltas into the aggregates every STATS_FOLD_SECONDS (`stats.deltas.FoldLoop`),
the main loop runs every other queue (the periodic jobs, statistics, replication notices),
so that a message to a person never waits behind a slow statistics job. SIGTERM lets the task each lane is
running finish (a notification being sent is sent and recorded), then stops.

Quiet by default: only warnings and errors are logged, so that what the development
e-mail and SMS backends print (verification codes, links) is not buried under a line per
task. Those backends print, they do not log, and are never silenced.
"""

import logging
import os
import signal
import socket
import threading
import time
from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connections
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker

from aduan.core.models import WorkerHeartbeat
from aduan.core.scheduler import (
    NOTIFICATIONS_QUEUE,
    clear_stop,
    enqueue_periodic,
    request_stop,
    requeue_stale_tasks,
    set_worker_id,
)
from aduan.stats import deltas

# Seconds between two heartbeats written by the notifications lane.
LANE_HEARTBEAT_SECONDS = 5


def queue_runner(worker_id: str, *, only=None, exclude=None, max_tasks=200) -> Worker:
    """A django-tasks-db worker that runs the ready tasks of its queues, then returns."""
    return Worker(
        queue_names=[only] if only else ["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=worker_id,
        excluded_queue_names=[exclude] if exclude else [],
    )


class NotificationLane(threading.Thread):
    """Runs the notifications queue, and nothing else, until stopped."""

    def __init__(self, worker_id: str, interval: float):
        super().__init__(name="notifications-lane", daemon=True)
        self.worker_id = worker_id
        self.interval = interval
        self.stopping = threading.Event()
        self.runner = None

    def run(self):
        last_beat = 0.0
        try:
            while not self.stopping.is_set():
                close_old_connections()
                self.runner = queue_runner(self.worker_id, only=NOTIFICATIONS_QUEUE, max_tasks=50)
                if self.stopping.is_set():
                    break
                self.runner.run()
                if time.monotonic() - last_beat >= LANE_HEARTBEAT_SECONDS:
                    # The main loop may be inside a long job: the claims this lane holds
                    # are still a live worker's (`notifications.service.sweep`).
                    WorkerHeartbeat.objects.filter(worker_id=self.worker_id).update(
                        seen_at=timezone.now()
                    )
                    last_beat = time.monotonic()
                if not self.runner._run_tasks:
                    self.stopping.wait(self.interval)
        finally:
            connections.close_all()

    def stop(self):
        self.stopping.set()
        if self.runner is not None:
            self.runner.running = False


@contextmanager
def quiet_logging(*, verbose: bool):
    """While the worker runs, the root logger at WARNING unless `verbose`; a stricter
    LOG_LEVEL (ERROR) is kept. Loggers without a level of their own (the task runner's,
    federation's) follow the root."""
    root = logging.getLogger()
    previous = root.level
    if not verbose and root.getEffectiveLevel() < logging.WARNING:
        root.setLevel(logging.WARNING)
    try:
        yield
    finally:
        root.setLevel(previous)


class Command(BaseCommand):
    help = "Run the background worker (tasks, deadline scans, notification retries)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Schedule once, drain, exit.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")
        parser.add_argument(
            "--verbose",
            action="store_true",
            help="Log every task and federation round (INFO), not only warnings and errors.",
        )
        parser.add_argument(
            "--no-federation",
            action="store_true",
            help="Do not run the federation loop (replication with peer nodes).",
        )

    def handle(self, *args, **options):
        with quiet_logging(verbose=options["verbose"] or options["verbosity"] > 1):
            self.work(options)

    def work(self, options):
        self.running = True
        self.runner = None
        self.lane = None
        self.folder = None
        worker_id = f"{socket.gethostname()}-{os.getpid()}"[:100]
        set_worker_id(worker_id)
        clear_stop()
        started = timezone.now()
        last_schedule = 0.0
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        self.stdout.write(f"Pekerja {worker_id} berjalan / worker {worker_id} started")
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id, defaults={"seen_at": started, "started_at": started}
        )
        federation = None
        if not options["no_federation"] and not options["once"]:
            from aduan.federation.worker import FederationThread

            federation = FederationThread()
            federation.start()
        elif options["once"] and not options["no_federation"]:
            from aduan.federation.worker import run_round

            run_round()
        if not options["once"]:
            self.lane = NotificationLane(worker_id, min(options["interval"], 0.5))
            self.lane.start()
            # Statistics deltas folded into the aggregates every STATS_FOLD_SECONDS.
            self.folder = deltas.FoldLoop()
            self.folder.start()
        while self.running:
            close_old_connections()
            now = timezone.now()
            scheduled = False
            if (
                time.monotonic() - last_schedule >= settings.WORKER_SCHEDULE_SECONDS
                or options["once"]
            ):
                requeue_stale_tasks(now)
                enqueue_periodic(force=options["once"])
                last_schedule = time.monotonic()
                scheduled = True
            WorkerHeartbeat.objects.update_or_create(
                worker_id=worker_id,
                defaults={"seen_at": now, "started_at": started}
                | ({"last_schedule_at": now} if scheduled else {}),
            )
            if options["once"]:
                # One process, in order: the messages first, then everything else (which
                # may queue more messages, run by the last pass), then the statistics.
                queue_runner(worker_id, only=NOTIFICATIONS_QUEUE).run()
                queue_runner(worker_id).run()
                deltas.fold()
                break
            self.runner = queue_runner(worker_id, exclude=NOTIFICATIONS_QUEUE)
            if self.running:
                self.runner.run()
            if self.running:
                time.sleep(options["interval"])
        if self.lane is not None:
            self.lane.stop()
            self.lane.join(timeout=60)
        if self.folder is not None:
            self.folder.stop()
            self.folder.join(timeout=60)
        if federation is not None:
            federation.stop()
            federation.join(timeout=30)
        WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()

    def _stop(self, signum, frame):
        self.running = False
        # The job in hand ends at its next item where it can (scheduler.stop_requested).
        request_stop()
        if self.runner is not None:
            self.runner.running = False
        if self.lane is not None:
            self.lane.stop()
