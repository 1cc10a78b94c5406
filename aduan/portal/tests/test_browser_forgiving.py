"""Real-browser journeys (Playwright driving Debian's chromium) through the report form's
forgiving errors and its use without signal, at a phone's and a desktop's width. Each
saves a screenshot; the ones the documentation shows are copied to docs/screenshots/."""

import os

import pytest

from aduan.portal.models import PendingUpload
from aduan.reports.models import Attachment, Report
from conftest import login, screenshot

from .conftest import png_bytes

pytestmark = pytest.mark.django_db(transaction=True)

PHOTO = {"name": "lubang.png", "mimeType": "image/png", "buffer": png_bytes()}
DOCS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "docs", "screenshots")


def docs_screenshot(page, name):
    """A screenshot for the documentation (kept small: the visible part only)."""
    path = screenshot(page, name)
    if os.environ.get("ADUAN_DOCS_SCREENSHOTS"):
        page.screenshot(path=os.path.join(DOCS, f"{name}.png"))
    return path


def write_report(page, *, title="Jalan berlubang di depan SDN 003"):
    page.get_by_label("Judul laporan").fill(title)
    page.get_by_label("Isi laporan").fill(
        "Lubang selebar satu meter sudah dua bulan, motor sering jatuh di sini."
    )
    page.get_by_label("Kategori").select_option("jalan-rusak")
    page.get_by_label("Provinsi").select_option("64")


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_all_errors_at_once_with_the_photo_kept_and_the_focus_on_the_summary(
    page, phone_page, world, width
):
    page = page if width == "desktop" else phone_page
    login(page, "warga")
    page.goto("/lapor/")
    write_report(page, title="")
    page.get_by_label("Lintang (latitude)").fill("-0.5")
    page.get_by_label("Foto atau dokumen").set_input_files(
        [PHOTO, {"name": "virus.png", "mimeType": "image/png", "buffer": b"MZ not an image"}]
    )
    page.get_by_role("button", name="Kirim laporan").click()

    summary = page.locator("#kesalahan")
    summary.wait_for()
    # The page's script moves the focus once it has run, which can be a moment after the
    # summary is on the page: wait for it (up to the default timeout), then check.
    page.wait_for_function("document.activeElement && document.activeElement.id === 'kesalahan'")
    assert focused_id(page) == "kesalahan"
    text = summary.inner_text()
    assert "Judul wajib diisi." in text
    assert "Lintang dan bujur harus diisi bersama." in text
    assert "virus.png" in text
    kept = page.get_by_label("lubang.png")
    assert kept.is_checked()
    assert PendingUpload.objects.count() == 1
    docs_screenshot(page, f"report-form-errors-{width}")

    # Correct the title and the coordinates; the photo is not chosen again.
    page.get_by_label("Judul laporan").fill("Jalan berlubang di depan SDN 003")
    page.get_by_label("Bujur (longitude)").fill("117.5")
    page.get_by_role("button", name="Kirim laporan").click()
    page.get_by_role("heading", name="Laporan Anda sudah kami terima").wait_for()
    report = Report.objects.get()
    assert Attachment.objects.get().report == report
    assert not PendingUpload.objects.exists()


def wait_for_service_worker(page):
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    # Polled from here: wait_for_function evaluates a string in the page, which the
    # Content-Security-Policy forbids once it has to poll.
    for _ in range(200):
        if page.evaluate("navigator.serviceWorker.controller !== null"):
            return
        page.wait_for_timeout(50)
    raise AssertionError("the service worker never took control of the page")


def queue_states(page) -> list[str]:
    return page.locator("[data-queue-state]").evaluate_all(
        "nodes => nodes.map(n => n.getAttribute('data-queue-state'))"
    )


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_a_report_written_without_signal_is_sent_by_itself_when_the_signal_returns(
    page, phone_page, world, width
):
    page = phone_page if width == "phone" else page
    login(page, "warga")
    page.goto("/lapor/")
    wait_for_service_worker(page)
    # Load once more under the worker's control, so that it keeps the form page.
    page.reload()
    page.get_by_label("Judul laporan").wait_for()

    page.context.set_offline(True)
    # A page the phone never kept: the worker's offline page, which leads to the form.
    page.goto("/laporan/")
    page.get_by_role("heading", name="Tidak ada sinyal").wait_for()
    page.get_by_role("link", name="Buka formulir laporan").click()
    # The form opens without signal (the service worker's copy).
    page.get_by_label("Judul laporan").wait_for()
    page.get_by_text("Tidak ada sinyal.", exact=False).first.wait_for()
    write_report(page)
    page.get_by_label("Foto atau dokumen").set_input_files(PHOTO)
    page.get_by_role("button", name="Kirim laporan").click()

    page.get_by_role("heading", name="Laporan di ponsel ini").wait_for()
    page.locator("[data-queue-state=waiting]").wait_for()
    assert page.get_by_text("Menunggu sinyal").is_visible()
    assert page.get_by_label("Judul laporan").input_value() == ""
    assert not Report.objects.exists()
    docs_screenshot(page, f"report-offline-waiting-{width}")

    page.context.set_offline(False)
    page.locator("[data-queue-state=sent]").wait_for(timeout=15_000)
    report = Report.objects.get()
    assert report.title == "Jalan berlubang di depan SDN 003"
    assert report.category.slug == "jalan-rusak"
    assert report.region_id == "64"
    assert Attachment.objects.get().report == report
    assert page.get_by_role("link", name=report.tracking_number).is_visible()
    docs_screenshot(page, f"report-offline-sent-{width}")

    # Another page load (and every sender it starts) sends nothing again.
    page.reload()
    page.locator("[data-queue-state=sent]").wait_for()
    page.evaluate("AduanQueue.sendAll({queue: '/lapor/antrean/'})")
    assert Report.objects.count() == 1
    page.get_by_role("link", name=report.tracking_number).click()
    page.get_by_role("heading", name="Laporan Anda sudah kami terima").wait_for()


def test_a_report_sent_twice_at_once_is_filed_once(page, world):
    """The page and the service worker may both send the queue when the signal returns;
    a report also carries its key, so even two senders racing file it once."""
    login(page, "warga")
    page.goto("/lapor/")
    page.context.set_offline(True)
    write_report(page)
    page.get_by_role("button", name="Kirim laporan").click()
    page.locator("[data-queue-state=waiting]").wait_for()
    page.context.set_offline(False)
    page.evaluate(
        """() => Promise.all([
            AduanQueue.sendAll({queue: '/lapor/antrean/'}),
            AduanQueue.sendAll({queue: '/lapor/antrean/'}),
        ])"""
    )
    page.locator("[data-queue-state=sent]").wait_for()
    assert Report.objects.count() == 1


def test_a_guest_whose_verification_lapsed_verifies_again_before_the_report_is_sent(
    phone_page, world
):
    import re

    from django.core import mail

    from aduan.portal.models import ContactVerification
    from conftest import run_tasks

    page = phone_page

    def verify():
        page.get_by_label("Alamat surel").fill("rahmat@example.com")
        page.get_by_role("button", name="Kirim kode").click()
        page.get_by_role("heading", name="Masukkan kode verifikasi").wait_for()
        run_tasks()
        code = re.search(r"Kode verifikasi Anda: (\d{6})", mail.outbox[-1].body).group(1)
        page.get_by_label("Kode verifikasi").fill(code)
        page.get_by_role("button", name="Verifikasi").click()
        page.get_by_label("Judul laporan").wait_for()

    page.goto("/lapor/")
    verify()
    page.context.set_offline(True)
    write_report(page, title="Sampah menumpuk di pasar")
    page.get_by_role("button", name="Kirim laporan").click()
    page.locator("[data-queue-state=waiting]").wait_for()

    # Hours later the verification has lapsed: the report waits for a new one.
    ContactVerification.objects.update(verified_at=None)
    page.context.set_offline(False)
    page.locator("[data-queue-state=verify]").wait_for(timeout=15_000)
    assert not Report.objects.exists()
    docs_screenshot(page, "report-offline-verify-phone")

    page.get_by_role("link", name="Verifikasi kontak untuk mengirim").click()
    page.get_by_role("button", name="Kirim kode").wait_for()
    verify()
    page.locator("[data-queue-state=sent]").wait_for(timeout=15_000)
    report = Report.objects.get()
    assert report.title == "Sampah menumpuk di pasar"
    assert report.reporter.email == "rahmat@example.com"
    assert report.reporter.contact_verified_at is not None


def test_the_form_still_works_without_javascript(browser, live_server, world):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        login(page, "warga")
        page.goto("/lapor/")
        page.get_by_label("Judul laporan").fill("")
        page.get_by_label("Foto atau dokumen").set_input_files(PHOTO)
        page.get_by_role("button", name="Kirim laporan").click()
        page.locator("#kesalahan").wait_for()
        # No queue without JavaScript; the kept photo is there all the same.
        assert page.locator("[data-offline-queue]").is_hidden()
        assert page.get_by_label("lubang.png").is_checked()
        write_report(page)
        page.get_by_role("button", name="Kirim laporan").click()
        page.get_by_role("heading", name="Laporan Anda sudah kami terima").wait_for()
        assert Attachment.objects.get().report == Report.objects.get()
    finally:
        context.close()
