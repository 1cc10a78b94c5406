"""Work inside a unit across nodes: assignments and progress updates made on the regional
node that owns a report reach central with their events and the assignee."""

import pytest

from aduan.federation import inbound, messages, outbound, sequencer
from aduan.federation.dispatch import perform
from aduan.federation.messages import Pending
from aduan.federation.models import Message
from aduan.reports import actions
from aduan.reports.events import verify_report_chain
from aduan.reports.models import EventType, Report

from .helpers import as_node, forget_reports, make_peer, roundtrip


@pytest.fixture
def handed_over(world, tmp_path):
    """A report central disposed to Pemkab Kutai Timur's Dinas PU, which work on node KTM."""
    world.pemkab.node = "KTM"
    world.pemkab.save()
    world.ktm = make_peer("KTM", tmp_path)
    world.pst = make_peer("PST", tmp_path)
    world.tmp = tmp_path
    world.report = actions.dispose_report(
        world.submit(), world.pemkab, unit=world.dinas_pu, actor=world.national_admin
    )
    assert world.report.owner_node == "KTM"
    return world


def types(report) -> list[str]:
    return list(report.events.order_by("seq").values_list("type", flat=True))


def test_an_assignment_and_an_update_made_on_the_owner_reach_central(handed_over):
    world = handed_over
    with as_node("KTM", world.tmp):
        report = actions.take_report(world.report, actor=world.officer)
        report = actions.post_progress_update(report, "Survei dijadwalkan.", actor=world.officer)
        sequencer.sequence()
        batch = roundtrip(outbound.build_batch(world.pst, 0))
    sent = next(i for i in batch["reports"] if i["state"]["uuid"] == str(report.uuid))
    assert sent["state"]["assignee"] == str(world.officer.uuid)
    assert str(world.officer.uuid) in batch["users"]
    expected = types(report)
    assert expected[-2:] == [EventType.ASSIGNED, EventType.PROGRESS_UPDATE]

    forget_reports()
    _, stats = inbound.apply_batch(world.ktm, batch)  # central receiving from KTM

    copy_ = Report.objects.get(uuid=report.uuid)
    assert types(copy_) == expected
    assert verify_report_chain(copy_) == []
    assert (copy_.assignee, copy_.status, copy_.reply_due_at) == (
        world.officer,
        "dispositioned",
        None,
    )


def test_an_unassignment_travels_as_an_empty_assignee(handed_over):
    world = handed_over
    with as_node("KTM", world.tmp):
        report = actions.take_report(world.report, actor=world.officer)
        report = actions.release_report(report, actor=world.officer)
        sequencer.sequence()
        batch = roundtrip(outbound.build_batch(world.pst, 0))
    forget_reports()
    inbound.apply_batch(world.ktm, batch)
    copy_ = Report.objects.get(uuid=report.uuid)
    assert copy_.assignee is None
    assert types(copy_)[-1] == EventType.UNASSIGNED


def test_an_officer_named_in_a_command_travels_by_uuid(handed_over):
    """The staff of a regional government act on their own node; an officer to assign
    still has a wire form, checked on arrival like every row a command names."""
    world = handed_over
    wire = messages.encode_value(world.officer)
    assert wire == {"$user": str(world.officer.uuid)}
    assert messages.decode_value(roundtrip(wire)) == world.officer
    with pytest.raises(inbound.Refused):
        messages.decode_value({"$user": "00000000-0000-4000-8000-000000000000"})
    # Every new action has its name on the wire.
    assert {"take_report", "assign_report", "release_report", "post_progress_update"} <= set(
        messages.ACTIONS
    )


def test_a_regional_officers_action_sent_from_central_is_refused_by_the_owner(handed_over):
    """Central cannot speak for the staff of a government hosted elsewhere: the owner
    refuses, and nothing changes."""
    world = handed_over
    outcome = perform("take_report", world.report, actor=world.officer)
    assert isinstance(outcome, Pending) and outcome.node == "KTM"
    message = Message.objects.get(kind="command")
    body = {"v": 1, "kind": "command", "uuid": str(message.uuid)} | message.body
    with as_node("KTM", world.tmp), pytest.raises(inbound.Refused):
        messages.apply_message(world.pst, body)
    assert Report.objects.get(pk=world.report.pk).assignee is None
