"""Who may do what (docs/DESIGN.md, People and what they may do), checked cell by cell.

Every role meets every action of the state machine on a report in a status where the state
machine allows that action. The expected answers are written out below from docs/DESIGN.md,
not read from permissions.py, so a wrong rule there makes a cell fail. Each cell
is checked twice: `permissions.allowed()` answers it, and the real domain action enforces
it (a forbidden call raises NotAllowed and leaves the report and its history untouched; an
allowed call goes through).
"""

import datetime as dt
import io
from collections.abc import Callable

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image

from aduan.accounts.models import Role, User
from aduan.agencies.models import Agency, AgencyKind
from aduan.reports import actions as a
from aduan.reports.actors import SYSTEM, Actor, as_actor
from aduan.reports.errors import DomainError, InvalidInput, NotAllowed
from aduan.reports.models import Report, Status
from aduan.reports.permissions import allowed, available_actions, refusal, role_actions
from aduan.reports.workflow import TRANSITIONS, can_transition

# ------------------------------------------------------------------------------ the table

ROLES = (
    "national admin",
    "agency admin of the receiving agency",
    "agency admin of another agency",
    "officer of the assigned unit",
    "officer of a sibling unit",
    "officer of another agency's unit",
    "supervisor",
    "the reporter",
    "another citizen",
    "the public (no user)",
    "the system",
)

# The status each action is tried in: one the state machine allows it from. Reports past
# `submitted` were disposed by the national admin to Pemkab Kutai Timur and its Dinas PU.
# "returned" is a report the agency admin sent back to the national admins as not theirs.
SCENARIO = {
    "verify": "submitted",
    "dispose": "submitted",
    "put_on_hold": "dispositioned",
    "add_information": "on_hold",
    "archive": "submitted",
    "forward_to_unit": "dispositioned",
    "return_not_authority": "in_progress",
    "redispose": "returned",
    "acknowledge": "dispositioned",
    "post_follow_up": "in_progress",
    "post_progress_update": "in_progress",
    # Unassigned, except release_report: assigned to the Dinas PU officer.
    "take_report": "in_progress",
    "assign_report": "in_progress",
    "release_report": "in_progress",
    "add_internal_note": "in_progress",
    "reporter_reply": "responded",
    "accept": "responded",
    "contest": "responded",
    "rate": "closed",
    "withdraw": "in_progress",
    "close": "responded",
    "auto_close": "responded",
    "set_needs_inspection": "in_progress",
    "remind": "dispositioned",
    "mark_overdue": "dispositioned",
    "escalate": "dispositioned",
    # On a report whose reporter sent a photo with added information (shared with the
    # staff), which for withdrawing a publication the national admin published first.
    "publish_attachment": "in_progress",
    "unpublish_attachment": "in_progress",
    "support": "in_progress",
    # Archived as a duplicate of another report.
    "unmerge": "archived",
}

# docs/DESIGN.md (People and what they may do), cell by cell, for the scenarios above.
EXPECTED: dict[str, set[str]] = {
    # Verify, put on hold, archive, dispose to any agency (and unit), re-dispose what comes
    # back to it, intervene, close; staff may add internal notes. Handling (acknowledge,
    # follow-up, "not our authority") belongs to the receiver.
    "national admin": {
        "verify",
        "dispose",
        "put_on_hold",
        "archive",
        "forward_to_unit",
        "redispose",
        "add_internal_note",
        "set_needs_inspection",
        "close",
        "publish_attachment",
        "unpublish_attachment",
        "unmerge",
    },
    # Everything the national admin may for reports disposed to its agency, dispose to its
    # units, or handle it itself. Verification of a submitted report is not its own unless
    # delegated (tested separately below). A report it returned itself goes to the national
    # admins for re-disposition, not back to it.
    "agency admin of the receiving agency": {
        "put_on_hold",
        "forward_to_unit",
        "return_not_authority",
        "acknowledge",
        "post_follow_up",
        "post_progress_update",
        "assign_report",
        "add_internal_note",
        "set_needs_inspection",
        "close",
        "publish_attachment",
        "unpublish_attachment",
    },
    "agency admin of another agency": set(),
    # Acknowledge, ask the reporter for information, post follow-ups, mark "not our
    # authority", add internal notes. Not publish a reporter's files: that is for the
    # admins who verify and may see who the reporter is. Take an unassigned report, give
    # back one assigned to them; post interim progress updates.
    "officer of the assigned unit": {
        "put_on_hold",
        "return_not_authority",
        "acknowledge",
        "post_follow_up",
        "post_progress_update",
        "add_internal_note",
        "take_report",
        "release_report",
    },
    "officer of a sibling unit": set(),
    "officer of another agency's unit": set(),
    # Read-only across its scope.
    "supervisor": set(),
    # Submit, add information, reply to follow-ups, accept or contest, rate, withdraw.
    "the reporter": {"add_information", "reporter_reply", "accept", "contest", "rate", "withdraw"},
    # Anyone but the reporter and the staff may say "Saya juga mengalami" on a published
    # report (with a verified contact, which the portal checks).
    "another citizen": {"support"},
    "the public (no user)": {"support"},
    # The worker closes a responded report after 10 working days of silence, and reminds,
    # marks overdue and escalates.
    "the system": {"auto_close", "remind", "mark_overdue", "escalate"},
}


def test_the_table_covers_every_role_and_every_action_of_the_state_machine():
    assert set(SCENARIO) == set(TRANSITIONS)
    assert set(EXPECTED) == set(ROLES)
    for role, actions in EXPECTED.items():
        assert actions <= set(TRANSITIONS), role


# ------------------------------------------------------------------------------ helpers

ONE_DAY = dt.timedelta(days=1)


def actor_for(world, role: str) -> Actor:
    people = {
        "national admin": world.national_admin,
        "agency admin of the receiving agency": world.agency_admin,
        "agency admin of another agency": world.other_admin,
        "officer of the assigned unit": world.officer,
        "officer of a sibling unit": world.dlh_officer,
        "officer of another agency's unit": world.other_officer,
        "supervisor": world.supervisor,
        "the reporter": world.citizen,
        "another citizen": world.outsider,
        "the public (no user)": None,
    }
    if role == "the system":
        return SYSTEM
    return as_actor(people[role])


def report_for(world, action: str) -> Report:
    status = SCENARIO[action]
    if status == "returned":
        report = world.report_in("dispositioned")
        return a.return_not_authority(report, "Bukan urusan kabupaten.", actor=world.agency_admin)
    if status == "closed":
        # Closed without a rating, so rating it is still possible.
        return a.accept_response(world.report_in("responded"), actor=world.citizen)
    if action == "unmerge":
        original = world.submit()
        return a.archive_report(
            world.submit(), "duplicate", duplicate_of=original, actor=world.national_admin
        )
    if action == "release_report":
        return a.take_report(world.report_in(status), actor=world.officer)
    if action in ("publish_attachment", "unpublish_attachment"):
        report = a.add_information(
            world.report_in(status), "Foto lokasi.", actor=world.citizen, files=[photo()]
        )
        if action == "unpublish_attachment":
            a.publish_attachment(report.attachments.get(), actor=world.national_admin)
            report.refresh_from_db()
        return report
    return world.report_in(status)


def photo():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 40, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile("foto.jpg", buffer.getvalue())


def perform(world, action: str) -> Callable[[Report, Actor], object]:
    """The real domain action behind each name of the state machine."""
    return {
        "verify": lambda r, who: a.verify_report(r, actor=who, title="Jalan poros berlubang"),
        "dispose": lambda r, who: a.dispose_report(r, world.pemkab, unit=world.dinas_pu, actor=who),
        "put_on_hold": lambda r, who: a.put_on_hold(r, "Mohon kirim foto lokasi.", actor=who),
        "add_information": lambda r, who: a.add_information(r, "Foto terlampir.", actor=who),
        "archive": lambda r, who: a.archive_report(r, "spam", actor=who),
        "forward_to_unit": lambda r, who: a.forward_to_unit(r, world.dlh, actor=who),
        "return_not_authority": lambda r, who: a.return_not_authority(
            r, "Bukan wewenang kami.", actor=who
        ),
        "redispose": lambda r, who: a.redispose_report(r, world.pemkab_paser, actor=who),
        "acknowledge": lambda r, who: a.acknowledge_report(r, actor=who),
        "post_follow_up": lambda r, who: a.post_follow_up(r, "Sudah ditambal.", actor=who),
        "post_progress_update": lambda r, who: a.post_progress_update(
            r, "Material sudah dipesan.", actor=who
        ),
        "take_report": lambda r, who: a.take_report(r, actor=who),
        "assign_report": lambda r, who: a.assign_report(r, world.officer, actor=who),
        "release_report": lambda r, who: a.release_report(r, actor=who),
        "add_internal_note": lambda r, who: a.add_internal_note(r, "Cek anggaran.", actor=who),
        "reporter_reply": lambda r, who: a.reporter_reply(r, "Masih berlubang.", actor=who),
        "accept": lambda r, who: a.accept_response(r, actor=who),
        "contest": lambda r, who: a.contest_response(r, "Belum diperbaiki.", actor=who),
        "rate": lambda r, who: a.rate_report(r, 4, actor=who),
        "withdraw": lambda r, who: a.withdraw_report(r, actor=who),
        "close": lambda r, who: a.close_report(r, actor=who),
        "set_needs_inspection": lambda r, who: a.set_needs_inspection(r, True, actor=who),
        "publish_attachment": lambda r, who: a.publish_attachment(r.attachments.get(), actor=who),
        "unpublish_attachment": lambda r, who: a.unpublish_attachment(
            r.attachments.get(), actor=who
        ),
        "unmerge": lambda r, who: a.unmerge_report(r, actor=who),
        "support": lambda r, who: a.support_report(
            r, a.supporter_key(r, "tetangga@example.com"), actor=who
        ),
    }[action]


# The worker's own actions take no actor: the system is the only one who may.
DEADLINE_WATCH = {
    "remind": lambda r, due: a.send_deadline_reminder(
        r, "first_response_due_at", now=due - dt.timedelta(hours=1)
    ),
    "mark_overdue": lambda r, due: a.mark_overdue(r, "first_response_due_at", now=due + ONE_DAY),
    "escalate": lambda r, due: a.escalate(r, "first_response_due_at", 1, now=due + ONE_DAY),
}
SYSTEM_ONLY = {"auto_close", *DEADLINE_WATCH}


def snapshot(report: Report) -> tuple[dict, int]:
    """The report row and the length of its history, as stored."""
    row = Report.objects.filter(pk=report.pk).values().get()
    return row, report.events.count()


def assert_refused(world, action: str, report: Report, who: Actor) -> None:
    before = snapshot(report)
    with pytest.raises(NotAllowed):
        perform(world, action)(report, who)
    assert snapshot(report) == before, "a refused action must change nothing"


def assert_performed(world, action: str, report: Report, who: Actor) -> None:
    events_before = report.events.count()
    status_before = report.status
    # A reporter's answer resumes the status the report had before the hold.
    resumed = report.status_before_hold
    if action == "auto_close":
        done = a.auto_close_report(report, now=report.reply_due_at + ONE_DAY)
    elif action in DEADLINE_WATCH:
        due = report.first_response_due_at
        done = DEADLINE_WATCH[action](report, due)
    else:
        done = perform(world, action)(report, who)
    report.refresh_from_db()
    expected_status = TRANSITIONS[action].target
    if action == "add_information" and status_before == Status.ON_HOLD:
        expected_status = resumed
    assert done is not None
    assert report.status == (expected_status or status_before)
    assert report.events.count() > events_before
    last = report.events.order_by("-seq").first()
    # A supporter is recorded as the public, without their account.
    assert last.actor_role == ("public" if action == "support" else who.role)


# ------------------------------------------------------------------------------ the matrix


@pytest.mark.parametrize("action", sorted(TRANSITIONS))
def test_permissions_allow_each_action_exactly_to_the_roles_the_design_names(world, action):
    report = report_for(world, action)
    assert can_transition(action, report.status), "the scenario must be valid"

    answers = {role: allowed(actor_for(world, role), action, report) for role in ROLES}

    expected = {role: action in EXPECTED[role] for role in ROLES}
    assert answers == expected


@pytest.mark.parametrize("action", sorted(set(TRANSITIONS) - SYSTEM_ONLY))
def test_the_real_action_refuses_every_forbidden_role_and_writes_nothing(world, action):
    report = report_for(world, action)
    forbidden = [role for role in ROLES if action not in EXPECTED[role]]
    for role in forbidden:
        assert_refused(world, action, report, actor_for(world, role))


@pytest.mark.parametrize(
    ("role", "action"),
    sorted((role, action) for role in ROLES for action in EXPECTED[role]),
)
def test_the_real_action_goes_through_for_an_allowed_role(world, role, action):
    report = report_for(world, action)
    assert_performed(world, action, report, actor_for(world, role))


def test_a_refusal_is_a_permission_denied_with_a_stable_code(world):
    report = world.report_in("submitted")
    with pytest.raises(PermissionDenied) as refused:
        a.archive_report(report, "spam", actor=world.officer)
    assert isinstance(refused.value, NotAllowed)
    assert refused.value.code == "forbidden"
    assert refused.value.action == "archive"


def test_the_worker_does_not_close_a_report_whose_reply_window_is_still_open(world):
    report = world.report_in("responded")
    assert a.auto_close_report(report, now=report.reply_due_at - ONE_DAY) is None
    report.refresh_from_db()
    assert report.status == Status.RESPONDED


def test_a_deactivated_admin_may_do_nothing(world):
    report = world.report_in("submitted")
    world.national_admin.is_active = False
    world.national_admin.save()
    assert not any(allowed(as_actor(world.national_admin), x, report) for x in TRANSITIONS)
    assert_refused(world, "archive", report, as_actor(world.national_admin))


def test_a_guest_reporter_acts_through_the_secret_of_the_tracking_link(world):
    from aduan.reports.access import reporter_actor_from_secret

    result = a.submit_report(
        {
            "title": "Lampu jalan mati",
            "body": "Lampu jalan di depan pasar mati sejak seminggu.",
            "region": "64.08.04",
        },
        actor=None,
        reporter=a.ReporterDetails(name="Tamu", email="tamu@example.com"),
    )
    report, guest = reporter_actor_from_secret(result.report.tracking_number, result.secret)
    assert allowed(guest, "withdraw", report)
    assert not allowed(guest, "archive", report)
    assert_refused(world, "archive", report, guest)
    assert_performed(world, "withdraw", report, guest)


# ------------------------------------------------------------------------------ re-disposition


def test_a_unit_return_goes_to_its_agency_admin_who_chooses_another_unit(world):
    report = world.report_in("returned")  # returned by the Dinas PU officer
    assert report.returned_to == "agency"

    assert allowed(as_actor(world.agency_admin), "redispose", report)
    assert not allowed(as_actor(world.officer), "redispose", report)
    assert not allowed(as_actor(world.other_admin), "redispose", report)
    assert_refused(world, "redispose", report, as_actor(world.officer))

    a.redispose_report(report, None, unit=world.dlh, actor=world.agency_admin)
    report.refresh_from_db()
    assert (report.status, report.agency, report.unit) == (
        Status.DISPOSITIONED,
        world.pemkab,
        world.dlh,
    )


# ------------------------------------------------------------------------------ delegated verification

VERIFICATION_ACTIONS = ("verify", "dispose", "put_on_hold", "archive")


@pytest.fixture
def delegated(world):
    """Pemkab Kutai Timur verifies reports from its own region."""
    world.pemkab.verifies_own_region = True
    world.pemkab.save()
    return world


@pytest.mark.parametrize("action", VERIFICATION_ACTIONS)
def test_an_agency_with_delegated_verification_verifies_reports_in_its_region(delegated, action):
    world = delegated
    report = world.report_in("submitted")  # in Sangatta Utara, Kutai Timur
    admin = as_actor(world.agency_admin)

    assert allowed(admin, action, report)
    assert_performed(world, action, report, admin)


@pytest.mark.parametrize("action", VERIFICATION_ACTIONS)
def test_an_agency_without_delegation_may_not_verify_reports_in_its_region(world, action):
    report = world.report_in("submitted")
    admin = as_actor(world.agency_admin)

    assert not allowed(admin, action, report)
    assert_refused(world, action, report, admin)


def test_delegated_verification_does_not_let_an_agency_dispose_to_another_agency(delegated):
    world = delegated
    report = world.report_in("submitted")
    before = snapshot(report)

    with pytest.raises(InvalidInput) as refused:
        a.dispose_report(report, world.pemkab_paser, actor=world.agency_admin)
    assert refused.value.field == "agency"
    with pytest.raises(InvalidInput):
        a.dispose_report(report, None, unit=world.pu_paser, actor=world.agency_admin)
    assert snapshot(report) == before


def test_delegated_verification_stops_at_the_agency_s_borders(delegated):
    world = delegated
    in_paser = world.submit(region="64.01")
    without_region = world.submit(region="")
    admin = as_actor(world.agency_admin)

    for report in (in_paser, without_region):
        for action in VERIFICATION_ACTIONS:
            assert not allowed(admin, action, report), (report.region_id, action)
    assert_refused(world, "dispose", in_paser, admin)
    # Delegation to Kutai Timur gives Paser's admin nothing in Kutai Timur either.
    kutim_report = world.submit()
    assert not any(
        allowed(as_actor(world.other_admin), x, kutim_report) for x in VERIFICATION_ACTIONS
    )


def test_delegated_verification_gives_the_units_nothing(delegated):
    world = delegated
    report = world.report_in("submitted")
    for officer in (world.officer, world.dlh_officer):
        assert not any(allowed(as_actor(officer), x, report) for x in VERIFICATION_ACTIONS)


def test_a_delegated_agency_may_archive_a_report_it_put_on_hold(delegated):
    world = delegated
    report = world.report_in("submitted")
    a.put_on_hold(report, "Lokasi tepatnya di mana?", actor=world.agency_admin)
    report.refresh_from_db()

    assert_performed(world, "archive", report, as_actor(world.agency_admin))


# ------------------------------------------------------------------------------ available actions
# `available_actions()` is what pages, the API and the bulk panel offer. For every role, in
# every situation a report can be in, and for every action a person can take, it must
# agree with the real domain action: offered exactly when the action, given valid input,
# goes through. Each attempt runs in a savepoint that is rolled back, so one report per
# situation serves every role and action.

PERSON_ACTIONS = sorted(set(TRANSITIONS) - SYSTEM_ONLY)
DELEGATED_ADMIN = "admin of a province that verifies its own region"
EVERYONE = (*ROLES, DELEGATED_ADMIN)

# Everything happens on Monday 2 March 2026 (WITA); one report was closed in January, so
# its appeal window has passed.
TODAY = dt.datetime(2026, 3, 2, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))
LONG_AGO = dt.datetime(2026, 1, 6, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def situations(world) -> dict[str, Callable[[], Report]]:
    def disposed_to_agency_only():
        return a.dispose_report(world.submit(), world.pemkab, actor=world.national_admin)

    def held_after_disposition():
        return a.put_on_hold(world.report_in("dispositioned"), "Foto?", actor=world.officer)

    def returned_to_national():
        return a.return_not_authority(
            disposed_to_agency_only(), "Wewenang provinsi.", actor=world.agency_admin
        )

    def responded_after_appeal():
        report = a.contest_response(world.report_in("responded"), "Belum.", actor=world.citizen)
        return a.post_follow_up(report, "Sudah diperbaiki ulang.", actor=world.officer)

    def closed_and_rated():
        report = world.report_in("responded")
        return a.accept_response(report, actor=world.citizen, rating=5)

    def closed_long_ago():
        with time_machine.travel(LONG_AGO, tick=False):
            return world.report_in("closed")

    return {
        "submitted": lambda: world.report_in("submitted"),
        "on hold before disposition": lambda: world.report_in("on_hold"),
        "on hold after disposition": held_after_disposition,
        "disposed to a unit": lambda: world.report_in("dispositioned"),
        "disposed to the agency only": disposed_to_agency_only,
        "returned by the unit to its agency": lambda: world.report_in("returned"),
        "returned by the agency to the national admins": returned_to_national,
        "in progress": lambda: world.report_in("in_progress"),
        "in progress, taken by an officer": lambda: a.take_report(
            world.report_in("in_progress"), actor=world.officer
        ),
        "an aspiration in progress": lambda: world.report_in(
            "in_progress", report_type="aspiration"
        ),
        "responded": lambda: world.report_in("responded"),
        "responded after an appeal": responded_after_appeal,
        "closed": lambda: world.report_in("closed"),
        "closed and rated": closed_and_rated,
        "closed long ago": closed_long_ago,
        "archived": lambda: world.report_in("archived"),
        "archived as a duplicate": lambda: a.archive_report(
            world.submit(), "duplicate", duplicate_of=world.submit(), actor=world.national_admin
        ),
        "withdrawn": lambda: world.report_in("withdrawn"),
    }


def attempt(world, action: str, report: Report, who: Actor):
    """The action with valid input for this actor and report."""
    if action == "dispose":
        own = who.user is not None and who.role == Role.AGENCY_ADMIN
        target = who.user.agency if own else world.pemkab
        return a.dispose_report(report, target, actor=who)
    if action == "redispose":
        if report.returned_to == "agency":
            return a.redispose_report(report, None, unit=world.dlh, actor=who)
        return a.redispose_report(report, world.pemkab_paser, actor=who)
    if action == "set_needs_inspection":
        return a.set_needs_inspection(report, not report.needs_inspection, actor=who)
    if action in ("publish_attachment", "unpublish_attachment"):
        # A photo the reporter shared with the staff (the permission and the state are what
        # is judged here; the file itself plays no part). Rolled back with the attempt.
        from aduan.reports.models import Attachment, Visibility

        attachment = report.attachments.first() or Attachment.objects.create(
            report=report,
            name="foto-1.jpg",
            content_type="image/jpeg",
            extension=".jpg",
            kind="image",
            size=1,
            sha256="0" * 64,
            visibility=Visibility.PUBLIC
            if action == "unpublish_attachment"
            else Visibility.PARTIES,
            uploaded_by_reporter=True,
        )
        func = a.publish_attachment if action == "publish_attachment" else a.unpublish_attachment
        return func(attachment, actor=who)
    return perform(world, action)(report, who)


class RolledBack(Exception):
    pass


def outcome(world, action: str, report: Report, who: Actor) -> DomainError | None:
    """None when the action went through (then undone), else the domain's refusal."""
    try:
        with transaction.atomic():
            attempt(world, action, report, who)
            raise RolledBack
    except RolledBack:
        return None
    except DomainError as error:
        return error


@pytest.fixture
def everyone(world):
    province = Agency.objects.create(
        name="Pemerintah Provinsi Kalimantan Timur",
        kind=AgencyKind.PROVINCE,
        timezone="Asia/Makassar",
        verifies_own_region=True,
    )
    province.jurisdiction.add(world.kaltim)
    admin = User.objects.create_user(
        "admin_kaltim", password="kata-sandi-uji-123", role=Role.AGENCY_ADMIN, agency=province
    )
    actors = {role: actor_for(world, role) for role in ROLES}
    actors[DELEGATED_ADMIN] = as_actor(admin)
    return actors


@pytest.mark.parametrize("situation", list(situations(None)))
def test_available_actions_are_exactly_the_actions_that_go_through(world, everyone, situation):
    with time_machine.travel(TODAY, tick=False):
        # Actions lock and read their own copy: this one stays as built.
        report = Report.objects.get(pk=situations(world)[situation]().pk)
        disagreements = []
        for role in EVERYONE:
            who = everyone[role]
            for action in PERSON_ACTIONS:
                offered = action in available_actions(who, report)
                error = outcome(world, action, report, who)
                why_not = refusal(who, action, report)
                if offered != (error is None) or offered != (why_not is None):
                    disagreements.append((role, action, offered, error))
                elif error is not None:
                    # The same kind of refusal as the action gives, when it is about who.
                    assert isinstance(error, NotAllowed) == isinstance(why_not, NotAllowed)
                if offered:
                    assert action in role_actions(who), (role, action)
        assert disagreements == []


def test_every_situation_offers_something_to_someone(world, everyone):
    with time_machine.travel(TODAY, tick=False):
        for name, build in situations(world).items():
            report = build()
            offered = {
                action for who in everyone.values() for action in available_actions(who, report)
            }
            # Archived and withdrawn reports are finished: nobody may do anything but
            # take a published file back from the public.
            finished = name in ("archived", "withdrawn")
            assert bool(offered - {"unpublish_attachment"}) == (not finished), name


def test_the_bulk_menu_of_an_agency_admin_without_delegation_has_no_verification(world):
    assert {"verify", "dispose", "archive"}.isdisjoint(role_actions(world.agency_admin))
    assert "forward_to_unit" in role_actions(world.agency_admin)
    world.pemkab.verifies_own_region = True
    world.pemkab.save()
    world.agency_admin.refresh_from_db()
    assert {"verify", "dispose", "archive"} <= role_actions(world.agency_admin)
    assert role_actions(world.supervisor) == frozenset()
    assert role_actions(SYSTEM) == {"auto_close", "remind", "mark_overdue", "escalate"}
