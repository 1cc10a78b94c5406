"""The whole life of a report, in a real browser, by every person who touches it:
a citizen submits with a photo, the national admin verifies and disposes, the agency admin
forwards to a unit, the officer follows up, the citizen replies, the officer answers
again, the citizen accepts and rates, and the report is closed. Screenshots of each main
page are saved under var/screenshots/ (a few are kept in docs/screenshots/)."""

import pytest

from aduan.portal.tests.conftest import png_bytes
from aduan.reports.models import Report, Status
from conftest import login, run_tasks, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PHOTO = {"name": "jalan-berlubang.png", "mimeType": "image/png", "buffer": png_bytes()}
TITLE = "Jalan poros Sangatta berlubang di KM 12"


def staff_page(new_page, username):
    page = new_page()
    login(page, username)
    page.get_by_role("heading", name="Kotak masuk").wait_for()
    return page


def open_in_workspace(page, report):
    page.goto(f"/petugas/laporan/{report.tracking_number}/")
    page.get_by_role("heading", name=report.title).wait_for()


def test_a_report_travels_from_the_citizen_to_the_unit_and_back_to_closure(new_page, world):
    # 1. The citizen files the report with a photo.
    citizen = new_page()
    login(citizen, "warga")
    citizen.goto("/lapor/")
    citizen.get_by_label("Judul laporan").fill(TITLE)
    citizen.get_by_label("Isi laporan").fill(
        "Lubang selebar satu meter di depan SDN 003 sudah dua bulan, motor sering jatuh."
    )
    citizen.get_by_label("Kategori").select_option("jalan-rusak")
    citizen.get_by_label("Provinsi").select_option("64")
    citizen.get_by_label("Kabupaten/kota").select_option("64.08")
    citizen.get_by_label("Kecamatan").select_option("64.08.04")
    citizen.get_by_label("Desa/kelurahan").select_option("64.08.04.1001")
    citizen.get_by_label("Foto atau dokumen").set_input_files(PHOTO)
    screenshot(citizen, "lifecycle-1-report-form")
    citizen.get_by_role("button", name="Kirim laporan").click()
    citizen.get_by_role("heading", name="Laporan Anda sudah kami terima").wait_for()
    report = Report.objects.get()
    assert report.status == Status.SUBMITTED and report.attachments.count() == 1
    screenshot(citizen, "lifecycle-2-submitted")

    # 2. The national admin verifies (fixing the title) and disposes to the regency.
    national = staff_page(new_page, "admin_nasional")
    open_in_workspace(national, report)
    assert "aturan #" in national.content()  # the routing suggestion explains itself
    screenshot(national, "lifecycle-3-national-admin-workspace")
    national.get_by_label("Instansi tujuan", exact=True).select_option(
        label="Pemerintah Kabupaten Kutai Timur"
    )
    national.get_by_role("button", name="Disposisikan", exact=True).click()
    national.get_by_text("Status: Didisposisikan").first.wait_for()
    report.refresh_from_db()
    assert (report.status, report.agency) == (Status.DISPOSITIONED, world.pemkab)

    # 3. The agency admin forwards it to Dinas PU.
    agency = staff_page(new_page, "admin_kutim")
    open_in_workspace(agency, report)
    agency.get_by_label("Unit kerja", exact=True).select_option(
        label="Dinas Pekerjaan Umum Kutai Timur"
    )
    agency.get_by_role("button", name="Teruskan ke unit").click()
    agency.get_by_text("Laporan diteruskan ke unit kerja.").wait_for()
    report.refresh_from_db()
    assert report.unit == world.dinas_pu

    # 4. The officer acknowledges and posts a follow-up.
    officer = staff_page(new_page, "petugas_pu")
    open_in_workspace(officer, report)
    officer.get_by_role("button", name="Terima untuk diproses").click()
    officer.get_by_text("Laporan diterima untuk diproses.").wait_for()
    officer.get_by_label("Isi tindak lanjut").fill(
        "Lubang sudah ditambal sementara pada 2 Desember."
    )
    officer.get_by_role("button", name="Kirim tindak lanjut").click()
    officer.get_by_text("Status: Ditanggapi").first.wait_for()
    screenshot(officer, "lifecycle-4-officer-follow-up")
    report.refresh_from_db()
    assert report.status == Status.RESPONDED

    # 5. The citizen replies: the patch is not enough.
    citizen.goto(f"/lacak/{report.tracking_number}/")
    citizen.get_by_text("Lubang sudah ditambal sementara").wait_for()
    citizen.get_by_label("Balasan Anda").fill("Tambalan sudah lepas lagi setelah hujan.")
    citizen.get_by_role("button", name="Kirim balasan").click()
    citizen.get_by_text("Tambalan sudah lepas lagi setelah hujan.").wait_for()
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS

    # 6. The officer answers again.
    open_in_workspace(officer, report)
    officer.get_by_label("Isi tindak lanjut").fill("Jalan sudah diaspal ulang sepanjang 50 meter.")
    officer.get_by_role("button", name="Kirim tindak lanjut").click()
    officer.get_by_text("Status: Ditanggapi").first.wait_for()

    # 7. The citizen accepts and rates; the report is closed.
    citizen.goto(f"/lacak/{report.tracking_number}/")
    citizen.get_by_text("Jalan sudah diaspal ulang").wait_for()
    citizen.get_by_role("button", name="Terima dan tutup laporan").click()
    citizen.get_by_role("radio", name="5").check()
    citizen.get_by_label("Komentar").fill("Cepat dan tuntas, terima kasih.")
    citizen.get_by_role("button", name="Kirim penilaian").click()
    citizen.get_by_text("Cepat dan tuntas, terima kasih.").wait_for()
    screenshot(citizen, "lifecycle-5-closed-and-rated")

    report.refresh_from_db()
    assert report.status == Status.CLOSED
    assert report.rating == 5
    types = list(report.events.order_by("seq").values_list("type", flat=True))
    assert types == [
        "submitted",
        "dispositioned",
        "forwarded",
        "acknowledged",
        "follow_up",
        "reporter_replied",
        "follow_up",
        "accepted",
        "rated",
    ]
    # Everyone involved heard about it.
    run_tasks()
    from django.core import mail

    recipients = {address for message in mail.outbox for address in message.to}
    assert {"siti@example.com", world.officer.email} <= recipients
