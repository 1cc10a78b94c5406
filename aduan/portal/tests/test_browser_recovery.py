"""Getting back in without an account, in a real browser: a lost secret link sent again
(by SMS, at a phone's width), and "my reports" for an e-mail address proved with a code
(phone and desktop widths). Each saves screenshots."""

import re

import pytest
from django.core import mail

from aduan.notifications import sms
from conftest import run_tasks, screenshot

from .test_recovery import guest_report

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_guest_who_lost_the_link_gets_a_new_one_by_sms(phone_page, world):
    page = phone_page
    report, old_secret = guest_report(phone="0812 3456 7890", title="Lampu jalan mati")
    run_tasks()
    sms.outbox.clear()

    page.goto("/lacak/")
    page.get_by_role("link", name="Kirim ulang tautan rahasia").click()
    page.get_by_label("Nomor laporan").fill(report.tracking_number)
    page.get_by_label("Nomor HP").fill("0812 3456 7890")
    screenshot(page, "recovery-resend-link-form-phone")
    page.get_by_role("button", name="Kirim tautan baru").click()
    page.get_by_role("heading", name="Periksa surel atau SMS Anda").wait_for()
    assert "kunci=" not in page.content()  # the link is never shown
    screenshot(page, "recovery-resend-link-sent-phone")

    run_tasks()
    link = re.search(r"http://\S+(/lacak/\S+)", sms.outbox[-1].text).group(1)
    assert old_secret not in link
    page.goto(link)
    page.get_by_role("heading", name="Lampu jalan mati").wait_for()
    assert page.get_by_text("Ini laporan Anda.").is_visible()
    assert "kunci=" not in page.url


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_a_guest_sees_their_reports_after_proving_their_email(page, phone_page, world, width):
    browser_page = phone_page if width == "phone" else page
    guest_report(email="rahmat@example.com", title="Lampu jalan mati")
    guest_report(email="rahmat@example.com", title="Sampah menumpuk di pasar")
    guest_report(email="orang-lain@example.com", title="Laporan orang lain")

    browser_page.goto("/laporan-saya/")
    browser_page.get_by_label("Surel", exact=True).fill("rahmat@example.com")
    screenshot(browser_page, f"recovery-my-reports-start-{width}")
    browser_page.get_by_role("button", name="Kirim kode").click()
    browser_page.get_by_role("heading", name="Masukkan kode verifikasi").wait_for()
    run_tasks()
    code = re.search(r"Kode Anda: (\d{6})", mail.outbox[-1].body).group(1)
    browser_page.get_by_label("Kode verifikasi").fill(code)
    browser_page.get_by_role("button", name="Verifikasi").click()

    browser_page.get_by_role("heading", name="Laporan saya").wait_for()
    assert browser_page.get_by_role("link", name="Lampu jalan mati").is_visible()
    assert browser_page.get_by_role("link", name="Sampah menumpuk di pasar").is_visible()
    assert browser_page.get_by_role("link", name="Laporan orang lain").count() == 0
    screenshot(browser_page, f"recovery-my-reports-list-{width}")

    browser_page.get_by_role("link", name="Lampu jalan mati").click()
    browser_page.get_by_role("heading", name="Lampu jalan mati").wait_for()
    assert browser_page.get_by_text("Ini laporan Anda.").is_visible()

    browser_page.goto("/laporan-saya/")
    browser_page.get_by_role("button", name="Selesai (akhiri akses)").click()
    browser_page.get_by_role("heading", name="Melapor tanpa akun?").wait_for()
