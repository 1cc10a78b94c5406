"""Memory: resident memory (VmRSS) of gunicorn web workers after N requests, of the
`run_worker` process after a batch of jobs, and the peak memory of exporting every report.

    DATABASE_URL=postgres://aduan:aduan@127.0.0.1:5432/aduan_bench \
        .venv/bin/python bench/memory.py [--requests 10000] [--worker-seconds 60]
"""

import argparse
import http.client
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench_settings")

import django  # noqa: E402

django.setup()

from common import rss_mb, write_result  # noqa: E402
from django.db import connection  # noqa: E402
from intake import gunicorn_workers, start_gunicorn  # noqa: E402

from aduan.reports.access import public_reports  # noqa: E402

EXPORT_SCRIPT = r"""
import csv, os, resource, sys, time
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench_settings")
import django; django.setup()
mode = sys.argv[1]
t0 = time.monotonic(); rows = 0
out = open(os.devnull, "w", newline="")
if mode == "stats_csv":
    from django.test import Client
    from aduan.accounts.models import User
    c = Client(HTTP_HOST="127.0.0.1")
    c.force_login(User.objects.get(username="admin.nasional"))
    r = c.get("/statistik/dasbor/ekspor.csv")
    assert r.status_code == 200, r.status_code
    for chunk in (r.streaming_content if r.streaming else [r.content]):
        rows += chunk.count(b"\n"); out.write(chunk.decode())
else:
    from aduan.reports.models import Report
    w = csv.writer(out)
    qs = Report.objects.order_by().values_list(
        "tracking_number", "submitted_at", "status", "report_type", "category__slug",
        "province_code", "regency_code", "agency__name", "closed_at", "rating", "title")
    for row in qs.iterator(chunk_size=2000):
        w.writerow(row); rows += 1
print(rows, round(time.monotonic() - t0, 1),
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def web_memory(requests: int, workers: int, port: int) -> dict:
    sample = list(public_reports().order_by("-pk").values_list("tracking_number", flat=True)[:500])
    urls = [
        "/laporan/",
        "/laporan/?provinsi=32&status=closed",
        "/open311/v2/requests.json",
        "/statistik/",
    ] + [f"/lacak/{n}/" for n in sample[:50]]
    proc = start_gunicorn(port, workers)
    try:
        pids = gunicorn_workers(proc)
        at_start = {pid: round(rss_mb(pid), 1) for pid in pids}
        done = [0]
        errors = [0]
        lock = threading.Lock()
        deadline = time.monotonic() + 600

        def worker(i):
            rng = random.Random(i)
            while time.monotonic() < deadline:
                with lock:
                    if done[0] >= requests:
                        return
                    done[0] += 1
                url = rng.choice(urls)
                try:
                    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    c.request("GET", url)
                    r = c.getresponse()
                    r.read()
                    if r.status != 200:
                        errors[0] += 1
                except OSError:
                    errors[0] += 1

        t0 = time.monotonic()
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        after = {pid: round(rss_mb(pid), 1) for pid in gunicorn_workers(proc)}
        return {
            "requests": done[0],
            "errors": errors[0],
            "seconds": round(time.monotonic() - t0, 1),
            "workers": workers,
            "rss_mb_at_start": at_start,
            "rss_mb_after": after,
            "max_rss_mb_after": max(after.values()),
            "target_mb": 200,
        }
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def queued_jobs() -> int:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'READY'"
        )
        return cur.fetchone()[0]


def worker_memory(seconds: float) -> dict:
    before = queued_jobs()
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": str(ROOT / "bench"),
    }
    proc = subprocess.Popen(  # noqa: S603, S607 - fixed local commands
        [str(ROOT / ".venv/bin/python"), "manage.py", "run_worker", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    peak = 0.0
    t0 = time.monotonic()
    try:
        while time.monotonic() - t0 < seconds:
            time.sleep(1)
            peak = max(peak, rss_mb(proc.pid))
            if queued_jobs() == 0 and time.monotonic() - t0 > 5:
                break
        final = rss_mb(proc.pid)
        seconds = time.monotonic() - t0
    finally:
        # As systemd stops it (deploy/systemd/aduan-worker.service): SIGTERM, then SIGKILL
        # after TimeoutStopSec (90 s). The time it takes is part of the result.
        stop_started = time.monotonic()
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    after = queued_jobs()
    return {
        "jobs_queued_before": before,
        "jobs_run": before - after,
        "seconds": round(seconds, 1),
        "rss_mb_final": round(final, 1),
        "rss_mb_peak": round(peak, 1),
        "stop_seconds": round(time.monotonic() - stop_started, 1),
        "stopped_by_sigterm": proc.returncode == 0,
    }


def export_memory(mode: str) -> dict:
    script = EXPORT_SCRIPT.format(root=str(ROOT), bench=str(ROOT / "bench"))
    out = subprocess.run(  # noqa: S603, S607 - fixed local commands
        [str(ROOT / ".venv/bin/python"), "-c", script, mode],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if out.returncode != 0:
        return {"mode": mode, "error": out.stderr[-800:]}
    rows, seconds, maxrss = out.stdout.split()[-3:]
    return {"mode": mode, "rows": int(rows), "seconds": float(seconds), "peak_rss_mb": int(maxrss)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-seconds", type=float, default=60)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--name", default="memory")
    parser.add_argument("--skip", default="", help="comma-separated: web,worker,export")
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    result = {}
    if "web" not in skip:
        result["web"] = web_memory(args.requests, args.workers, args.port)
        print("web", result["web"], flush=True)
    if "worker" not in skip:
        result["worker"] = worker_memory(args.worker_seconds)
        print("worker", result["worker"], flush=True)
    if "export" not in skip:
        result["export_values_list_csv"] = export_memory("values_list")
        print("export", result["export_values_list_csv"], flush=True)
        result["export_stats_csv"] = export_memory("stats_csv")
        print("export", result["export_stats_csv"], flush=True)
    print(f"-> {write_result(args.name, result)}")


if __name__ == "__main__":
    main()
