"""The deadline watch as domain actions: reminder, overdue mark and escalation each lock the
report, are taken by the system, append their event and enqueue their notifications in one
transaction, and happen once per deadline and due date. The scan only finds reports and
calls them. Dates are stated; the calendar is Kutai Timur's (WITA)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from aduan.notifications.models import Notification
from aduan.reports import actions as a
from aduan.reports import sla
from aduan.reports.deadlines import (
    REMINDER,
    REMINDER_LOOKAHEAD,
    SECOND_ESCALATION_WORKING_DAYS,
    notices_due,
    reminder_from,
)
from aduan.reports.models import DeadlineNotice, EventType, Report, Status
from aduan.reports.sla import _candidates, _move_next_notice, scan_deadlines
from aduan.workdays.calendar import add_working_days

WITA = ZoneInfo("Asia/Makassar")
FIRST_RESPONSE = "first_response_due_at"


def at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, 0, tzinfo=WITA)


@pytest.fixture
def late(world):
    """Disposed on Wednesday 1 July 2026 to Dinas PU: first follow-up due Wednesday 8 July."""
    with time_machine.travel(at(2026, 7, 1), tick=False):
        report = world.report_in("dispositioned")
    assert report.first_response_due_at.astimezone(WITA).date() == dt.date(2026, 7, 8)
    return report


def events(report, type):
    return list(report.events.filter(type=type).order_by("seq"))


def test_a_missed_deadline_is_marked_overdue_once_with_an_internal_event(world, late):
    done = a.mark_overdue(late, FIRST_RESPONSE, now=at(2026, 7, 9))
    again = a.mark_overdue(late, FIRST_RESPONSE, now=at(2026, 7, 9, 11))

    assert done is not None and again is None
    report = Report.objects.get(pk=late.pk)
    assert report.is_overdue is True
    [event] = events(report, EventType.OVERDUE)
    assert (event.visibility, event.actor_role) == ("internal", "system")
    assert event.payload["deadline"] == FIRST_RESPONSE
    assert dt.datetime.fromisoformat(event.payload["due_at"]) == report.first_response_due_at
    assert report.last_event_seq == event.seq
    assert DeadlineNotice.objects.filter(report=report, kind="overdue").count() == 1


def test_a_deadline_that_has_not_passed_is_not_marked_or_escalated(world, late):
    assert a.mark_overdue(late, FIRST_RESPONSE, now=at(2026, 7, 8, 20)) is None
    assert a.escalate(late, FIRST_RESPONSE, 1, now=at(2026, 7, 8, 20)) is None
    report = Report.objects.get(pk=late.pk)
    assert (report.is_overdue, report.escalation_level) == (False, 0)
    assert not DeadlineNotice.objects.filter(report=report).exists()
    assert report.last_event_seq == late.last_event_seq


def test_the_second_escalation_waits_three_working_days(world, late):
    # 8 July passed; three working days later is Monday 13 July.
    assert a.escalate(late, FIRST_RESPONSE, 2, now=at(2026, 7, 13)) is None
    done = a.escalate(late, FIRST_RESPONSE, 2, now=at(2026, 7, 14))
    assert done is not None
    report = Report.objects.get(pk=late.pk)
    assert (report.escalation_level, report.is_escalated) == (2, True)
    [event] = events(report, EventType.ESCALATED)
    assert event.payload["level"] == 2
    recipients = set(
        Notification.objects.filter(report=report, template="deadline_escalation").values_list(
            "recipient_user", flat=True
        )
    )
    assert recipients == {world.national_admin.pk, world.supervisor.pk}


def test_escalation_tells_the_agency_admin_in_the_same_transaction(world, late):
    a.escalate(late, FIRST_RESPONSE, 1, now=at(2026, 7, 9))
    [notice] = Notification.objects.filter(report=late, template="deadline_escalation")
    assert notice.recipient_user == world.agency_admin
    assert notice.context["deadline"] == "tindak lanjut pertama"
    assert notice.context["level"] == 1
    assert Report.objects.get(pk=late.pk).escalation_level == 1


def test_a_reminder_goes_to_the_handling_unit_on_the_last_working_day(world, late):
    assert a.send_deadline_reminder(late, FIRST_RESPONSE, now=at(2026, 7, 6)) is None
    assert a.send_deadline_reminder(late, FIRST_RESPONSE, now=at(2026, 7, 7)) is not None
    assert a.send_deadline_reminder(late, FIRST_RESPONSE, now=at(2026, 7, 7, 15)) is None
    [event] = events(late, EventType.REMINDER)
    assert event.visibility == "internal"
    [notice] = Notification.objects.filter(report=late, template="deadline_reminder")
    assert notice.recipient_user == world.officer


def test_a_report_that_moved_on_is_left_alone(world, late):
    with time_machine.travel(at(2026, 7, 8), tick=False):
        report = a.post_follow_up(late, "Sudah ditambal.", actor=world.officer)
    assert report.status == Status.RESPONDED
    assert a.mark_overdue(report, FIRST_RESPONSE, now=at(2026, 7, 20)) is None
    assert a.escalate(report, FIRST_RESPONSE, 1, now=at(2026, 7, 20)) is None
    assert not DeadlineNotice.objects.filter(report=report).exists()
    assert not report.events.filter(type__in=["overdue", "escalated"]).exists()


def test_a_deadline_moved_by_a_hold_is_a_new_deadline(world, late):
    assert a.send_deadline_reminder(late, FIRST_RESPONSE, now=at(2026, 7, 7)) is not None
    with time_machine.travel(at(2026, 7, 7, 11), tick=False):
        report = a.put_on_hold(late, "Mohon foto lokasi.", actor=world.officer)
    with time_machine.travel(at(2026, 7, 9), tick=False):
        # Two working days on hold: the first follow-up is due Friday 10 July now.
        report = a.add_information(report, "Foto terlampir.", actor=world.citizen)
    assert report.first_response_due_at.astimezone(WITA).date() == dt.date(2026, 7, 10)
    assert a.send_deadline_reminder(report, FIRST_RESPONSE, now=at(2026, 7, 9, 12)) is not None
    assert len(events(report, EventType.REMINDER)) == 2


def test_the_scan_marks_and_escalates_through_the_actions(world, late):
    with time_machine.travel(at(2026, 7, 9), tick=False):
        result = scan_deadlines()
    assert (result.overdue, result.escalations, result.errors) == (1, 1, [])
    report = Report.objects.get(pk=late.pk)
    assert [e.type for e in report.events.order_by("-seq")[:2]][::-1] == ["overdue", "escalated"]
    assert report.is_overdue and report.escalation_level == 1


def test_a_scan_of_reports_already_notified_takes_no_lock_and_a_fixed_number_of_queries(
    world, django_assert_max_num_queries
):
    with time_machine.travel(at(2026, 7, 1), tick=False):
        reports = [world.report_in("dispositioned") for _ in range(4)]
    with time_machine.travel(at(2026, 7, 20), tick=False):
        first = scan_deadlines()
        assert (first.overdue, first.escalations) == (4, 8)
        # The silent-reporter query, the candidates and their notices.
        with django_assert_max_num_queries(3) as captured:
            again = scan_deadlines()
    assert (again.overdue, again.escalations, again.reminders) == (0, 0, 0)
    assert not any("FOR UPDATE" in q["sql"] for q in captured.captured_queries)
    assert sum(len(events(r, EventType.ESCALATED)) for r in reports) == 8


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_records_overdue_notices_for_deadlines_escalated_before_it(world, late):
    a.escalate(late, FIRST_RESPONSE, 1, now=at(2026, 7, 9))
    executor = MigrationExecutor(connection)
    executor.migrate([("reports", "0009_inspection_and_overdue_events")])
    assert not DeadlineNotice.objects.filter(kind="overdue").exists()

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("reports", "0010_overdue_notices_for_past_escalations")])
    # Back to the newest schema before reading through today's models.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    notice = DeadlineNotice.objects.get(report=late, kind="overdue")
    assert notice.deadline == FIRST_RESPONSE
    assert notice.due_at == Report.objects.get(pk=late.pk).first_response_due_at
    with time_machine.travel(at(2026, 7, 9, 11), tick=False):
        assert scan_deadlines().overdue == 0


# ---------------------------------------------------------------- what the scan reads


def candidates(now):
    return set(_candidates(now).values_list("pk", flat=True))


def test_the_scan_reads_a_report_again_only_when_its_next_notice_can_be_due(world, late):
    report = Report.objects.get(pk=late.pk)
    # Disposed 1 July: the first follow-up is due 8 July, completion later.
    assert report.next_notice_at == report.next_due_at - REMINDER_LOOKAHEAD
    assert late.pk in candidates(at(2026, 7, 1))
    # The reminder on the last working day; then nothing can be due before the deadline.
    with time_machine.travel(at(2026, 7, 7), tick=False):
        assert scan_deadlines().reminders == 1
    report = Report.objects.get(pk=late.pk)
    completion_reminder = reminder_from(report.completion_due_at, "Asia/Makassar", report.region_id)
    assert completion_reminder > report.first_response_due_at
    assert report.next_notice_at == report.first_response_due_at
    assert late.pk not in candidates(at(2026, 7, 7, 15))
    # The deadline passes: marked and escalated; the second escalation waits three
    # working days (Monday 13 July), or completion's reminder if that comes first.
    with time_machine.travel(at(2026, 7, 9), tick=False):
        result = scan_deadlines()
    assert (result.overdue, result.escalations) == (1, 1)
    report = Report.objects.get(pk=late.pk)
    second = add_working_days(
        report.first_response_due_at,
        SECOND_ESCALATION_WORKING_DAYS,
        "Asia/Makassar",
        report.region_id,
    )
    assert second.astimezone(WITA).date() == dt.date(2026, 7, 13)
    assert report.next_notice_at == min(second, completion_reminder)
    assert late.pk not in candidates(at(2026, 7, 10))


def test_a_report_whose_every_notice_went_out_is_not_read_until_an_action_changes_it(
    world, late, django_assert_max_num_queries
):
    # Long after both deadlines: every notice of both goes out in one scan.
    with time_machine.travel(at(2026, 9, 1), tick=False):
        first = scan_deadlines()
        assert (first.overdue, first.escalations) == (2, 4)
        assert Report.objects.get(pk=late.pk).next_notice_at is None
        assert late.pk not in candidates(at(2026, 9, 1))
        # The silent-reporter query and the candidates: no report, no notices read.
        with django_assert_max_num_queries(2):
            again = scan_deadlines()
        assert (again.overdue, again.escalations, again.reminders) == (0, 0, 0)
    # Any action saves the report's deadlines afresh, and the scan looks at it again: a
    # hold (no deadline runs), then the reporter's answer (the same deadlines, both passed
    # before the hold). Nothing new is due, so it is cleared again.
    with time_machine.travel(at(2026, 9, 1, 11), tick=False):
        held = a.put_on_hold(Report.objects.get(pk=late.pk), "Mohon foto.", actor=world.officer)
    assert held.next_notice_at is None
    with time_machine.travel(at(2026, 9, 2), tick=False):
        resumed = a.add_information(held, "Foto terlampir.", actor=world.citizen)
        assert resumed.next_notice_at == resumed.next_due_at - REMINDER_LOOKAHEAD
        assert late.pk in candidates(at(2026, 9, 2))
        assert scan_deadlines().escalations == 0
    assert Report.objects.get(pk=late.pk).next_notice_at is None


def test_a_change_made_while_the_scan_judged_a_report_is_not_skipped(world, late):
    # The scan reads the report on Tuesday 7 July, the day before its first deadline...
    stale = _candidates(at(2026, 7, 7)).get(pk=late.pk)
    every_notice = {
        (name, getattr(stale, name), kind)
        for name in ("first_response_due_at", "completion_due_at")
        for kind in ("reminder", "overdue", "escalation_1", "escalation_2")
    }
    # ...meanwhile the report goes on hold and comes back two working days later: its
    # deadlines move.
    with time_machine.travel(at(2026, 7, 7, 11), tick=False):
        held = a.put_on_hold(Report.objects.get(pk=late.pk), "Mohon foto.", actor=world.officer)
    with time_machine.travel(at(2026, 7, 9), tick=False):
        resumed = a.add_information(held, "Foto terlampir.", actor=world.citizen)
    assert resumed.first_response_due_at != stale.first_response_due_at
    # Judging what it read, the scan would clear the report; the deadlines it read are
    # gone, so nothing is written.
    _move_next_notice(stale, every_notice, at(2026, 7, 9, 12))
    assert Report.objects.get(pk=late.pk).next_notice_at == (
        resumed.next_due_at - REMINDER_LOOKAHEAD
    )
    # Judged on what the report is now, it moves.
    current = _candidates(at(2026, 7, 9, 12)).get(pk=late.pk)
    _move_next_notice(
        current,
        {
            (name, getattr(current, name), kind)
            for name in ("first_response_due_at", "completion_due_at")
            for kind in ("reminder", "overdue", "escalation_1", "escalation_2")
        },
        at(2026, 7, 9, 12),
    )
    # Reminded already: nothing can be due before the moved deadline itself.
    assert Report.objects.get(pk=late.pk).next_notice_at == resumed.first_response_due_at


def test_the_scan_moves_the_reports_it_judged_a_batch_at_a_time(world, monkeypatch):
    monkeypatch.setattr(sla, "MOVE_BATCH", 2)
    with time_machine.travel(at(2026, 7, 1), tick=False):
        reports = [world.report_in("dispositioned") for _ in range(5)]
    keys = [r.pk for r in reports]
    # Every notice of every report goes out; then, as after an upgrade, every report is
    # back at its first notice time although nothing more can be due.
    with time_machine.travel(at(2026, 9, 1), tick=False):
        assert scan_deadlines().escalations == 5 * 4
    for report in reports:
        Report.objects.filter(pk=report.pk).update(
            next_notice_at=report.next_due_at - REMINDER_LOOKAHEAD
        )
    with time_machine.travel(at(2026, 9, 2), tick=False), CaptureQueriesContext(connection) as q:
        result = scan_deadlines()
    assert (result.overdue, result.escalations, result.reminders, result.errors) == (0, 0, 0, [])
    moves = [x["sql"] for x in q.captured_queries if x["sql"].startswith('UPDATE "reports_report"')]
    assert len(moves) == 3  # 2 + 2 + 1 reports
    assert (
        list(Report.objects.filter(pk__in=keys).values_list("next_notice_at", flat=True))
        == [None] * 5
    )


def test_a_worker_asked_to_stop_ends_the_scan_between_two_reports_and_the_next_scan_goes_on(
    world, monkeypatch
):
    with time_machine.travel(at(2026, 7, 1), tick=False):
        reports = [world.report_in("dispositioned") for _ in range(3)]
    asked = iter([False, True])  # asked to stop while the first report is being judged
    monkeypatch.setattr(sla, "stop_requested", lambda: next(asked, True))

    with time_machine.travel(at(2026, 7, 9), tick=False):
        stopped = scan_deadlines()

    assert stopped.stopped is True
    assert stopped.overdue == 1  # the first report's notice went out and stayed
    done = [r for r in reports if DeadlineNotice.objects.filter(report=r, kind="overdue").exists()]
    assert len(done) == 1
    # The others are untouched and still due, so the next scan (any worker's) takes them.
    assert {r.pk for r in reports} - {done[0].pk} <= set(candidates(at(2026, 7, 9)))
    monkeypatch.setattr(sla, "stop_requested", lambda: False)
    with time_machine.travel(at(2026, 7, 9, 11), tick=False):
        resumed = scan_deadlines()
    assert (resumed.stopped, resumed.overdue) == (False, 2)
    assert DeadlineNotice.objects.filter(report__in=reports, kind="overdue").count() == 3


def test_a_worker_asked_to_stop_before_the_scan_closes_no_report(world, late, monkeypatch):
    with time_machine.travel(at(2026, 7, 6), tick=False):
        responded = a.post_follow_up(late, "Sudah ditambal.", actor=world.officer)
    monkeypatch.setattr(sla, "stop_requested", lambda: True)
    with time_machine.travel(at(2026, 8, 31), tick=False):
        result = scan_deadlines()
    assert (result.stopped, result.auto_closed) == (True, 0)
    assert Report.objects.get(pk=responded.pk).status == Status.RESPONDED
    monkeypatch.setattr(sla, "stop_requested", lambda: False)
    with time_machine.travel(at(2026, 8, 31, 11), tick=False):
        assert scan_deadlines().auto_closed == 1


def test_a_batch_of_moves_that_fails_is_reported_and_read_again_on_the_next_scan(
    world, late, monkeypatch
):
    with time_machine.travel(at(2026, 7, 7), tick=False):
        assert scan_deadlines().reminders == 1
    Report.objects.filter(pk=late.pk).update(next_notice_at=at(2026, 7, 1))
    monkeypatch.setattr(sla, "_write_moves", lambda moves: (_ for _ in ()).throw(OSError))
    with time_machine.travel(at(2026, 7, 7, 12), tick=False):
        result = scan_deadlines()
    assert result.errors == ["moves of 1 reports: OSError"]
    assert late.pk in candidates(at(2026, 7, 7, 12))


@pytest.mark.parametrize("update_from", [True, False], ids=["joined", "one_at_a_time"])
def test_a_batch_of_moves_leaves_out_a_report_changed_since_the_scan_read_it(
    world, monkeypatch, update_from
):
    monkeypatch.setattr(sla, "_update_from", lambda: update_from)
    with time_machine.travel(at(2026, 7, 1), tick=False):
        kept, changed = world.report_in("dispositioned"), world.report_in("dispositioned")
    now = at(2026, 7, 7, 12)
    moves = sla._Moves()
    for report in _candidates(now).filter(pk__in=[kept.pk, changed.pk]):
        # Reminded of the first follow-up already: the next notice is the deadline itself.
        sent = {(FIRST_RESPONSE, report.first_response_due_at, REMINDER)}
        moves.add(report, sent, now)
    with time_machine.travel(at(2026, 7, 7, 11), tick=False):
        held = a.put_on_hold(Report.objects.get(pk=changed.pk), "Mohon foto.", actor=world.officer)
    moves.flush()
    assert Report.objects.get(pk=kept.pk).next_notice_at == kept.first_response_due_at
    assert Report.objects.get(pk=changed.pk).next_notice_at == held.next_notice_at is None


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_starts_the_scan_of_existing_reports_where_new_deadlines_start(world, late):
    due = Report.objects.get(pk=late.pk).next_due_at
    executor = MigrationExecutor(connection)
    executor.migrate([("reports", "0025_drop_redundant_indexes")])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Report.objects.get(pk=late.pk).next_notice_at == due - REMINDER_LOOKAHEAD


@pytest.mark.parametrize(
    "due",
    [
        at(2026, 7, 8, 23),  # a Wednesday
        at(2026, 7, 13, 9),  # a Monday: the Friday before is the last day but one
        at(2027, 3, 12, 16),  # Friday, in the middle of Nyepi and Idul Fitri with leave days
        at(2026, 12, 28, 8),  # after Christmas and its leave day
    ],
)
def test_the_reminder_moment_is_the_first_the_scan_would_send_it(world, due):
    report = Report(status=Status.SUBMITTED, verify_due_at=due, region=world.village)
    moment = reminder_from(due, "Asia/Makassar", report.region_id)
    assert due - REMINDER_LOOKAHEAD <= moment < due
    step = dt.timedelta(hours=1)
    now = due - REMINDER_LOOKAHEAD - dt.timedelta(days=1)
    while now < due:
        called = any(kind == REMINDER for _, _, kind in notices_due(report, now))
        assert called == (now >= moment), now
        now += step


def test_a_report_waiting_on_its_reporters_reply_is_closed_not_scanned(world, late):
    with time_machine.travel(at(2026, 7, 6), tick=False):
        responded = a.post_follow_up(late, "Sudah ditambal.", actor=world.officer)
    assert responded.status == Status.RESPONDED and responded.reply_due_at is not None
    # The scan's notices are for the staff's deadlines; the reply window ends in closing,
    # found by the silent-reporter query, so it has no place in the scan's index.
    assert responded.next_notice_at is None
    with time_machine.travel(at(2026, 7, 7), tick=False):
        contested = a.contest_response(responded, "Lubangnya masih ada.", actor=world.citizen)
    assert contested.status != Status.RESPONDED
    assert contested.next_notice_at == contested.next_due_at - REMINDER_LOOKAHEAD
