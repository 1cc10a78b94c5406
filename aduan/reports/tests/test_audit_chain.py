"""The event history is append-only and tamper-evident."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from aduan.reports.models import ReportEvent


def run_check(*args):
    call_command("verify_audit_chain", *args)


@pytest.fixture
def closed_report(world):
    return world.report_in("closed")


def test_an_untouched_history_verifies(world, closed_report, capsys):
    world.report_in("archived")
    run_check()
    assert "utuh untuk 2 laporan" in capsys.readouterr().out


def test_events_are_numbered_and_linked(closed_report):
    events = list(closed_report.events.order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == "0" * 64
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash
    assert closed_report.last_event_hash == events[-1].hash


def test_the_model_refuses_to_update_or_delete_an_event(closed_report):
    event = closed_report.events.first()
    event.payload = {"edited": True}
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_an_edited_payload_is_detected(closed_report):
    event = closed_report.events.get(type="follow_up")
    raw(
        "UPDATE reports_reportevent SET payload = %s WHERE id = %s",
        ['{"text": "Tidak ada masalah."}', event.pk],
    )
    with pytest.raises(CommandError, match="Audit chain broken"):
        run_check()


def test_an_edited_actor_is_detected(world, closed_report):
    event = closed_report.events.get(type="follow_up")
    raw(
        "UPDATE reports_reportevent SET actor_id = %s WHERE id = %s",
        [world.agency_admin.pk, event.pk],
    )
    with pytest.raises(CommandError):
        run_check(closed_report.tracking_number)


def test_a_deleted_event_in_the_middle_is_detected(closed_report):
    event = closed_report.events.get(seq=2)
    raw("DELETE FROM reports_reportevent WHERE id = %s", [event.pk])
    with pytest.raises(CommandError):
        run_check()


def test_a_deleted_last_event_is_detected(closed_report):
    last = closed_report.events.order_by("-seq").first()
    raw("DELETE FROM reports_reportevent WHERE id = %s", [last.pk])
    with pytest.raises(CommandError):
        run_check()


def test_reordered_events_are_detected(closed_report):
    first, second = closed_report.events.order_by("seq")[:2]
    raw("UPDATE reports_reportevent SET seq = 1000 WHERE id = %s", [first.pk])
    raw("UPDATE reports_reportevent SET seq = 1 WHERE id = %s", [second.pk])
    raw("UPDATE reports_reportevent SET seq = 2 WHERE id = %s", [first.pk])
    with pytest.raises(CommandError):
        run_check()


def test_a_rewritten_and_rehashed_event_still_breaks_the_link_to_the_next(closed_report):
    from aduan.reports.events import event_digest

    event = closed_report.events.get(seq=2)
    event.payload = {"agency_name": "Instansi lain"}
    event.hash = event_digest(event, closed_report.uuid)
    event.save(force_rewrite=True)
    with pytest.raises(CommandError):
        run_check()


def test_concurrent_appends_cannot_share_a_sequence_number(closed_report):
    from django.db import IntegrityError, transaction

    last = closed_report.events.order_by("-seq").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportEvent.objects.create(
            report=closed_report,
            seq=last.seq,
            type="internal_note",
            actor_role="system",
            at=last.at,
            origin_node="PST",
            prev_hash=last.hash,
            hash="x" * 64,
        )
