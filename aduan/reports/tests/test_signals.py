"""Read models can follow every change of a report through one signal."""

import pytest
from django.db import transaction

from aduan.reports import actions as a
from aduan.reports.signals import report_changed


@pytest.fixture
def received():
    calls = []

    def receiver(sender, report, before, **kwargs):
        calls.append((before["status"] if before else None, report.status))

    report_changed.connect(receiver)
    yield calls
    report_changed.disconnect(receiver)


def test_every_save_reports_the_before_and_after_status(world, received):
    world.report_in("closed")
    assert received == [
        (None, "submitted"),
        ("submitted", "dispositioned"),
        ("dispositioned", "in_progress"),
        ("in_progress", "responded"),
        ("responded", "closed"),
    ]


def test_a_rolled_back_action_signals_inside_the_transaction_only(world, received):
    report = world.submit()
    received.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        a.archive_report(report, "spam", actor=world.national_admin)
        assert received == [("submitted", "archived")]
        raise RuntimeError("rollback")
    report.refresh_from_db()
    assert report.status == "submitted"
