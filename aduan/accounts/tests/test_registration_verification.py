"""Registration proves the e-mail address or phone number with a code, as a guest does,
before the account exists: every account's first report comes from a verified contact."""

import datetime as dt
import re

import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from aduan.accounts.models import Reporter, Role, User
from aduan.notifications import sms
from aduan.notifications.models import Notification
from aduan.portal.models import ContactVerification, Purpose
from aduan.portal.tests.conftest import report_form_data
from aduan.reports.models import Report
from conftest import run_tasks

from .test_auth import REGISTRATION

REGISTER = "/akun/daftar/"
CODE = "/akun/daftar/kode/"


def start(client, data=None, ip="10.4.4.4"):
    response = client.post(REGISTER, REGISTRATION if data is None else data, REMOTE_ADDR=ip)
    run_tasks()
    return response


def code_from_mail() -> str:
    return re.search(r"Kode pendaftaran Anda: (\d{6})", mail.outbox[-1].body).group(1)


def test_nothing_is_created_until_the_code_is_typed(client, db):
    response = start(client)
    assert response.status_code == 302 and response["Location"] == CODE
    assert not User.objects.filter(username="rina_warga").exists()
    record = ContactVerification.objects.get()
    assert record.purpose == Purpose.REGISTRATION
    assert (record.address, record.name) == ("rina@example.com", "Rina Marlina")
    assert Notification.objects.get().template == "registration_code"
    assert mail.outbox[-1].to == ["rina@example.com"]
    page = client.get(CODE).content.decode()
    assert "r***@example.com" in page
    # The session keeps the password only as an encrypted hash.
    pending = client.session["accounts_registration_pending"]
    assert REGISTRATION["password1"] not in str(pending)
    assert "argon2" not in pending["password"] and "md5" not in pending["password"]


def test_the_right_code_creates_the_account_with_a_verified_contact_and_signs_it_in(client, world):
    start(client)
    response = client.post(CODE, {"code": code_from_mail()})
    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(username="rina_warga")
    assert user.role == Role.CITIZEN and user.check_password(REGISTRATION["password1"])
    reporter = Reporter.objects.get(user=user)
    assert reporter.contact_verified_at == ContactVerification.objects.get().verified_at
    # Really signed in: a page that needs an account opens.
    assert client.get("/laporan-saya/").context["rows"] == []
    assert "accounts_registration_pending" not in client.session

    # The first report is accepted at once, from the verified contact.
    filed = client.post("/lapor/", report_form_data())
    assert filed.status_code == 302
    report = Report.objects.get()
    assert report.reporter == reporter and report.reporter.contact_verified_at is not None


def test_a_wrong_code_creates_nothing(client, db):
    start(client)
    wrong = "000000" if code_from_mail() != "000000" else "111111"
    response = client.post(CODE, {"code": wrong})
    assert response.status_code == 400
    assert "Kode salah. Sisa percobaan: 4." in response.content.decode()
    assert not User.objects.filter(username="rina_warga").exists()


def test_an_expired_code_creates_nothing(client, db):
    start(client)
    code = code_from_mail()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        response = client.post(CODE, {"code": code})
    assert response.status_code == 400
    assert not User.objects.exists()


def test_a_username_taken_meanwhile_is_not_overwritten(client, db):
    start(client)
    User.objects.create_user(username="Rina_Warga", password="kata-sandi-uji-123")
    response = client.post(CODE, {"code": code_from_mail()})
    assert response.status_code == 302 and response["Location"] == REGISTER
    assert User.objects.filter(username__iexact="rina_warga").count() == 1
    assert not Reporter.objects.exists()
    assert "baru saja dipakai" in client.get(REGISTER).content.decode()


def test_the_code_page_without_a_registration_goes_back_to_the_form(client, db):
    assert client.get(CODE)["Location"] == REGISTER


def test_a_new_code_can_be_asked_for_after_a_minute(client, db):
    start(client)
    assert client.post(CODE, {"kirim_ulang": "1"}).status_code == 429
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        assert client.post(CODE, {"kirim_ulang": "1"}).status_code == 302
        run_tasks()
        assert client.post(CODE, {"code": code_from_mail()}).status_code == 302
    assert User.objects.filter(username="rina_warga").exists()


def test_registration_by_phone_sends_the_code_by_sms(client, db):
    start(client, REGISTRATION | {"email": "", "phone": "0812 3456 7890"})
    assert sms.outbox[-1].phone == "+6281234567890"
    assert "pendaftaran" in sms.outbox[-1].text
    code = re.search(r"(\d{6})", sms.outbox[-1].text).group(1)
    client.post(CODE, {"code": code})
    reporter = Reporter.objects.get(user__username="rina_warga")
    assert reporter.phone == "+6281234567890" and reporter.email == ""


def test_one_client_may_start_ten_registrations_an_hour(db):
    # A new browser session each time (one session may ask for only five codes an hour).
    for i in range(10):
        data = REGISTRATION | {"username": f"warga{i}", "email": f"warga{i}@example.com"}
        assert start(Client(), data).status_code == 302
    refused = start(Client(), REGISTRATION)
    assert refused.status_code == 429
    assert "Terlalu banyak permintaan" in refused.content.decode()
