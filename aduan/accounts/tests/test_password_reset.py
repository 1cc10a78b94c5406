"""A forgotten password, reset by a link sent by e-mail or by a code sent by SMS; the pages
never reveal whether an account has the address, and staff with an authenticator app still
type its code afterwards."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from aduan.accounts.models import Reporter, Role, User
from aduan.notifications import sms
from aduan.notifications.models import Notification
from aduan.portal.models import ContactVerification, Purpose
from conftest import run_tasks

from .test_auth_totp import current_code

RESET = "/akun/lupa-sandi/"
SENT = "/akun/lupa-sandi/terkirim/"
CODE = "/akun/lupa-sandi/kode/"
NEW = "/akun/lupa-sandi/sandi-baru/"
NEW_PASSWORD = "sandi-baru-yang-kuat-42"


def ask(client, *, email="", phone="", ip="10.2.2.2"):
    response = client.post(RESET, {"email": email, "phone": phone}, REMOTE_ADDR=ip)
    run_tasks()
    return response


def link_from_mail(message) -> str:
    return re.search(r"http://\S+(/akun/lupa-sandi/\S+/\S+/)", message.body).group(1)


def signed_in_user_id(client):
    return client.session.get(SESSION_KEY)


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def set_password(client, password=NEW_PASSWORD, **extra):
    return client.post(NEW, {"password1": password, "password2": password} | extra)


# -- by e-mail ------------------------------------------------------------------------------


def test_staff_reset_a_password_with_the_link_sent_to_their_work_address(client, world):
    response = ask(client, email="Admin_Kutim@example.go.id")
    assert response.status_code == 302 and response["Location"] == SENT
    message = mail.outbox[-1]
    assert message.to == ["Admin_Kutim@example.go.id"]
    assert "admin_kutim" in message.body
    notification = Notification.objects.get(template="password_reset")
    assert notification.recipient_user == world.agency_admin and notification.report is None
    # The link is a secret: encrypted in the outbox, not in the plain context.
    assert "lupa-sandi" not in str(notification.context)

    opened = client.get(link_from_mail(message))
    # The token leaves the address bar at once.
    assert opened.status_code == 302 and opened["Location"] == NEW
    page = client.get(NEW)
    assert page.status_code == 200 and "admin_kutim" in page.content.decode()

    done = set_password(client)
    assert done.status_code == 302 and done["Location"] == "/petugas/"
    assert signed_in_user_id(client) == str(world.agency_admin.pk)
    world.agency_admin.refresh_from_db()
    assert world.agency_admin.check_password(NEW_PASSWORD)


def test_a_citizen_resets_by_the_address_on_their_reporter_record(client, world):
    ask(client, email="siti@example.com")
    message = mail.outbox[-1]
    assert message.to == ["siti@example.com"] and "warga" in message.body
    client.get(link_from_mail(message))
    assert set_password(client)["Location"] == "/"
    assert signed_in_user_id(client) == str(world.citizen.pk)


def test_a_link_works_once(client, world):
    ask(client, email="siti@example.com")
    link = link_from_mail(mail.outbox[-1])
    client.get(link)
    set_password(client)
    again = Client().get(link)
    assert again.status_code == 400
    assert "Tautan tidak berlaku" in again.content.decode()


def test_a_link_expires_after_an_hour(client, world):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        ask(client, email="siti@example.com")
    link = link_from_mail(mail.outbox[-1])
    with time_machine.travel(start + dt.timedelta(minutes=61), tick=False):
        assert client.get(link).status_code == 400
    with time_machine.travel(start + dt.timedelta(minutes=59), tick=False):
        assert client.get(link).status_code == 302


def test_a_tampered_link_is_refused(client, world):
    ask(client, email="siti@example.com")
    link = link_from_mail(mail.outbox[-1])
    assert client.get(link[:-3] + "xx/").status_code == 400
    assert client.get("/akun/lupa-sandi/bm90LWEtbnVtYmVy/1-abc/").status_code == 400
    assert client.get(NEW)["Location"] == RESET  # no grant: nothing to set


def test_an_unknown_address_reads_exactly_like_a_known_one(world):
    known, unknown = Client(), Client()
    answers = [
        ask(known, email="siti@example.com", ip="10.0.0.1"),
        ask(unknown, email="tidak-ada@example.com", ip="10.0.0.2"),
    ]
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0]["Location"] == answers[1]["Location"] == SENT
    assert without_csrf(known.get(SENT).content.decode()) == without_csrf(
        unknown.get(SENT).content.decode()
    )
    # Only the real account got a message.
    assert [m.to for m in mail.outbox] == [["siti@example.com"]]
    assert Notification.objects.filter(template="password_reset").count() == 1


def test_accounts_that_cannot_sign_in_here_get_no_link(client, world):
    world.officer.is_active = False
    world.officer.save(update_fields=["is_active"])
    world.dlh_officer.home_node = "KTM"  # a copy of another node's account
    world.dlh_officer.save(update_fields=["home_node"])
    world.other_officer.set_unusable_password()
    world.other_officer.save(update_fields=["password"])
    for address in ("petugas_pu", "petugas_dlh", "petugas_pu_paser"):
        assert ask(client, email=f"{address}@example.go.id")["Location"] == SENT
    assert mail.outbox == []


def test_the_form_refuses_bad_input_with_messages(client, db):
    cases = [
        ({"email": "", "phone": ""}, "email"),
        ({"email": "bukan-surel", "phone": ""}, "email"),
        ({"email": "", "phone": "021 555 1234"}, "phone"),
        ({"email": "a@example.com", "phone": "081234567890"}, "phone"),
    ]
    for data, field in cases:
        response = client.post(RESET, data)
        assert response.status_code == 400
        assert field in response.context["form"].errors
    assert ContactVerification.objects.count() == 0 and Notification.objects.count() == 0


def test_the_reset_ends_every_other_session_of_the_account(client, world):
    elsewhere = Client()
    elsewhere.force_login(world.citizen)
    assert elsewhere.get("/laporan-saya/").context["rows"] == []
    ask(client, email="siti@example.com")
    client.get(link_from_mail(mail.outbox[-1]))
    set_password(client)
    assert "/laporan-saya/kontak/" in elsewhere.get("/laporan-saya/").content.decode()


def test_the_new_password_is_checked(client, world):
    ask(client, email="siti@example.com")
    client.get(link_from_mail(mail.outbox[-1]))
    short = set_password(client, "123")
    assert short.status_code == 400 and "password1" in short.context["form"].errors
    different = client.post(NEW, {"password1": NEW_PASSWORD, "password2": "lain-sekali-999"})
    assert different.status_code == 400 and "password2" in different.context["form"].errors
    world.citizen.refresh_from_db()
    assert world.citizen.check_password("kata-sandi-uji-123")


# -- staff with an authenticator app --------------------------------------------------------


def test_staff_with_an_authenticator_still_type_its_code_after_a_reset(client, world):
    frozen = time_machine.travel(timezone.now(), tick=False)
    frozen.start()
    device = TOTPDevice.objects.create(user=world.national_admin, name="HP", confirmed=True)
    ask(client, email="admin_nasional@example.go.id")
    client.get(link_from_mail(mail.outbox[-1]))
    done = set_password(client)
    assert done.status_code == 302 and done["Location"] == "/akun/masuk/kode/"
    assert signed_in_user_id(client) is None
    assert client.get("/petugas/").status_code == 302  # not in yet

    signed = client.post("/akun/masuk/kode/", {"code": current_code(device)})
    frozen.stop()
    assert signed.status_code == 302 and signed["Location"] == "/petugas/"
    assert signed_in_user_id(client) == str(world.national_admin.pk)


# -- by SMS ---------------------------------------------------------------------------------


def code_from_sms() -> str:
    return re.search(r"(\d{6})", sms.outbox[-1].text).group(1)


def test_a_citizen_resets_with_a_code_sent_by_sms(client, world):
    response = ask(client, phone="0812-3456-7890")
    assert response.status_code == 302 and response["Location"] == CODE
    assert sms.outbox[-1].phone == "+6281234567890"
    assert "kata sandi baru" in sms.outbox[-1].text
    record = ContactVerification.objects.get()
    assert record.purpose == Purpose.PASSWORD_RESET and record.send_codes

    page = client.get(CODE).content.decode()
    assert "+62812*****890" in page
    verified = client.post(CODE, {"code": code_from_sms()})
    assert verified.status_code == 302 and verified["Location"] == NEW
    assert "warga" in client.get(NEW).content.decode()
    assert set_password(client)["Location"] == "/"
    assert signed_in_user_id(client) == str(world.citizen.pk)


def test_an_unknown_number_gets_no_sms_and_the_same_pages(world):
    known, unknown = Client(), Client()
    a = ask(known, phone="081234567890", ip="10.0.0.1")
    b = ask(unknown, phone="081299998888", ip="10.0.0.2")
    assert (a.status_code, a["Location"]) == (b.status_code, b["Location"]) == (302, CODE)
    assert [message.phone for message in sms.outbox] == ["+6281234567890"]
    silent = ContactVerification.objects.get(send_codes=False)
    assert silent.purpose == Purpose.PASSWORD_RESET

    def page(client):
        html = without_csrf(client.get(CODE).content.decode())
        return re.sub(r"\+62812\*+\d{3}", "NUMBER", html)

    assert page(known) == page(unknown)
    # Guesses count the same way on both.
    wrong = "000000" if code_from_sms() != "000000" else "111111"
    for client in (known, unknown):
        response = client.post(CODE, {"code": wrong})
        assert response.status_code == 400
        assert "Kode salah. Sisa percobaan: 4." in response.content.decode()
    # Asking again sends nothing to the unknown number either.
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        assert unknown.post(CODE, {"kirim_ulang": "1"}).status_code == 302
        run_tasks()
    assert len(sms.outbox) == 1


def test_a_phone_shared_by_two_accounts_lets_the_person_choose(client, world):
    other = User.objects.create_user(
        username="siti_kedua", password="kata-sandi-uji-123", role=Role.CITIZEN
    )
    Reporter.objects.create(user=other, phone="+6281234567890")
    ask(client, phone="081234567890")
    client.post(CODE, {"code": code_from_sms()})
    page = client.get(NEW).content.decode()
    assert "warga" in page and "siti_kedua" in page
    missing = set_password(client)
    assert missing.status_code == 400 and "account" in missing.context["form"].errors
    done = set_password(client, account=str(other.pk))
    assert done.status_code == 302
    other.refresh_from_db()
    world.citizen.refresh_from_db()
    assert other.check_password(NEW_PASSWORD)
    assert not world.citizen.check_password(NEW_PASSWORD)


def test_the_time_to_choose_a_password_runs_out(client, world):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        ask(client, phone="081234567890")
        client.post(CODE, {"code": code_from_sms()})
    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        response = set_password(client)
    assert response.status_code == 302 and response["Location"] == RESET
    world.citizen.refresh_from_db()
    assert not world.citizen.check_password(NEW_PASSWORD)


# -- limits ---------------------------------------------------------------------------------


@pytest.mark.parametrize("address", ["siti@example.com", "tidak-ada@example.com"])
def test_one_address_gets_five_requests_an_hour_whether_or_not_it_exists(client, world, address):
    for i in range(5):
        assert ask(client, email=address, ip=f"10.3.0.{i}").status_code == 302
    refused = ask(client, email=address.upper(), ip="10.3.0.99")
    assert refused.status_code == 429
    assert "Terlalu banyak permintaan" in refused.content.decode()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=61)):
        assert ask(client, email=address, ip="10.3.0.100").status_code == 302


def test_one_client_gets_twenty_requests_an_hour(client, world):
    for i in range(20):
        assert ask(client, email=f"orang{i}@example.com").status_code == 302
    assert ask(client, email="siti@example.com").status_code == 429
    assert mail.outbox == []
    # Another client is not held back.
    assert ask(Client(), email="siti@example.com", ip="10.9.9.9").status_code == 302


def test_the_throttle_stores_no_address(client, world):
    from aduan.accounts.models import RecoveryRequest

    ask(client, email="siti@example.com")
    row = RecoveryRequest.objects.get()
    assert "siti" not in row.key_hash and row.kind == "password"


def test_the_pages_speak_english_on_request(client, db):
    client.cookies["django_language"] = "en"
    html = client.get(RESET).content.decode()
    assert "Forgotten password" in html
    assert "Forgot your password?" in client.get("/akun/masuk/").content.decode()
