"""A forgotten password and a registration in a real browser: the reset by an e-mail link
(desktop) and by an SMS code (phone), and registration that asks for the code before the
account exists (phone). Each saves screenshots."""

import re

import pytest
from django.core import mail

from aduan.accounts.models import User
from aduan.notifications import sms
from conftest import login, run_tasks, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "sandi-baru-yang-kuat-42"


def choose_new_password(page):
    page.get_by_role("heading", name="Buat kata sandi baru").wait_for()
    page.get_by_label("Kata sandi baru", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Ulangi kata sandi baru", exact=True).fill(NEW_PASSWORD)


def test_a_citizen_resets_a_forgotten_password_with_the_emailed_link(page, world):
    page.goto("/akun/masuk/")
    page.get_by_role("link", name="Lupa kata sandi?").click()
    page.get_by_role("heading", name="Lupa kata sandi").wait_for()
    page.get_by_label("Surel", exact=True).fill("siti@example.com")
    screenshot(page, "recovery-password-reset-form-desktop")
    page.get_by_role("button", name="Kirim", exact=True).click()
    page.get_by_role("heading", name="Periksa surel Anda").wait_for()

    run_tasks()
    path = re.search(r"http://\S+(/akun/lupa-sandi/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(path)
    assert page.url.endswith("/akun/lupa-sandi/sandi-baru/")  # the token left the address bar
    choose_new_password(page)
    assert page.get_by_text("warga", exact=True).is_visible()
    screenshot(page, "recovery-password-reset-new-desktop")
    page.get_by_role("button", name="Simpan kata sandi").click()
    page.get_by_text("Kata sandi Anda sudah diganti. Anda sudah masuk.").wait_for()

    page.get_by_role("button", name="Keluar").click()
    login(page, "warga", NEW_PASSWORD)
    page.get_by_role("link", name="Laporan saya").wait_for()


def test_a_citizen_resets_a_forgotten_password_with_an_sms_code(phone_page, world):
    page = phone_page
    page.goto("/akun/lupa-sandi/")
    page.get_by_label("Nomor HP").fill("0812 3456 7890")
    page.get_by_role("button", name="Kirim", exact=True).click()
    page.get_by_role("heading", name="Masukkan kode dari SMS").wait_for()
    screenshot(page, "recovery-password-reset-code-phone")

    run_tasks()
    code = re.search(r"(\d{6})", sms.outbox[-1].text).group(1)
    page.get_by_label("Kode verifikasi").fill(code)
    page.get_by_role("button", name="Verifikasi").click()
    choose_new_password(page)
    page.get_by_role("button", name="Simpan kata sandi").click()
    page.get_by_text("Kata sandi Anda sudah diganti. Anda sudah masuk.").wait_for()
    world.citizen.refresh_from_db()
    assert world.citizen.check_password(NEW_PASSWORD)


def test_registration_asks_for_the_code_before_the_account_exists(phone_page, world):
    page = phone_page
    page.goto("/akun/daftar/")
    page.get_by_label("Nama pengguna").fill("rina_warga")
    page.get_by_label("Nama lengkap").fill("Rina Marlina")
    page.get_by_label("Surel", exact=True).fill("rina@example.com")
    page.get_by_label("Kata sandi baru", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Ulangi kata sandi", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Daftar").click()
    page.get_by_role("heading", name="Verifikasi kontak Anda").wait_for()
    assert not User.objects.filter(username="rina_warga").exists()
    screenshot(page, "recovery-registration-code-phone")

    run_tasks()
    code = re.search(r"Kode pendaftaran Anda: (\d{6})", mail.outbox[-1].body).group(1)
    page.get_by_label("Kode verifikasi").fill(code)
    page.get_by_role("button", name="Verifikasi").click()
    page.get_by_text("Akun Anda sudah dibuat dan kontak Anda terverifikasi.").wait_for()
    user = User.objects.get(username="rina_warga")
    assert user.reporter.contact_verified_at is not None
