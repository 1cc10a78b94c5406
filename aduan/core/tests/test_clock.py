"""The clock that domain code reads: the real time, or an instant passed in explicitly."""

import datetime as dt
import threading

import pytest
import time_machine

from aduan.core import clock
from aduan.notifications.models import Notification
from aduan.reports import actions
from aduan.reports.models import EventType
from aduan.reports.sla import scan_deadlines
from conftest import aware

REAL = aware(2026, 2, 2, 10)
MOMENT = aware(2025, 11, 3, 9, 30)


def test_outside_a_frozen_block_it_is_the_real_time():
    with time_machine.travel(REAL, tick=False):
        assert clock.now() == REAL


def test_a_frozen_block_fixes_the_time_and_nested_blocks_unwind():
    with time_machine.travel(REAL, tick=False):
        with clock.frozen(MOMENT):
            assert clock.now() == MOMENT
            later = MOMENT + dt.timedelta(hours=5)
            with clock.frozen(later):
                assert clock.now() == later
            assert clock.now() == MOMENT
        assert clock.now() == REAL


def test_the_frozen_time_is_private_to_its_thread():
    seen = []
    with time_machine.travel(REAL, tick=False), clock.frozen(MOMENT):
        thread = threading.Thread(target=lambda: seen.append(clock.now()))
        thread.start()
        thread.join()
        assert clock.now() == MOMENT
    assert seen == [REAL]


def test_a_naive_instant_is_refused():
    naive = dt.datetime(2025, 11, 3, 9, 30)
    with pytest.raises(ValueError, match="timezone-aware"), clock.frozen(naive):
        pass


def test_actions_write_the_frozen_time_everywhere(world):
    data = {
        "report_type": "complaint",
        "title": "Jalan poros Sangatta–Bengalon berlubang",
        "body": "Lubang besar di KM 12 sudah tiga bulan dan membahayakan pengendara motor.",
        "region": "64.08.04",
        "category": "jalan-rusak",
    }
    guest = actions.ReporterDetails(name="Rina", email="rina@example.com")
    with time_machine.travel(REAL, tick=False):
        with clock.frozen(MOMENT):
            report = actions.submit_report(data, actor=None, reporter=guest).report
        disposed_at = MOMENT + dt.timedelta(days=1)
        with clock.frozen(disposed_at):
            report = actions.dispose_report(report, world.pemkab, actor=world.national_admin)

    report.refresh_from_db()
    assert report.submitted_at == report.created_at == MOMENT
    assert report.tracking_number.split("-")[1] == "25"
    assert report.dispositioned_at == report.updated_at == disposed_at
    assert [e.at for e in report.events.order_by("seq")] == [MOMENT, disposed_at]
    # The notifications are history of the same moments, not of the real time.
    created = sorted(
        Notification.objects.filter(report=report).values_list("created_at", flat=True)
    )
    assert created and created[0] == MOMENT and created[-1] == disposed_at
    assert report.reporter.created_at == MOMENT


def test_the_deadline_scan_reads_the_clock(world):
    with clock.frozen(MOMENT):
        report = world.submit()
    assert report.verify_due_at < MOMENT + dt.timedelta(days=7)

    with time_machine.travel(REAL, tick=False), clock.frozen(MOMENT + dt.timedelta(days=30)):
        scan_deadlines()

    escalation = report.events.get(type=EventType.ESCALATED, payload__level=1)
    assert escalation.at == MOMENT + dt.timedelta(days=30)
