"""Three worker processes (`manage.py run_worker`, real subprocesses) on one database run
every queued job exactly once, and queue each periodic job once per interval between them,
not once each: the worker queue needs no per-process state to be right.

On PostgreSQL the workers use the test database itself (the claim is SELECT ... FOR UPDATE
SKIP LOCKED); on SQLite they use a file copy of it (`VACUUM INTO`), where the claim is an
exclusive transaction. About 10 s either way.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from aduan.core import scheduler
from aduan.core.tests.worker_jobs import SCOPE, record_run

ROOT = Path(__file__).resolve().parents[3]
JOBS = 300
WORKERS = 3
SCHEDULE_SECONDS = 2


def _database_url(tmp_path: Path) -> str:
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        user, password = settings_dict["USER"], settings_dict["PASSWORD"]
        host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
        return f"postgres://{user}:{password}@{host}:{port}/{settings_dict['NAME']}"
    copy = tmp_path / "workers.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(copy)])
    return f"sqlite:///{copy}"


class Results:
    """What the workers left, read from the database they used."""

    def __init__(self, url: str):
        self.url = url

    def rows(self, sql: str) -> list[tuple]:
        if self.url.startswith("sqlite:///"):
            with sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=20) as db:
                return db.execute(sql).fetchall()
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()


def _start_worker(url: str, tmp_path: Path, number: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "NODE"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "aduan.settings",
        "DATABASE_URL": url,
        "DATA_DIR": str(tmp_path / f"worker{number}"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "AUDIT_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
        "NODE_KEY_FILE": str(tmp_path / "node_key.pem"),
        "DEBUG": "true",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "SMS_BACKEND": "aduan.notifications.sms.LocmemSMSBackend",
        "WORKER_SCHEDULE_SECONDS": str(SCHEDULE_SECONDS),
        "PYTHONPATH": str(ROOT),
    }
    argv = [sys.executable, "manage.py", "run_worker", "--no-federation", "--interval", "0.2"]
    log = open(tmp_path / f"worker{number}.log", "w")  # noqa: SIM115 - closed by the OS
    return subprocess.Popen(  # noqa: S603 - our own manage.py
        argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )


@pytest.mark.django_db(transaction=True)
def test_three_workers_run_every_job_once_and_each_periodic_job_once_per_interval(tmp_path):
    # A third on the notifications queue (each worker's second lane), the rest on the
    # main loop's queues; a short pause so that the workers' claims interleave.
    for number in range(JOBS):
        queue = "notifications" if number % 3 == 0 else "default"
        record_run.using(queue_name=queue).enqueue(number, pause=0.005)
    url = _database_url(tmp_path)
    results = Results(url)
    workers = [_start_worker(url, tmp_path, n) for n in range(WORKERS)]
    started = time.monotonic()
    try:
        path = record_run.module_path
        while time.monotonic() - started < 120:  # a loaded machine starts Python slowly
            (done,) = results.rows(
                f"SELECT COUNT(*) FROM django_tasks_database_dbtaskresult "
                f"WHERE task_path = '{path}' AND status IN ('SUCCESSFUL', 'FAILED')"
            )[0]
            # Three schedule intervals at least, so that every worker ticks a few times.
            if done >= JOBS and time.monotonic() - started > 3 * SCHEDULE_SECONDS + 1:
                break
            assert all(w.poll() is None for w in workers), "a worker died"
            time.sleep(0.2)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
    logs = "\n".join((tmp_path / f"worker{n}.log").read_text() for n in range(WORKERS))

    statuses = Counter(
        dict(
            results.rows(
                "SELECT status, COUNT(*) FROM django_tasks_database_dbtaskresult "
                f"WHERE task_path = '{record_run.module_path}' GROUP BY status"
            )
        )
    )
    assert statuses == {"SUCCESSFUL": JOBS}, logs
    runs = Counter(
        key
        for (key,) in results.rows(f"SELECT key_hash FROM core_limithit WHERE scope = '{SCOPE}'")
    )
    assert runs == {str(n): 1 for n in range(JOBS)}
    # Every job was claimed once, by one worker, and the work was shared.
    claims = results.rows(
        "SELECT worker_ids FROM django_tasks_database_dbtaskresult "
        f"WHERE task_path = '{record_run.module_path}'"
    )
    assert all(str(ids).count(",") == 0 for (ids,) in claims)
    by_worker = Counter(str(ids) for (ids,) in claims)
    assert len(by_worker) == WORKERS

    # Periodic jobs: three workers ticking every SCHEDULE_SECONDS queued each job at most
    # once per interval between them (one each would be three per interval), and the
    # hourly pruning once in all.
    elapsed = time.monotonic() - started
    queued = Counter(
        path
        for (path,) in results.rows(
            "SELECT task_path FROM django_tasks_database_dbtaskresult "
            f"WHERE task_path <> '{record_run.module_path}'"
        )
    )
    jobs = scheduler.intervals()
    assert set(queued) == set(jobs)
    ceiling = elapsed / SCHEDULE_SECONDS + 1
    for path, count in queued.items():
        if path.endswith("prune_finished_work"):
            assert count == 1
        else:
            assert 1 <= count <= ceiling, (path, count, elapsed)
    # And no periodic job ever ran beside a copy of itself.
    spans = results.rows(
        "SELECT task_path, started_at, finished_at FROM django_tasks_database_dbtaskresult "
        f"WHERE task_path <> '{record_run.module_path}' AND started_at IS NOT NULL "
        "ORDER BY task_path, started_at"
    )
    for (path, _start, end), (next_path, next_start, _end) in zip(spans, spans[1:], strict=False):
        if path == next_path and end is not None:
            assert str(next_start) >= str(end), path
