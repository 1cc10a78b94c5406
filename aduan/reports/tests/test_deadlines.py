"""Stored deadlines on the working-day calendar, pauses, reminders, escalation and
auto-close, with time moved explicitly."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from aduan.reports import actions as a
from aduan.reports.models import DeadlineNotice, Report, Status
from aduan.reports.sla import scan_deadlines
from conftest import run_tasks

WITA = ZoneInfo("Asia/Makassar")


def local(moment):
    return moment.astimezone(WITA)


def at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, 0, tzinfo=WITA)


def test_verification_is_due_three_working_days_after_submission_across_idul_fitri(world):
    # Tuesday 17 March 2026; 18-24 March are Nyepi, Idul Fitri and cuti bersama.
    with time_machine.travel(at(2026, 3, 17), tick=False):
        report = world.submit()
    assert local(report.verify_due_at).date() == dt.date(2026, 3, 27)
    assert local(report.verify_due_at).time() == dt.time(23, 59, 59, 999999)
    assert report.next_due_at == report.verify_due_at


def test_disposition_starts_the_five_day_first_response_and_fourteen_day_completion_clocks(world):
    with time_machine.travel(at(2026, 3, 17), tick=False):
        report = world.report_in("dispositioned")
    # 5 working days after Tuesday 17 March 2026 is 31 March 2026: Nyepi (the 19th) and Idul
    # Fitri (the 21st and 22nd) with their cuti bersama leave no working day from the 18th to
    # the 24th.
    assert local(report.first_response_due_at).date() == dt.date(2026, 3, 31)
    assert local(report.completion_due_at).date() == dt.date(2026, 4, 14)  # Good Friday 3 April
    assert report.next_due_at == report.first_response_due_at


@pytest.mark.parametrize(
    ("report_type", "needs_inspection", "due"),
    [
        ("aspiration", False, dt.date(2026, 6, 15)),
        ("information_request", False, dt.date(2026, 6, 15)),
        ("complaint", False, dt.date(2026, 6, 29)),
        ("complaint", True, dt.date(2026, 9, 3)),
    ],
)
def test_completion_limits_depend_on_the_report_type(world, report_type, needs_inspection, due):
    # Monday 8 June 2026; 16 June is Islamic New Year, 17 August Independence Day, 25 August the Prophet's birthday.
    with time_machine.travel(at(2026, 6, 8), tick=False):
        report = world.submit(report_type=report_type)
        report = a.dispose_report(
            report, world.pemkab, actor=world.national_admin, needs_inspection=needs_inspection
        )
    assert local(report.completion_due_at).date() == due


def test_deadlines_run_in_the_agency_time_zone(world):
    # 23:30 WIB on Monday 4 May 2026 is already Tuesday 01:30 in WITA.
    world.pemkab.timezone = "Asia/Makassar"
    world.pemkab.save()
    moment = dt.datetime(2026, 5, 4, 23, 30, tzinfo=ZoneInfo("Asia/Jakarta"))
    with time_machine.travel(moment, tick=False):
        report = world.submit()
        report = a.dispose_report(report, world.pemkab, actor=world.national_admin)
    # 14 (Ascension) and 15 May (cuti bersama) are holidays.
    assert local(report.first_response_due_at).date() == dt.date(2026, 5, 12)


def test_the_clock_pauses_while_waiting_on_the_reporter(world):
    with time_machine.travel(at(2026, 6, 1), tick=False):  # Pancasila Day: Monday 1 June
        report = world.report_in("in_progress")
    completion_before = report.completion_due_at
    with time_machine.travel(at(2026, 6, 3), tick=False):
        report = a.put_on_hold(report, "Mohon kirim foto terbaru.", actor=world.officer)
    assert report.status == Status.ON_HOLD
    assert report.next_due_at is None
    # The reporter answers a week later: 5 working days passed (Wed 3 -> Wed 10 June).
    with time_machine.travel(at(2026, 6, 10), tick=False):
        report = a.add_information(report, "Foto terlampir.", actor=world.citizen)
    assert report.status == Status.IN_PROGRESS
    assert report.paused_at is None
    # The completion deadline moved by those 5 working days.
    assert (local(report.completion_due_at).date() - local(completion_before).date()).days == 7
    event = report.events.get(type="information_added")
    assert event.payload["deadline_shift_working_days"] == 5


def test_a_report_on_hold_is_never_escalated(world):
    with time_machine.travel(at(2026, 6, 1), tick=False):
        report = world.report_in("on_hold")
    with time_machine.travel(at(2026, 8, 1), tick=False):
        result = scan_deadlines()
    assert result.escalations == 0
    assert not Report.objects.get(pk=report.pk).is_overdue


def test_silence_after_a_follow_up_closes_the_report_after_ten_working_days(world):
    with time_machine.travel(at(2026, 7, 1), tick=False):
        report = world.report_in("responded")
    assert local(report.reply_due_at).date() == dt.date(2026, 7, 15)
    with time_machine.travel(at(2026, 7, 15, 22), tick=False):
        assert scan_deadlines().auto_closed == 0
    with time_machine.travel(at(2026, 7, 16, 1), tick=False):
        result = scan_deadlines()
        again = scan_deadlines()
    assert result.auto_closed == 1
    assert again.auto_closed == 0  # safe to run twice
    report.refresh_from_db()
    assert report.status == Status.CLOSED
    assert list(report.events.filter(type="auto_closed").values_list("actor_role", flat=True)) == [
        "system"
    ]


def test_a_reporter_reply_stops_the_auto_close_clock(world):
    with time_machine.travel(at(2026, 7, 1), tick=False):
        report = world.report_in("responded")
        report = a.reporter_reply(report, "Belum beres.", actor=world.citizen)
    assert report.reply_due_at is None
    with time_machine.travel(at(2026, 8, 1), tick=False):
        assert scan_deadlines().auto_closed == 0
    assert Report.objects.get(pk=report.pk).status == Status.IN_PROGRESS


def test_the_handler_is_reminded_on_the_last_working_day_once(world):
    with time_machine.travel(at(2026, 7, 1), tick=False):  # Wednesday
        report = world.report_in("dispositioned")
        run_tasks()
    # First follow-up due Wednesday 8 July; the reminder comes on Tuesday 7 July.
    with time_machine.travel(at(2026, 7, 6), tick=False):
        assert scan_deadlines().reminders == 0
    mail.outbox.clear()
    with time_machine.travel(at(2026, 7, 7), tick=False):
        assert scan_deadlines().reminders == 1
        assert scan_deadlines().reminders == 0
        run_tasks()
    assert [m.to for m in mail.outbox] == [[world.officer.email]]
    assert "Pengingat" in mail.outbox[0].subject
    assert report.events.filter(type="reminder").count() == 1


def test_an_overdue_report_escalates_to_the_agency_admin_then_national_and_supervisors(world):
    with time_machine.travel(at(2026, 7, 1), tick=False):
        report = world.report_in("dispositioned")
        run_tasks()
    mail.outbox.clear()
    # 9 July: the first follow-up (due 8 July) is late.
    with time_machine.travel(at(2026, 7, 9), tick=False):
        result = scan_deadlines()
        run_tasks()
    assert result.escalations == 1
    report.refresh_from_db()
    assert report.is_overdue and report.escalation_level == 1 and report.is_escalated
    assert {tuple(m.to) for m in mail.outbox} == {(world.agency_admin.email,)}
    mail.outbox.clear()
    # Three working days after the deadline passed: national admins and supervisors.
    with time_machine.travel(at(2026, 7, 14), tick=False):
        result = scan_deadlines()
        assert scan_deadlines().escalations == 0
        run_tasks()
    assert result.escalations == 1
    report.refresh_from_db()
    assert report.escalation_level == 2
    assert {m.to[0] for m in mail.outbox} == {world.national_admin.email, world.supervisor.email}
    assert DeadlineNotice.objects.filter(report=report, kind__startswith="escalation").count() == 2
    assert report.events.filter(type="escalated", visibility="internal").count() == 2


def test_a_follow_up_clears_the_overdue_flag(world):
    with time_machine.travel(at(2026, 7, 1), tick=False):
        report = world.report_in("dispositioned")
    with time_machine.travel(at(2026, 7, 9), tick=False):
        scan_deadlines()
        report = a.post_follow_up(
            Report.objects.get(pk=report.pk), "Sudah diperbaiki.", actor=world.officer
        )
    assert report.is_overdue is False
    assert report.next_due_at == report.reply_due_at


def test_a_supervisor_outside_the_region_is_not_told(world):
    from aduan.accounts.models import Role, User

    papua = User.objects.create_user(
        "pengawas_papua", email="p@example.go.id", role=Role.SUPERVISOR, scope_region=world.jakarta
    )
    with time_machine.travel(at(2026, 7, 1), tick=False):
        world.report_in("dispositioned")
        run_tasks()
    mail.outbox.clear()
    with time_machine.travel(at(2026, 7, 20), tick=False):
        scan_deadlines()
        run_tasks()
    assert papua.email not in {m.to[0] for m in mail.outbox}
    assert world.supervisor.email in {m.to[0] for m in mail.outbox}


# -- inspection or audit ("berkadar pengawasan") -------------------------------------------


def held_complaint(world):
    """A complaint disposed on Friday 4 December 2026 (completion due Monday 28 December:
    24 December is cuti bersama, 25 December Christmas) that waited on its reporter for
    14 days, from Monday 7 to Monday 21 December: 10 working days credited."""
    with time_machine.travel(at(2026, 12, 4), tick=False):
        report = a.dispose_report(
            world.submit(), world.pemkab, unit=world.dinas_pu, actor=world.national_admin
        )
    assert local(report.completion_due_at).date() == dt.date(2026, 12, 28)
    with time_machine.travel(at(2026, 12, 7), tick=False):
        a.put_on_hold(report, "Mohon kirim foto lokasi.", actor=world.officer)
    with time_machine.travel(at(2026, 12, 21), tick=False):
        report = a.add_information(report, "Foto terlampir.", actor=world.citizen)
    # 1 January and 5 January 2027 (Isra Mikraj) are holidays.
    assert local(report.completion_due_at).date() == dt.date(2027, 1, 13)
    return report


def test_marking_an_inspection_keeps_the_working_days_credited_for_a_hold(world):
    report = held_complaint(world)
    with time_machine.travel(at(2026, 12, 22), tick=False):
        report = a.set_needs_inspection(report, True, actor=world.agency_admin)
    # 60 working days from 4 December plus the 10 credited: 70 working days, past Imlek,
    # Nyepi, Idul Fitri with its cuti bersama, and Good Friday with its cuti bersama.
    assert local(report.completion_due_at).date() == dt.date(2027, 3, 31)
    with time_machine.travel(at(2026, 12, 23), tick=False):
        report = a.set_needs_inspection(report, False, actor=world.agency_admin)
    # Back where it was, not 28 December (the limit counted as if there had been no hold).
    assert local(report.completion_due_at).date() == dt.date(2027, 1, 13)
    stored = Report.objects.get(pk=report.pk)
    assert local(stored.completion_due_at).date() == dt.date(2027, 1, 13)


def test_an_inspection_marked_while_on_hold_is_still_shifted_when_the_reporter_answers(world):
    with time_machine.travel(at(2026, 12, 4), tick=False):
        report = a.dispose_report(world.submit(), world.pemkab, actor=world.national_admin)
    with time_machine.travel(at(2026, 12, 7), tick=False):
        report = a.put_on_hold(report, "Mohon kirim foto lokasi.", actor=world.agency_admin)
    with time_machine.travel(at(2026, 12, 10), tick=False):
        report = a.set_needs_inspection(report, True, actor=world.agency_admin)
    with time_machine.travel(at(2026, 12, 21), tick=False):
        report = a.add_information(report, "Foto terlampir.", actor=world.citizen)
    assert local(report.completion_due_at).date() == dt.date(2027, 3, 31)


def test_changing_the_inspection_mark_is_an_internal_event_with_the_new_deadline(world):
    report = held_complaint(world)
    with time_machine.travel(at(2026, 12, 22), tick=False):
        a.set_needs_inspection(report, True, actor=world.national_admin)
        a.set_needs_inspection(report, True, actor=world.national_admin)  # no change
    events = list(report.events.filter(type="inspection_changed"))
    assert len(events) == 1
    event = events[0]
    assert event.visibility == "internal"
    assert event.actor_role == "national_admin"
    assert set(event.payload) == {
        "needs_inspection",
        "completion_due_at",
        "previous_completion_due_at",
    }
    assert event.payload["needs_inspection"] is True

    def day(key):
        return local(dt.datetime.fromisoformat(event.payload[key])).date()

    assert day("completion_due_at") == dt.date(2027, 3, 31)
    assert day("previous_completion_due_at") == dt.date(2027, 1, 13)
    assert not report.events.filter(type="internal_note").exists()


def test_only_complaints_can_need_an_inspection(world):
    from aduan.reports.errors import InvalidInput

    report = world.report_in("in_progress", report_type="aspiration")
    before = Report.objects.get(pk=report.pk)
    with pytest.raises(InvalidInput) as refused:
        a.set_needs_inspection(report, True, actor=world.agency_admin)
    assert refused.value.code == "not_a_complaint"
    after = Report.objects.get(pk=report.pk)
    assert (after.needs_inspection, after.completion_due_at, after.last_event_seq) == (
        False,
        before.completion_due_at,
        before.last_event_seq,
    )


@pytest.mark.parametrize("persona", ["officer", "other_admin", "supervisor"])
def test_only_the_national_admin_and_the_agency_admin_mark_an_inspection(world, persona):
    from aduan.reports.errors import NotAllowed

    report = world.report_in("in_progress")
    with pytest.raises(NotAllowed) as refused:
        a.set_needs_inspection(report, True, actor=getattr(world, persona))
    assert refused.value.action == "set_needs_inspection"
    assert Report.objects.get(pk=report.pk).needs_inspection is False
