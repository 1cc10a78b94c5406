"""generate_reports on PostgreSQL writes each batch on a second connection while it
generates the next one; what it writes, and a failure, must still reach the caller."""

import copy
import uuid

import pytest
from django.db import IntegrityError, connection

from aduan.devdata.management.commands.generate_reports import BatchWriter
from aduan.reports.models import Report, ReportEvent
from aduan.reports.tracking import format_number

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REPORT_FIELDS = list(Report._meta.concrete_fields)
EVENT_FIELDS = [f for f in ReportEvent._meta.concrete_fields if not f.primary_key]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the background writer runs on PostgreSQL; covered by the PostgreSQL run")


def twin(report: Report, seq: int) -> tuple[Report, list[ReportEvent]]:
    """An unsaved copy of `report` and its events under a new id and tracking number."""
    new = copy.copy(report)
    new.pk = new.id = Report.objects.order_by("-pk").first().pk + seq
    new.uuid = uuid.uuid4()
    new.tracking_number = format_number("TST", 2026, seq)
    events = []
    for event in report.events.order_by("seq"):
        clone = copy.copy(event)
        clone.pk = clone.id = None
        clone.uuid = uuid.uuid4()
        clone.report_id = new.pk
        events.append(clone)
    return new, events


def test_batches_are_written_in_the_background_and_all_of_them_arrive(world):
    original = world.report_in("responded")
    first, first_events = twin(original, 1)
    second, second_events = twin(original, 2)

    with BatchWriter() as writer:
        assert writer.thread is not None
        writer.write([(Report, REPORT_FIELDS, [first]), (ReportEvent, EVENT_FIELDS, first_events)])
        writer.write(
            [(Report, REPORT_FIELDS, [second]), (ReportEvent, EVENT_FIELDS, second_events)]
        )

    for twin_report in (first, second):
        stored = Report.objects.get(pk=twin_report.pk)
        assert stored.tracking_number == twin_report.tracking_number
        assert stored.updated_at == original.updated_at
        assert stored.events.count() == original.events.count()


def test_a_failed_batch_is_raised_in_the_caller_and_leaves_nothing(world):
    original = world.report_in("submitted")
    clash, events = twin(original, 1)
    clash.tracking_number = original.tracking_number  # unique: the batch must fail

    with pytest.raises(IntegrityError), BatchWriter() as writer:
        writer.write([(Report, REPORT_FIELDS, [clash]), (ReportEvent, EVENT_FIELDS, events)])

    assert not Report.objects.filter(pk=clash.pk).exists()
    assert ReportEvent.objects.filter(report_id=clash.pk).count() == 0
