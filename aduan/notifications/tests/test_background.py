"""Side effects are jobs written in the same transaction as the change, run after commit
by the worker, retried on failure, and never run for a rolled-back change."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from aduan.notifications import service, sms
from aduan.notifications.models import Notification
from aduan.reports import actions as a
from conftest import run_tasks


def test_a_status_change_queues_its_notifications_in_the_same_transaction(world):
    report = world.submit()
    # One job per change carries every notification the change created.
    jobs = DBTaskResult.objects.filter(task_path__endswith="deliver_notifications")
    assert jobs.count() == 1
    ids = sorted(Notification.objects.filter(report=report).values_list("pk", flat=True))
    assert len(ids) == 2
    assert sorted(jobs.get().args_kwargs["args"][0]) == ids


def test_a_rolled_back_change_leaves_no_job_and_no_notification(world):
    report = world.submit()
    jobs_before = DBTaskResult.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        a.dispose_report(report, world.pemkab, unit=world.dinas_pu, actor=world.national_admin)
        raise RuntimeError("the web process dies before commit")
    report.refresh_from_db()
    assert report.status == "submitted"
    assert DBTaskResult.objects.count() == jobs_before
    assert not Notification.objects.filter(template="new_disposition").exists()


def test_the_worker_delivers_reporter_and_staff_messages_in_indonesian(world):
    world.report_in("dispositioned")
    run_tasks()
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert (
        "diterima" in subjects["siti@example.com"]
        or "Didisposisikan" in subjects["siti@example.com"]
    )
    assert subjects[world.officer.email].startswith("[Aduan] Disposisi baru")
    assert any("Laporan Anda diterima" in message.text for message in sms.outbox)
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


def test_a_failed_delivery_is_retried_later_and_then_succeeds(world, monkeypatch):
    report = world.submit()
    calls = {"n": 0}
    real_send = service.send_email

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("SMTP down")
        return real_send(*args, **kwargs)

    monkeypatch.setattr(service, "send_email", flaky)
    run_tasks()
    email = Notification.objects.get(report=report, channel="email")
    assert email.status == "pending" and email.attempts == 1
    assert "SMTP down" in email.last_error
    assert email.next_attempt_at > timezone.now()
    # Nothing is re-sent before the backoff passes...
    assert service.sweep() == 0
    # ...then the sweep queues it again and the worker delivers it.
    assert service.sweep(now=email.next_attempt_at + dt.timedelta(seconds=1)) == 1
    run_tasks()
    email.refresh_from_db()
    assert email.status == "sent" and email.attempts == 2
    assert len(mail.outbox) == 1


def test_a_notification_queued_twice_is_sent_once(world):
    report = world.submit()
    email = Notification.objects.get(report=report, channel="email")
    from aduan.notifications.tasks import deliver_notification

    deliver_notification.enqueue(email.pk)
    run_tasks()
    assert len(mail.outbox) == 1


def test_a_message_stuck_with_a_dead_worker_is_sent_again(world):
    report = world.submit()
    email = Notification.objects.get(report=report, channel="email")
    long_ago = timezone.now() - dt.timedelta(hours=1)
    Notification.objects.filter(pk=email.pk).update(status="sending", next_attempt_at=long_ago)
    DBTaskResult.objects.all().delete()
    assert service.sweep() >= 1
    run_tasks()
    email.refresh_from_db()
    assert email.status == "sent"


def _as_if_the_worker_died_after_sending(notification):
    """Put a delivered notification back where a worker leaves it when it dies between
    handing the message over and recording that it did: claimed, an hour ago."""
    long_ago = timezone.now() - dt.timedelta(hours=1)
    Notification.objects.filter(pk=notification.pk).update(
        status="sending", next_attempt_at=long_ago, sent_at=None
    )


def test_an_email_sent_again_after_a_crash_is_the_same_message(world, settings):
    settings.SITE_URL = "https://aduan.kutaitimurkab.go.id"
    report = world.submit()
    run_tasks()
    email = Notification.objects.get(report=report, channel="email")
    _as_if_the_worker_died_after_sending(email)
    assert service.sweep() == 1
    run_tasks()
    # Delivery is at least once: the message went out twice...
    assert [m.to for m in mail.outbox] == [["siti@example.com"], ["siti@example.com"]]
    # ...under one Message-ID, derived from the notification, so the receiving side can
    # tell it is the same message.
    first, second = (m.message()["Message-ID"] for m in mail.outbox)
    assert first == second == f"<notification-{email.uuid}@aduan.kutaitimurkab.go.id>"


def test_each_notification_has_its_own_message_id(world):
    world.report_in("dispositioned")
    run_tasks()
    ids = [m.message()["Message-ID"] for m in mail.outbox]
    assert len(mail.outbox) >= 3
    assert len(set(ids)) == len(ids)
    expected = {
        f"notification-{uuid}"
        for uuid in Notification.objects.filter(channel="email").values_list("uuid", flat=True)
    }
    assert {i.strip("<>").partition("@")[0] for i in ids} == expected


def test_the_sms_gateway_receives_the_notification_uuid_as_its_reference(world):
    report = world.submit()
    run_tasks()
    text_message = Notification.objects.get(report=report, channel="sms")
    assert [(m.phone, m.reference) for m in sms.outbox] == [
        (text_message.address, str(text_message.uuid))
    ]
    # A re-send after a crash carries the same reference, for the gateway to drop.
    _as_if_the_worker_died_after_sending(text_message)
    service.sweep()
    run_tasks()
    assert [m.reference for m in sms.outbox] == [str(text_message.uuid)] * 2
    assert sms.outbox[0].text == sms.outbox[1].text


def test_a_job_left_running_by_a_dead_worker_is_requeued(world):
    from aduan.core.scheduler import requeue_stale_tasks

    world.submit()
    job = DBTaskResult.objects.first()
    DBTaskResult.objects.filter(pk=job.pk).update(
        status="RUNNING", started_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert requeue_stale_tasks() == 1
    run_tasks()
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == DBTaskResult.objects.count()


def test_the_worker_command_runs_the_schedule_and_writes_its_heartbeat(world):
    from unittest import mock

    from django_tasks_db.management.commands import db_worker

    from aduan.core.management.commands import run_worker
    from aduan.core.models import WorkerHeartbeat

    world.submit()
    # Closing connections between tasks would close the test's own transaction.
    with (
        mock.patch.object(db_worker, "close_old_connections", lambda: None),
        mock.patch.object(run_worker, "close_old_connections", lambda: None),
    ):
        call_command("run_worker", "--once")
    assert len(mail.outbox) == 1
    paths = set(DBTaskResult.objects.values_list("task_path", flat=True))
    assert "aduan.reports.tasks.scan_deadlines" in paths
    assert "aduan.notifications.tasks.sweep_notifications" in paths
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    # The heartbeat is removed on a clean exit.
    assert not WorkerHeartbeat.objects.exists()


def test_personal_data_never_reaches_the_job_queue(world):
    world.submit()
    payloads = " ".join(str(r.args_kwargs) for r in DBTaskResult.objects.all())
    assert "siti@example.com" not in payloads and "081234567890" not in payloads


def test_the_reporter_hears_of_every_status_change(world):
    report = world.report_in("returned")
    report = a.redispose_report(report, world.pemkab, unit=world.dlh, actor=world.agency_admin)
    report = a.acknowledge_report(report, actor=world.dlh_officer)
    report = a.post_follow_up(report, "Selesai.", actor=world.dlh_officer)
    report = a.accept_response(report, actor=world.citizen)
    emails = Notification.objects.filter(
        report=report, audience="reporter", channel="email"
    ).order_by("pk")
    assert [(n.template, n.context["status"]) for n in emails] == [
        ("report_submitted", "submitted"),
        ("status_changed", "dispositioned"),
        ("status_changed", "returned"),
        ("status_changed", "dispositioned"),
        ("status_changed", "in_progress"),
        ("follow_up_posted", "responded"),
        ("report_closed", "closed"),
    ]


def test_a_backlog_is_swept_into_a_job_per_batch_and_each_message_goes_out_once(world):
    # A burst left 120 messages waiting longer than the sweep's patience, each already in
    # the delivery job its change queued.
    report = world.submit()
    template = Notification.objects.filter(report=report, channel="email").first()
    long_ago = timezone.now() - dt.timedelta(hours=1)
    Notification.objects.bulk_create(
        [
            Notification(
                report=report,
                audience="reporter",
                channel="email",
                address=f"warga{n}@example.id",
                template=template.template,
                context=template.context,
            )
            for n in range(120)
        ]
    )
    Notification.objects.update(created_at=long_ago)
    jobs_before = DBTaskResult.objects.count()
    assert service.sweep() == Notification.objects.count() == 122
    # 122 messages: three jobs of at most SWEEP_BATCH, not 122 jobs.
    assert DBTaskResult.objects.count() - jobs_before == 3
    mail.outbox.clear()
    run_tasks()
    sent = [m.to[0] for m in mail.outbox]
    assert len(sent) == len(set(sent)) == 121  # every address once (the second row: SMS)
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
