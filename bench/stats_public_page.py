"""Benchmark: the public statistics page and the staff dashboard at N synthetic reports.

    DATABASE_URL=postgres://aduan:aduan@127.0.0.1:5432/aduan_stats_bench \\
        .venv/bin/python bench/stats_public_page.py --reports 100000

Use a database of its own: the script migrates it and, when it holds no reports, fills it
with a synthetic country (34 provinces, 340 regencies, 3,400 districts, a government and
eight units per regency, 84 categories) and N reports written directly with bulk_create
(benchmark only: real reports go through the domain actions), then rebuilds the
aggregates with `rebuild_stats`. It then times the page with a cold cache (every figure
read from the aggregates) and a warm one, and prints the aggregate table sizes.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aduan.settings")
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from aduan.accounts.models import Reporter, Role, User  # noqa: E402
from aduan.agencies.models import Agency, AgencyKind  # noqa: E402
from aduan.categories.models import Category  # noqa: E402
from aduan.regions.models import Region  # noqa: E402
from aduan.reports.models import Report  # noqa: E402
from aduan.stats.models import DailyFlow, DurationCube, ReportCube  # noqa: E402

UTC = dt.UTC
STATUS_WEIGHTS = [
    ("closed", 55),
    ("archived", 12),
    ("withdrawn", 3),
    ("in_progress", 8),
    ("responded", 6),
    ("dispositioned", 6),
    ("submitted", 5),
    ("on_hold", 2),
    ("returned", 3),
]


def build_reference():
    if Region.objects.filter(code="11").exists():
        return
    regions, agencies = [], []
    for p in range(34):
        pcode = f"{11 + p}"
        regions.append(Region(code=pcode, name=f"Provinsi {pcode}", level=1))
        for r in range(10):
            rcode = f"{pcode}.{r + 1:02d}"
            regions.append(Region(code=rcode, name=f"Kabupaten {rcode}", level=2, parent_id=pcode))
            for d in range(10):
                dcode = f"{rcode}.{d + 1:02d}"
                regions.append(
                    Region(code=dcode, name=f"Kecamatan {dcode}", level=3, parent_id=rcode)
                )
    Region.objects.bulk_create(regions, batch_size=5000)
    for rcode in Region.objects.filter(level=2).values_list("code", flat=True):
        agencies.append(Agency(name=f"Pemerintah Kabupaten {rcode}", kind=AgencyKind.REGENCY))
    Agency.objects.bulk_create(agencies, batch_size=2000)
    units = []
    for agency in Agency.objects.filter(kind=AgencyKind.REGENCY):
        for u in range(8):
            units.append(
                Agency(
                    name=f"Dinas {u + 1} {agency.name[-5:]}", kind=AgencyKind.UNIT, parent=agency
                )
            )
    Agency.objects.bulk_create(units, batch_size=5000)
    for t in range(14):
        top = Category.objects.create(slug=f"topik-{t}", name=f"Topik {t}")
        for s in range(5):
            Category.objects.create(slug=f"topik-{t}-{s}", name=f"Subtopik {t}.{s}", parent=top)
    User.objects.create_user("bench_admin", password="x" * 12, role=Role.NATIONAL_ADMIN)


def build_reports(count: int, seed: int = 1):
    rng = random.Random(seed)
    reporter = Reporter.objects.create(name="Bench", email="bench@example.com")
    districts = list(Region.objects.filter(level=3).values_list("code", flat=True))
    regencies = {
        a.name.rsplit(" ", 1)[-1]: a.pk for a in Agency.objects.filter(kind=AgencyKind.REGENCY)
    }
    units: dict[int, list[int]] = {}
    for pk, parent in Agency.objects.filter(kind=AgencyKind.UNIT).values_list("pk", "parent_id"):
        units.setdefault(parent, []).append(pk)
    categories = list(Category.objects.filter(parent__isnull=False).values_list("pk", flat=True))
    statuses = [s for s, w in STATUS_WEIGHTS for _ in range(w)]
    now = dt.datetime.now(UTC)
    start = now - dt.timedelta(days=3 * 365)
    span = (now - start).total_seconds()
    batch = []
    for i in range(count):
        status = rng.choice(statuses)
        district = rng.choice(districts)
        submitted = start + dt.timedelta(seconds=rng.random() * span)
        report = Report(
            tracking_number=f"BEN-{i:09d}",
            report_type=rng.choice(["complaint"] * 6 + ["aspiration", "information_request"]),
            title="Laporan uji",
            body="Isi laporan uji untuk tolok ukur statistik.",
            channel=rng.choice(["web"] * 6 + ["api", "sms", "open311", "counter"]),
            region_id=district,
            province_code=district[:2],
            regency_code=district[:5],
            category_id=rng.choice(categories),
            is_anonymous=rng.random() < 0.2,
            is_confidential=rng.random() < 0.05,
            reporter=reporter,
            status=status,
            submitted_at=submitted,
            archive_reason="spam" if status == "archived" else "",
        )
        if status not in ("submitted", "on_hold", "archived") and not (
            status == "withdrawn" and rng.random() < 0.5
        ):
            agency = regencies[district[:5]]
            report.agency_id = agency
            report.unit_id = rng.choice(units[agency]) if rng.random() < 0.8 else None
            report.dispositioned_at = submitted + dt.timedelta(hours=rng.uniform(2, 120))
            report.first_response_due_at = report.dispositioned_at + dt.timedelta(days=7)
            report.completion_due_at = report.dispositioned_at + dt.timedelta(days=20)
            if status in ("responded", "closed") or (
                status == "in_progress" and rng.random() < 0.3
            ):
                report.first_response_at = report.dispositioned_at + dt.timedelta(
                    hours=rng.expovariate(1 / 90)
                )
            if status == "closed":
                report.closed_at = (report.first_response_at or report.dispositioned_at) + (
                    dt.timedelta(hours=rng.expovariate(1 / 150))
                )
                if rng.random() < 0.4:
                    report.rating = rng.randint(1, 5)
            report.is_overdue = status in ("dispositioned", "in_progress") and rng.random() < 0.3
        if status in ("archived", "withdrawn"):
            report.closed_at = submitted + dt.timedelta(hours=rng.uniform(1, 200))
        batch.append(report)
        if len(batch) == 5000:
            Report.objects.bulk_create(batch)
            batch = []
    if batch:
        Report.objects.bulk_create(batch)


def timed(client: Client, url: str, runs: int, *, cold: bool) -> tuple[list[float], int]:
    times, queries = [], 0
    for _ in range(runs):
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        times.append(elapsed)
        queries = len(captured)
    return times, queries


def summary(name: str, times: list[float], queries: int) -> str:
    return (
        f"{name:<46} median {statistics.median(times):7.1f} ms   "
        f"p90 {sorted(times)[int(len(times) * 0.9) - 1]:7.1f} ms   {queries:2d} queries"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    if not Report.objects.exists():
        build_reference()
        started = time.perf_counter()
        build_reports(args.reports)
        print(f"bulk-created {args.reports:,} reports in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        call_command("rebuild_stats", verbosity=0)
        print(f"rebuild_stats in {time.perf_counter() - started:.1f} s")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    print(
        f"reports {Report.objects.count():,}; cube rows {ReportCube.objects.count():,}; "
        f"duration rows {DurationCube.objects.count():,}; daily flow rows {DailyFlow.objects.count():,}"
    )
    client = Client()
    year = dt.date.today()
    last12 = f"?dari={year.year - 1}-{year.month:02d}&sampai={year.year}-{year.month:02d}"
    pages = [
        ("public, national, last 12 months", f"/statistik/{last12}"),
        ("public, national, 36 months", f"/statistik/?dari={year.year - 3}-{year.month:02d}"),
        ("public, one province, last 12 months", f"/statistik/{last12}&wilayah=20"),
        ("public, one regency, last 12 months", f"/statistik/{last12}&wilayah=20.05"),
    ]
    for name, url in pages:
        times, queries = timed(client, url, args.runs, cold=True)
        print(summary(name + " (cold)", times, queries))
    times, queries = timed(client, pages[0][1], args.runs, cold=False)
    print(summary(pages[0][0] + " (cached)", times, queries))
    admin = User.objects.get(username="bench_admin")
    client.force_login(admin)
    times, queries = timed(client, f"/statistik/dasbor/{last12}", max(5, args.runs // 3), cold=True)
    print(summary("dashboard, national admin", times, queries))


if __name__ == "__main__":
    main()
