"""Commands: an action on a report another node owns goes to the owner, is applied there
by the same action and checks, exactly once, and a refusal comes back with its reason."""

import pytest

from aduan.accounts.models import Role, User
from aduan.federation import messages
from aduan.federation.dispatch import perform
from aduan.federation.messages import Pending
from aduan.federation.models import AppliedMessage, Message, MessageStatus
from aduan.reports import actions
from aduan.reports.errors import NotAllowed

from .helpers import as_node, make_peer


@pytest.fixture
def handed_over(world, tmp_path):
    """A report central disposed to Pemkab Kutai Timur, which works on node KTM."""
    world.pemkab.node = "KTM"
    world.pemkab.save()
    world.ktm = make_peer("KTM", tmp_path)
    world.pst = make_peer("PST", tmp_path)
    world.tmp = tmp_path
    world.report = actions.dispose_report(
        world.submit(), world.pemkab, unit=world.dinas_pu, actor=world.national_admin
    )
    return world


def central_user(username, role, agency=None):
    """An account that exists only on central (the shared test database stands in for
    both nodes, so it is removed before KTM applies the command)."""
    return User.objects.create_user(username=username, password="x" * 12, role=role, agency=agency)


def test_an_action_on_a_report_owned_elsewhere_waits_for_that_node(handed_over):
    outcome = perform(
        "add_internal_note",
        handed_over.report,
        "Mohon dipercepat.",
        actor=handed_over.national_admin,
    )
    assert isinstance(outcome, Pending) and outcome.node == "KTM"
    message = Message.objects.get(kind="command")
    assert (message.target, message.action, message.status) == (
        "KTM",
        "add_internal_note",
        "pending",
    )
    assert messages.pending_commands(handed_over.report).count() == 1
    assert handed_over.report.events.filter(type="internal_note").count() == 0


def test_an_obvious_refusal_needs_no_round_trip(handed_over):
    with pytest.raises(NotAllowed):
        perform("post_follow_up", handed_over.report, "Sudah.", actor=handed_over.outsider)
    assert not Message.objects.filter(kind="command").exists()


def test_the_owner_applies_a_command_once_and_answers_the_same_twice(handed_over):
    admin = central_user("admin_nasional_2", Role.NATIONAL_ADMIN, handed_over.national)
    perform("add_internal_note", handed_over.report, "Mohon dipercepat.", actor=admin)
    body = {"v": 1, "kind": "command"} | Message.objects.get(kind="command").body
    body["uuid"] = str(Message.objects.get(kind="command").uuid)
    seq = handed_over.report.last_event_seq
    Message.objects.all().delete()
    admin_uuid = admin.uuid
    admin.delete()
    with as_node("KTM", handed_over.tmp):
        first = messages.apply_message(handed_over.pst, body)
        second = messages.apply_message(handed_over.pst, body)
    assert first == second and first["status"] == MessageStatus.APPLIED
    assert first["seq"] == seq + 1
    note = handed_over.report.events.get(type="internal_note")
    assert note.origin_node == "KTM" and note.actor_uuid == admin_uuid
    copy_ = User.objects.get(uuid=admin_uuid)
    assert copy_.home_node == "PST" and copy_.role == Role.NATIONAL_ADMIN
    assert not copy_.has_usable_password()
    assert AppliedMessage.objects.count() == 1


def test_a_command_the_owner_refuses_comes_back_with_its_reason(handed_over):
    admin = central_user("admin_nasional_3", Role.NATIONAL_ADMIN, handed_over.national)
    # Sent from a copy that was behind: this node believed the report could be closed.
    messages.send_command(handed_over.report, "close", actor=actions.base.Actor(user=admin))
    message = Message.objects.get(kind="command")
    body = {"v": 1, "kind": "command", "uuid": str(message.uuid)} | message.body
    Message.objects.all().delete()
    admin.delete()
    with as_node("KTM", handed_over.tmp):
        outcome = messages.apply_message(handed_over.pst, body)
    assert outcome["status"] == MessageStatus.REFUSED
    assert outcome["code"] == "invalid_transition"
    assert "Didisposisikan" in outcome["reason"] and "Forwarded" in outcome["reason_en"]


def test_central_cannot_speak_for_a_regional_units_officer(handed_over):
    officer = central_user("petugas_palsu", Role.UNIT_OFFICER, handed_over.dinas_pu)
    body = {
        "v": 1,
        "kind": "command",
        "uuid": "0f0e0d0c-0b0a-4909-8807-060504030201",
        "report": str(handed_over.report.uuid),
        "action": "acknowledge",
        "args": [],
        "kwargs": {},
        "actor": messages.actor_to_wire(actions.base.Actor(user=officer), handed_over.report),
    }
    officer.delete()
    with as_node("KTM", handed_over.tmp), pytest.raises(messages.Refused):
        messages.apply_message(handed_over.pst, body)
    assert handed_over.report.events.filter(type="acknowledged").count() == 0


def test_only_the_node_that_took_the_report_speaks_for_its_reporter(handed_over):
    body = {
        "v": 1,
        "kind": "command",
        "uuid": "1f0e0d0c-0b0a-4909-8807-060504030201",
        "report": str(handed_over.report.uuid),
        "action": "withdraw",
        "args": [],
        "kwargs": {},
        "actor": {"kind": "reporter", "report": str(handed_over.report.uuid)},
    }
    psr = make_peer("PSR", handed_over.tmp)
    with as_node("KTM", handed_over.tmp), pytest.raises(messages.Refused):
        messages.apply_message(psr, body)
    with as_node("KTM", handed_over.tmp):
        outcome = messages.apply_message(handed_over.pst, body)
    assert outcome["status"] == MessageStatus.APPLIED
    handed_over.report.refresh_from_db()
    assert handed_over.report.status == "withdrawn"


def test_a_command_for_a_report_the_receiver_no_longer_owns_is_redirected(handed_over):
    body = {
        "v": 1,
        "kind": "command",
        "uuid": "2f0e0d0c-0b0a-4909-8807-060504030201",
        "report": str(handed_over.report.uuid),
        "action": "withdraw",
        "args": [],
        "kwargs": {},
        "actor": {"kind": "reporter", "report": str(handed_over.report.uuid)},
    }
    with as_node("PSR", handed_over.tmp):
        outcome = messages.apply_message(handed_over.pst, body)
    assert outcome == {"status": "redirect", "owner": "KTM"}
    assert not AppliedMessage.objects.exists()


def test_a_command_whose_record_was_lost_is_still_applied_only_once(handed_over):
    """After a restore from an older backup the owner gets the command's events back from
    its peers but not its record of the answer: the history itself says it was applied."""
    admin = central_user("admin_nasional_4", Role.NATIONAL_ADMIN, handed_over.national)
    perform("add_internal_note", handed_over.report, "Mohon dipercepat.", actor=admin)
    message = Message.objects.get(kind="command")
    body = {"v": 1, "kind": "command", "uuid": str(message.uuid)} | message.body
    Message.objects.all().delete()
    admin.delete()
    with as_node("KTM", handed_over.tmp):
        first = messages.apply_message(handed_over.pst, body)
        note = handed_over.report.events.get(type="internal_note")
        assert note.payload["command"] == str(message.uuid)
        AppliedMessage.objects.all().delete()  # the record lost with the restore
        again = messages.apply_message(handed_over.pst, body)
    assert again == first
    assert handed_over.report.events.filter(type="internal_note").count() == 1


def test_a_command_for_a_report_that_came_back_meanwhile_is_applied_here(handed_over, monkeypatch):
    from aduan.federation import client
    from aduan.reports.actors import SYSTEM

    perform(
        "add_internal_note", handed_over.report, "Mohon dicek.", actor=handed_over.national_admin
    )
    with as_node("KTM", handed_over.tmp):  # KTM hands the report back before it arrives
        actions.hand_over_report(handed_over.report, "PST", actor=SYSTEM)
    Message.objects.filter(kind="notice").delete()
    monkeypatch.setattr(
        client, "call", lambda *args, **kwargs: (200, {"status": "redirect", "owner": "PST"})
    )
    assert messages.deliver(handed_over.ktm) == 1
    message = Message.objects.get(kind="command")
    assert (message.status, message.target) == (MessageStatus.APPLIED, "PST")
    assert AppliedMessage.objects.get(uuid=message.uuid).outcome["status"] == "applied"
    note = handed_over.report.events.get(type="internal_note")
    assert note.origin_node == "PST" and note.actor_id == handed_over.national_admin.pk
    assert note.payload["command"] == str(message.uuid)


def test_a_support_on_a_report_owned_elsewhere_travels_as_the_public_with_its_key_only(
    handed_over,
):
    from aduan.reports.actors import PUBLIC

    report = handed_over.report
    key = actions.supporter_key(report, "tetangga@example.com")
    outcome = perform("support", report, key, actor=PUBLIC)
    assert isinstance(outcome, Pending) and outcome.node == "KTM"
    message = Message.objects.get(kind="command")
    assert message.body["actor"] == {"kind": "public"}
    assert message.body["args"] == [key]
    assert "tetangga" not in str(message.body)
    body = {"v": 1, "kind": "command", "uuid": str(message.uuid)} | message.body
    Message.objects.all().delete()
    with as_node("KTM", handed_over.tmp):
        first = messages.apply_message(handed_over.pst, body)
        again = dict(body, uuid="2f0e0d0c-0b0a-4909-8807-060504030201")
        second = messages.apply_message(handed_over.pst, again)
    assert first["status"] == MessageStatus.APPLIED
    assert second["status"] == MessageStatus.REFUSED and second["code"] == "already_supported"
    report.refresh_from_db()
    assert report.support_count == 1
    event = report.events.get(type="supported")
    assert event.origin_node == "KTM" and event.actor_role == "public"
