"""Messages out on WhatsApp: the 24-hour customer service window and the template after
it, Meta's delivery statuses, retries with backoff, dead letters, and the SMS fallback
when WhatsApp refuses (a template refused, a number WhatsApp cannot reach)."""

import datetime as dt

import time_machine
from django.utils import timezone

from aduan.notifications import service, sms
from aduan.notifications.models import Notification
from aduan.reports import actions as a
from aduan.reports.models import Report
from conftest import run_tasks

from .test_whatsapp_journey import REPORT_TEXT


def report_by_whatsapp(whatsapp) -> Report:
    whatsapp.send(REPORT_TEXT)
    whatsapp.send("Jl. Poros Sangatta-Bengalon KM 12")
    whatsapp.press("LEWATI")
    whatsapp.press("KIRIM")
    whatsapp.received()
    return Report.objects.get()


def test_after_24_hours_without_a_message_the_template_is_sent(world, whatsapp):
    start = timezone.now()
    report = report_by_whatsapp(whatsapp)
    with time_machine.travel(start + dt.timedelta(hours=25), tick=False):
        a.put_on_hold(report, "Nomor tiang listrik terdekat?", actor=world.national_admin)
        question = whatsapp.received()[-1]
    assert question["type"] == "template"
    assert "Nomor tiang listrik terdekat?" in question["text"] and "\n" not in question["text"]


def test_when_meta_says_the_window_is_closed_the_template_is_sent(world, whatsapp, graph):
    report = report_by_whatsapp(whatsapp)
    graph.window_closed.add(whatsapp.number)
    a.put_on_hold(report, "Nomor tiang listrik terdekat?", actor=world.national_admin)
    run_tasks()
    refused, question = graph.requests[-2:]
    assert refused["type"] == "text" and not refused.get("accepted")
    assert question["type"] == "template" and question["accepted"]
    notification = Notification.objects.get(template="information_requested")
    assert (notification.status, notification.provider_id) == ("sent", question["id"])


def test_a_refused_template_is_a_dead_letter_and_the_reporter_gets_an_sms(world, whatsapp, graph):
    report = report_by_whatsapp(whatsapp)
    graph.window_closed.add(whatsapp.number)
    graph.templates.clear()
    a.put_on_hold(report, "Nomor tiang listrik terdekat?", actor=world.national_admin)
    run_tasks()
    failed = Notification.objects.get(template="information_requested", channel="whatsapp")
    assert failed.status == "failed" and "template refused: error 132001" in failed.last_error
    fallback = failed.fallback
    assert (fallback.channel, fallback.status) == ("sms", "sent")
    assert fallback.address == "+6281350002222"
    assert [m.phone for m in sms.outbox] == ["+6281350002222"]
    assert "Nomor tiang listrik terdekat?" in sms.outbox[0].text
    assert "BALAS" in sms.outbox[0].text


def test_a_failed_status_from_meta_falls_back_to_sms_once(world, whatsapp):
    report = report_by_whatsapp(whatsapp)
    sent = Notification.objects.get(template="report_submitted")
    assert whatsapp.status(sent.provider_id, "sent").status_code == 200
    assert whatsapp.status(sent.provider_id, "failed", error_code=131026).status_code == 200
    assert whatsapp.status(sent.provider_id, "failed", error_code=131026).status_code == 200
    # A late "delivered" changes nothing after the failure.
    whatsapp.status(sent.provider_id, "delivered")
    sent.refresh_from_db()
    assert (sent.status, sent.delivery_status) == ("failed", "failed")
    assert "131026" in sent.last_error
    run_tasks()
    assert len(sms.outbox) == 1 and report.tracking_number in sms.outbox[0].text


def test_a_meta_outage_is_retried_with_backoff(world, whatsapp, graph):
    report = report_by_whatsapp(whatsapp)
    graph.fail_next = 1
    a.put_on_hold(report, "Nomor tiang listrik terdekat?", actor=world.national_admin)
    run_tasks()
    question = Notification.objects.get(template="information_requested")
    assert (question.status, question.attempts) == ("pending", 1)
    assert "HTTP 500" in question.last_error
    assert service.sweep(now=question.next_attempt_at + dt.timedelta(seconds=1)) == 1
    run_tasks()
    question.refresh_from_db()
    assert question.status == "sent" and question.provider_id.startswith("wamid.")


def test_berhenti_on_whatsapp_stops_messages_without_an_sms_instead(world, whatsapp):
    report = report_by_whatsapp(whatsapp)
    whatsapp.send("BERHENTI")
    confirmation = whatsapp.inbox()[-1]
    assert "pesan WhatsApp dari Aduan lagi" in confirmation and "MULAI" in confirmation
    a.put_on_hold(report, "Nomor tiang listrik terdekat?", actor=world.national_admin)
    run_tasks()
    question = Notification.objects.get(template="information_requested")
    assert question.status == "failed" and "BERHENTI" in question.last_error
    assert sms.outbox == [] and not hasattr_fallback(question)


def hasattr_fallback(notification) -> bool:
    return Notification.objects.filter(fallback_of=notification).exists()
