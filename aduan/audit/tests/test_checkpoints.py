"""Signed checkpoints: what an insider with the database (and even the seal key) cannot
rewrite before the last checkpoint, deleted reports, the copies kept by a peer and the
public, and the worker's schedule."""

import datetime as dt
import gzip
import json
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection

from aduan.audit import checkpoints
from aduan.audit.models import Checkpoint, PeerCheckpoint
from aduan.audit.tasks import deliver_to_peers, take_checkpoint
from aduan.federation import signing
from aduan.federation.tests.helpers import as_node, make_peer
from aduan.reports.events import GENESIS, event_digest, seal_of
from conftest import aware


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def delete_everywhere(report):
    """What an insider does to make a report disappear: every row that points at it, then
    the report itself."""
    from django.apps import apps

    from aduan.reports.models import Report

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is Report:
                raw(f"DELETE FROM {model._meta.db_table} WHERE {field.column} = %s", [report.pk])
    raw("DELETE FROM reports_report WHERE id = %s", [report.pk])


def verify(*args):
    call_command("verify_audit_chain", *args)


@pytest.fixture
def history(world):
    world.reports = [world.report_in("closed"), world.report_in("in_progress")]
    return world


def test_a_checkpoint_is_signed_written_for_the_operator_and_verifies(history, capsys):
    checkpoint = checkpoints.make_checkpoint()
    assert (checkpoint.number, checkpoint.node, checkpoint.reports) == (1, "PST", 2)
    assert checkpoint.events == sum(r.events.count() for r in history.reports)
    json_path, heads_path = checkpoints.paths("PST", 1)
    body = json.loads(json_path.read_text())
    assert body["root"] == checkpoint.root and body["signature"] == checkpoint.signature
    assert checkpoints.signature_holds(body, body["public_key"])
    with gzip.open(heads_path, "rt") as lines:
        heads = [line.split() for line in lines]
    assert [h[0] for h in heads] == [str(r.uuid) for r in history.reports]
    # The next one chains to this one.
    assert checkpoints.make_checkpoint().previous_root == checkpoint.root
    verify("--since-checkpoint")
    assert "utuh untuk 2 laporan" in capsys.readouterr().out


def test_the_root_is_the_same_however_the_heads_are_fed():
    leaves = [checkpoints.leaf(f"u{i}", i, "h") for i in range(7)]
    tree = checkpoints.MerkleRoot()
    for value in leaves:
        tree.add(value)
    # By hand: ((0 1)(2 3))((4 5) 6)
    n = checkpoints._node
    expected = n(
        n(n(leaves[0], leaves[1]), n(leaves[2], leaves[3])), n(n(leaves[4], leaves[5]), leaves[6])
    )
    assert tree.hexdigest() == expected.hex() and tree.count == 7
    other = checkpoints.MerkleRoot()
    for value in reversed(leaves):
        other.add(value)
    assert other.hexdigest() != tree.hexdigest()


def rewrite_with_the_seal_key(report, seq, payload):
    """An insider who has the database AND the seal key: edit an event, re-hash and
    re-seal the chain from there. Only a checkpoint taken before shows it."""
    prev = GENESIS
    for event in report.events.order_by("seq"):
        if event.seq == seq:
            event.payload = payload
        if event.seq >= seq:
            event.prev_hash = prev
            digest = event_digest(event, report.uuid)
            raw(
                "UPDATE reports_reportevent SET payload = %s, prev_hash = %s, hash = %s, "
                "seal = %s WHERE id = %s",
                [
                    json.dumps(event.payload),
                    prev,
                    digest,
                    seal_of(report.uuid, event.seq, digest),
                    event.pk,
                ],
            )
            prev = digest
        else:
            prev = event.hash
    raw("UPDATE reports_report SET last_event_hash = %s WHERE id = %s", [prev, report.pk])


def test_a_history_rewritten_with_the_seal_key_is_caught_by_the_checkpoint(history, capsys):
    report = history.reports[0]
    checkpoints.make_checkpoint()
    follow_up = report.events.get(type="follow_up")
    rewrite_with_the_seal_key(report, follow_up.seq, {"text": "Tidak ada masalah."})
    verify()  # every link, content and seal holds again...
    capsys.readouterr()
    with pytest.raises(CommandError):
        verify("--since-checkpoint")  # ...but not against the signed heads
    errors = capsys.readouterr().err
    assert f"{report.tracking_number}: history up to #{report.last_event_seq} changed" in errors


def test_a_report_deleted_with_its_events_is_caught(history, capsys):
    gone = history.reports[1]
    checkpoints.make_checkpoint()
    delete_everywhere(gone)
    with pytest.raises(CommandError):
        verify("--since-checkpoint")
    errors = capsys.readouterr().err
    assert f"{gone.uuid}: report deleted since the checkpoint" in errors
    # The hole in the node's tracking numbers is pointed out too (as a warning: a failed
    # submission leaves one as well).
    from aduan.reports.tracking import sequence_of

    assert f"PST #{sequence_of(gone.tracking_number)[1]} (1): nomor tanpa laporan" in errors


def test_a_checkpoint_file_or_row_changed_afterwards_is_caught(history, capsys):
    checkpoint = checkpoints.make_checkpoint()
    json_path, _ = checkpoints.paths("PST", 1)
    body = json.loads(json_path.read_text())
    body["reports"] = 1
    json_path.write_text(json.dumps(body))
    with pytest.raises(CommandError):
        verify("--since-checkpoint")
    errors = capsys.readouterr().err
    assert "signature does not verify" in errors
    assert "the heads file does not give the signed root" in errors
    Checkpoint.objects.filter(pk=checkpoint.pk).update(root="0" * 64)
    with pytest.raises(CommandError):
        verify("--checkpoint", str(json_path))
    assert "the database's copy differs from the file" in capsys.readouterr().err


def test_no_checkpoint_file_is_a_clear_error(history, settings, tmp_path):
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path / "kosong")
    with pytest.raises(CommandError, match="No checkpoint file"):
        verify("--since-checkpoint")


def test_anyone_may_copy_the_newest_checkpoint(history, client):
    assert client.get("/statistik/rantai-audit.json").status_code == 404
    checkpoints.make_checkpoint()
    second = checkpoints.make_checkpoint()
    body = client.get("/statistik/rantai-audit.json").json()
    assert (body["number"], body["root"]) == (2, second.root)
    assert checkpoints.signature_holds(body, body["public_key"])
    page = client.get("/statistik/").content.decode()
    assert second.root in page and "/statistik/rantai-audit.json" in page


def test_the_worker_takes_one_when_due_only(history, settings):
    settings.AUDIT_CHECKPOINT_MINUTES = 60
    with time_machine.travel(aware(2027, 3, 10, 9), tick=False):
        assert take_checkpoint.call()["made"] == 1
    with time_machine.travel(aware(2027, 3, 10, 9, 59), tick=False):
        assert take_checkpoint.call()["made"] is None
    with time_machine.travel(aware(2027, 3, 10, 10), tick=False):
        assert take_checkpoint.call()["made"] == 2
    assert Checkpoint.objects.count() == 2


# -- a copy at the peer node ---------------------------------------------------------------


def post_signed(client, tmp_path, body: dict, *, sender="PST", receiver="KTM", path=None):
    from aduan.federation.client import API_PREFIX

    # The address the sending node's client builds (a path it gets wrong answers 404).
    path = API_PREFIX + (path or "/checkpoints")
    raw_body = json.dumps(body).encode()
    with as_node(sender, tmp_path):
        headers = signing.request_headers("POST", path, raw_body, receiver)
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    with as_node(receiver, tmp_path):
        return client.generic("POST", path, raw_body, content_type="application/json", **meta)


def test_the_peer_keeps_a_copy_it_can_check(history, client, tmp_path, monkeypatch):
    with as_node("PST", tmp_path):
        checkpoint = checkpoints.make_checkpoint()
        body = checkpoints.document(checkpoint)
    make_peer("PST", tmp_path)  # KTM knows PST's key
    make_peer("KTM", tmp_path)  # and PST knows KTM (same test database)

    def call(peer, method, path, payload=None, **kwargs):
        assert (peer.node_id, method) == ("KTM", "POST")
        response = post_signed(client, tmp_path, payload, path=path)
        return response.status_code, response.json()

    monkeypatch.setattr("aduan.federation.client.call", call)
    with as_node("PST", tmp_path):
        assert deliver_to_peers() == ["KTM"]
        assert deliver_to_peers() == []  # acknowledged: not sent again
    copy = PeerCheckpoint.objects.get(node="PST")
    assert copy.number == 1 and copy.body["root"] == body["root"]
    checkpoint.refresh_from_db()
    assert checkpoint.delivered_to == ["KTM"]


def test_the_peer_refuses_a_checkpoint_not_signed_by_the_sender(history, client, tmp_path):
    with as_node("PST", tmp_path):
        body = checkpoints.document(checkpoints.make_checkpoint())
    make_peer("PST", tmp_path)
    forged = body | {"root": "f" * 64}
    response = post_signed(client, tmp_path, forged)
    assert response.status_code == 400 and "not signed" in response.json()["detail"]
    other_node = body | {"node": "PSR"}
    assert post_signed(client, tmp_path, other_node).status_code == 400
    assert post_signed(client, tmp_path, {"format": 1}).status_code == 400
    assert not PeerCheckpoint.objects.exists()


def test_checkpoint_files_live_where_the_setting_says(history, settings, tmp_path):
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path / "salinan")
    checkpoints.make_checkpoint()
    assert sorted(p.name for p in Path(settings.AUDIT_CHECKPOINT_DIR).iterdir()) == [
        "checkpoint-PST-000001.heads.gz",
        "checkpoint-PST-000001.json",
    ]
    assert checkpoints.due(aware(2999, 1, 1)) is True and dt is not None
