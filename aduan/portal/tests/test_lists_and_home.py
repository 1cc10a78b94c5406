"""The public list with its filters and keyset pages, "Laporan saya", and the home page."""

import datetime as dt

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aduan.reports import actions as a

LIST = "/laporan/"
MINE = "/laporan-saya/"


def titles(response) -> list[str]:
    return [row["report"].title for row in response.context["rows"]]


def many_published(world, count: int, **data):
    """`count` published reports, one minute apart (newest last)."""
    start = timezone.now() - dt.timedelta(days=1)
    reports = []
    for i in range(count):
        with time_machine.travel(start + dt.timedelta(minutes=i), tick=False):
            report = world.submit(title=f"Laporan nomor {i:02d}", **data)
            reports.append(
                a.dispose_report(
                    report, world.pemkab, unit=world.dinas_pu, actor=world.national_admin
                )
            )
    return reports


# ------------------------------------------------------------------------------ the public list


def test_the_list_shows_published_reports_only(client, world):
    world.report_in("in_progress", title="Jalan rusak terbuka")
    world.report_in("closed", title="Selesai ditambal")
    world.report_in("in_progress", title="Keluhan tersembunyi", is_confidential=True)
    world.report_in("submitted", title="Belum diverifikasi")
    world.report_in("archived", title="Spam diarsipkan")
    world.report_in("closed", title="Laporan anonim", is_anonymous=True)

    response = client.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert set(titles(response)) == {"Jalan rusak terbuka", "Selesai ditambal", "Laporan anonim"}
    assert "Keluhan tersembunyi" not in html and "Belum diverifikasi" not in html
    assert "Siti" not in html


# 10:00 WIB on Wednesday 8 July 2026: the list's dates are days in the site's zone (WIB).
@time_machine.travel(dt.datetime(2026, 7, 8, 10, tzinfo=dt.timezone(dt.timedelta(hours=7))))
def test_the_list_is_filtered_by_region_category_status_date_and_title(client, world):
    world.report_in("in_progress", title="Jalan Kutim")
    world.report_in("closed", title="Limbah Kutim", category="limbah", region="64.08.05")
    world.report_in("in_progress", title="Jalan Paser", region="64.01")
    world.report_in("in_progress", title="Jalan Jakarta", region="31")

    assert set(titles(client.get(LIST, {"provinsi": "64"}))) == {
        "Jalan Kutim",
        "Limbah Kutim",
        "Jalan Paser",
    }
    assert set(titles(client.get(LIST, {"provinsi": "64", "kabupaten": "64.08"}))) == {
        "Jalan Kutim",
        "Limbah Kutim",
    }
    # A parent category includes its sub-categories.
    assert titles(client.get(LIST, {"kategori": "lingkungan-hidup"})) == ["Limbah Kutim"]
    assert titles(client.get(LIST, {"status": "closed"})) == ["Limbah Kutim"]
    assert set(titles(client.get(LIST, {"cari": "jalan"}))) == {
        "Jalan Kutim",
        "Jalan Paser",
        "Jalan Jakarta",
    }
    assert len(titles(client.get(LIST, {"dari": "2026-07-08", "sampai": "2026-07-08"}))) == 4
    assert titles(client.get(LIST, {"sampai": "2026-07-07"})) == []
    assert titles(client.get(LIST, {"dari": "2026-07-09"})) == []


def test_a_regency_outside_the_chosen_province_is_ignored(client, world):
    world.report_in("in_progress", title="Jalan Kutim")
    response = client.get(LIST, {"provinsi": "31", "kabupaten": "64.08"})
    assert response.status_code == 200
    assert titles(response) == []
    assert '<option value="64.08" selected>' not in response.content.decode()


def test_bad_filter_input_is_explained_and_the_valid_filters_still_apply(client, world):
    world.report_in("in_progress", title="Jalan Kutim")
    world.report_in("in_progress", title="Jalan Paser", region="64.01")
    response = client.get(
        LIST,
        {
            "dari": "kemarin",
            "status": "submitted",
            "kategori": "x",
            "kabupaten": "64.08",
            "provinsi": "64",
        },
    )
    assert response.status_code == 200
    assert response.content.decode().count('class="errorlist"') == 3
    assert titles(response) == ["Jalan Kutim"]


def test_the_list_pages_by_keyset_without_counting(client, world):
    reports = many_published(world, 23)
    newest_first = [r.title for r in reversed(reports)]

    with CaptureQueriesContext(connection) as queries:
        first = client.get(LIST)
    assert titles(first) == newest_first[:20]
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    html = first.content.decode()
    assert "Halaman berikutnya" in html and "Sebelumnya" not in html

    second = client.get(LIST, {"setelah": reports[3].tracking_number})
    assert titles(second) == newest_first[20:]
    assert "Halaman berikutnya" not in second.content.decode()
    assert "Sebelumnya" in second.content.decode()

    back = client.get(LIST, {"sebelum": reports[2].tracking_number})
    assert titles(back) == newest_first[:20]


def test_the_list_page_costs_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    many_published(world, 3)
    client.get(LIST)  # warm the cached province list
    # A filtered list counts its results (bounded): one query more than the plain list.
    with django_assert_max_num_queries(5):
        small = client.get(LIST, {"provinsi": "64"})
    many_published(world, 20)
    with django_assert_max_num_queries(5):
        large = client.get(LIST, {"provinsi": "64"})
    assert len(titles(small)) == 3 and len(titles(large)) == 20


def test_a_cursor_pointing_at_a_hidden_report_reveals_nothing(client, world):
    many_published(world, 3)
    hidden = world.report_in("in_progress", is_confidential=True)
    response = client.get(LIST, {"setelah": hidden.tracking_number})
    assert response.status_code == 200
    assert len(titles(response)) == 3  # treated as the first page


# ------------------------------------------------------------------------------ my reports


def test_my_reports_offers_a_visitor_to_sign_in_or_to_prove_a_contact(client, db):
    response = client.get(MINE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "/akun/masuk/?next=/laporan-saya/" in html
    assert 'action="/laporan-saya/kontak/"' in html
    assert "report-list" not in html


def test_my_reports_lists_every_own_report_and_nobody_elses(
    client, world, django_assert_max_num_queries
):
    world.report_in("submitted", title="Milik saya, belum diverifikasi")
    world.report_in("in_progress", title="Milik saya, rahasia", is_confidential=True)
    world.submit(actor=world.outsider, title="Milik orang lain")
    client.force_login(world.citizen)
    client.get(MINE)
    with django_assert_max_num_queries(6):
        response = client.get(MINE)
    assert set(titles(response)) == {"Milik saya, belum diverifikasi", "Milik saya, rahasia"}
    assert "Milik orang lain" not in response.content.decode()


def test_my_reports_pages_through_many_reports(client, world):
    for i in range(22):
        world.submit(title=f"Laporan {i}")
    client.force_login(world.citizen)
    first = client.get(MINE)
    assert len(titles(first)) == 20
    last = first.context["page"].last.tracking_number
    assert len(titles(client.get(MINE, {"setelah": last}))) == 2


# ------------------------------------------------------------------------------ home


def test_the_home_page_explains_the_lifecycle_and_counts_reports(client, world):
    world.report_in("closed")
    world.report_in("in_progress")
    world.report_in("archived")
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Laporkan masalah" in html
    assert "Dalam 3 hari kerja" in html
    assert "5 hari kerja" in html and "14 hari kerja" in html and "60 hari kerja" in html
    assert "10 hari kerja" in html
    assert response.context["stats"] == {
        "received": 3,
        "in_progress": 1,
        "completed": 1,
        # Archived reports are not counted against the completion rate.
        "percent_completed": 50,
    }


def test_home_numbers_are_cached_for_a_minute(client, world, django_assert_max_num_queries):
    world.report_in("closed")
    client.get("/")
    world.report_in("closed")
    with django_assert_max_num_queries(2):
        cached = client.get("/")
    assert cached.context["stats"]["received"] == 1
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        fresh = client.get("/")
    assert fresh.context["stats"]["received"] == 2
