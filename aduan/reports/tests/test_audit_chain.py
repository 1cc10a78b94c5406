"""The event history is append-only and tamper-evident."""

import datetime as dt
from zoneinfo import ZoneInfo

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


# -- the time in the hash ------------------------------------------------------------------

WITA = ZoneInfo("Asia/Makassar")


def append_at(report, at, actor):
    """Append an internal note stamped `at`, as a caller holding the row lock would."""
    from django.db import transaction

    from aduan.reports.actors import as_actor
    from aduan.reports.events import append_event
    from aduan.reports.models import EventType, Report, Visibility

    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        event = append_event(
            locked,
            EventType.INTERNAL_NOTE,
            actor=as_actor(actor),
            at=at,
            visibility=Visibility.INTERNAL,
            payload={"text": "Dicek ke lokasi."},
        )
        locked.save(update_fields=["last_event_seq", "last_event_hash"])
    return event


def test_an_event_stamped_in_local_time_verifies_after_the_database_returns_utc(world):
    from aduan.reports.events import verify_report_chain

    report = world.report_in("in_progress")
    local = dt.datetime(2026, 3, 27, 14, 5, 4, 123456, tzinfo=WITA)
    event = append_at(report, local, world.officer)

    stored = ReportEvent.objects.get(pk=event.pk)
    assert stored.at == local
    assert stored.at.isoformat() == "2026-03-27T06:05:04.123456+00:00"
    assert verify_report_chain(stored.report) == []
    run_check(report.tracking_number)


def test_a_naive_time_is_read_in_the_default_time_zone_and_verifies(world, settings):
    from aduan.reports.events import verify_report_chain

    report = world.report_in("in_progress")
    event = append_at(report, dt.datetime(2026, 3, 27, 13, 5, 4), world.officer)

    stored = ReportEvent.objects.get(pk=event.pk)
    assert settings.TIME_ZONE == "Asia/Jakarta"
    assert stored.at == dt.datetime(2026, 3, 27, 6, 5, 4, tzinfo=dt.UTC)
    assert verify_report_chain(stored.report) == []


def test_the_digest_of_an_event_in_utc_is_unchanged_and_the_zone_does_not_matter():
    """Chains written before times were normalised must keep verifying: the digest of an
    event stamped in UTC is the one computed then (this value was recorded when the
    actor became a global id, reports migration 0014), and the same instant written in
    WITA hashes the same."""
    import uuid

    from aduan.reports.events import event_digest

    def event_at(at):
        return ReportEvent(
            uuid=uuid.UUID("6f1c1a52-3f0e-4a55-9a43-2f1c9e5b7d10"),
            seq=3,
            type="follow_up",
            visibility="public",
            actor_uuid=uuid.UUID("3c9b8a7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d"),
            actor_role="unit_officer",
            at=at,
            from_status="in_progress",
            to_status="responded",
            payload={"text": "Jalan sudah ditambal."},
            origin_node="pusat",
            prev_hash="a" * 64,
        )

    report_uuid = uuid.UUID("0b8f6c1e-2d3a-4c5b-8e9f-1a2b3c4d5e6f")
    utc = dt.datetime(2026, 3, 27, 6, 5, 4, 123456, tzinfo=dt.UTC)
    recorded = "c1a5a6408fc165eecefebbdc0a33e17402542e077e02a0f59cff32178c028121"
    assert event_digest(event_at(utc), report_uuid) == recorded
    assert event_digest(event_at(utc.astimezone(WITA)), report_uuid) == recorded


# -- an insider with write access to the database ---------------------------------------


def rehash_from(report, seq):
    """What an insider who knows the code does after an edit: recompute every hash from the
    edited event on and point the report's head at the new last hash."""
    from aduan.reports.events import GENESIS, event_digest

    prev = GENESIS
    for event in report.events.order_by("seq"):
        if event.seq >= seq:
            event.prev_hash = prev
            digest = event_digest(event, report.uuid)
            raw(
                "UPDATE reports_reportevent SET prev_hash = %s, hash = %s WHERE id = %s",
                [prev, digest, event.pk],
            )
            prev = digest
        else:
            prev = event.hash
    raw("UPDATE reports_report SET last_event_hash = %s WHERE id = %s", [prev, report.pk])


def test_an_edit_rehashed_by_an_insider_is_caught_by_the_seals(closed_report, capsys):
    event = closed_report.events.get(type="follow_up")
    raw(
        "UPDATE reports_reportevent SET payload = %s WHERE id = %s",
        ['{"text": "Sudah selesai sejak lama."}', event.pk],
    )
    rehash_from(closed_report, event.seq)
    with pytest.raises(CommandError, match="Audit chain broken"):
        run_check()
    errors = capsys.readouterr().err
    assert f"#{event.seq}: seal does not match" in errors
    assert "broken link" not in errors and "content changed" not in errors


def test_seals_made_with_a_retired_key_still_verify_and_unknown_keys_do_not(
    world, closed_report, settings, capsys
):
    settings.AUDIT_CHAIN_KEYS = ["kunci-baru-untuk-segel-audit", *settings.AUDIT_CHAIN_KEYS]
    world.report_in("archived")  # sealed with the new key
    run_check()
    assert "utuh untuk 2 laporan" in capsys.readouterr().out
    settings.AUDIT_CHAIN_KEYS = ["kunci-lain-sama-sekali"]
    with pytest.raises(CommandError):
        run_check()
    assert "sealed with an unknown key" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("column", "value", "says"),
    [
        ("is_confidential", True, "row confidential=True, its events say False"),
        ("is_anonymous", True, "row anonymous=True, its events say False"),
        ("status", "in_progress", "row status 'in_progress', its events say 'closed'"),
    ],
)
def test_a_report_row_changed_behind_its_history_is_caught(
    closed_report, column, value, says, capsys
):
    raw(f"UPDATE reports_report SET {column} = %s WHERE id = %s", [value, closed_report.pk])
    with pytest.raises(CommandError):
        run_check()
    assert says in capsys.readouterr().err


def test_a_report_moved_to_another_agency_behind_its_history_is_caught(world, capsys):
    report = world.report_in("in_progress")
    other = world.pemkab_paser
    raw("UPDATE reports_report SET agency_id = %s WHERE id = %s", [other.pk, report.pk])
    with pytest.raises(CommandError):
        run_check()
    assert "row agency differs from the last disposition" in capsys.readouterr().err


def test_confidentiality_changed_by_staff_is_what_the_row_must_say(world, capsys):
    from aduan.reports import actions as a

    report = world.report_in("submitted")
    a.verify_report(report, actor=world.national_admin, is_confidential=True)
    run_check()
    assert "utuh" in capsys.readouterr().out
