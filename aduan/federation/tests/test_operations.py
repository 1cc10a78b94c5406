"""What operators use: sync_status, report_history, /healthz, alerts by e-mail, stuck links,
pairing, and the recovery after a restore."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from aduan.federation import client, sequencer, worker
from aduan.federation.alerts import raise_alert
from aduan.federation.models import AlertKind, Peer, SyncAlert
from aduan.reports import actions
from aduan.reports.tracking import advance_sequence, new_tracking_number, sequence_of

from .helpers import as_node, make_peer


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_report_history_prints_the_owner_and_every_event(world, tmp_path):
    world.pemkab.node = "KTM"
    world.pemkab.save()
    report = actions.dispose_report(
        world.submit(), world.pemkab, unit=world.dinas_pu, actor=world.national_admin
    )
    data = json.loads(run("report_history", report.tracking_number, "--json"))
    assert data["owner_node"] == "KTM" and data["origin_node"] == "PST"
    assert [e["seq"] for e in data["events"]] == list(range(1, report.last_event_seq + 1))
    assert data["events"][-1]["type"] == "handed_over"
    assert data["events"][-1]["hash"] == report.last_event_hash
    with pytest.raises(CommandError):
        run("report_history", "PST-26-9999999-0")


def test_sync_status_shows_backlog_and_lag_per_peer(world, tmp_path):
    make_peer("PSR", tmp_path, acked_position=0)
    world.submit()
    world.submit()
    sequencer.sequence()
    data = json.loads(run("sync_status", "--json"))
    (peer,) = data["peers"]
    assert data["stream_position"] == 2 and data["unsequenced"] == 0
    # A regional peer holds neither report (they are not in its region): nothing to send.
    assert peer["node"] == "PSR" and peer["backlog_events"] == 0
    central = make_peer("PST", tmp_path)
    with as_node("KTM", tmp_path):
        data = json.loads(run("sync_status", "--json"))
    backlog = {p["node"]: p["backlog_events"] for p in data["peers"]}
    assert backlog["PST"] == 2  # central holds everything
    assert central.pk


def test_healthz_is_degraded_while_an_alert_is_open(client, world):
    raise_alert(AlertKind.FORK, peer="KTM", detail="event 3 differs")
    body = client.get("/healthz").json()
    assert body["sync"]["ok"] is False and body["sync"]["open_alerts"] == 1
    assert body["status"] == "degraded"


def test_an_alert_is_mailed_once_to_the_national_admins(world, tasks):
    raise_alert(AlertKind.BROKEN_CHAIN, peer="KTM", detail="event 2 does not verify")
    raise_alert(AlertKind.BROKEN_CHAIN, peer="KTM", detail="event 2 does not verify")
    tasks()
    assert SyncAlert.objects.count() == 1
    (message,) = mail.outbox
    assert message.to == [world.national_admin.email]
    assert "KTM" in message.body and "event 2 does not verify" in message.body


def test_a_link_with_nothing_sent_for_too_long_is_raised_once(world, tmp_path, settings):
    settings.FEDERATION_STUCK_MINUTES = 30
    peer = make_peer("PST", tmp_path)
    world.submit()
    sequencer.sequence()
    with as_node("KTM", tmp_path):
        later = peer.paired_at + dt.timedelta(minutes=31)
        worker.check_stuck(peer, later)
        peer.refresh_from_db()
        worker.check_stuck(peer, later + dt.timedelta(minutes=5))
    (alert,) = SyncAlert.objects.all()
    assert alert.kind == AlertKind.STUCK and alert.peer == "PST"


def test_pairing_refuses_a_key_that_does_not_match_the_fingerprint(db, tmp_path, monkeypatch):
    from aduan.federation import keys

    with as_node("KTM", tmp_path):
        public = keys.public_key_b64()
    hello = {"node_id": "KTM", "role": "regional", "public_key": public, "url": "http://ktm"}
    monkeypatch.setattr(client, "hello", lambda url: hello)
    with pytest.raises(CommandError, match="Fingerprint mismatch"):
        run("pair_node", "http://ktm", "--fingerprint", "0000 0000 0000 0000")
    assert not Peer.objects.exists()
    run("pair_node", "http://ktm", "--fingerprint", keys.fingerprint(public))
    assert Peer.objects.get().fingerprint == keys.fingerprint(public)


def test_numbers_that_come_back_after_a_restore_are_never_given_again(db):
    issued = new_tracking_number(2026)
    node, seq = sequence_of(issued)
    advance_sequence(node, seq + 40)  # a report numbered seq + 40 came back from a peer
    assert sequence_of(new_tracking_number(2026))[1] == seq + 41
    advance_sequence(node, 5)  # never backwards
    assert sequence_of(new_tracking_number(2026))[1] == seq + 42


def test_the_admin_shows_the_replication_state_of_every_peer(admin_client, world, tmp_path):
    make_peer("PSR", tmp_path, last_error="ConnectionError: refused")
    response = admin_client.get("/admin/federation/peer/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Status sinkronisasi simpul PST" in page
    assert "PSR (regional)" in page and "ConnectionError: refused" in page
