"""The background worker: runs queued tasks, writes a heartbeat, schedules periodic jobs.

python manage.py run_worker            # run until stopped (SIGINT/SIGTERM)
python manage.py run_worker --once     # one schedule + drain the queue, then exit
python manage.py run_worker --verbose  # also log every task and federation round (INFO)

Quiet by default: only warnings and errors are logged, so that what the development
e-mail and SMS backends print (verification codes, links) is not buried under a line per
task. Those backends print, they do not log, and are never silenced.
"""

import logging
import os
import signal
import socket
import time
from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker

from aduan.core.models import WorkerHeartbeat
from aduan.core.scheduler import enqueue_periodic, requeue_stale_tasks


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
        worker_id = f"{socket.gethostname()}-{os.getpid()}"[:100]
        started = timezone.now()
        last_schedule = 0.0
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        self.stdout.write(f"Pekerja {worker_id} berjalan / worker {worker_id} started")
        federation = None
        if not options["no_federation"] and not options["once"]:
            from aduan.federation.worker import FederationThread

            federation = FederationThread()
            federation.start()
        elif options["once"] and not options["no_federation"]:
            from aduan.federation.worker import run_round

            run_round()
        while self.running:
            close_old_connections()
            now = timezone.now()
            scheduled = False
            if (
                time.monotonic() - last_schedule >= settings.WORKER_SCHEDULE_SECONDS
                or options["once"]
            ):
                requeue_stale_tasks(now)
                enqueue_periodic()
                last_schedule = time.monotonic()
                scheduled = True
            WorkerHeartbeat.objects.update_or_create(
                worker_id=worker_id,
                defaults={"seen_at": now, "started_at": started}
                | ({"last_schedule_at": now} if scheduled else {}),
            )
            Worker(
                queue_names=["*"],
                interval=0,
                batch=True,
                backend_name="default",
                startup_delay=False,
                max_tasks=200,
                worker_id=worker_id,
                excluded_queue_names=[],
            ).run()
            if options["once"]:
                break
            time.sleep(options["interval"])
        if federation is not None:
            federation.stop()
            federation.join(timeout=30)
        WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()

    def _stop(self, signum, frame):
        self.running = False
