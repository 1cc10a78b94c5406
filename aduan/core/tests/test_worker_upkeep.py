"""The worker keeps its tables small (finished task rows and long-sent notifications are
pruned in batches), runs the notifications queue apart from everything else, and hands a
claimed notification to another worker only when the one holding it is gone."""

import datetime as dt
import signal
from unittest import mock

from django.core import mail
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from aduan.core import pruning, scheduler
from aduan.core.management.commands import run_worker
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
    enqueue_periodic()
    run_tasks()
    enqueue_periodic(force=False)
    pruned = DBTaskResult.objects.filter(task_path__endswith="prune_finished_work")
    assert pruned.count() == 1


def test_several_workers_queue_each_periodic_job_once_per_interval(world, settings, time_machine):
    """Three workers ticking at once (every process calls enqueue_periodic each
    WORKER_SCHEDULE_SECONDS) queue each job once; once run, the next copy comes when the
    interval has passed, whichever worker ticks first. Times: 2026-03-02 09:00 WITA on."""
    settings.WORKER_SCHEDULE_SECONDS = 60
    time_machine.move_to(dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC), tick=False)
    jobs = scheduler.intervals()
    first = [enqueue_periodic() for _worker in range(3)]
    assert sorted(first[0]) == sorted(jobs) and first[1:] == [[], []]
    assert DBTaskResult.objects.count() == len(jobs)
    # Not run yet and due again: a job still waiting is not stacked.
    time_machine.move_to(dt.datetime(2026, 3, 2, 1, 2, tzinfo=dt.UTC), tick=False)
    assert enqueue_periodic() == []
    run_tasks()
    # Run, but its minute has not passed since it was queued by the second tick's claim.
    time_machine.move_to(dt.datetime(2026, 3, 2, 1, 2, 30, tzinfo=dt.UTC), tick=False)
    second = [enqueue_periodic() for _worker in range(3)]
    every_minute = sorted(name for name in jobs if not name.endswith("prune_finished_work"))
    assert sorted(second[0]) == every_minute and second[1:] == [[], []]
    assert DBTaskResult.objects.filter(task_path__endswith="prune_finished_work").count() == 1
    assert DBTaskResult.objects.count() == 2 * len(jobs) - 1


def test_a_slow_job_of_a_live_worker_is_not_requeued_a_dead_workers_is(world, settings):
    settings.TASK_STALE_SECONDS = 900
    settings.WORKER_HEARTBEAT_MAX_AGE = 180
    world.submit()
    DBTaskResult.objects.all().delete()
    enqueue_periodic()
    slow, lost = DBTaskResult.objects.order_by("task_path")[:2]
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="alive", seen_at=now, started_at=now)
    WorkerHeartbeat.objects.create(
        worker_id="gone", seen_at=now - dt.timedelta(minutes=30), started_at=now
    )
    an_hour_ago = now - dt.timedelta(hours=1)
    DBTaskResult.objects.filter(pk=slow.pk).update(
        status="RUNNING", started_at=an_hour_ago, worker_ids=["alive"]
    )
    DBTaskResult.objects.filter(pk=lost.pk).update(
        status="RUNNING", started_at=an_hour_ago, worker_ids=["gone"]
    )

    assert scheduler.requeue_stale_tasks(now) == 1

    assert DBTaskResult.objects.get(pk=slow.pk).status == "RUNNING"
    assert DBTaskResult.objects.get(pk=lost.pk).status == "READY"


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


def test_one_worker_holds_the_federation_lease_until_it_stops_or_it_expires(db, time_machine):
    """Times: 2026-03-02 09:00 WITA on; a 20-second lease."""
    time_machine.move_to(dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC), tick=False)
    lease = "lease:federation"
    assert scheduler.hold_lease(lease, "host-a-1", 20)
    assert not scheduler.hold_lease(lease, "host-b-7", 20)
    time_machine.move_to(dt.datetime(2026, 3, 2, 1, 0, 15, tzinfo=dt.UTC), tick=False)
    assert scheduler.hold_lease(lease, "host-a-1", 20)  # renewed until 01:00:35
    time_machine.move_to(dt.datetime(2026, 3, 2, 1, 0, 30, tzinfo=dt.UTC), tick=False)
    assert not scheduler.hold_lease(lease, "host-b-7", 20)
    # The holder died: the lease runs out and another worker takes over.
    time_machine.move_to(dt.datetime(2026, 3, 2, 1, 0, 36, tzinfo=dt.UTC), tick=False)
    assert scheduler.hold_lease(lease, "host-b-7", 20)
    assert not scheduler.hold_lease(lease, "host-a-1", 20)
    # A worker that stops hands it over at once.
    scheduler.release_lease(lease, "host-b-7")
    assert scheduler.hold_lease(lease, "host-a-1", 20)


def test_a_stop_signal_asks_the_job_in_hand_to_end_at_its_next_item():
    """SIGTERM (systemctl stop, a deploy) stops the loop and tells the running job: the
    deadline scan and the category suggestions look between two reports and end there,
    instead of making systemd wait, then kill, a scan of thousands."""
    command = run_worker.Command()
    command.running, command.runner, command.lane = True, None, None

    command._stop(signal.SIGTERM, None)

    assert command.running is False
    assert scheduler.stop_requested()
    scheduler.clear_stop()
    assert not scheduler.stop_requested()
