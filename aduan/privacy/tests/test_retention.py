"""The retention schedule: each kind of personal data kept for its period, then erased
by the worker in bounded, idempotent runs; a dry run by command."""

import datetime as dt
from io import StringIO

import time_machine
from django.core.management import call_command
from django.utils import timezone

from aduan.accounts.models import PersonalDataAccess, Reporter
from aduan.channels.gateways.base import Inbound
from aduan.channels.intake import receive
from aduan.channels.models import Message
from aduan.core.scheduler import periodic_tasks
from aduan.notifications.models import Notification
from aduan.portal.models import ContactVerification, Purpose
from aduan.portal.tests.test_recovery import guest_report
from aduan.portal.verification import Contact, start_verification
from aduan.privacy import retention
from aduan.privacy.tasks import apply_retention
from aduan.reports import actions
from aduan.reports.access import reporter_identity
from aduan.reports.actors import Actor
from conftest import run_tasks

DAY = dt.timedelta(days=1)


def later(days: float):
    return time_machine.travel(timezone.now() + dt.timedelta(days=days), tick=False)


def verification(address: str) -> ContactVerification:
    return start_verification(Contact("email", address), purpose=Purpose.MY_REPORTS)


def test_contact_verifications_are_deleted_after_two_days_on_a_quiet_node(db):
    verification("lama@example.com")
    with later(1):
        recent = verification("baru@example.com")
    with later(1.5):
        assert retention.apply()["contact_verifications"] == 0
    with later(2.5):
        assert retention.apply()["contact_verifications"] == 1
    assert list(ContactVerification.objects.values_list("pk", flat=True)) == [recent.pk]


def test_addresses_of_sent_messages_are_erased_ninety_days_after_delivery(world):
    report = world.report_in("closed")
    run_tasks()
    sent = Notification.objects.filter(report=report, status="sent")
    assert sent.exists()
    with later(89):
        assert retention.apply()["notification_addresses"] == 0
    with later(91):
        waiting = Notification.objects.create(
            report=report,
            audience="reporter",
            channel="email",
            address="siti@example.com",
            template="report_closed",
        )
        done = retention.apply()["notification_addresses"]
        assert done == sent.count()
        # A message not sent yet keeps its address; a second run finds nothing more.
        assert Notification.objects.get(pk=waiting.pk).address == "siti@example.com"
        assert retention.apply()["notification_addresses"] == 0
    assert not Notification.objects.filter(status="sent").exclude(address="").exists()


def test_channel_messages_are_erased_after_their_report_ended(world):
    closed = world.report_in("closed")
    still_open = world.report_in("in_progress")
    for number, report in enumerate((closed, still_open)):
        receive(
            Inbound(
                channel="sms",
                gateway="generic",
                provider_id=f"m-{number}",
                sender="081234567890",
                text=f"CEK {report.tracking_number}",
            )
        )
    with later(181):
        assert retention.apply()["channel_messages"] == 1
    assert Message.objects.get(provider_id="m-0").text == ""
    assert Message.objects.get(provider_id="m-0").sender == ""
    assert Message.objects.get(provider_id="m-1").text.startswith("CEK ")


def test_guest_reporters_are_erased_years_after_their_last_report_ended(world):
    ended, _ = guest_report(email="rahmat@example.com")
    actions.withdraw_report(ended, actor=Actor(reporter_id=ended.reporter_id))
    open_one, _ = guest_report(email="lain@example.com")
    account_report = world.report_in("closed")
    with later(5 * 365 - 1):
        assert retention.apply()["reporters"] == 0
    with later(5 * 365 + 1):
        assert retention.apply()["reporters"] == 1
        assert retention.apply()["reporters"] == 0
    erased = Reporter.objects.get(pk=ended.reporter_id)
    assert (erased.name, erased.email, erased.email_lookup) == ("", "", "")
    assert erased.erased_at is not None
    assert Reporter.objects.get(pk=open_one.reporter_id).email == "lain@example.com"
    # An account holder keeps their identity while they keep their account.
    assert Reporter.objects.get(pk=account_report.reporter_id).name == "Siti Aminah"


def test_access_logs_are_deleted_after_their_period(world):
    report = world.report_in("dispositioned")
    reporter_identity(world.officer, report, purpose="follow_up")
    with later(5 * 365 + 1):
        reporter_identity(world.officer, report, purpose="follow_up")
        assert retention.apply()["access_logs"] == 1
    assert PersonalDataAccess.objects.count() == 1


def test_a_run_is_bounded_and_the_command_is_a_dry_run_unless_told(db, settings):
    settings.RETENTION_BATCH_SIZE = 2
    for number in range(5):
        verification(f"orang{number}@example.com")
    with later(31):
        out = StringIO()
        call_command("apply_retention", stdout=out)
        assert "contact_verifications: 5 due (kept 2 days)" in out.getvalue()
        assert "Dry run" in out.getvalue()
        assert ContactVerification.objects.count() == 5
        call_command("apply_retention", "--commit", stdout=StringIO())
        assert ContactVerification.objects.count() == 3
        assert retention.apply()["contact_verifications"] == 2
        assert retention.apply()["contact_verifications"] == 1
        assert retention.apply()["contact_verifications"] == 0


def test_the_worker_applies_the_schedule_at_most_every_hour(db):
    assert apply_retention in periodic_tasks()
    verification("orang@example.com")
    with later(31):
        assert retention.run_if_due()["ran"] is True
        assert not ContactVerification.objects.exists()
        verification("lain@example.com")
    with later(62):
        assert retention.run_if_due()["contact_verifications"] == 1
    with later(62 + 30 / (24 * 60)):
        assert retention.run_if_due() == {"ran": False}
    with later(62 + 61 / (24 * 60)):
        assert retention.run_if_due()["ran"] is True
