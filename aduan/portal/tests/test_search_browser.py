"""Search in a real browser (Playwright driving Debian's chromium), at a phone's and a
desktop's width and without JavaScript. Each journey saves a screenshot."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from aduan.reports import actions as a
from conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def published(world, title, body, *, days_ago, **data):
    with time_machine.travel(timezone.now() - dt.timedelta(days=days_ago), tick=False):
        report = world.submit(title=title, body=body, **data)
        return a.dispose_report(
            report, world.pemkab, unit=world.dinas_pu, actor=world.national_admin
        )


@pytest.fixture
def corpus(world):
    return [
        published(
            world,
            "Jalan poros Sangatta–Bengalon berlubang",
            "Lubang besar di KM 12 sudah tiga bulan, pengendara motor sering jatuh.",
            days_ago=9,
        ),
        published(
            world,
            "Banjir setiap hujan di Perumahan Swarga Bara",
            "Drainase tersumbat sampah sehingga jalan tergenang setinggi lutut.",
            days_ago=6,
            category="limbah",
        ),
        published(
            world,
            "Lampu jalan mati di Jl. Yos Sudarso",
            "Sudah dua minggu gelap, rawan kecelakaan dan pencurian.",
            days_ago=3,
        ),
        world.report_in(
            "in_progress",
            title="Pungutan liar jalan desa",
            body="Rahasia: pungutan di jalan desa.",
            is_confidential=True,
        ),
    ]


def result_titles(page) -> list[str]:
    return page.locator(".report-item-title").all_inner_texts()


def test_searching_at_desktop_width(page, corpus):
    page.goto("/laporan/")
    page.get_by_label("Cari laporan").fill("jalan")
    page.get_by_role("button", name="Cari", exact=True).click()
    page.get_by_text("3 laporan ditemukan").wait_for()
    titles = result_titles(page)
    # Title matches first; the body-only match (the flood) last; never the confidential one.
    assert titles[-1] == "Banjir setiap hujan di Perumahan Swarga Bara"
    assert "Pungutan liar jalan desa" not in page.content()
    assert "paling sesuai lebih dulu" in page.content()
    screenshot(page, "portal-search-desktop")

    # A phrase and an exclusion.
    page.get_by_label("Cari laporan").fill('"lampu jalan" -banjir')
    page.get_by_role("button", name="Cari", exact=True).click()
    page.get_by_text("1 laporan ditemukan").wait_for()
    assert result_titles(page) == ["Lampu jalan mati di Jl. Yos Sudarso"]


def test_searching_and_sorting_at_phone_width(phone_page, corpus):
    page = phone_page
    page.goto("/laporan/")
    page.get_by_label("Cari laporan").fill("jalan")
    page.get_by_role("button", name="Cari", exact=True).click()
    page.get_by_text("3 laporan ditemukan").wait_for()
    # The filters open on demand; choose the oldest first.
    page.get_by_text("Saring dan urutkan").click()
    page.get_by_label("Urutkan").select_option("terlama")
    page.get_by_role("button", name="Terapkan").click()
    page.get_by_text("terlama lebih dulu").wait_for()
    assert result_titles(page) == [
        "Jalan poros Sangatta–Bengalon berlubang",
        "Banjir setiap hujan di Perumahan Swarga Bara",
        "Lampu jalan mati di Jl. Yos Sudarso",
    ]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "portal-search-phone")

    # Nothing found: the page says what to try.
    page.get_by_label("Cari laporan").fill("diperbaiki")
    page.get_by_role("button", name="Cari", exact=True).click()
    page.get_by_text("Tidak ada laporan publik yang cocok dengan pencarian ini.").wait_for()
    screenshot(page, "portal-search-nothing-phone")


def test_a_tracking_number_in_the_search_box_opens_the_report(phone_page, corpus):
    page = phone_page
    public, hidden = corpus[0], corpus[-1]
    page.goto("/laporan/")
    page.get_by_label("Cari laporan").fill(public.tracking_number.replace("-", " ").lower())
    page.get_by_role("button", name="Cari", exact=True).click()
    page.get_by_role("heading", name=public.title).wait_for()
    assert page.url.endswith(f"/lacak/{public.tracking_number}/")

    # A confidential report's number reads like a number nobody has.
    page.goto("/laporan/")
    page.get_by_label("Cari laporan").fill(hidden.tracking_number)
    page.get_by_role("button", name="Cari", exact=True).click()
    page.get_by_text("Laporan tidak ditemukan atau tidak ditampilkan untuk publik.").wait_for()
    assert "Pungutan liar" not in page.content()


def test_search_works_without_javascript(browser, live_server, corpus):
    context = browser.new_context(
        base_url=live_server.url, locale="id-ID", java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/laporan/")
    page.get_by_label("Cari laporan").fill("lubang")
    page.get_by_role("button", name="Cari", exact=True).click()
    page.get_by_text("1 laporan ditemukan").wait_for()
    assert result_titles(page) == ["Jalan poros Sangatta–Bengalon berlubang"]
    context.close()


def test_staff_search_their_inbox(page, world, corpus):
    login(page, "admin_kutim")
    page.goto("/petugas/?tab=semua")
    page.get_by_label("Cari judul, isi, atau nomor laporan").fill("jalan")
    page.get_by_role("button", name="Cari", exact=True).click()
    page.get_by_text("paling sesuai lebih dulu").wait_for()
    # Staff see the confidential report of their agency too.
    assert "Pungutan liar jalan desa" in page.content()
    screenshot(page, "staff-inbox-search")
    page.get_by_label("Cari judul, isi, atau nomor laporan").fill(corpus[0].tracking_number)
    page.get_by_role("button", name="Cari", exact=True).click()
    page.get_by_role("heading", name=corpus[0].title).wait_for()
