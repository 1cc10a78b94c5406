"""What messages say: dates in words in the agency's time zone, the staff's question
quoted, and text written as typed (no HTML escaping in e-mails and SMS)."""

import re
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.template.loader import render_to_string
from django.utils import translation

from aduan.notifications import sms
from aduan.portal.display import date_time_in_words
from aduan.reports import actions as a
from conftest import aware, run_tasks

ADUAN = Path(__file__).resolve().parents[2]
WORDS = (
    r"(Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu), \d{1,2} "
    r"(Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember)"
    r" \d{4} pukul \d{2}\.\d{2} WITA"
)


def test_a_moment_reads_in_words_in_the_given_zone():
    moment = aware(2026, 3, 12, 14, 30)  # Thursday, 14.30 in Makassar (WITA)
    with translation.override("id"):
        assert (
            date_time_in_words(moment, "Asia/Makassar") == "Kamis, 12 Maret 2026 pukul 14.30 WITA"
        )
        assert date_time_in_words(moment, "Asia/Jakarta") == "Kamis, 12 Maret 2026 pukul 13.30 WIB"
        assert date_time_in_words(moment, "Asia/Jayapura") == "Kamis, 12 Maret 2026 pukul 15.30 WIT"
    with translation.override("en"):
        assert (
            date_time_in_words(moment, "Asia/Makassar") == "Thursday, 12 March 2026 at 14.30 WITA"
        )


def reporter_mail(template_word: str):
    return [m for m in mail.outbox if m.to == ["siti@example.com"] and template_word in m.subject]


def test_the_follow_up_e_mail_gives_the_reply_deadline_in_words_in_the_agencys_zone(world):
    with time_machine.travel(aware(2026, 3, 5, 10), tick=False):
        report = world.report_in("responded")
        run_tasks()
    (message,) = reporter_mail("ditanggapi")
    due = date_time_in_words(report.reply_due_at, "Asia/Makassar")
    assert re.fullmatch(WORDS, due)
    assert f"sampai {due} (10 hari kerja)" in message.body
    assert not re.search(r"\d{4}-\d{2}-\d{2}", message.body)


def test_the_receipt_e_mail_gives_the_verification_deadline_in_words(world):
    with time_machine.travel(aware(2026, 3, 5, 10), tick=False):
        report = world.submit()
        run_tasks()
    (message,) = reporter_mail("diterima")
    due = date_time_in_words(report.verify_due_at, "Asia/Makassar")
    assert f"paling lambat {due} (3 hari kerja)" in message.body


def test_a_deadline_reminder_to_staff_gives_the_deadline_in_words(world):
    with time_machine.travel(aware(2026, 7, 1), tick=False):  # Wednesday
        report = world.report_in("dispositioned")
    # The first follow-up is due at the end of Wednesday 8 July, in Kutai Timur's zone.
    with time_machine.travel(aware(2026, 7, 7), tick=False):
        assert a.send_deadline_reminder(report, "first_response_due_at") is not None
        run_tasks()
    (message,) = [m for m in mail.outbox if m.subject.startswith("[Aduan] Pengingat")]
    assert "jatuh pada Rabu, 8 Juli 2026 pukul 23.59 WITA." in message.body


def test_the_information_request_quotes_the_question_as_written(world):
    report = world.report_in("in_progress")
    question = 'Mohon foto jalan & jembatan di "KM 12" <dekat pasar>.'
    a.put_on_hold(report, question, actor=world.officer)
    run_tasks()
    (message,) = reporter_mail("mohon informasi tambahan")
    assert f'Petugas bertanya:\n\n"{question}"' in message.body
    assert "&amp;" not in message.body and "&quot;" not in message.body
    assert any(f'petugas bertanya "{question}"' in sent.text for sent in sms.outbox)


def test_titles_with_ampersands_and_quotes_reach_the_e_mail_unescaped(world):
    title = 'Jalan "Poros" Sangatta & Bengalon <KM 12> rusak'
    report = world.submit(title=title)
    run_tasks()
    (message,) = reporter_mail("diterima")
    assert f'Laporan Anda "{title}"' in message.body
    assert report.tracking_number in message.subject


MESSAGE_TEMPLATES = sorted(ADUAN.glob("*/templates/notifications/*.txt"))


@pytest.mark.parametrize("path", MESSAGE_TEMPLATES, ids=lambda path: path.name)
def test_no_message_template_escapes_html(path):
    source = path.read_text()
    names = set(re.findall(r"\{\{\s*([a-z_]+)", source))
    context = dict.fromkeys(names, 'A & B "C" <D>') | {"zone": "Asia/Makassar"}
    text = render_to_string(f"notifications/{path.name}", context)
    for escaped in ("&amp;", "&quot;", "&lt;", "&gt;", "&#x27;"):
        assert escaped not in text, path.name


def test_a_change_made_in_english_still_reaches_the_reporter_in_indonesian(world):
    # A staff member working in English disposes the report; the reporter reads Indonesian.
    with translation.override("en"):
        world.report_in("dispositioned")
    run_tasks()
    subjects = [m.subject for m in mail.outbox if m.to == ["siti@example.com"]]
    assert subjects and all("Forwarded" not in s for s in subjects)
    assert any("Didisposisikan" in s or "diterima" in s for s in subjects)


def test_the_status_label_in_a_message_is_indonesian_whatever_language_the_change_was_made_in(
    world,
):
    from aduan.notifications.models import Notification

    with translation.override("en"):
        report = world.report_in("in_progress")
        # The staff page shows the English label at the same moment.
        assert report.get_status_display() == "In progress"
    labels = {n.context["status_label"] for n in Notification.objects.filter(report=report)}
    assert "Diproses" in labels and "In progress" not in labels
