"""Benchmark: the public statistics page and the staff dashboards at N reports.

    # the 1,000,000-report benchmark database (filled by generate_reports):
    DATABASE_URL=postgres://aduan:aduan@127.0.0.1:5432/aduan_bench \\
        .venv/bin/python bench/stats_public_page.py --runs 20
    # the same pages with the aggregate navigator switched off (base tables only):
    ... bench/stats_public_page.py --runs 20 --base-tables-only

On an empty database of its own the script first fills a synthetic country (34
provinces, 340 regencies, 3,400 districts, a government and eight units per regency, 84
categories) and N reports (`--reports`) written directly with bulk_create (benchmark only:
real reports go through the domain actions), then rebuilds the aggregates with
`rebuild_stats`. On a database that already holds reports it only reads.

It times every page with a cold cache (each run clears the cache first, so every figure
is read from the aggregates: the first request after the minute's cache expired), reports
p50/p95 and the query count, then the national page with a warm cache, each dashboard with a cold and a warm cache
(its figures cached per scope for the minute, its queues read live), and prints the
aggregate table sizes. Filters are chosen from the data: the province, regency, topic and
agency with the most reports; the dashboards use existing staff accounts of each role.
"""

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aduan.settings")
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from aduan.accounts.models import Reporter, Role, User  # noqa: E402
from aduan.agencies.models import Agency, AgencyKind  # noqa: E402
from aduan.categories.models import Category  # noqa: E402
from aduan.regions.models import Region  # noqa: E402
from aduan.reports.models import Report  # noqa: E402

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
    client.get(url)  # warm Python (imports, templates) without timing it
    for _ in range(runs):
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
        times.append(elapsed)
        queries = len(captured)
    return times, queries


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(name: str, times: list[float], queries: int) -> str:
    return (
        f"| {name:<58} | {percentile(times, 50):7.1f} | {percentile(times, 95):7.1f} "
        f"| {queries:2d} |"
    )


def busiest(queryset, field: str):
    row = (
        queryset.exclude(**{f"{field}__isnull": True})
        .values(field)
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    return row[field] if row else None


def choices():
    """The busiest province, regency in it, topic, sub-topic, agency and unit."""
    reports = Report.objects.all()
    province = busiest(reports, "province_code")
    regency = busiest(reports.filter(province_code=province), "regency_code")
    sub = busiest(reports.filter(category__parent__isnull=False), "category_id")
    topic = Category.objects.get(pk=sub).parent
    agency = busiest(reports, "agency_id")
    unit = busiest(reports, "unit_id")
    return {
        "province": province,
        "regency": regency,
        "topic": topic.slug,
        "sub_topic": Category.objects.get(pk=sub).slug,
        "agency": Agency.objects.get(pk=agency) if agency else None,
        "unit": Agency.objects.get(pk=unit) if unit else None,
    }


def staff(role: str, **filters):
    return User.objects.filter(role=role, is_active=True, **filters).order_by("pk").first()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--base-tables-only",
        action="store_true",
        help="Switch the aggregate navigator off (every query reads the base tables).",
    )
    parser.add_argument(
        "--dashboards-only", action="store_true", help="Time the staff dashboards only."
    )
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    if not Report.objects.exists():
        call_command("migrate", verbosity=0)
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
    if args.base_tables_only:
        from aduan.stats import queries

        if hasattr(queries, "ROLLUPS_OF"):
            queries.ROLLUPS_OF = {model: [] for model in queries.ROLLUPS_OF}
    print(
        f"database: {connection.vendor} {connection.settings_dict['NAME']}; "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
        f"navigator {'off' if args.base_tables_only else 'on'}"
    )
    sizes = [
        f"{model._meta.db_table} {model.objects.count():,}"
        for model in apps.get_app_config("stats").get_models()
    ]
    print(f"reports {Report.objects.count():,}; rows: {'; '.join(sizes)}")
    picked = choices()
    print(
        f"filters: province {picked['province']}, regency {picked['regency']}, topic "
        f"{picked['topic']}, sub-topic {picked['sub_topic']}, agency {picked['agency']}, "
        f"unit {picked['unit']}"
    )
    client = Client()
    today = dt.date.today()
    province, regency = picked["province"], picked["regency"]
    pages = [
        ("public, national, last 12 months", "/statistik/"),
        ("public, national, three years", f"/statistik/?dari={today.year - 3}-{today.month:02d}"),
        ("public, national, one topic", f"/statistik/?kategori={picked['topic']}"),
        ("public, national, one sub-topic", f"/statistik/?kategori={picked['sub_topic']}"),
        ("public, busiest province", f"/statistik/?wilayah={province}"),
        (
            "public, busiest province, one topic",
            f"/statistik/?wilayah={province}&kategori={picked['topic']}",
        ),
        ("public, busiest regency", f"/statistik/?wilayah={regency}"),
        (
            "public, busiest regency, three years, one topic",
            f"/statistik/?wilayah={regency}&kategori={picked['topic']}"
            f"&dari={today.year - 3}-{today.month:02d}",
        ),
    ]
    print()
    print("| page (uncached unless noted) | p50 ms | p95 ms | queries |")
    print("|---|---|---|---|")
    for name, url in [] if args.dashboards_only else pages:
        times, queries = timed(client, url, args.runs, cold=True)
        print(summary(name, times, queries), flush=True)
    if not args.dashboards_only:
        times, queries = timed(client, pages[0][1], args.runs, cold=False)
        print(summary(pages[0][0] + " (cached)", times, queries), flush=True)

    dashboards = [
        ("dashboard, national admin", staff(Role.NATIONAL_ADMIN), ""),
        (
            "dashboard, national admin, one topic",
            staff(Role.NATIONAL_ADMIN),
            f"?kategori={picked['topic']}",
        ),
        (
            "dashboard, national admin, busiest province",
            staff(Role.NATIONAL_ADMIN),
            f"?wilayah={province}",
        ),
        (
            "dashboard, supervisor (scoped region)",
            staff(Role.SUPERVISOR, scope_region__isnull=False),
            "",
        ),
        (
            "dashboard, agency admin (busiest agency)",
            staff(Role.AGENCY_ADMIN, agency=picked["agency"]),
            "",
        ),
        (
            "dashboard, unit officer (busiest unit)",
            staff(Role.UNIT_OFFICER, agency=picked["unit"]),
            "",
        ),
    ]
    for name, user, query in dashboards:
        if user is None:
            print(f"| {name:<58} | (no such account) | | |")
            continue
        client.force_login(user)
        times, queries = timed(client, f"/statistik/dasbor/{query}", args.runs, cold=True)
        print(summary(name, times, queries), flush=True)
        # The figures cached for the minute (per scope); the queues are read live.
        times, queries = timed(client, f"/statistik/dasbor/{query}", args.runs, cold=False)
        print(summary(name + " (cached)", times, queries), flush=True)
        client.logout()


if __name__ == "__main__":
    main()
