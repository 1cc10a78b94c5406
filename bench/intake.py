"""Intake: reports submitted over HTTP to gunicorn (the production setup) on PostgreSQL, and
in the same run the hardware floor — the same rows inserted directly with psycopg, one
transaction per report, at the same concurrency.

    DATABASE_URL=postgres://aduan:aduan@127.0.0.1:5432/aduan_bench \
        .venv/bin/python bench/intake.py [--seconds 60] [--concurrency 16] [--workers 4]

Traffic goes to 127.0.0.1 only; every loop is bounded in time and count.
"""

import argparse
import http.client
import json
import os
import random
import resource
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench_settings")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from common import ms, percentile, rss_mb, write_result  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from aduan.api.keys import issue_key  # noqa: E402
from aduan.devdata import demo_data as demo  # noqa: E402
from aduan.reports.models import Report  # noqa: E402

MAX_REQUESTS = 500_000  # hard bound per phase


def national_districts() -> list[tuple[str, str, float]]:
    """(code, name, weight) of every district, weighted like the generator (Java-heavy)."""
    from aduan.devdata.synthetic import PROVINCE_WEIGHTS
    from aduan.regions.models import Region, RegionLevel

    rows = Region.objects.filter(level=RegionLevel.DISTRICT).values_list("code", "name")
    per_province: dict[str, int] = {}
    for code, _ in rows:
        per_province[code[:2]] = per_province.get(code[:2], 0) + 1
    return [
        (code, name, PROVINCE_WEIGHTS.get(code[:2], 3) / per_province[code[:2]])
        for code, name in rows
    ]


def bodies(n: int, seed: int = 5) -> list[bytes]:
    """Submissions spread over the country like real traffic (and like the generator)."""
    rng = random.Random(seed)
    topics = [t for t in demo.TOPICS if t.report_type == "complaint"]
    spread = national_districts()
    districts = demo.KUTIM_DISTRICTS
    out = []
    for _ in range(n):
        topic = rng.choice(topics)
        d = rng.choice(districts)
        code, name, _ = (
            rng.choices(spread, [w for _, _, w in spread])[0]
            if spread
            else (
                d.code,
                d.name,
                1,
            )
        )
        context = {
            "road": rng.choice(d.roads),
            "landmark": rng.choice(d.landmarks),
            "river": rng.choice(d.rivers),
            "village": f"Kecamatan {name.title()}",
            "district": name.title(),
            "km": rng.randint(2, 60),
            "meters": rng.randrange(30, 600, 10),
            "depth": rng.randint(15, 60),
            "months": rng.randint(2, 8),
        }
        story = rng.randrange(len(topic.titles))

        class Keep(dict):
            def __missing__(self, key):
                return "{" + key + "}"

        title = topic.titles[story].format_map(Keep(context))[:200]
        body = " ".join([topic.openers[story % len(topic.openers)], rng.choice(topic.details)])
        first = rng.choice(demo.GUEST_FIRST_NAMES)
        last = rng.choice(demo.GUEST_LAST_NAMES)
        out.append(
            json.dumps(
                {
                    "title": title,
                    "body": body.format_map(Keep(context)),
                    "category": topic.category,
                    "region": code,
                    "is_anonymous": rng.random() < 0.15,
                    "reporter_name": f"{first} {last}",
                    "reporter_email": f"{first}.{last}{rng.randint(1, 999)}@example.com".lower(),
                    "reporter_phone": rng.choice(demo.PHONE_PREFIXES)
                    + f"{rng.randrange(10**8):08d}",
                }
            ).encode()
        )
    return out


def run_phase(worker_fn, concurrency: int, seconds: float) -> dict:
    """Run `worker_fn(stop, record)` in `concurrency` threads for `seconds`."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    count = [0]

    def record(latency: float | None, error: str | None = None):
        with lock:
            count[0] += 1
            if error:
                errors.append(error)
            else:
                latencies.append(latency)
            if count[0] >= MAX_REQUESTS:
                stop.set()

    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    threads = [
        threading.Thread(target=worker_fn, args=(stop, record, i), daemon=True)
        for i in range(concurrency)
    ]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    stop.wait(seconds)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    elapsed = time.monotonic() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    return {
        "seconds": round(elapsed, 2),
        "completed": len(latencies),
        "errors": len(errors),
        "error_samples": errors[:5],
        "per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": ms(percentile(latencies, 50)),
        "p99_ms": ms(percentile(latencies, 99)),
        "load_generator_cpu_seconds": round(cpu, 1),
        "load_generator_cpu_share_of_2_cores": round(cpu / elapsed / (os.cpu_count() or 1), 3),
    }


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_MAX_REQUESTS": "0",
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "GUNICORN_LOG_LEVEL": "warning",
    }
    proc = subprocess.Popen(  # noqa: S603, S607 - fixed local commands
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "aduan.wsgi",
            "-c",
            str(ROOT / "deploy/gunicorn.conf.py"),
            "--pythonpath",
            str(ROOT / "bench"),
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/healthz")
            if c.getresponse().status < 500:
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def gunicorn_workers(proc: subprocess.Popen) -> list[int]:
    out = subprocess.run(  # noqa: S603 - a fixed local command
        ["ps", "-o", "pid=", "--ppid", str(proc.pid)],  # noqa: S607
        capture_output=True,
        text=True,
    ).stdout
    return [int(p) for p in out.split()]


def app_phase(port, secret, payloads, concurrency, seconds):
    def worker(stop, record, i):
        rng = random.Random(i)
        while not stop.is_set():
            body = rng.choice(payloads)
            t0 = time.perf_counter()
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                c.request(
                    "POST",
                    "/api/v1/reports",
                    body=body,
                    headers={"Content-Type": "application/json", "X-API-Key": secret},
                )
                r = c.getresponse()
                data = r.read()
                c.close()
                if r.status != 201:
                    record(None, f"HTTP {r.status}: {data[:200]!r}")
                else:
                    record(time.perf_counter() - t0)
            except OSError as exc:
                record(None, repr(exc))

    return run_phase(worker, concurrency, seconds)


def floor_phase(dsn, template_report, template_event, template_reporter, concurrency, seconds):
    """One transaction per report: reporter row, report row (tracking number from the same
    sequence), event row — the same columns the app writes, values from an app-made row."""
    r_cols = [c for c in template_report if c != "id"]
    e_cols = [c for c in template_event if c not in ("id", "report_id")]
    p_cols = [c for c in template_reporter if c != "id"]
    node = settings.NODE_ID.lower()
    rep_sql = (
        f"INSERT INTO accounts_reporter ({', '.join(p_cols)}) "
        f"VALUES ({', '.join(['%s'] * len(p_cols))}) RETURNING id"
    )
    r_sql = (
        f"INSERT INTO reports_report ({', '.join(r_cols)}) "
        f"VALUES ({', '.join(['%s'] * len(r_cols))}) RETURNING id"
    )
    e_sql = (
        f"INSERT INTO reports_reportevent (report_id, {', '.join(e_cols)}) "
        f"VALUES (%s, {', '.join(['%s'] * len(e_cols))})"
    )

    def worker(stop, record, i):
        with psycopg.connect(dsn, autocommit=False) as conn:
            while not stop.is_set():
                t0 = time.perf_counter()
                try:
                    with conn.cursor() as cur:
                        cur.execute("SELECT nextval(%s)", [f"report_tracking_{node}_seq"])
                        seq = cur.fetchone()[0]
                        p = dict(template_reporter, uuid=str(uuid.uuid4()))
                        cur.execute(rep_sql, [p[c] for c in p_cols])
                        reporter_id = cur.fetchone()[0]
                        r = dict(
                            template_report,
                            uuid=str(uuid.uuid4()),
                            tracking_number=f"FLR-{seq:09d}-{i}",
                            reporter_id=reporter_id,
                        )
                        cur.execute(r_sql, [r[c] for c in r_cols])
                        report_id = cur.fetchone()[0]
                        e = dict(template_event, uuid=str(uuid.uuid4()))
                        cur.execute(e_sql, [report_id] + [e[c] for c in e_cols])
                    conn.commit()
                    record(time.perf_counter() - t0)
                except psycopg.Error as exc:
                    conn.rollback()
                    record(None, repr(exc))

    return run_phase(worker, concurrency, seconds)


def _row(cursor, sql, params):
    cursor.execute(sql, params)
    names = [d.name for d in cursor.description]
    values = cursor.fetchone()
    return {
        n: (psycopg.types.json.Jsonb(v) if isinstance(v, dict) else v)
        for n, v in zip(names, values, strict=True)
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--name", default="intake")
    args = parser.parse_args()
    dsn = settings.DATABASES["default"]
    dsn = (
        f"host={dsn['HOST']} port={dsn['PORT'] or 5432} dbname={dsn['NAME']} "
        f"user={dsn['USER']} password={dsn['PASSWORD']}"
    )
    key = issue_key("bench intake", rate_limit_per_minute=1_000_000_000)
    payloads = bodies(2000)
    before = Report.objects.count()
    proc = start_gunicorn(args.port, args.workers)
    try:
        # Warm the workers up (imports, connections) outside the measured window.
        app_phase(args.port, key.secret, payloads, args.workers, 3)
        print(f"app: {args.seconds:.0f} s at concurrency {args.concurrency} ...", flush=True)
        app = app_phase(args.port, key.secret, payloads, args.concurrency, args.seconds)
        worker_rss = {pid: round(rss_mb(pid), 1) for pid in gunicorn_workers(proc)}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    print(json.dumps(app), flush=True)
    last = Report.objects.order_by("-pk").first()
    with connection.cursor() as cur:
        raw = cur.cursor if hasattr(cur, "cursor") else cur
        template_report = _row(raw, "SELECT * FROM reports_report WHERE id = %s", [last.pk])
        template_event = _row(
            raw, "SELECT * FROM reports_reportevent WHERE report_id = %s AND seq = 1", [last.pk]
        )
        template_reporter = _row(
            raw, "SELECT * FROM accounts_reporter WHERE id = %s", [last.reporter_id]
        )
    print(f"floor: {args.seconds:.0f} s at concurrency {args.concurrency} ...", flush=True)
    floor = floor_phase(
        dsn, template_report, template_event, template_reporter, args.concurrency, args.seconds
    )
    print(json.dumps(floor), flush=True)
    # The floor's rows are not valid reports (no hash chain): remove them again.
    with connection.cursor() as cur:
        cur.execute(
            "DELETE FROM reports_reportevent WHERE report_id IN "
            "(SELECT id FROM reports_report WHERE tracking_number LIKE 'FLR-%%')"
        )
        cur.execute(
            "WITH gone AS (DELETE FROM reports_report WHERE tracking_number LIKE 'FLR-%%' "
            "RETURNING reporter_id) DELETE FROM accounts_reporter WHERE id IN "
            "(SELECT reporter_id FROM gone)"
        )
    ratio = app["per_second"] / floor["per_second"] if floor["per_second"] else None
    result = {
        "concurrency": args.concurrency,
        "gunicorn_workers": args.workers,
        "reports_before": before,
        "app": app,
        "floor": floor,
        "app_over_floor": round(ratio, 3) if ratio else None,
        "gunicorn_worker_rss_mb_after": worker_rss,
        "targets": {"app_reports_per_second": 500, "app_over_floor": 0.2, "errors": 0},
    }
    path = write_result(args.name, result)
    print(
        f"app {app['per_second']}/s (p50 {app['p50_ms']} ms, p99 {app['p99_ms']} ms, "
        f"errors {app['errors']}); floor {floor['per_second']}/s; ratio {result['app_over_floor']}"
        f"\n-> {path}"
    )
    key.key.delete()


if __name__ == "__main__":
    main()
