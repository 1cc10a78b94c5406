"""Assignment inside a unit (docs/DESIGN.md, Assignment): an officer takes a report or the
agency admin assigns it; only officers of the report's current unit; a change of unit
clears it; every change is an internal event and nothing else moves."""

import pytest

from aduan.accounts.models import Role, User
from aduan.notifications.models import Notification
from aduan.reports import actions as a
from aduan.reports.errors import InvalidInput, NotAllowed
from aduan.reports.models import EventType, Report, Visibility

pytestmark = pytest.mark.django_db


def last_event(report):
    return report.events.order_by("-seq").first()


def officer(world, username, unit=None, **extra):
    return User.objects.create_user(
        username=username,
        password="kata-sandi-uji-123",
        role=Role.UNIT_OFFICER,
        agency=unit or world.dinas_pu,
        first_name=username.title(),
        **extra,
    )


def frozen(report):
    """What assignment must leave alone: status, every clock, the reporter's messages."""
    row = Report.objects.filter(pk=report.pk).values(
        "status", "next_due_at", "first_response_due_at", "completion_due_at", "reply_due_at"
    )
    return row.get(), Notification.objects.filter(report=report, audience="reporter").count()


def test_an_officer_takes_an_unassigned_report_of_their_unit(world):
    report = world.report_in("in_progress")
    before = frozen(report)

    report = a.take_report(report, actor=world.officer)

    report.refresh_from_db()
    assert report.assignee == world.officer
    event = last_event(report)
    assert (event.type, event.visibility, event.actor) == (
        EventType.ASSIGNED,
        Visibility.INTERNAL,
        world.officer,
    )
    assert event.payload["assignee"] == {
        "uuid": str(world.officer.uuid),
        "name": world.officer.display_name,
    }
    assert event.payload["reason"] == "taken"
    assert event.payload["unit_name"] == world.dinas_pu.name
    assert frozen(report) == before


def test_a_taken_report_cannot_be_taken_again_by_a_colleague(world):
    colleague = officer(world, "petugas_pu_dua")
    report = a.take_report(world.report_in("dispositioned"), actor=world.officer)
    seq = report.last_event_seq

    with pytest.raises(InvalidInput) as refused:
        a.take_report(report, actor=colleague)
    assert refused.value.code == "already_assigned"
    report.refresh_from_db()
    assert (report.assignee, report.last_event_seq) == (world.officer, seq)


def test_officers_of_other_units_may_not_take_it(world):
    report = world.report_in("in_progress")
    for outsider in (world.dlh_officer, world.other_officer, world.agency_admin):
        with pytest.raises(NotAllowed):
            a.take_report(report, actor=outsider)
    report.refresh_from_db()
    assert report.assignee is None


def test_the_agency_admin_assigns_reassigns_and_unassigns(world):
    colleague = officer(world, "petugas_pu_dua")
    report = world.report_in("in_progress")
    before = frozen(report)

    a.assign_report(report, world.officer, actor=world.agency_admin)
    a.assign_report(report, colleague, actor=world.agency_admin)
    report.refresh_from_db()
    assert report.assignee == colleague
    reassigned = last_event(report)
    assert reassigned.type == EventType.ASSIGNED
    assert reassigned.payload["previous"]["uuid"] == str(world.officer.uuid)
    assert reassigned.payload["reason"] == "assigned"

    a.assign_report(report, None, actor=world.agency_admin)
    report.refresh_from_db()
    assert report.assignee is None
    unassigned = last_event(report)
    assert unassigned.type == EventType.UNASSIGNED
    assert unassigned.payload["previous"]["uuid"] == str(colleague.uuid)
    assert frozen(report) == before


def test_assigning_the_same_officer_again_records_nothing(world):
    report = a.assign_report(
        world.report_in("in_progress"), world.officer, actor=world.agency_admin
    )
    seq = report.last_event_seq
    a.assign_report(report, world.officer, actor=world.agency_admin)
    report.refresh_from_db()
    assert report.last_event_seq == seq


@pytest.mark.parametrize("who", ["sibling unit", "other agency", "inactive", "agency admin"])
def test_only_an_active_officer_of_the_current_unit_may_be_assigned(world, who):
    candidate = {
        "sibling unit": lambda: world.dlh_officer,
        "other agency": lambda: world.other_officer,
        "inactive": lambda: officer(world, "petugas_pensiun", is_active=False),
        "agency admin": lambda: world.agency_admin,
    }[who]()
    report = world.report_in("in_progress")
    seq = report.last_event_seq

    with pytest.raises(InvalidInput) as refused:
        a.assign_report(report, candidate, actor=world.agency_admin)
    assert refused.value.field == "assignee"
    report.refresh_from_db()
    assert (report.assignee, report.last_event_seq) == (None, seq)


def test_officers_and_other_agencies_may_not_assign(world):
    report = world.report_in("in_progress")
    for outsider in (world.officer, world.other_admin, world.supervisor):
        with pytest.raises(NotAllowed):
            a.assign_report(report, world.officer, actor=outsider)


def test_the_assignee_gives_the_report_back_and_nobody_else_can(world):
    colleague = officer(world, "petugas_pu_dua")
    report = a.take_report(world.report_in("in_progress"), actor=world.officer)

    with pytest.raises(NotAllowed):
        a.release_report(report, actor=colleague)
    a.release_report(report, actor=world.officer)

    report.refresh_from_db()
    assert report.assignee is None
    assert last_event(report).payload["reason"] == "released"
    # Free again: the colleague may take it now.
    a.take_report(report, actor=colleague)
    report.refresh_from_db()
    assert report.assignee == colleague


def test_a_report_the_agency_handles_itself_has_nobody_to_assign(world):
    report = a.dispose_report(world.submit(), world.pemkab, actor=world.national_admin)
    with pytest.raises(InvalidInput) as refused:
        a.assign_report(report, world.officer, actor=world.agency_admin)
    assert refused.value.code == "no_unit"


def test_a_report_on_hold_after_disposition_can_still_be_taken(world):
    report = a.put_on_hold(world.report_in("in_progress"), "Foto?", actor=world.officer)
    report = a.take_report(report, actor=world.officer)
    assert report.assignee == world.officer
    assert report.status == "on_hold"


def test_forwarding_to_another_unit_clears_the_assignment(world):
    report = a.dispose_report(world.submit(), world.pemkab, actor=world.national_admin)
    report = a.forward_to_unit(report, world.dinas_pu, actor=world.agency_admin)
    report = a.take_report(report, actor=world.officer)

    report = a.forward_to_unit(report, world.dlh, actor=world.agency_admin)

    report.refresh_from_db()
    assert (report.unit, report.assignee) == (world.dlh, None)
    cleared = report.events.get(type=EventType.UNASSIGNED)
    assert cleared.payload["reason"] == "unit_changed"
    assert cleared.payload["unit_name"] == world.dinas_pu.name
    assert cleared.payload["previous"]["uuid"] == str(world.officer.uuid)
    # The old unit's officer has nothing left to give back.
    with pytest.raises(NotAllowed):
        a.release_report(report, actor=world.officer)


def test_returning_a_report_as_not_our_authority_clears_the_assignment(world):
    report = a.take_report(world.report_in("in_progress"), actor=world.officer)
    report = a.return_not_authority(report, "Jalan provinsi.", actor=world.officer)
    report.refresh_from_db()
    assert (report.status, report.unit, report.assignee) == ("returned", None, None)
    assert report.events.filter(type=EventType.UNASSIGNED).count() == 1


def test_closing_keeps_who_handled_it(world):
    report = a.take_report(world.report_in("in_progress"), actor=world.officer)
    report = a.post_follow_up(report, "Sudah ditambal.", actor=world.officer)
    report = a.accept_response(report, actor=world.citizen)
    report.refresh_from_db()
    assert (report.status, report.assignee) == ("closed", world.officer)
