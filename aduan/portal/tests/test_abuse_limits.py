"""Hourly limits on what a visitor can make Aduan do for them: codes sent by SMS and
e-mail (per browser session and per client address, not only per contact) and reports
filed by a verified guest (per contact, session and address)."""

import datetime as dt
import re

import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from aduan.notifications import sms
from aduan.reports.models import Report
from conftest import run_tasks

from .conftest import report_form_data

NEW = "/lapor/"
START = "/lapor/kontak/"
CODE = "/lapor/kode/"


def ask_code(client, **contact):
    data = {"name": "Rahmat", "email": "", "phone": ""} | contact
    response = client.post(START, data)
    run_tasks()
    return response


def verified_guest(email="rahmat@example.com", ip="127.0.0.1") -> Client:
    client = Client(REMOTE_ADDR=ip)
    assert ask_code(client, email=email).status_code == 302
    code = re.search(r"Kode verifikasi Anda: (\d{6})", mail.outbox[-1].body).group(1)
    assert client.post(CODE, {"code": code}).status_code == 302
    return client


def test_one_session_cannot_send_codes_to_a_dozen_numbers(client, world):
    """The attack: twelve numbers from one session got twelve SMS."""
    answers = [ask_code(client, phone=f"0812 3456 78{n:02d}") for n in range(12)]
    assert [a.status_code for a in answers] == [302] * 5 + [429] * 7
    assert len(sms.outbox) == 5
    page = answers[-1].content.decode()
    assert "Terlalu banyak kode verifikasi diminta dari perangkat atau jaringan ini" in page
    assert "60 menit" in page


def test_the_refusal_reads_in_english_too(client, world):
    for n in range(5):
        ask_code(client, phone=f"0812 3456 78{n:02d}")
    client.cookies["django_language"] = "en"
    page = ask_code(client, phone="0812 3456 7899").content.decode()
    assert "Too many verification codes were requested from this device or network" in page


def test_new_sessions_from_one_address_are_limited_too(world):
    answers = [
        ask_code(Client(REMOTE_ADDR="198.51.100.7"), email=f"orang{n}@example.com")
        for n in range(21)
    ]
    assert [a.status_code for a in answers] == [302] * 20 + [429]
    # Another address is not held back.
    assert ask_code(Client(REMOTE_ADDR="198.51.100.8"), email="lain@example.com").status_code == 302


def test_the_session_limit_frees_up_after_an_hour(client, world):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for n in range(5):
            ask_code(client, phone=f"0812 3456 78{n:02d}")
        assert ask_code(client, phone="0812 3456 7899").status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=61), tick=False):
        assert ask_code(client, phone="0812 3456 7899").status_code == 302


def test_a_verified_guest_cannot_file_reports_without_limit(world):
    """The attack: a verified guest filed 30 reports in 5.8 seconds."""
    guest = verified_guest()
    answers = [
        guest.post(NEW, report_form_data(token=f"banjir-{n:04d}-abcdefgh")) for n in range(12)
    ]
    assert [a.status_code for a in answers] == [302] * 10 + [429] * 2
    assert Report.objects.count() == 10
    page = answers[-1].content.decode()
    assert "Anda sudah mengirim banyak laporan dalam satu jam terakhir" in page
    # What was typed stays in the form.
    assert "Jalan berlubang di depan SDN 003" in page


def test_the_same_form_sent_twice_counts_once(world):
    guest = verified_guest()
    for _ in range(12):
        response = guest.post(NEW, report_form_data(token="sekali-saja-abcdefgh"))
        assert response.status_code == 302
    assert Report.objects.count() == 1


def test_reports_from_one_address_are_limited_across_contacts(world, settings):
    settings.REPORTS_PER_HOUR_PER_ADDRESS = 3
    statuses = []
    for n in range(4):
        guest = verified_guest(email=f"warga{n}@example.com", ip="198.51.100.20")
        statuses.append(
            guest.post(NEW, report_form_data(token=f"kantor-{n:04d}-abcdefgh")).status_code
        )
    assert statuses == [302, 302, 302, 429]


def test_the_offline_queue_keeps_a_limited_report_waiting(world, settings):
    settings.REPORTS_PER_HOUR_PER_REPORTER = 1
    guest = verified_guest()
    assert (
        guest.post("/lapor/antrean/", report_form_data(token="antre-0001-abcdefgh")).status_code
        == 201
    )
    response = guest.post("/lapor/antrean/", report_form_data(token="antre-0002-abcdefgh"))
    assert response.status_code == 429
    assert response.json()["status"] == "limited"
