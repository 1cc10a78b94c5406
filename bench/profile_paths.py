"""Profile one path in-process with cProfile (the slowest ones: intake, staff inbox).

    DATABASE_URL=... .venv/bin/python bench/profile_paths.py intake|inbox [--n 100] [--cpu]

`inbox` is the national admin's inbox, `inbox_agency` the agency admin's (Pemkab Kutai
Timur), `report` the staff report page bench/reads.py measures.

`stats` and `dashboard` are the public statistics page and the national admin's
dashboard with a query parameter the pages do not read (`?profil=1`): their data comes
from the minute's cache, but their content is rendered on every request (such queries
are never cached), so what is measured is the rendering of the page (stats/fragments.py).

Prints the top functions by cumulative and by own time, and per-request wall time.
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench_settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from intake import bodies  # noqa: E402

from aduan.accounts.models import User  # noqa: E402
from aduan.api.keys import issue_key  # noqa: E402
from aduan.stats import deltas  # noqa: E402


def staff_report_number() -> str:
    from aduan.agencies.models import Agency
    from aduan.reports.models import Report

    kutim = Agency.objects.get(name="Pemerintah Kabupaten Kutai Timur")
    report = (
        Report.objects.filter(agency=kutim, status="in_progress").order_by("-pk").first()
        or Report.objects.filter(agency=kutim).order_by("-pk").first()
    )
    return report.tracking_number


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "path",
        choices=["intake", "inbox", "inbox_agency", "report", "open311", "stats", "dashboard"],
    )
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--queries", action="store_true", help="list every query of one request")
    parser.add_argument("--dump", help="also write the raw profile to this file (pstats, CPU time)")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="no profile: wall and CPU time per request without the profiler's overhead, "
        "and Python function calls per request",
    )
    parser.add_argument(
        "--upkeep",
        choices=["deferred", "immediate"],
        help="statistics upkeep for this run (default: the settings'; deltas are folded after)",
    )
    args = parser.parse_args()
    if args.upkeep:
        settings.STATS_UPKEEP = args.upkeep
    try:
        profile(args)
    finally:
        deltas.fold()  # leave no delta behind in the benchmark database


def profile(args):
    if args.path == "intake":
        key = issue_key("bench profile", rate_limit_per_minute=1_000_000_000)
        client = Client(HTTP_HOST="127.0.0.1", HTTP_X_API_KEY=key.secret)
        payloads = bodies(args.n + 20)

        def call(i):
            r = client.post("/api/v1/reports", payloads[i], content_type="application/json")
            assert r.status_code == 201, r.content[:300]
    else:
        client = Client(HTTP_HOST="127.0.0.1")
        url = "/petugas/"
        if args.path == "inbox":
            client.force_login(User.objects.get(username="admin.nasional"))
        elif args.path == "inbox_agency":
            client.force_login(User.objects.get(username="diskominfo.kutim"))
        elif args.path == "report":
            # The staff report page bench/reads.py measures: the agency admin's newest
            # report in progress.
            client.force_login(User.objects.get(username="diskominfo.kutim"))
            url = f"/petugas/laporan/{staff_report_number()}/"
        elif args.path == "stats":
            url = "/statistik/?profil=1"
        elif args.path == "dashboard":
            client.force_login(User.objects.get(username="admin.nasional"))
            url = "/statistik/dasbor/?profil=1"
        else:
            url = "/open311/v2/requests.json"

        def call(i):
            r = client.get(url)
            assert r.status_code == 200

    for i in range(3):
        call(i)
    reset_queries()
    with CaptureQueriesContext(connection) as q:
        call(3)
    captured = list(q.captured_queries)
    print(f"queries per request: {len(captured)}")
    for item in sorted(captured, key=lambda x: -float(x["time"]))[:8]:
        print(f"  {float(item['time']) * 1000:8.1f} ms  {item['sql'][:300]}")
    if args.queries:
        for item in captured:
            print(f"  {float(item['time']) * 1000:6.1f} ms  {item['sql'][:160]}")
    if args.cpu:
        wall0, cpu0 = time.perf_counter(), time.process_time()
        for i in range(args.n):
            call(i + 4 if args.path == "intake" else i)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        profiler = cProfile.Profile()
        profiler.enable()
        for i in range(10):
            call(i + 4 + args.n if args.path == "intake" else i)
        profiler.disable()
        calls = pstats.Stats(profiler).total_calls // 10
        print(
            f"{args.path}: {args.n} requests, wall {wall / args.n * 1000:.1f} ms, "
            f"CPU {cpu / args.n * 1000:.1f} ms per request; {calls:,} function calls"
        )
        return
    # With --dump: CPU time (waits on the database left out), for attributing CPU.
    profiler = cProfile.Profile(time.process_time) if args.dump else cProfile.Profile()
    t0 = time.perf_counter()
    profiler.enable()
    for i in range(args.n):
        call(i + 4 if args.path == "intake" else i)
    profiler.disable()
    wall = time.perf_counter() - t0
    print(f"{args.n} requests, {wall / args.n * 1000:.1f} ms each")
    if args.dump:
        profiler.dump_stats(args.dump)
    for sort in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(sort).print_stats(args.top)
        print(out.getvalue()[-9000:])


if __name__ == "__main__":
    main()
