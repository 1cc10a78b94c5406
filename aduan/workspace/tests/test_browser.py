"""A few real-browser checks of the staff workspace (Playwright driving Debian's chromium).
Each saves a screenshot under var/screenshots/."""

import pytest

from aduan.reports import actions as a
from aduan.reports.models import Report, Status
from conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_agency_admin_signs_in_and_forwards_a_report_to_a_unit(page, world):
    report = a.dispose_report(world.submit(), world.pemkab, actor=world.national_admin)

    login(page, "admin_kutim")
    page.get_by_role("heading", name="Kotak masuk").wait_for()
    assert (
        page.get_by_role("link", name="Perlu diteruskan ke unit").get_attribute("aria-current")
        == "page"
    )
    screenshot(page, "workspace-inbox-agency-admin")

    page.get_by_role("link", name=report.title).click()
    page.get_by_role("heading", name=report.title).wait_for()
    page.get_by_label("Unit kerja", exact=True).select_option(
        label="Dinas Pekerjaan Umum Kutai Timur"
    )
    page.get_by_label("Catatan untuk unit (internal)").fill("Mohon ditangani minggu ini.")
    page.get_by_role("button", name="Teruskan ke unit").click()

    page.get_by_text("Laporan diteruskan ke unit kerja.").wait_for()
    assert page.get_by_text("Mohon ditangani minggu ini.").is_visible()
    screenshot(page, "workspace-report-forwarded")
    assert Report.objects.get(pk=report.pk).unit == world.dinas_pu


def test_a_unit_officer_never_sees_an_anonymous_reporter(page, world):
    report = world.report_in("dispositioned", is_anonymous=True)

    login(page, "petugas_pu")
    page.get_by_role("heading", name="Kotak masuk").wait_for()
    page.goto(f"/petugas/laporan/{report.tracking_number}/")
    page.get_by_role("heading", name=report.title).wait_for()
    html = page.content()
    assert "Siti Aminah" not in html
    assert "081234567890" not in html and "siti@example.com" not in html
    assert page.get_by_role("button", name="Tampilkan identitas pelapor").count() == 0
    assert page.get_by_text("Identitas pelapor dirahasiakan").is_visible()

    page.get_by_role("button", name="Terima untuk diproses").click()
    page.get_by_text("Laporan diterima untuk diproses.").wait_for()
    screenshot(page, "workspace-report-unit-anonymous")
    assert Report.objects.get(pk=report.pk).status == Status.IN_PROGRESS


def test_a_unit_officer_returns_a_report_and_lands_on_the_inbox(page, world):
    report = world.report_in("dispositioned")

    login(page, "petugas_pu")
    page.get_by_role("heading", name="Kotak masuk").wait_for()
    page.goto(f"/petugas/laporan/{report.tracking_number}/")
    page.get_by_role("heading", name=report.title).wait_for()
    page.get_by_label("Alasan bukan wewenang").fill("Jalan nasional, kewenangan BPJN.")
    page.get_by_role("button", name="Bukan wewenang").click()

    page.get_by_role("heading", name="Kotak masuk").wait_for()
    page.get_by_text(
        f"Laporan {report.tracking_number} dikembalikan sebagai bukan wewenang"
    ).wait_for()
    assert page.url.endswith("/petugas/")
    screenshot(page, "workspace-return-back-to-inbox")
    assert Report.objects.get(pk=report.pk).status == Status.RETURNED


def test_the_inbox_works_at_a_phone_width(phone_page, world):
    page = phone_page
    for title in ("Jalan berlubang di KM 12", "Drainase tersumbat di Jalan Pendidikan"):
        a.dispose_report(world.submit(title=title), world.pemkab, actor=world.national_admin)

    login(page, "admin_kutim")
    page.get_by_role("heading", name="Kotak masuk").wait_for()
    # Nothing is wider than the screen: no sideways scrolling of the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.get_by_role("link", name="Drainase tersumbat di Jalan Pendidikan").is_visible()
    page.get_by_label("Cari judul, isi, atau nomor laporan").fill("drainase")
    page.get_by_role("button", name="Cari").click()
    page.wait_for_url("**q=drainase**")
    assert page.get_by_role("link", name="Jalan berlubang di KM 12").count() == 0
    screenshot(page, "workspace-inbox-phone")


def test_the_other_tabs_counts_appear_after_the_page(page, world):
    world.report_in("in_progress")
    a.dispose_report(world.submit(), world.pemkab, actor=world.national_admin)

    login(page, "admin_kutim")
    page.get_by_role("heading", name="Kotak masuk").wait_for()
    tabs = page.get_by_role("navigation", name="Antrean kerja")
    everything = tabs.locator('[data-tab-count="semua"]')
    everything.wait_for()  # shown once the counts have arrived
    assert everything.inner_text() == "2"
    assert everything.get_attribute("aria-label") == "2 laporan"
    assert tabs.locator('[data-tab-count="diproses"]').inner_text() == "1"
    # The shown tab was counted with the page.
    assert page.get_by_role("link", name="Perlu diteruskan ke unit").inner_text().endswith("1")

    # Within a short time the next view shows the counts at once, from the session.
    page.get_by_role("link", name="Semua").click()
    page.get_by_role("link", name="Semua").get_by_text("2").wait_for()
    assert tabs.locator("[data-tab-count]").count() == 0
    assert "1 laporan" in tabs.get_by_role("link", name="Diproses unit").inner_html()
