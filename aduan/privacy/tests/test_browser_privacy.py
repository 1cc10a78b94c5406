"""The citizen's personal data page in a real browser, at a desktop's and a phone's
width: who read their data, the download, and asking for erasure. Saves screenshots."""

import json
import re
from pathlib import Path

import pytest
from django.core import mail

from aduan.accounts.models import Reporter
from aduan.privacy.models import ErasureRequest
from aduan.reports.access import reporter_identity
from conftest import login, run_tasks, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_citizen_downloads_their_data_and_sees_who_read_it(page, world):
    report = world.report_in("dispositioned")
    reporter_identity(world.national_admin, report, purpose="verify")
    reporter_identity(world.officer, report, purpose="workspace")
    login(page, "warga")
    page.goto("/laporan-saya/")
    page.get_by_role("link", name="Data pribadi saya: unduh, siapa yang membaca, hapus").click()
    page.get_by_role("heading", name="Siapa yang membaca data saya").wait_for()
    rows = page.locator("#akses ~ .table-scroll tbody tr")
    assert rows.count() == 2
    assert "Dinas Pekerjaan Umum Kutai Timur" in rows.first.inner_text()
    assert "petugas_pu" not in page.content()
    screenshot(page, "privacy-my-data")

    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh (JSON)").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["reporters"][0]["name"] == "Siti Aminah"
    assert data["reports"][0]["tracking_number"] == report.tracking_number

    # The report is still being handled: erasure waits, and says why.
    page.get_by_label(re.compile("Saya mengerti")).check()
    page.get_by_role("button", name="Hapus data saya").click()
    page.get_by_text("masih ditangani").wait_for()
    assert page.get_by_role("link", name=report.tracking_number).is_visible()
    assert not ErasureRequest.objects.exists()


def test_a_citizen_asks_for_erasure_on_a_phone(phone_page, world):
    page = phone_page
    world.report_in("closed")
    login(page, "warga")
    page.goto("/data-saya/")
    page.get_by_role("heading", name="Hapus data saya").wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360  # nothing wider than the phone
    screenshot(page, "privacy-my-data-phone")
    page.get_by_role("button", name="Hapus data saya").click()
    page.get_by_text("Centang pernyataan ini untuk melanjutkan.").wait_for()
    page.get_by_label(re.compile("Saya mengerti")).check()
    page.get_by_role("button", name="Hapus data saya").click()
    page.get_by_text("Permintaan penghapusan tercatat.").wait_for()
    assert page.get_by_role("button", name="Hapus data saya").count() == 0  # asked once
    screenshot(page, "privacy-erasure-requested-phone")
    mail.outbox.clear()
    run_tasks()
    assert Reporter.objects.get(user=world.citizen).name == ""
    assert any("sudah dihapus" in m.subject for m in mail.outbox)
    # The account is gone: the next page is the start page for a stranger.
    page.goto("/data-saya/")
    page.get_by_role("heading", name="Punya akun?").wait_for()


def test_the_national_admin_reads_a_persons_report(page, world):
    report = world.report_in("dispositioned")
    reporter_identity(world.officer, report, purpose="workspace")
    login(page, "admin_nasional")
    page.goto("/data-saya/admin/")
    page.get_by_label("Nomor laporan atau UUID pelapor").fill(report.tracking_number)
    page.get_by_role("button", name="Tampilkan").click()
    page.get_by_role("heading", name="Siapa membaca data pribadinya").wait_for()
    assert "petugas_pu" in page.content()
    screenshot(page, "privacy-admin-person")
