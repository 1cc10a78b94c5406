"""What travels matches the published JSON Schemas (docs/federation/*.schema.json)."""

import json
from pathlib import Path

import jsonschema_rs

from aduan.federation import messages, outbound, sequencer
from aduan.reports import actions
from aduan.reports.actors import Actor

from .helpers import make_peer, roundtrip

SCHEMAS = Path(__file__).resolve().parents[3] / "docs" / "federation"


def validator(name: str):
    return jsonschema_rs.validator_for(json.loads((SCHEMAS / name).read_text()))


def test_a_batch_matches_the_batch_schema(world, tmp_path):
    from aduan.workspace.tests.helpers import png

    world.pemkab.node = "KTM"
    world.pemkab.save()
    ktm = make_peer("KTM", tmp_path)
    report = world.submit(files=[png()])
    actions.dispose_report(report, world.pemkab, unit=world.dinas_pu, actor=world.national_admin)
    sequencer.sequence()
    batch = roundtrip(outbound.build_batch(ktm, 0))
    errors = [str(e) for e in validator("batch.schema.json").iter_errors(batch)]
    assert errors == []
    broken = batch | {"v": 2}
    assert not validator("batch.schema.json").is_valid(broken)


def test_commands_and_notices_match_the_message_schema(world, tmp_path):
    world.pemkab.node = "KTM"
    world.pemkab.save()
    report = actions.dispose_report(world.submit(), world.pemkab, actor=world.national_admin)
    command = messages.send_command(
        report, "add_internal_note", "Mohon dipercepat.", actor=Actor(user=world.national_admin)
    )
    check = validator("message.schema.json")
    for message in (command, *messages.Message.objects.filter(kind="notice")):
        body = roundtrip({"v": 1, "uuid": str(message.uuid), "kind": message.kind} | message.body)
        assert [str(e) for e in check.iter_errors(body)] == []
