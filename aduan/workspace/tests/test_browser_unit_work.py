"""Work inside a unit in a real browser, at desktop and phone widths: taking and assigning
reports, "my tasks", progress updates as the reporter reads them, working days left and
appeals in the inbox. Screenshots go under var/screenshots/."""

import re

import pytest

from aduan.accounts.models import Role, User
from aduan.reports import actions as a
from aduan.reports.models import EventType, Report, Status
from conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

DAYS_LEFT = re.compile(r"\((\d+ hari kerja lagi|jatuh tempo hari ini)\)")


def test_an_officer_takes_a_report_posts_an_update_and_finds_it_under_my_tasks(page, world):
    report = world.report_in("in_progress", title="Jalan berlubang di KM 12")
    world.report_in("dispositioned", title="Drainase tersumbat di Jalan Pendidikan")

    login(page, "petugas_pu")
    page.get_by_role("heading", name="Kotak masuk").wait_for()
    page.goto(f"/petugas/laporan/{report.tracking_number}/")
    page.get_by_role("button", name="Ambil laporan ini").click()
    page.get_by_text("Laporan kini ditugaskan kepada Anda.").wait_for()
    assert page.get_by_test_id("assignee").inner_text() == world.officer.display_name
    assert DAYS_LEFT.search(page.content())

    page.get_by_label("Isi perkembangan penanganan").fill(
        "Tim sudah survei lokasi; pengaspalan dijadwalkan pekan depan."
    )
    page.get_by_role("button", name="Kirim perkembangan").click()
    page.get_by_text("Perkembangan penanganan dikirim kepada pelapor.").wait_for()
    assert Report.objects.get(pk=report.pk).status == Status.IN_PROGRESS
    screenshot(page, "workspace-progress-update")

    page.goto("/petugas/")
    page.get_by_role("link", name=re.compile("Tugas saya")).click()
    page.get_by_role("link", name="Jalan berlubang di KM 12").wait_for()
    assert page.get_by_role("link", name="Drainase tersumbat di Jalan Pendidikan").count() == 0
    row = page.locator(".ws-row", has_text="Jalan berlubang di KM 12")
    assert f"Petugas: {world.officer.display_name}" in row.inner_text()
    assert DAYS_LEFT.search(row.inner_text())
    screenshot(page, "workspace-my-tasks")


def test_an_agency_admin_assigns_and_filters_by_unit_at_a_phone_width(phone_page, world):
    page = phone_page
    officer = User.objects.create_user(
        "petugas_pu_dua",
        password="kata-sandi-uji-123",
        role=Role.UNIT_OFFICER,
        agency=world.dinas_pu,
        first_name="Rudi",
        last_name="Hartono",
    )
    report = world.report_in("in_progress", title="Jalan berlubang di KM 12")
    appealed = a.contest_response(
        world.report_in("responded", title="Lampu jalan mati di Jalan Yos Sudarso"),
        "Lampunya masih mati.",
        actor=world.citizen,
    )

    login(page, "admin_kutim")
    page.get_by_role("heading", name="Kotak masuk").wait_for()
    page.goto(f"/petugas/laporan/{report.tracking_number}/")
    page.get_by_label("Petugas", exact=True).select_option(label="Rudi Hartono")
    page.get_by_role("button", name="Simpan penugasan").click()
    page.get_by_text("Penugasan petugas disimpan.").wait_for()
    assert Report.objects.get(pk=report.pk).assignee == officer
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "workspace-assign-phone")

    page.goto("/petugas/?tab=semua")
    page.get_by_text("Filter dan urutan").click()
    page.get_by_label("Unit kerja").select_option(label=str(world.dinas_pu))
    page.get_by_role("button", name="Terapkan filter").click()
    page.wait_for_url(re.compile(r"unit="))
    appeal_row = page.locator(".ws-row", has_text="Lampu jalan mati")
    assert "Banding" in appeal_row.inner_text()
    assert "Eskalasi" not in appeal_row.inner_text()
    assert "Petugas: Rudi Hartono" in page.locator(".ws-row", has_text="KM 12").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "workspace-inbox-unit-filter-phone")
    assert appealed.is_appealed


def test_the_reporter_reads_a_progress_update_on_a_phone_with_nothing_to_answer(phone_page, world):
    page = phone_page
    report = a.post_progress_update(
        world.report_in("in_progress", title="Jalan berlubang di KM 12"),
        "Tim sudah survei lokasi; pengaspalan dijadwalkan pekan depan.",
        actor=world.officer,
    )

    login(page, "warga")
    page.goto(f"/lacak/{report.tracking_number}/")
    page.get_by_text("Perkembangan penanganan dari").first.wait_for()
    assert page.get_by_text("pengaspalan dijadwalkan pekan depan").is_visible()
    # An update is not the answer: no reply, accept or appeal yet.
    assert page.get_by_role("button", name=re.compile("Terima|Banding|Kirim balasan")).count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "portal-progress-update-phone")
    assert report.events.filter(type=EventType.PROGRESS_UPDATE).count() == 1


def test_without_javascript_an_officer_takes_a_report(browser, live_server, world):
    report = world.report_in("dispositioned")
    context = browser.new_context(
        base_url=live_server.url, locale="id-ID", java_script_enabled=False
    )
    page = context.new_page()
    try:
        login(page, "petugas_pu")
        page.goto(f"/petugas/laporan/{report.tracking_number}/")
        page.get_by_role("button", name="Ambil laporan ini").click()
        page.get_by_text("Laporan kini ditugaskan kepada Anda.").wait_for()
        assert Report.objects.get(pk=report.pk).assignee == world.officer
    finally:
        context.close()
