"""Messages out: the provider's id and delivery reports, retries with backoff, dead
letters with their reason, and the e-mail fallback of a reporter who reported by SMS."""

import datetime as dt

from django.core import mail
from django.utils import timezone

from aduan.notifications import service
from aduan.notifications.models import DeadLetter, Notification
from aduan.reports.actions import ReporterDetails, submit_report
from conftest import run_tasks

from .conftest import CITIZEN_PHONE


def sms_report(world, email=""):
    """A report taken by SMS whose reporter also gave an e-mail address (at the counter)."""
    return submit_report(
        {
            "title": "Jalan rusak di Sangkulirang",
            "body": "Jalan desa berlubang dan tergenang saat hujan.",
            "channel": "sms",
        },
        actor=world.agency_admin,
        reporter=ReporterDetails(phone=CITIZEN_PHONE, email=email),
    ).report


def test_a_provider_outage_is_retried_with_backoff_then_sent(world, twilio):
    report = sms_report(world)
    twilio.fail_next = 1
    run_tasks()
    sms = Notification.objects.get(report=report, channel="sms")
    assert (sms.status, sms.attempts) == ("pending", 1)
    assert "HTTP 503" in sms.last_error
    assert sms.next_attempt_at - timezone.now() > dt.timedelta(minutes=1)
    assert service.sweep(now=sms.next_attempt_at + dt.timedelta(seconds=1)) == 1
    run_tasks()
    sms.refresh_from_db()
    assert sms.status == "sent" and sms.provider_id == twilio.sent[0]["sid"]


def test_a_refused_number_is_a_dead_letter_at_once_and_falls_back_to_email(world, twilio):
    twilio.unsubscribed.add(CITIZEN_PHONE)
    report = sms_report(world, email="warga@example.com")
    # SMS was the reporter's channel: no e-mail until the SMS fails.
    assert not Notification.objects.filter(report=report, channel="email").exists()
    run_tasks()
    sms = Notification.objects.get(report=report, channel="sms")
    assert (sms.status, sms.attempts) == ("failed", 1)
    assert "21610" in sms.last_error
    assert [n.pk for n in DeadLetter.objects.filter(report=report)] == [sms.pk]
    assert sms.fallback.channel == "email" and sms.fallback.status == "sent"
    assert mail.outbox[0].to == ["warga@example.com"]
    assert report.tracking_number in mail.outbox[0].body


def test_an_undelivered_report_from_the_provider_falls_back_once(world, twilio, phone):
    report = sms_report(world, email="warga@example.com")
    run_tasks()
    sms = Notification.objects.get(report=report, channel="sms")
    assert phone.status(sms.provider_id, "undelivered", error_code="30003").status_code == 200
    phone.status(sms.provider_id, "undelivered", error_code="30003")
    phone.status(sms.provider_id, "delivered")  # late and out of order: ignored
    sms.refresh_from_db()
    assert (sms.status, sms.delivery_status) == ("failed", "undelivered")
    assert sms.last_error == "Twilio error 30003"
    run_tasks()
    assert Notification.objects.filter(fallback_of=sms).count() == 1
    assert len(mail.outbox) == 1


def test_without_an_email_address_a_failed_sms_stays_a_dead_letter(world, twilio):
    twilio.unsubscribed.add(CITIZEN_PHONE)
    report = sms_report(world)
    run_tasks()
    assert Notification.objects.get(report=report).status == "failed"
    assert not Notification.objects.filter(channel="email", audience="reporter").exists()


def test_delivery_reports_for_unknown_messages_are_acknowledged(world, phone):
    assert phone.status("SM" + "f" * 32, "delivered").json() == {"status": "unknown"}


def test_the_generic_gateway_sends_signed_and_records_its_id(world, generic, client):
    from .conftest import post_generic

    report = sms_report(world)
    run_tasks()
    sms = Notification.objects.get(report=report, channel="sms")
    assert sms.status == "sent" and sms.provider_id == generic.sent[0]["id"]
    answer = post_generic(client, {"id": sms.provider_id, "status": "delivered"}, path="status")
    assert answer.json() == {"status": "recorded"}
    sms.refresh_from_db()
    assert sms.delivery_status == "delivered"
    assert post_generic(client, {"id": "x", "status": "weird"}, path="status").status_code == 400
