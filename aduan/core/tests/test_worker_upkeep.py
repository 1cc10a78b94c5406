"""The worker keeps its tables small (finished task rows and long-sent notifications are
pruned in batches), runs the notifications queue apart from everything else, and hands a
claimed notification to another worker only when the one holding it is gone."""

import datetime as dt
from unittest import mock

from django.core import mail
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from aduan.core import pruning
from aduan.core.management.commands.run_worker import queue_runner
from aduan.core.models import WorkerHeartbeat
from aduan.core.scheduler import NOTIFICATIONS_QUEUE, enqueue_periodic
from aduan.notifications import service
from aduan.notifications.models import Notification
from conftest import run_tasks


def test_finished_task_rows_are_pruned_after_the_days_kept(world, settings):
    settings.TASK_RESULTS_KEEP_DAYS = 7
    settings.PRUNE_BATCH_SIZE = 2
    world.submit()
    run_tasks()
    enqueue_periodic()
    finished = DBTaskResult.objects.filter(status__in=["SUCCESSFUL", "FAILED"])
    waiting = DBTaskResult.objects.filter(status="READY")
    assert finished.exists() and waiting.exists()
    now = timezone.now()
    old = list(finished.values_list("pk", flat=True))
    DBTaskResult.objects.filter(pk__in=old).update(finished_at=now - dt.timedelta(days=8))
    DBTaskResult.objects.filter(pk=old[0]).update(finished_at=now - dt.timedelta(days=6))
    still_waiting = set(waiting.values_list("pk", flat=True))

    assert pruning.prune_task_results(now) == len(old) - 1

    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == still_waiting | {old[0]}


def test_sent_notifications_are_pruned_and_dead_letters_kept(world, settings):
    settings.NOTIFICATIONS_KEEP_DAYS = 90
    settings.PRUNE_BATCH_SIZE = 1
    report = world.submit()
    run_tasks()
    email, text = Notification.objects.filter(report=report).order_by("channel")
    assert email.status == text.status == "sent"
    now = timezone.now()
    long_ago = now - dt.timedelta(days=91)
    Notification.objects.filter(pk=email.pk).update(sent_at=long_ago)
    Notification.objects.filter(pk=text.pk).update(status="failed", sent_at=long_ago)
    recent = world.report_in("dispositioned")
    run_tasks()
    kept_recent = set(Notification.objects.filter(report=recent).values_list("pk", flat=True))

    result = pruning.prune_finished_work(now)

    assert result["notifications"] == 1
    assert not Notification.objects.filter(pk=email.pk).exists()
    # A dead letter stays for the admin; messages sent within the days kept stay too.
    assert Notification.objects.filter(pk=text.pk, status="failed").exists()
    assert kept_recent <= set(Notification.objects.values_list("pk", flat=True))


def test_the_pruning_is_on_the_schedule_once_an_hour(world):
    from aduan.core import scheduler

    scheduler._last_prune = None
    enqueue_periodic()
    enqueue_periodic()
    pruned = DBTaskResult.objects.filter(task_path__endswith="prune_finished_work")
    assert pruned.count() == 1
    scheduler._last_prune = None


def test_the_notification_lane_runs_messages_and_nothing_else(world):
    world.submit()
    enqueue_periodic()
    other = set(
        DBTaskResult.objects.exclude(queue_name=NOTIFICATIONS_QUEUE).values_list("pk", flat=True)
    )
    assert other

    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        queue_runner("lane-test", only=NOTIFICATIONS_QUEUE).run()

    # The messages went out while the statistics and periodic jobs still wait.
    assert len(mail.outbox) == 1
    assert not DBTaskResult.objects.filter(queue_name=NOTIFICATIONS_QUEUE, status="READY")
    assert set(DBTaskResult.objects.filter(status="READY").values_list("pk", flat=True)) == other
    # And the main loop leaves the notifications queue to the lane.
    world.report_in("dispositioned")
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        queue_runner("main-test", exclude=NOTIFICATIONS_QUEUE).run()
    assert DBTaskResult.objects.filter(queue_name=NOTIFICATIONS_QUEUE, status="READY").exists()


def _claimed(notification, by: str, minutes_ago: int):
    Notification.objects.filter(pk=notification.pk).update(
        status="sending",
        claimed_by=by,
        next_attempt_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
    )


def test_a_live_workers_claim_is_never_handed_over_so_the_email_goes_once(world, settings):
    settings.NOTIFICATION_CLAIM_STALE_SECONDS = 120
    report = world.submit()
    email = Notification.objects.get(report=report, channel="email")
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="busy-worker", seen_at=now, started_at=now)
    # The worker is alive, only its mail server is slow: the claim stays its own.
    _claimed(email, "busy-worker", minutes_ago=20)
    DBTaskResult.objects.all().delete()

    service.sweep()

    email.refresh_from_db()
    assert (email.status, email.claimed_by) == ("sending", "busy-worker")
    assert not DBTaskResult.objects.exists()


def test_a_dead_workers_claim_is_handed_over_and_sent(world, settings):
    settings.NOTIFICATION_CLAIM_STALE_SECONDS = 120
    settings.WORKER_HEARTBEAT_MAX_AGE = 180
    report = world.submit()
    email = Notification.objects.get(report=report, channel="email")
    seen = timezone.now() - dt.timedelta(minutes=10)
    WorkerHeartbeat.objects.create(worker_id="killed-worker", seen_at=seen, started_at=seen)
    _claimed(email, "killed-worker", minutes_ago=5)
    DBTaskResult.objects.all().delete()

    assert service.sweep() == 1
    run_tasks()

    email.refresh_from_db()
    assert email.status == "sent"
    assert [m.to for m in mail.outbox] == [["siti@example.com"]]


def test_a_fresh_claim_is_left_alone_even_without_a_heartbeat(world, settings):
    settings.NOTIFICATION_CLAIM_STALE_SECONDS = 120
    report = world.submit()
    email = Notification.objects.get(report=report, channel="email")
    _claimed(email, "some-process", minutes_ago=1)

    service.sweep()

    email.refresh_from_db()
    assert email.status == "sending"
