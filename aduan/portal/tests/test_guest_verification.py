"""A guest without an account confirms an e-mail address or phone number with a 6-digit
code before filing a report."""

import datetime as dt
import re

import time_machine
from django.core import mail
from django.utils import timezone

from aduan.accounts.crypto import lookup_hash
from aduan.notifications import sms
from aduan.notifications.models import Notification
from aduan.portal import verification
from aduan.portal.models import ContactVerification
from aduan.reports.models import Report
from conftest import run_tasks

from .conftest import png_upload, report_form_data

NEW = "/lapor/"
START = "/lapor/kontak/"
CODE = "/lapor/kode/"


def ask_code(client, **contact):
    data = {"name": "Rahmat", "email": "", "phone": ""} | contact
    response = client.post(START, data)
    run_tasks()
    return response


def code_from_mail() -> str:
    return re.search(r"Kode verifikasi Anda: (\d{6})", mail.outbox[-1].body).group(1)


def test_a_guest_gets_a_code_by_email_and_files_a_report(client, world):
    response = ask_code(client, email="Rahmat@Example.com")
    assert response.status_code == 302 and response["Location"] == CODE

    record = ContactVerification.objects.get()
    # Personal data at rest: the address is encrypted, looked up by keyed hash, and the
    # code is stored only as a hash.
    assert record.address == "rahmat@example.com"
    assert record.address_lookup == lookup_hash("rahmat@example.com")
    notification = Notification.objects.get(template="contact_code")
    assert notification.channel == "email" and notification.report is None
    code = code_from_mail()
    assert code not in record.code_hash
    assert mail.outbox[-1].to == ["rahmat@example.com"]

    page = client.get(CODE)
    assert "r***@example.com" in page.content.decode()

    verified = client.post(CODE, {"code": code})
    assert verified.status_code == 302 and verified["Location"] == NEW
    form = client.get(NEW).content.decode()
    assert 'name="title"' in form and "r***@example.com" in form

    data = report_form_data()
    data["attachments"] = [png_upload()]
    filed = client.post(NEW, data)
    assert filed.status_code == 302
    report = Report.objects.get()
    assert report.reporter.user is None
    assert report.reporter.email == "rahmat@example.com"
    assert report.reporter.name == "Rahmat"
    assert report.reporter.contact_verified_at == ContactVerification.objects.get().verified_at
    assert report.attachments.count() == 1
    # The guest may open the confirmation and the report through the session.
    assert client.get(filed["Location"]).status_code == 200
    run_tasks()
    assert any("?kunci=" in message.body for message in mail.outbox)


def test_a_guest_gets_a_code_by_sms(client, world):
    ask_code(client, phone="0812 3456 7890")
    record = ContactVerification.objects.get()
    assert record.channel == "sms" and record.address == "+6281234567890"
    message = sms.outbox[-1]
    assert message.phone == "+6281234567890"
    code = re.search(r"(\d{6})", message.text).group(1)
    client.post(CODE, {"code": code})
    client.post(NEW, report_form_data())
    assert Report.objects.get().reporter.phone == "+6281234567890"


def test_a_wrong_code_says_how_many_attempts_are_left(client, world):
    ask_code(client, email="rahmat@example.com")
    response = client.post(CODE, {"code": "000000" if code_from_mail() != "000000" else "111111"})
    assert response.status_code == 400
    assert "Kode salah. Sisa percobaan: 4." in response.content.decode()
    assert ContactVerification.objects.get().attempts == 1
    assert 'name="title"' not in client.get(NEW).content.decode()


def test_five_wrong_codes_lock_the_code_even_for_the_right_one(client, world):
    ask_code(client, email="rahmat@example.com")
    right = code_from_mail()
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        client.post(CODE, {"code": wrong})
    response = client.post(CODE, {"code": right})
    assert response.status_code == 400
    assert "Terlalu banyak percobaan" in response.content.decode()
    assert ContactVerification.objects.get().verified_at is None


def test_an_expired_code_is_refused(client, world):
    ask_code(client, email="rahmat@example.com")
    code = code_from_mail()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        response = client.post(CODE, {"code": code})
    assert response.status_code == 400
    assert "kedaluwarsa" in response.content.decode()


def test_a_new_code_waits_a_minute_and_replaces_the_old_one(client, world):
    ask_code(client, email="rahmat@example.com")
    old = code_from_mail()
    too_soon = client.post(CODE, {"kirim_ulang": "1"})
    assert too_soon.status_code == 429
    assert "Tunggu" in too_soon.content.decode()

    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        assert client.post(CODE, {"kirim_ulang": "1"}).status_code == 302
        run_tasks()
        new = code_from_mail()
        if new != old:
            assert client.post(CODE, {"code": old}).status_code == 400
        assert client.post(CODE, {"code": new}).status_code == 302
    assert ContactVerification.objects.get().send_count == 2


def test_one_address_gets_at_most_five_codes_an_hour(client, world):
    for _ in range(5):
        ask_code(client, email="korban@example.com")
    response = ask_code(client, email="Korban@example.com")
    assert response.status_code == 429
    assert "Terlalu banyak kode" in response.content.decode()
    assert ContactVerification.objects.count() == 5


def test_contact_input_is_checked(client, world):
    cases = [
        ({"email": "", "phone": ""}, "Isi alamat surel atau nomor HP."),
        ({"email": "bukan-surel", "phone": ""}, "Alamat surel tidak valid."),
        ({"email": "", "phone": "12345"}, "Nomor HP tidak valid."),
        ({"email": "a@example.com", "phone": "081234567890"}, "Isi salah satu saja"),
    ]
    for data, message in cases:
        response = client.post(START, {"name": "X"} | data)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not ContactVerification.objects.exists()
    assert not Notification.objects.exists()


def test_the_code_page_without_a_pending_code_goes_back_to_the_start(client, db):
    assert client.get(CODE)["Location"] == NEW


def test_a_verified_contact_does_not_last_forever(client, world):
    ask_code(client, email="rahmat@example.com")
    client.post(CODE, {"code": code_from_mail()})
    later = timezone.now() + verification.VERIFIED_FOR + dt.timedelta(minutes=1)
    with time_machine.travel(later):
        html = client.get(NEW).content.decode()
    assert 'name="title"' not in html and "Kirim kode" in html


def test_a_guest_may_switch_to_another_contact(client, world):
    ask_code(client, email="rahmat@example.com")
    client.post(CODE, {"code": code_from_mail()})
    client.post("/lapor/ganti-kontak/")
    assert "Kirim kode" in client.get(NEW).content.decode()


def test_guessing_codes_in_another_session_is_not_possible(client, world):
    ask_code(client, email="rahmat@example.com")
    other = type(client)()
    # A second browser has no pending verification to guess at.
    assert other.post(CODE, {"code": code_from_mail()})["Location"] == NEW
    assert ContactVerification.objects.get().verified_at is None
