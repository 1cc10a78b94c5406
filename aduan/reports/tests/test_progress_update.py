"""Interim progress updates ("perkembangan penanganan", docs/DESIGN.md, Lifecycle): public,
told to the reporter, and nothing else. The reporter's 10-working-day reply window starts
from the answer (the follow-up) only, never from an update."""

import datetime as dt

import pytest
import time_machine

from aduan.notifications.models import Notification
from aduan.reports import actions as a
from aduan.reports import sla
from aduan.reports.errors import InvalidInput, InvalidTransition, NotAllowed
from aduan.reports.models import EventType, Report, Status, Visibility
from aduan.workdays.calendar import add_working_days
from conftest import aware

pytestmark = pytest.mark.django_db

# Monday 2 March 2026 (WITA); the working days after it cross Nyepi, Idul Fitri and cuti
# bersama (18-24 March), so counting calendar days instead would show.
MONDAY = aware(2026, 3, 2, 9)


def clocks(report):
    return (
        Report.objects.filter(pk=report.pk)
        .values(
            "status",
            "next_due_at",
            "first_response_due_at",
            "completion_due_at",
            "reply_due_at",
            "first_response_at",
            "responded_at",
        )
        .get()
    )


def test_an_update_is_public_told_to_the_reporter_and_changes_no_status_or_clock(world):
    with time_machine.travel(MONDAY, tick=False):
        report = world.report_in("in_progress")
        before = clocks(report)

        a.post_progress_update(report, "Material aspal sudah dipesan.", actor=world.officer)

    assert clocks(report) == before
    event = report.events.order_by("-seq").first()
    assert (event.type, event.visibility, event.actor) == (
        EventType.PROGRESS_UPDATE,
        Visibility.PUBLIC,
        world.officer,
    )
    assert (event.from_status, event.to_status) == (Status.IN_PROGRESS, Status.IN_PROGRESS)
    assert event.payload == {"text": "Material aspal sudah dipesan.", "by": str(world.dinas_pu)}
    told = Notification.objects.filter(report=report, audience="reporter").order_by("-id")
    assert told[0].template == "progress_update"
    assert told[0].context["text"] == "Material aspal sudah dipesan."


def test_the_reply_clock_starts_at_the_answer_not_at_an_update(world):
    """Updates on day 0 and day 3, the answer on working day 12: the report is not closed
    10 working days after the first update, and the reporter's 10 working days run from
    the answer."""
    with time_machine.travel(MONDAY, tick=False):
        report = world.report_in("in_progress", report_type="complaint")
        a.post_progress_update(report, "Survei lokasi dijadwalkan.", actor=world.officer)
    with time_machine.travel(aware(2026, 3, 5, 10), tick=False):
        a.post_progress_update(report, "Survei selesai; menunggu aspal.", actor=world.agency_admin)

    eleven_later = add_working_days(MONDAY, 11, "Asia/Makassar")
    with time_machine.travel(eleven_later, tick=False):
        result = sla.scan_deadlines()
    report.refresh_from_db()
    assert result.auto_closed == 0
    assert (report.status, report.reply_due_at) == (Status.IN_PROGRESS, None)

    answered_at = add_working_days(MONDAY, 12, "Asia/Makassar") - dt.timedelta(hours=10)
    with time_machine.travel(answered_at, tick=False):
        report = a.post_follow_up(report, "Jalan sudah diaspal ulang.", actor=world.officer)
    assert report.status == Status.RESPONDED
    assert report.reply_due_at == add_working_days(answered_at, 10, "Asia/Makassar")


def test_an_update_is_not_the_answer_the_reporter_replies_to(world):
    report = a.post_progress_update(
        world.report_in("in_progress"), "Masih dikerjakan.", actor=world.officer
    )
    for reporter_action in (
        lambda: a.reporter_reply(report, "Terima kasih.", actor=world.citizen),
        lambda: a.accept_response(report, actor=world.citizen),
    ):
        with pytest.raises(InvalidTransition):
            reporter_action()


def test_after_the_answer_the_reporters_turn_has_begun_and_no_update_is_taken(world):
    report = world.report_in("responded")
    seq = report.last_event_seq
    with pytest.raises(InvalidTransition):
        a.post_progress_update(report, "Tambahan kabar.", actor=world.officer)
    report.refresh_from_db()
    assert report.last_event_seq == seq


def test_an_empty_update_is_refused_and_writes_nothing(world):
    report = world.report_in("in_progress")
    seq = report.last_event_seq
    notes = Notification.objects.count()
    with pytest.raises(InvalidInput) as refused:
        a.post_progress_update(report, "   ", actor=world.officer)
    assert refused.value.field == "text"
    report.refresh_from_db()
    assert report.last_event_seq == seq
    assert Notification.objects.count() == notes


def test_only_the_handler_posts_updates(world):
    report = world.report_in("in_progress")
    for outsider in (world.dlh_officer, world.other_admin, world.supervisor, world.citizen):
        with pytest.raises(NotAllowed):
            a.post_progress_update(report, "Kabar.", actor=outsider)
