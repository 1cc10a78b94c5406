"""Real-browser checks of the statistics pages (Playwright driving Debian's chromium).
Each saves a screenshot under var/screenshots/."""

import re

import pytest

from conftest import aware, login, screenshot

from .lifecycle import Walk

pytestmark = pytest.mark.django_db(transaction=True)

PERIOD = "dari=2026-01&sampai=2026-12"


@pytest.fixture
def history(world):
    for seed in (1, 2):
        Walk(world, seed).run(steps=70, start=aware(2026, 3, 2))
    return world


def test_the_public_statistics_page_reads_well_on_a_desktop(page, history):
    page.goto(f"/statistik/?{PERIOD}")
    page.get_by_role("heading", name="Statistik pengaduan").wait_for()
    chart = page.get_by_role("img", name="Laporan masuk per bulan")
    assert chart.is_visible()
    screenshot(page, "stats-public")

    # The numbers behind a chart, for screen readers and for readers of tables.
    figure = page.locator("#chart-region")
    figure.get_by_text("Lihat angka dalam tabel").click()
    figure.get_by_role("link", name="Kalimantan Timur").click()
    page.wait_for_url(re.compile(r"wilayah=64"))
    page.get_by_role("navigation", name="Wilayah").get_by_text("Kalimantan Timur").wait_for()

    # Sorting the performance table is a plain link.
    page.get_by_role("link", name="Instansi").first.click()
    page.wait_for_url(re.compile(r"urut=nama"))
    header = page.locator("table.performance th[aria-sort]").first
    assert header.get_attribute("aria-sort") == "ascending"


def test_the_public_statistics_page_fits_a_phone(phone_page, history):
    phone_page.goto(f"/statistik/?{PERIOD}&wilayah=64")
    phone_page.get_by_role("img", name="Laporan per wilayah").wait_for()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    screenshot(phone_page, "stats-public-phone")


def test_an_agency_admin_reads_the_dashboard_and_downloads_the_list(page, history):
    login(page, "admin_kutim")
    page.get_by_role("heading", name="Kotak masuk").wait_for()
    page.goto(f"/statistik/dasbor/?{PERIOD}")
    page.get_by_role("heading", name=re.compile("Dasbor statistik")).wait_for()
    assert page.get_by_role("heading", name="Beban kerja per unit").is_visible()
    assert page.get_by_role(
        "img", name=re.compile("Laporan masuk dan selesai per hari")
    ).is_visible()
    screenshot(page, "stats-dashboard")

    with page.expect_download() as download:
        page.get_by_role("button", name="Unduh CSV").click()
    assert download.value.suggested_filename.startswith("laporan-")
    with open(download.value.path(), encoding="utf-8-sig") as handle:
        content = handle.read()
    assert content.splitlines()[0].startswith("Nomor laporan,")
