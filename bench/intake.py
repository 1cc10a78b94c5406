"""Intake, three ways side by side in one run, interleaved in rounds:

- app: Aduan's `POST /api/v1/reports` over HTTP to gunicorn (`deploy/gunicorn.conf.py`),
  with every piece of real work (validation, encryption, audit chain, notifications
  queued in the transaction, the statistics delta) and the worker's statistics fold
  running beside it (`manage.py fold_stats --loop`, as `run_worker` does), so its cost
  is on the same 2 cores;
- bare: the least a Django view can do for a submission (`bench/bare`: parse JSON, check
  two lengths, one transaction with a tracking number from a sequence, a report row and an
  event row, no middleware), on the same gunicorn configuration and database;
- floor: the same rows as the app's first three (reporter, report, first event) inserted
  directly with psycopg, one transaction per report.

    DATABASE_URL=postgres://aduan:aduan@127.0.0.1:5432/aduan_bench \
        .venv/bin/python bench/intake.py [--seconds 30] [--rounds 3] [--concurrency 16]

Each round runs app, bare, floor for `--seconds` each; the machine is shared, so the
ratios of one run (app/bare, app/floor) are what to compare between runs. The last line:
`intake: app A/s, bare B/s, floor F/s, app/bare R, app/floor Q`. After the rounds the
statistics are folded and checked against a recount (`--check`). Traffic goes to
127.0.0.1 only; every loop is bounded in time and count.
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
from aduan.stats import deltas, maintenance  # noqa: E402

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


def start_gunicorn(
    port: int,
    workers: int,
    app: str = "aduan.wsgi",
    extra_env: dict | None = None,
    tree: Path = ROOT,
) -> subprocess.Popen:
    """gunicorn with the production configuration serving `app` (Aduan, or the bare
    reference `bare.wsgi`) on 127.0.0.1:`port`, from the checkout `tree` (this one, or
    another version of Aduan to compare with: `--compare-tree`)."""
    env = (
        os.environ
        | (extra_env or {})
        | {
            "DJANGO_SETTINGS_MODULE": "bench_settings" if app == "aduan.wsgi" else "bare.settings",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_MAX_REQUESTS": "0",
            "GUNICORN_ACCESS_LOG": "/dev/null",
            "GUNICORN_LOG_LEVEL": "warning",
            # The other checkout's settings and code, not this one's.
            "PYTHONPATH": str(tree / "bench"),
        }
    )
    proc = subprocess.Popen(  # noqa: S603, S607 - fixed local commands
        [
            str(ROOT / ".venv/bin/gunicorn"),
            app,
            "-c",
            str(tree / "deploy/gunicorn.conf.py"),
            "--pythonpath",
            str(tree / "bench"),
        ],
        cwd=tree,
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
    raise SystemExit(f"gunicorn ({app}) did not start")


def start_fold_loop() -> subprocess.Popen:
    """The worker's statistics lane on its own (`fold_stats --loop`), as in production."""
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "bench_settings"}
    return subprocess.Popen(  # noqa: S603 - a fixed local command
        [str(ROOT / ".venv/bin/python"), str(ROOT / "manage.py"), "fold_stats", "--loop"],
        cwd=ROOT,
        env=env | {"PYTHONPATH": str(ROOT / "bench")},
        start_new_session=True,
        stdout=subprocess.DEVNULL,
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (from /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pg_backends(dbname: str) -> list[int]:
    """Process ids of the PostgreSQL backends connected to `dbname` (their title names it)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres: ") and f" {dbname} " in title:
            pids.append(int(entry.name))
    return pids


def cpu_split(server: subprocess.Popen | None, dbname: str, run) -> dict:
    """Run `run()`, and add to its result the CPU seconds per completed request of the
    web server's processes and of the database backends connected at the phase's end (the
    persistent connections of gunicorn's workers; the floor's connections end with their
    phase and are not counted). Other clients of the same database count too."""
    web = [server.pid, *gunicorn_workers(server)] if server is not None else []
    backends = pg_backends(dbname)
    web0 = {pid: cpu_seconds(pid) for pid in web}
    db0 = {pid: cpu_seconds(pid) for pid in backends}
    result = run()
    done = max(result["completed"], 1)
    web_cpu = sum(cpu_seconds(pid) - c for pid, c in web0.items())
    # Backends opened during the phase (a worker's connection renewed after
    # DB_CONN_MAX_AGE) count whole; one closed during the phase is missed.
    db_cpu = sum(max(cpu_seconds(pid) - db0.get(pid, 0.0), 0) for pid in pg_backends(dbname))
    if server is not None:
        result["web_cpu_ms_per_request"] = round(web_cpu / done * 1000, 2)
        result["db_cpu_ms_per_request"] = round(db_cpu / done * 1000, 2)
    return result


class Backlog(threading.Thread):
    """Samples the statistics backlog once a second while the app phase runs: deltas
    pending, age of the oldest, and how far the displayed "data hingga" lags."""

    def __init__(self, dsn: str):
        super().__init__(daemon=True)
        self.dsn = dsn
        self.stopping = threading.Event()
        self.samples: list[tuple[int, float, float]] = []

    def run(self):
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            while not self.stopping.wait(1.0):
                row = conn.execute(
                    "SELECT (SELECT count(*) FROM stats_statsdelta), "
                    "extract(epoch FROM now() - (SELECT min(created_at) FROM stats_statsdelta)),"
                    " extract(epoch FROM now() - (SELECT as_of FROM stats_statsfold WHERE id = 1))"
                ).fetchone()
                self.samples.append((row[0], float(row[1] or 0), float(row[2] or 0)))


def _bounded_wait(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


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


def combine(phases: list[dict]) -> dict:
    """Rounds of one kind together: throughput over the summed time, the median of the
    rounds' p50 and the worst p99."""
    seconds = sum(p["seconds"] for p in phases)
    done = sum(p["completed"] for p in phases)
    p50s = sorted(p["p50_ms"] for p in phases)
    return {
        "per_second": round(done / seconds, 1) if seconds else 0.0,
        "per_second_rounds": [p["per_second"] for p in phases],
        "completed": done,
        "errors": sum(p["errors"] for p in phases),
        "p50_ms": p50s[len(p50s) // 2],
        "p99_ms": max(p["p99_ms"] for p in phases),
        "load_generator_cpu_share_of_2_cores": round(
            sum(p["load_generator_cpu_share_of_2_cores"] for p in phases) / len(phases), 3
        ),
        **{
            name: sorted(p[name] for p in phases)[len(phases) // 2]
            for name in ("web_cpu_ms_per_request", "db_cpu_ms_per_request")
            if all(name in p for p in phases)
        },
        "rounds": phases,
    }


def summary_line(result: dict) -> str:
    return (
        f"intake: app {result['app']['per_second']}/s, bare {result['bare']['per_second']}/s, "
        f"floor {result['floor']['per_second']}/s, app/bare {result['app_over_bare']}, "
        f"app/floor {result['app_over_floor']}"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30, help="per phase and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--bare-port", type=int, default=8766)
    parser.add_argument("--name", default="intake")
    parser.add_argument(
        "--compare-immediate",
        action="store_true",
        help="also run Aduan with STATS_UPKEEP=immediate (statistics upserted in the request, "
        "the former design) as a fourth phase of each round",
    )
    parser.add_argument(
        "--no-check", action="store_true", help="skip the recount of the statistics at the end"
    )
    parser.add_argument(
        "--compare-tree",
        type=Path,
        help="also run Aduan from this other checkout (e.g. `git worktree add /tmp/before "
        "<commit>`; same database schema) as a phase of each round, named app_tree",
    )
    args = parser.parse_args()
    db = settings.DATABASES["default"]
    dsn = (
        f"host={db['HOST']} port={db['PORT'] or 5432} dbname={db['NAME']} "
        f"user={db['USER']} password={db['PASSWORD']}"
    )
    from bare.tables import DROP_SQL, TABLES_SQL

    with psycopg.connect(dsn, autocommit=True) as conn:
        for sql in DROP_SQL + TABLES_SQL:
            conn.execute(sql)
    key = issue_key("bench intake", rate_limit_per_minute=1_000_000_000)
    payloads = bodies(2000)
    before = Report.objects.count()
    folder = start_fold_loop()
    app_proc = start_gunicorn(args.port, args.workers)
    bare_proc = start_gunicorn(args.bare_port, args.workers, "bare.wsgi")
    kinds = ["app", "bare", "floor"]
    immediate_proc = None
    if args.compare_immediate:
        kinds.insert(1, "app_immediate")
        immediate_proc = start_gunicorn(
            args.port + 2, args.workers, extra_env={"STATS_UPKEEP": "immediate"}
        )
    tree_proc = None
    if args.compare_tree:
        kinds.insert(1, "app_tree")
        tree_proc = start_gunicorn(args.port + 3, args.workers, tree=args.compare_tree.resolve())
    runs: dict[str, list[dict]] = {kind: [] for kind in kinds}
    ports = {
        "app": args.port,
        "bare": args.bare_port,
        "app_immediate": args.port + 2,
        "app_tree": args.port + 3,
    }
    servers = {
        "app": app_proc,
        "bare": bare_proc,
        "app_immediate": immediate_proc,
        "app_tree": tree_proc,
    }
    backlog = Backlog(dsn)
    templates = None
    fold_cpu0 = cpu_seconds(folder.pid)
    try:
        # Warm the workers up (imports, connections) outside the measured window.
        for kind in kinds:
            if kind != "floor":
                app_phase(ports[kind], key.secret, payloads, args.workers, 3)
        backlog.start()
        for round_no in range(1, args.rounds + 1):
            for kind in kinds:
                print(
                    f"round {round_no}/{args.rounds} {kind}: {args.seconds:.0f} s at "
                    f"concurrency {args.concurrency} ...",
                    flush=True,
                )
                if kind == "floor":
                    if templates is None:
                        templates = floor_templates()
                    phase = floor_phase(dsn, *templates, args.concurrency, args.seconds)
                else:
                    phase = cpu_split(
                        servers[kind],
                        db["NAME"],
                        lambda port=ports[kind]: app_phase(
                            port, key.secret, payloads, args.concurrency, args.seconds
                        ),
                    )
                runs[kind].append(phase)
                split = (
                    f", CPU per request: web {phase['web_cpu_ms_per_request']} ms, "
                    f"database {phase['db_cpu_ms_per_request']} ms"
                    if "web_cpu_ms_per_request" in phase
                    else ""
                )
                print(
                    f"  {phase['per_second']}/s, p50 {phase['p50_ms']} ms, "
                    f"errors {phase['errors']}{split}",
                    flush=True,
                )
        worker_rss = {pid: round(rss_mb(pid), 1) for pid in gunicorn_workers(app_proc)}
    finally:
        for proc in (app_proc, bare_proc, immediate_proc, tree_proc):
            if proc is None:
                continue
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    # The worker folds what is left; then the statistics must equal a recount.
    drained = _bounded_wait(lambda: deltas.pending_count() == 0, 120)
    backlog.stopping.set()
    backlog.join(timeout=5)
    fold_cpu = cpu_seconds(folder.pid) - fold_cpu0
    os.killpg(folder.pid, signal.SIGTERM)
    folder.wait(timeout=60)
    cleanup()
    mismatches = None
    if not args.no_check:
        print("check_stats: recount of the statistics ...", flush=True)
        mismatches = len(maintenance.check())
    result = {
        "concurrency": args.concurrency,
        "gunicorn_workers": args.workers,
        "rounds": args.rounds,
        "seconds_per_phase": args.seconds,
        "reports_before": before,
        "app": combine(runs["app"]),
        "bare": combine(runs["bare"]),
        "floor": combine(runs["floor"]),
        **({"app_immediate": combine(runs["app_immediate"])} if args.compare_immediate else {}),
        **(
            {
                "app_tree": combine(runs["app_tree"]),
                "compare_tree": str(args.compare_tree),
                "app_over_app_tree_rounds": [
                    round(a["per_second"] / b["per_second"], 3) if b["per_second"] else None
                    for a, b in zip(runs["app"], runs["app_tree"], strict=True)
                ],
                "app_tree_over_bare_rounds": [
                    round(a["per_second"] / b["per_second"], 3) if b["per_second"] else None
                    for a, b in zip(runs["app_tree"], runs["bare"], strict=True)
                ],
            }
            if args.compare_tree
            else {}
        ),
        "gunicorn_worker_rss_mb_after": worker_rss,
        "statistics": {
            "upkeep": settings.STATS_UPKEEP,
            "fold_process_cpu_seconds": round(fold_cpu, 1),
            "max_pending_deltas": max((s[0] for s in backlog.samples), default=0),
            "max_oldest_delta_age_s": round(max((s[1] for s in backlog.samples), default=0), 2),
            "max_as_of_lag_s": round(max((s[2] for s in backlog.samples), default=0), 2),
            "drained_after_run": drained,
            "check_mismatches": mismatches,
        },
        "targets": {"app_reports_per_second": 500, "app_over_bare": 0.5, "errors": 0},
    }
    if args.compare_immediate:
        result["app_over_app_immediate_rounds"] = [
            round(a["per_second"] / b["per_second"], 3) if b["per_second"] else None
            for a, b in zip(runs["app"], runs["app_immediate"], strict=True)
        ]
        result["app_immediate_over_bare_rounds"] = [
            round(a["per_second"] / b["per_second"], 3) if b["per_second"] else None
            for a, b in zip(runs["app_immediate"], runs["bare"], strict=True)
        ]
    for kind in ("bare", "floor"):
        rounds = [
            round(a["per_second"] / b["per_second"], 3) if b["per_second"] else None
            for a, b in zip(runs["app"], runs[kind], strict=True)
        ]
        total = result[kind]["per_second"]
        result[f"app_over_{kind}"] = (
            round(result["app"]["per_second"] / total, 3) if total else None
        )
        result[f"app_over_{kind}_rounds"] = rounds
    path = write_result(args.name, result)
    st = result["statistics"]
    print(
        f"statistics: fold CPU {st['fold_process_cpu_seconds']} s, max pending "
        f"{st['max_pending_deltas']} deltas (oldest {st['max_oldest_delta_age_s']} s), "
        f"'data hingga' lag <= {st['max_as_of_lag_s']} s, recount mismatches "
        f"{st['check_mismatches']}\n-> {path}"
    )
    print(summary_line(result), flush=True)
    key.key.delete()


def floor_templates():
    last = Report.objects.order_by("-pk").first()
    with connection.cursor() as cur:
        raw = cur.cursor if hasattr(cur, "cursor") else cur
        return (
            _row(raw, "SELECT * FROM reports_report WHERE id = %s", [last.pk]),
            _row(
                raw,
                "SELECT * FROM reports_reportevent WHERE report_id = %s AND seq = 1",
                [last.pk],
            ),
            _row(raw, "SELECT * FROM accounts_reporter WHERE id = %s", [last.reporter_id]),
        )


def cleanup():
    """The floor's rows are not valid reports (no hash chain), the bare reference's tables
    are not Aduan's: remove both again."""
    from bare.tables import DROP_SQL

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
        for sql in DROP_SQL:
            cur.execute(sql)


if __name__ == "__main__":
    main()
