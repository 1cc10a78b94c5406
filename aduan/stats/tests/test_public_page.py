"""The public statistics page: figures from the aggregates, drill-down, sorting, charts
that screen readers can read, bad input refused, and a constant number of queries."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aduan.reports import actions as a
from aduan.reports.sla import scan_deadlines
from conftest import aware

URL = reverse("stats:public")
PERIOD = {"dari": "2026-01", "sampai": "2026-12"}


def in_2026(world, status, **data):
    with time_machine.travel(aware(2026, 3, 10), tick=False):
        return world.report_in(status, **data)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_page_shows_the_headline_figures_of_the_period(world, client):
    in_2026(world, "closed")
    in_2026(world, "in_progress")
    in_2026(world, "archived")
    response = client.get(URL, PERIOD)
    assert response.status_code == 200
    page = text(response)
    assert "Statistik pengaduan" in page
    stats = response.context["stats"]
    assert stats.total.reports == 3
    # One of the two forwarded reports is closed.
    assert stats.total.completion_rate == 0.5
    assert "50,0%" in page
    assert "Pemerintah Kabupaten Kutai Timur" in page
    # Units are listed from the regency level down (nationally there are too many).
    assert "Dinas Pekerjaan Umum Kutai Timur" not in page
    regency = text(client.get(URL, PERIOD | {"wilayah": "64.08"}))
    assert "Dinas Pekerjaan Umum Kutai Timur" in regency


def test_long_performance_tables_show_fifty_rows_unless_asked_for_all(world, client, monkeypatch):
    from aduan.stats.views import public

    monkeypatch.setattr(public, "TABLE_ROWS", 1)
    report = in_2026(world, "submitted", region="64.01")
    a.dispose_report(report, world.pemkab_paser, actor=world.national_admin)
    in_2026(world, "dispositioned")
    response = client.get(URL, PERIOD)
    assert len(response.context["stats"].agencies) == 1
    assert "Menampilkan 1 dari 2." in text(response)
    response = client.get(URL, PERIOD | {"semua": "1"})
    assert len(response.context["stats"].agencies) == 2


def test_reports_outside_the_period_are_not_counted(world, client):
    in_2026(world, "submitted")
    response = client.get(URL, {"dari": "2025-01", "sampai": "2025-12"})
    assert response.context["stats"].total.reports == 0
    assert "Tidak ada data." in text(response)


def test_the_region_drills_down_from_province_to_regency_to_district(world, client):
    in_2026(world, "dispositioned", region="64.08.04")
    in_2026(world, "dispositioned", region="64.01")
    national = client.get(URL, PERIOD)
    rows = national.context["stats"].charts["region"].rows
    assert [(r.label, r.values) for r in rows] == [("Kalimantan Timur", ("2",))]
    assert "wilayah=64" in rows[0].href

    province = client.get(URL, PERIOD | {"wilayah": "64"})
    labels = {r.label for r in province.context["stats"].charts["region"].rows}
    assert labels == {"Kabupaten Kutai Timur", "Kabupaten Paser"}

    regency = client.get(URL, PERIOD | {"wilayah": "64.08"})
    rows = regency.context["stats"].charts["region"].rows
    assert [(r.label, r.values) for r in rows] == [("Sangatta Utara", ("1",))]
    assert regency.context["stats"].total.reports == 1
    assert "Kabupaten Kutai Timur" in [name for name, _ in regency.context["stats"].breadcrumbs]


def test_a_category_narrows_the_figures_and_shows_its_sub_categories(world, client):
    in_2026(world, "submitted", category="jalan-rusak")
    in_2026(world, "submitted", category="limbah")
    response = client.get(URL, PERIOD | {"kategori": "infrastruktur"})
    assert response.context["stats"].total.reports == 1
    rows = response.context["stats"].charts["category"].rows
    assert [r.label for r in rows] == ["Jalan rusak"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"dari": "2026-13"}, "Bulan tidak valid"),
        ({"dari": "kemarin"}, "Bulan tidak valid"),
        ({"dari": "2026-10", "sampai": "2026-01"}, "Bulan awal harus sebelum bulan akhir"),
        ({"dari": "2001-01", "sampai": "2026-01"}, "Periode paling panjang"),
        ({"wilayah": "99.99"}, "Wilayah tidak dikenal"),
        ({"wilayah": "64.08.04.1001"}, "Wilayah tidak dikenal"),
        ({"kategori": "tidak-ada"}, "Kategori tidak dikenal"),
    ],
)
def test_bad_filters_are_refused_with_a_clear_message(world, client, params, message):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert message in text(response)


def test_the_refusal_speaks_english_to_english_readers(world, client):
    client.cookies["django_language"] = "en"
    response = client.get(URL, {"kategori": "tidak-ada"})
    assert response.status_code == 400
    assert "Unknown category." in text(response)
    assert "Kategori tidak dikenal." not in text(response)


def test_the_agency_table_sorts_by_any_column_without_javascript(world, client):
    closed = in_2026(world, "closed")
    a.rate_report(closed, 4, actor=world.citizen)
    report = in_2026(world, "submitted", region="64.01")
    a.dispose_report(report, world.pemkab_paser, actor=world.national_admin)
    in_2026(world, "dispositioned")
    by_reports = client.get(URL, PERIOD | {"urut": "laporan", "arah": "desc"})
    names = [row.name for row in by_reports.context["stats"].agencies]
    assert names == ["Pemerintah Kabupaten Kutai Timur", "Pemerintah Kabupaten Paser"]
    by_name = client.get(URL, PERIOD | {"urut": "nama", "arah": "desc"})
    names = [row.name for row in by_name.context["stats"].agencies]
    assert names == ["Pemerintah Kabupaten Paser", "Pemerintah Kabupaten Kutai Timur"]
    assert 'aria-sort="descending"' in text(by_name)
    by_completion = client.get(URL, PERIOD | {"urut": "selesai", "arah": "asc"})
    names = [row.name for row in by_completion.context["stats"].agencies]
    assert names == ["Pemerintah Kabupaten Paser", "Pemerintah Kabupaten Kutai Timur"]
    # An agency without a value in the column (no rating yet) comes last either way.
    for direction in ("asc", "desc"):
        by_rating = client.get(URL, PERIOD | {"urut": "nilai", "arah": direction})
        names = [row.name for row in by_rating.context["stats"].agencies]
        assert names == ["Pemerintah Kabupaten Kutai Timur", "Pemerintah Kabupaten Paser"]
    # Unknown sort keys fall back to the default order rather than failing.
    assert client.get(URL, PERIOD | {"urut": "DROP TABLE"}).status_code == 200


def test_agencies_with_overdue_reports_are_listed_publicly(world, client):
    with time_machine.travel(aware(2026, 3, 10), tick=False) as clock:
        world.report_in("dispositioned")
        clock.shift(dt.timedelta(days=12))
        scan_deadlines()
        response = client.get(URL, PERIOD)
    overdue = response.context["stats"].overdue
    assert [(row.name, row.overdue_now) for row in overdue] == [
        ("Pemerintah Kabupaten Kutai Timur", 1)
    ]
    assert "Instansi dengan laporan terlambat" in text(response)


def test_confidential_reports_are_counted_but_never_shown(world, client):
    in_2026(world, "closed", is_confidential=True, title="Pungli di kantor kecamatan X")
    in_2026(world, "closed", title="Lampu jalan mati")
    response = client.get(URL, PERIOD)
    assert response.context["stats"].total.reports == 2
    page = text(response)
    assert "Pungli" not in page
    assert "Lampu jalan mati" not in page  # the page lists no reports at all


def test_charts_are_accessible_images_with_their_numbers_in_a_table(world, client):
    in_2026(world, "submitted")
    page = text(client.get(URL, PERIOD))
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in page
    assert 'role="img" aria-labelledby="chart-month-title chart-month-desc"' in page
    assert '<title id="chart-month-title">Laporan masuk per bulan</title>' in page
    assert "Lihat angka dalam tabel" in page
    assert '<th scope="row">Mar 2026</th><td class="num">1</td>' in page


def test_the_page_is_in_english_for_english_readers(world, client):
    in_2026(world, "submitted")
    client.cookies["django_language"] = "en"
    page = text(client.get(URL, PERIOD))
    assert "Complaint statistics" in page
    assert "Reports received per month" in page


def _queries(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, params).status_code == 200
    return len(queries)


def test_the_page_reads_a_small_constant_number_of_queries(world, client):
    in_2026(world, "closed")
    few = _queries(client, PERIOD | {"wilayah": "64"})
    for status in ("closed", "in_progress", "responded", "archived", "returned"):
        in_2026(world, status, region="64.01")
        in_2026(world, status, category="limbah")
    from django.core.cache import cache

    from aduan.core import refcache

    cache.clear()
    refcache.clear()  # the category filter's options, rendered once per process
    many = _queries(client, PERIOD | {"wilayah": "64"})
    # (11: one of them reads the newest audit checkpoint, itself cached for a minute.)
    assert few == many <= 11
    # Within the minute the figures come from the cache.
    assert _queries(client, PERIOD | {"wilayah": "64"}) <= 2


def test_the_page_never_reads_the_reports_table(world, client):
    in_2026(world, "closed")
    with CaptureQueriesContext(connection) as queries:
        client.get(URL, PERIOD)
    assert not [q for q in queries if '"reports_report"' in q["sql"]]


def test_the_worker_keeps_the_default_view_warm_so_visitors_read_no_aggregates(world, client):
    from aduan.stats.tasks import warm_public_statistics
    from conftest import run_tasks

    in_2026(world, "closed")
    with time_machine.travel(aware(2026, 11, 20), tick=False):
        warm_public_statistics.enqueue()
        run_tasks()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL)
    assert response.status_code == 200
    assert response.context["stats"].total.reports == 1
    assert not [q for q in captured if "stats_" in q["sql"]]


def main(response) -> str:
    """The page's content, without the site's header and footer (which carry a CSRF
    token that changes on every request)."""
    return re.search(r"<main.*</main>", text(response)).group(0)


def test_the_cached_page_keeps_each_language_apart(world, client):
    in_2026(world, "closed")
    indonesian = main(client.get(URL, PERIOD))
    client.cookies["django_language"] = "en"
    english = main(client.get(URL, PERIOD))  # the figures are cached, the content is not
    client.cookies["django_language"] = "id"
    with CaptureQueriesContext(connection) as captured:
        again = main(client.get(URL, PERIOD))
    assert "Laporan masuk per bulan" in indonesian and "Reports received per month" in english
    assert "Reports received per month" not in again and "Laporan masuk per bulan" in again
    assert again == indonesian
    assert not [q for q in captured if "stats_" in q["sql"]]


def test_the_cached_page_keeps_each_sort_and_filter_apart(world, client):
    in_2026(world, "closed")
    in_2026(world, "in_progress", region="64.01")
    by_reports = main(client.get(URL, PERIOD | {"urut": "laporan"}))
    by_name = main(client.get(URL, PERIOD | {"urut": "nama", "arah": "asc"}))
    paser = main(client.get(URL, PERIOD | {"wilayah": "64.01"}))
    assert by_reports != by_name
    assert by_name == main(client.get(URL, PERIOD | {"arah": "asc", "urut": "nama"}))
    assert "Kabupaten Paser" in paser and paser != by_reports


def test_queries_with_other_parameters_are_rendered_but_not_cached(world, client):
    from django.http import QueryDict

    from aduan.stats.pages import load
    from aduan.stats.queries import Selection
    from aduan.stats.views.public import body_key

    data = load(Selection())
    assert body_key("stats:x", data, QueryDict("urut=nama&dari=2026-01")) is not None
    assert body_key("stats:x", data, QueryDict("utm_source=sms")) is None
    in_2026(world, "closed")
    page = text(client.get(URL, PERIOD | {"utm_source": "sms"}))
    assert "utm_source=sms" in page  # the page's links keep the reader's parameters


def test_the_cached_content_follows_the_data_the_worker_refreshes(world, client):
    from aduan.stats.tasks import warm_public_statistics
    from conftest import run_tasks

    in_2026(world, "closed")
    with time_machine.travel(aware(2026, 11, 20), tick=False):
        warm_public_statistics.enqueue()
        run_tasks()
        before = client.get(URL)
        in_2026(world, "closed")
        in_2026(world, "closed")
        warm_public_statistics.enqueue()
        run_tasks()
        after = client.get(URL)
    assert before.context["stats"].total.reports == 1
    assert after.context["stats"].total.reports == 3
    figures = re.compile(r"<dt>Laporan masuk</dt><dd>(\d+)</dd>")
    assert figures.findall(text(before)) == ["1"]
    assert figures.findall(text(after)) == ["3"]


@pytest.mark.parametrize("language", ["id", "en"])
def test_whole_numbers_are_formatted_as_django_formats_them(language):
    from django.utils.formats import number_format
    from django.utils.translation import override

    from aduan.stats.fragments import count

    with override(language):
        for value in (0, 7, 999, 1000, 12345, 1234567, -1500, 10**12):
            assert count(value) == number_format(value, use_l10n=True, force_grouping=True)
        assert count(None) == "–"
