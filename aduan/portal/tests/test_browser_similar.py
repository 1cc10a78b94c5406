"""Similar reports before submitting and "Saya juga mengalami", in a real browser (phone
and desktop widths, with and without JavaScript), and the staff's duplicate hints.
Each saves a screenshot under var/screenshots/."""

import re

import pytest
from django.core import mail

from aduan.reports import actions as a
from aduan.reports.models import Report
from conftest import login, run_tasks, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def published(world, **data):
    return world.report_in(
        "in_progress",
        title="Jalan berlubang di depan pasar Sangatta",
        region="64.08.04.1001",
        **data,
    )


def test_with_javascript_a_guest_sees_similar_reports_live_and_supports_one(phone_page, world):
    original = published(world)
    page = phone_page
    page.goto("/lapor/")
    page.get_by_label("Alamat surel").fill("tetangga@example.com")
    page.get_by_role("button", name="Kirim kode").click()
    page.get_by_role("heading", name="Masukkan kode verifikasi").wait_for()
    run_tasks()
    code = re.search(r"Kode verifikasi Anda: (\d{6})", mail.outbox[-1].body).group(1)
    page.get_by_label("Kode verifikasi").fill(code)
    page.get_by_role("button", name="Verifikasi").click()

    page.get_by_label("Judul laporan").fill("Lubang di jalan pasar")
    page.get_by_label("Kategori").select_option("jalan-rusak")
    page.get_by_label("Provinsi").select_option("64")
    page.get_by_label("Kabupaten/kota").select_option("64.08")
    page.get_by_label("Kecamatan").select_option("64.08.04")
    page.get_by_label("Desa/kelurahan").select_option("64.08.04.1001")

    live = page.locator("[data-similar-live]")
    live.get_by_role("heading", name="Laporan serupa di sekitar").wait_for()
    assert live.get_by_role("link", name=original.title).is_visible()
    assert page.locator("[data-similar-seen]").input_value() == original.tracking_number
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    live.scroll_into_view_if_needed()
    screenshot(page, "portal-similar-live-phone")

    live.get_by_role("button", name=re.compile("Dukung laporan ini")).click()
    page.get_by_text("Dukungan Anda tercatat: 1 orang mengalami masalah ini.").wait_for()
    assert page.get_by_role("heading", name=original.title).is_visible()
    assert page.locator("#dukungan").get_by_text("1 orang juga mengalami").is_visible()
    assert Report.objects.count() == 1
    screenshot(page, "portal-report-supported-phone")


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_without_javascript_the_form_shows_similar_reports_once_then_files(
    browser, live_server, world, device
):
    original = published(world)
    options = PHONE if device == "phone" else DESKTOP
    context = browser.new_context(
        base_url=live_server.url, locale="id-ID", java_script_enabled=False, **options
    )
    page = context.new_page()
    try:
        login(page, "warga_lain")
        page.goto("/lapor/")
        page.get_by_label("Judul laporan").fill("Jalan rusak parah di pasar")
        page.get_by_label("Isi laporan").fill("Lubang besar, pengendara motor sering jatuh.")
        page.get_by_label("Kategori").select_option("jalan-rusak")
        page.get_by_label("Provinsi").select_option("64")
        page.get_by_role("button", name="Pilih Provinsi").click()
        page.get_by_label("Kabupaten/kota").select_option("64.08")
        page.get_by_role("button", name="Pilih Kabupaten/kota").click()
        page.get_by_label("Kecamatan").select_option("64.08.04")
        page.get_by_role("button", name="Pilih Kecamatan").click()
        page.get_by_label("Desa/kelurahan").select_option("64.08.04.1001")
        page.get_by_role("button", name="Kirim laporan").click()

        page.get_by_role("heading", name="Sudah ada laporan serupa").wait_for()
        assert page.get_by_role("link", name=original.title).is_visible()
        assert page.get_by_text("1 orang juga mengalami").count() == 0
        assert Report.objects.count() == 1
        if device == "phone":
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(page, f"portal-similar-step-{device}")

        page.get_by_role("button", name="Tetap kirim laporan baru").click()
        page.get_by_role("heading", name="Laporan Anda sudah kami terima").wait_for()
        report = Report.objects.exclude(pk=original.pk).get()
        assert report.title == "Jalan rusak parah di pasar"
        assert report.region_id == "64.08.04.1001"
    finally:
        context.close()


def test_staff_see_duplicate_hints_and_the_duplicates_of_an_original(page, world):
    original = published(world)
    a.archive_report(
        world.submit(title="Jalan pasar berlubang (laporan kedua)"),
        "duplicate",
        duplicate_of=original,
        actor=world.national_admin,
    )
    for contact in ("a@example.com", "b@example.com"):
        a.support_report(original, a.supporter_key(original, contact), actor=None)
    newcomer = world.submit(title="Lubang di jalan pasar", region="64.08.04.1001")

    login(page, "admin_nasional")
    page.goto(f"/petugas/laporan/{newcomer.tracking_number}/")
    hints = page.locator("section", has=page.get_by_role("heading", name=re.compile("duplikat")))
    hints.first.wait_for()
    assert page.get_by_role("link", name=original.tracking_number).is_visible()
    assert page.get_by_role("button", name="Arsipkan sebagai duplikat dari ini").is_visible()
    screenshot(page, "staff-duplicate-hints")

    page.get_by_role("link", name=original.tracking_number).click()
    page.get_by_role("heading", name="Laporan ini asli dari 1 duplikat").wait_for()
    assert page.get_by_text("Jalan pasar berlubang (laporan kedua)").is_visible()
    assert page.get_by_text("Sejauh ini 2 orang.").is_visible()
    screenshot(page, "staff-original-with-duplicates")
