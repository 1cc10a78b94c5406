"""Real-browser checks (Playwright, Debian's chromium) of the unit suggestion an agency
admin sees when forwarding, and of the region picker: the ARIA combobox with JavaScript,
at desktop and phone widths, and its server-side list of matches without JavaScript. Each
saves a screenshot under var/screenshots/."""

import pytest

from aduan.reports import actions as a
from aduan.reports.models import Report
from conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

SANGKULIRANG = "Kecamatan Sangkulirang, Kab. Kutai Timur, Kalimantan Timur"
SANGATTA = "Kecamatan Sangatta Utara, Kab. Kutai Timur, Kalimantan Timur"


def fits_the_screen(page, width=360):
    return page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_agency_admin_forwards_to_the_suggested_unit(page, world):
    report = a.dispose_report(world.submit(), world.pemkab, actor=world.national_admin)

    login(page, "admin_kutim")
    page.get_by_role("heading", name="Kotak masuk").wait_for()
    page.goto(f"/petugas/laporan/{report.tracking_number}/")
    suggestion = page.get_by_test_id("routing-suggestion")
    assert "Saran unit kerja: Dinas Pekerjaan Umum Kutai Timur" in suggestion.inner_text()
    assert (
        "Jalan rusak di Kabupaten Kutai Timur biasanya ditangani Dinas PU — "
        f"aturan #{world.rule_jalan.pk}"
    ) in suggestion.inner_text()
    # The suggested unit is already chosen; the admin confirms it.
    unit = page.get_by_label("Unit kerja", exact=True)
    assert unit.evaluate("select => select.selectedOptions[0].textContent") == (
        "Dinas Pekerjaan Umum Kutai Timur"
    )
    screenshot(page, "workspace-unit-suggestion")
    page.get_by_role("button", name="Teruskan ke unit").click()

    page.get_by_text("Laporan diteruskan ke unit kerja.").wait_for()
    assert Report.objects.get(pk=report.pk).unit == world.dinas_pu


def test_the_unit_suggestion_reads_well_on_a_phone(phone_page, world):
    page = phone_page
    report = a.dispose_report(world.submit(), world.pemkab, actor=world.national_admin)

    login(page, "admin_kutim")
    page.get_by_role("heading", name="Kotak masuk").wait_for()
    page.goto(f"/petugas/laporan/{report.tracking_number}/")
    suggestion = page.get_by_test_id("routing-suggestion")
    suggestion.get_by_text("biasanya ditangani Dinas PU").wait_for()
    assert fits_the_screen(page)
    suggestion.scroll_into_view_if_needed()
    screenshot(page, "workspace-unit-suggestion-phone")


def test_the_verifier_picks_a_region_by_name_with_the_keyboard(page, world):
    report = world.submit(region="")

    login(page, "admin_nasional")
    page.get_by_role("heading", name="Kotak masuk").wait_for()
    page.goto(f"/petugas/laporan/{report.tracking_number}/")
    box = page.get_by_role("combobox", name="Wilayah")
    assert box.get_attribute("aria-expanded") == "false"
    box.fill("sang")
    listbox = page.get_by_role("listbox")
    listbox.get_by_role("option", name=SANGKULIRANG).wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert box.get_attribute("aria-controls") == listbox.get_attribute("id")
    box.press("ArrowDown")
    box.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    assert page.locator(f"#{active}").get_attribute("aria-selected") == "true"
    assert page.locator(f"#{active}").inner_text().startswith(SANGKULIRANG)
    page.get_by_role("status").filter(has_text="wilayah ditemukan").wait_for(state="attached")
    screenshot(page, "workspace-region-picker")
    box.press("Enter")

    assert box.input_value() == SANGKULIRANG
    assert box.get_attribute("aria-expanded") == "false"
    page.get_by_role("button", name="Simpan verifikasi").click()
    page.get_by_text("Perbaikan laporan disimpan.").wait_for()
    assert Report.objects.get(pk=report.pk).region_id == "64.08.05"
    # The form shows the region by its name again, never its bare code.
    assert page.get_by_role("combobox", name="Wilayah").input_value() == SANGKULIRANG


def test_the_counter_form_picks_a_region_by_touch_on_a_phone(phone_page, world):
    page = phone_page
    login(page, "admin_kutim")
    page.get_by_role("heading", name="Kotak masuk").wait_for()
    page.goto("/petugas/laporan-baru/")
    box = page.get_by_role("combobox", name="Wilayah kejadian")
    # It starts at the agency's own region, by name.
    assert box.input_value() == "Kabupaten Kutai Timur, Kalimantan Timur"
    page.get_by_label("Judul laporan", exact=True).fill("Lampu jalan padam di Jalan Yos Sudarso")
    page.get_by_label("Isi laporan", exact=True).fill(
        "Sudah dua minggu lampu jalan padam, rawan kecelakaan."
    )
    box.fill("sangatta")
    option = page.get_by_role("option", name=SANGATTA)
    option.wait_for()
    assert fits_the_screen(page)
    screenshot(page, "workspace-region-picker-phone")
    option.tap()
    assert box.input_value() == SANGATTA
    page.get_by_label("Nomor HP pelapor").fill("0812 5555 1234")
    page.get_by_role("button", name="Simpan laporan").click()

    page.wait_for_url("**/laporan-baru/selesai/")
    assert Report.objects.get().region_id == "64.08.04"


def test_without_javascript_several_matches_are_offered_to_choose_from(browser, live_server, world):
    report = world.submit(region="")
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        login(page, "admin_nasional")
        page.get_by_role("heading", name="Kotak masuk").wait_for()
        page.goto(f"/petugas/laporan/{report.tracking_number}/")
        # A plain text box: no combobox role without the script.
        assert page.get_by_role("combobox", name="Wilayah").count() == 0
        page.get_by_label("Wilayah (opsional)").fill("sang")
        page.get_by_role("button", name="Simpan verifikasi").click()

        page.get_by_text("Beberapa wilayah cocok dengan “sang”").first.wait_for()
        choices = page.get_by_role("group", name="Pilih wilayah yang dimaksud")
        assert choices.get_by_role("radio").count() == 2
        assert Report.objects.get(pk=report.pk).region_id is None  # nothing saved yet
        choices.scroll_into_view_if_needed()
        screenshot(page, "workspace-region-picker-no-js")
        choices.get_by_label(SANGKULIRANG).check()
        page.get_by_role("button", name="Simpan verifikasi").click()

        page.get_by_text("Perbaikan laporan disimpan.").wait_for()
        assert Report.objects.get(pk=report.pk).region_id == "64.08.05"
    finally:
        context.close()
