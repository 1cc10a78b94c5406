"""A few real-browser journeys (Playwright driving Debian's chromium) through the citizens'
pages, at a cheap phone's width where it matters. Each saves a screenshot."""

import re

import pytest
from django.core import mail

from aduan.reports.models import Attachment, Report
from conftest import login, run_tasks, screenshot

from .conftest import png_bytes

pytestmark = pytest.mark.django_db(transaction=True)

PHOTO = {"name": "lubang.png", "mimeType": "image/png", "buffer": png_bytes()}


def fill_report(page, *, title="Jalan berlubang di depan SDN 003"):
    page.get_by_label("Judul laporan").fill(title)
    page.get_by_label("Isi laporan").fill(
        "Lubang selebar satu meter sudah dua bulan, motor sering jatuh di sini."
    )
    page.get_by_label("Kategori").select_option("jalan-rusak")
    # The region levels load one after another from the JSON endpoint.
    page.get_by_label("Provinsi").select_option("64")
    page.get_by_label("Kabupaten/kota").select_option("64.08")
    page.get_by_label("Kecamatan").select_option("64.08.04")
    page.get_by_label("Desa/kelurahan").select_option("64.08.04.1001")
    page.get_by_label("Alamat atau patokan").fill("Jl. Poros KM 12")


def test_a_logged_in_citizen_files_a_report_with_a_photo(page, world):
    login(page, "warga")
    page.goto("/lapor/")
    fill_report(page)
    page.get_by_label("Foto atau dokumen").set_input_files(PHOTO)
    page.get_by_role("button", name="Kirim laporan").click()

    page.get_by_role("heading", name="Laporan Anda sudah kami terima").wait_for()
    report = Report.objects.get()
    assert page.get_by_text(report.tracking_number, exact=True).is_visible()
    assert "Admin memverifikasi paling lambat" in page.content()
    assert report.region_id == "64.08.04.1001"
    assert Attachment.objects.get().report == report
    screenshot(page, "portal-report-submitted")

    page.get_by_role("link", name="Lihat laporan").click()
    page.get_by_role("heading", name="Jalan berlubang di depan SDN 003").wait_for()
    assert page.get_by_text("Ini laporan Anda.").is_visible()


def test_a_guest_verifies_an_email_with_a_code_and_files_a_report(phone_page, world):
    page = phone_page
    page.goto("/lapor/")
    page.get_by_label("Nama").fill("Rahmat")
    page.get_by_label("Alamat surel").fill("rahmat@example.com")
    page.get_by_role("button", name="Kirim kode").click()
    page.get_by_role("heading", name="Masukkan kode verifikasi").wait_for()

    run_tasks()
    code = re.search(r"Kode verifikasi Anda: (\d{6})", mail.outbox[-1].body).group(1)
    page.get_by_label("Kode verifikasi").fill(code)
    page.get_by_role("button", name="Verifikasi").click()

    page.get_by_label("Judul laporan").wait_for()
    fill_report(page, title="Sampah menumpuk di pasar")
    page.get_by_label("Foto atau dokumen").set_input_files(PHOTO)
    page.get_by_label("Anonim").check()
    screenshot(page, "portal-guest-form")
    page.get_by_role("button", name="Kirim laporan").click()

    page.get_by_role("heading", name="Laporan Anda sudah kami terima").wait_for()
    report = Report.objects.get()
    assert report.reporter.email == "rahmat@example.com"
    assert report.reporter.contact_verified_at is not None
    assert report.is_anonymous
    assert (
        f"/lacak/{report.tracking_number}/?kunci=" in page.locator("#tautan-rahasia").inner_text()
    )
    screenshot(page, "portal-guest-submitted")


def test_bad_input_keeps_what_was_typed(page, world):
    login(page, "warga")
    page.goto("/lapor/")
    fill_report(page, title="")
    page.get_by_label("Isi laporan").fill("pendek")
    page.get_by_role("button", name="Kirim laporan").click()

    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "Judul wajib diisi." in alert.inner_text()
    assert page.get_by_label("Isi laporan").input_value() == "pendek"
    assert page.get_by_label("Kabupaten/kota").input_value() == "64.08"
    assert page.get_by_label("Desa/kelurahan").input_value() == "64.08.04.1001"
    assert page.get_by_label("Alamat atau patokan").input_value() == "Jl. Poros KM 12"
    # The error message is announced with the field it belongs to.
    title = page.get_by_label("Judul laporan")
    assert title.get_attribute("aria-invalid") == "true"
    assert not Report.objects.exists()
    screenshot(page, "portal-form-errors")


def test_the_public_list_and_a_report_at_phone_width_never_show_confidential_reports(
    phone_page, world
):
    page = phone_page
    public = world.report_in("in_progress", title="Lampu jalan mati di Jl. Yos Sudarso")
    hidden = world.report_in(
        "in_progress", title="Pungutan liar di kantor desa", is_confidential=True
    )

    page.goto("/laporan/")
    assert page.get_by_role("link", name=public.title).is_visible()
    assert "Pungutan liar" not in page.content()
    screenshot(page, "portal-public-list-phone")

    page.get_by_role("link", name=public.title).click()
    page.get_by_role("heading", name=public.title).wait_for()
    assert (
        page.get_by_text("wajib menanggapi paling lambat").is_visible()
        or page.get_by_text("wajib menyelesaikan laporan ini paling lambat").is_visible()
    )
    # Nothing overflows the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "portal-public-detail-phone")

    response = page.goto(f"/lacak/{hidden.tracking_number}/")
    assert response.status == 404
    page.goto("/lacak/")
    page.get_by_label("Nomor laporan").fill(hidden.tracking_number)
    page.get_by_role("button", name="Lacak", exact=True).click()
    page.get_by_text("Laporan tidak ditemukan atau tidak ditampilkan untuk publik.").wait_for()
    assert "Pungutan liar" not in page.content()
    page.goto("/")
    assert "Pungutan liar" not in page.content()
    screenshot(page, "portal-track-hidden-phone")


def test_without_javascript_the_region_levels_load_with_the_pilih_buttons(
    browser, live_server, world
):
    context = browser.new_context(
        base_url=live_server.url, locale="id-ID", java_script_enabled=False
    )
    page = context.new_page()
    try:
        login(page, "warga")
        page.goto("/lapor/")
        page.get_by_label("Judul laporan").fill("Drainase tersumbat")
        page.get_by_label("Isi laporan").fill("Air meluap ke jalan setiap hujan deras turun.")
        page.get_by_label("Provinsi").select_option("64")
        page.get_by_role("button", name="Pilih Provinsi").click()
        page.get_by_label("Kabupaten/kota").select_option("64.08")
        page.get_by_role("button", name="Pilih Kabupaten/kota").click()
        page.get_by_label("Kecamatan").select_option("64.08.04")
        page.get_by_role("button", name="Pilih Kecamatan").click()
        page.get_by_label("Desa/kelurahan").select_option("64.08.04.1001")
        # Everything typed survived the round trips.
        assert page.get_by_label("Judul laporan").input_value() == "Drainase tersumbat"
        screenshot(page, "portal-form-no-javascript")
        page.get_by_role("button", name="Kirim laporan").click()
        page.get_by_role("heading", name="Laporan Anda sudah kami terima").wait_for()
        assert Report.objects.get().region_id == "64.08.04.1001"
    finally:
        context.close()


def test_a_province_chosen_before_the_script_ran_still_loads_its_regencies(page, world):
    """On a slow phone the form can be used before its script has run: the province chosen
    then must not leave the regency list disabled for good (the script loads it when it
    starts, as if the province had just been chosen)."""
    login(page, "warga")
    page.route("**/portal.js", lambda route: route.abort())
    page.goto("/lapor/")
    page.get_by_label("Provinsi").select_option("64")
    assert page.get_by_label("Kabupaten/kota").is_disabled()

    page.unroute("**/portal.js")
    page.add_script_tag(url="/static/portal/portal.js")

    page.get_by_label("Kabupaten/kota").select_option("64.08")
    page.get_by_label("Kecamatan").select_option("64.08.04")
    assert page.get_by_label("Kecamatan").input_value() == "64.08.04"
