"""Read paths at scale: p50/p95 latency and query counts, in-process (django.test.Client).

    DATABASE_URL=postgres://aduan:aduan@127.0.0.1:5432/aduan_bench \
        .venv/bin/python bench/reads.py [--requests 200] [--warmup 20] [--name reads]

Each page is requested `--warmup` times, then `--requests` times with timing; the query count
comes from one extra request under CaptureQueriesContext. Only 127.0.0.1 / in-process.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench_settings")

import django  # noqa: E402

django.setup()

from common import RESULTS, ms, percentile, write_result  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from aduan.accounts.models import User  # noqa: E402
from aduan.agencies.models import Agency  # noqa: E402
from aduan.api.keys import issue_key  # noqa: E402
from aduan.reports.access import public_reports  # noqa: E402
from aduan.reports.models import Report  # noqa: E402

TARGETS = {"staff": 50, "public": 100}


def measure(client, url, *, requests, warmup, max_seconds=60):
    for _ in range(warmup):
        response = client.get(url)
    status = response.status_code
    if status != 200:
        return {"url": url, "status": status, "error": f"HTTP {status}"}
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    # captured_queries reads the connection's log lazily: copy it before the next request.
    captured = list(queries.captured_queries)
    times = []
    deadline = time.monotonic() + max_seconds
    for _ in range(requests):
        t0 = time.perf_counter()
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        times.append(time.perf_counter() - t0)
        if time.monotonic() > deadline:
            break
    slowest = sorted(captured, key=lambda q: -float(q["time"]))[:3]
    return {
        "url": url,
        "status": status,
        "requests": len(times),
        "p50_ms": ms(percentile(times, 50)),
        "p95_ms": ms(percentile(times, 95)),
        "max_ms": ms(max(times)),
        "queries": len(captured),
        "slowest_queries": [
            {"ms": float(q["time"]) * 1000, "sql": q["sql"][:400]} for q in slowest
        ],
        "bytes": len(response.content) if not hasattr(response, "streaming_content") else None,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--name", default="reads")
    parser.add_argument("--only", default="", help="comma-separated page keys")
    args = parser.parse_args()

    national = User.objects.get(username="admin.nasional")
    kutim = Agency.objects.get(name="Pemerintah Kabupaten Kutai Timur")
    agency_admin = User.objects.get(username="diskominfo.kutim")
    total = Report.objects.count()
    kutim_report = (
        Report.objects.filter(agency=kutim, status="in_progress").order_by("-pk").first()
        or Report.objects.filter(agency=kutim).order_by("-pk").first()
    )
    public = public_reports().filter(status="closed").order_by("-pk").first()
    pages = [
        ("inbox_national", "staff", national, "/petugas/"),
        ("inbox_agency", "staff", agency_admin, "/petugas/"),
        # The other tabs' counts, which the inbox loads after the page (workspace.js).
        ("inbox_tab_counts", "staff", national, "/petugas/jumlah-antrean/"),
        ("inbox_tab_counts_agency", "staff", agency_admin, "/petugas/jumlah-antrean/"),
        (
            "staff_report",
            "staff",
            agency_admin,
            f"/petugas/laporan/{kutim_report.tracking_number}/",
        ),
        ("public_report", "public", None, f"/lacak/{public.tracking_number}/"),
        ("public_list", "public", None, "/laporan/"),
        ("public_list_filtered", "public", None, "/laporan/?provinsi=32&status=closed"),
        (
            "public_list_category",
            "public",
            None,
            "/laporan/?kategori=jalan-rusak&dari=2025-01-01&sampai=2025-12-31",
        ),
        ("open311_requests", "public", None, "/open311/v2/requests.json"),
        (
            "open311_requests_filtered",
            "public",
            None,
            "/open311/v2/requests.json?status=closed&start_date=2025-01-01T00:00:00Z",
        ),
        ("statistics", "public", None, "/statistik/"),
        ("statistics_province", "public", None, "/statistik/?wilayah=32"),
        ("api_reports", "public", "key", "/api/v1/reports?limit=20"),
    ]
    only = {k for k in args.only.split(",") if k}
    results = {}
    for key, kind, user, url in pages:
        if only and key not in only:
            continue
        client = Client(HTTP_HOST="127.0.0.1")
        if user == "key":
            # The anonymous API limit (30/min per address) would answer 429: use a key.
            api_key = issue_key("bench reads", rate_limit_per_minute=1_000_000_000)
            client = Client(HTTP_HOST="127.0.0.1", HTTP_X_API_KEY=api_key.secret)
        elif user is not None:
            client.force_login(user)
        result = measure(client, url, requests=args.requests, warmup=args.warmup)
        result["target_p95_ms"] = TARGETS[kind]
        result["meets_target"] = result.get("p95_ms", 1e9) <= TARGETS[kind]
        results[key] = result
        print(
            f"{key:28} {result.get('status')} p50 {result.get('p50_ms')} ms  "
            f"p95 {result.get('p95_ms')} ms  queries {result.get('queries')}  "
            f"(target p95 <= {TARGETS[kind]} ms)",
            flush=True,
        )
    if only:
        # A partial run updates those pages in an existing result file.
        previous = RESULTS / f"{args.name}.json"
        if previous.exists():
            results = json.loads(previous.read_text()).get("pages", {}) | results
    path = write_result(args.name, {"reports": total, "pages": results})
    print(f"-> {path}")


if __name__ == "__main__":
    main()
