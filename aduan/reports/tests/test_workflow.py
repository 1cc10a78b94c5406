"""Every transition of the state machine, allowed and forbidden, through the real actions."""

import datetime as dt

import pytest

from aduan.reports import actions as a
from aduan.reports.errors import DomainError
from aduan.reports.models import ReportEvent, Status
from aduan.reports.workflow import TRANSITIONS, check_transition

S = Status
OPEN = {S.SUBMITTED, S.ON_HOLD, S.DISPOSITIONED, S.RETURNED, S.IN_PROGRESS, S.RESPONDED}
ALL = OPEN | {S.CLOSED, S.ARCHIVED, S.WITHDRAWN}
WATCHED = {S.SUBMITTED, S.DISPOSITIONED, S.RETURNED, S.IN_PROGRESS}

# Written out from docs/DESIGN.md (Lifecycle), independently of workflow.py, so either can
# be wrong.
EXPECTED_SOURCES = {
    "verify": {S.SUBMITTED},
    "dispose": {S.SUBMITTED},
    "put_on_hold": {S.SUBMITTED, S.DISPOSITIONED, S.IN_PROGRESS},
    "add_information": OPEN,
    "archive": {S.SUBMITTED, S.ON_HOLD},
    "forward_to_unit": {S.DISPOSITIONED},
    "return_not_authority": {S.DISPOSITIONED, S.IN_PROGRESS},
    "redispose": {S.RETURNED},
    "acknowledge": {S.DISPOSITIONED},
    "post_follow_up": {S.DISPOSITIONED, S.IN_PROGRESS},
    # An interim word to the reporter while the unit works; after the answer, the
    # reporter's turn (and reply window) has begun.
    "post_progress_update": {S.DISPOSITIONED, S.IN_PROGRESS},
    # Who in the unit works on it: while it is with a unit (on hold after disposition too).
    "take_report": {S.DISPOSITIONED, S.ON_HOLD, S.IN_PROGRESS, S.RESPONDED},
    "assign_report": {S.DISPOSITIONED, S.ON_HOLD, S.IN_PROGRESS, S.RESPONDED},
    "release_report": {S.DISPOSITIONED, S.ON_HOLD, S.IN_PROGRESS, S.RESPONDED},
    "add_internal_note": OPEN,
    "reporter_reply": {S.RESPONDED},
    "accept": {S.RESPONDED},
    "contest": {S.RESPONDED, S.CLOSED},
    "rate": {S.CLOSED},
    "withdraw": OPEN,
    "close": {S.IN_PROGRESS, S.RESPONDED},
    "auto_close": {S.RESPONDED},
    # Any time while the report is open (the completion limit counts from disposition).
    "set_needs_inspection": OPEN,
    # Overdue is a flag, not a state: the worker watches the deadlines that run (a
    # responded report's only clock closes it instead; a report on hold has none).
    "remind": WATCHED,
    "mark_overdue": WATCHED,
    "escalate": WATCHED,
    # A report's files may be published while it may still become or stays public, and
    # withdrawn from the public at any time (tested in test_attachment_publishing.py).
    "publish_attachment": OPEN | {S.CLOSED},
    "unpublish_attachment": ALL,
    # "Saya juga mengalami" while a published report is being handled (on hold only after
    # disposition, which is a condition: tested in test_support.py).
    "support": {S.ON_HOLD, S.DISPOSITIONED, S.RETURNED, S.IN_PROGRESS, S.RESPONDED},
    # Undo a merge: only a report archived as a duplicate (a condition, tested in
    # aduan/routing/tests/test_grouping.py).
    "unmerge": {S.ARCHIVED},
}
ATTACHMENT_ACTIONS = {"publish_attachment", "unpublish_attachment"}
ASSIGNMENT_ACTIONS = {"take_report", "assign_report", "release_report"}


def test_the_table_covers_every_action_of_the_design():
    assert set(TRANSITIONS) == set(EXPECTED_SOURCES)


@pytest.mark.parametrize("action", sorted(EXPECTED_SOURCES))
@pytest.mark.parametrize("status", sorted(ALL))
def test_the_state_machine_allows_exactly_the_designed_transitions(action, status):
    if status in EXPECTED_SOURCES[action]:
        check_transition(action, status)
    else:
        with pytest.raises(DomainError):
            check_transition(action, status)


def perform(world, action, report):
    """Call the real action as an actor who holds the permission for it."""
    w = world
    calls = {
        "verify": lambda r: a.verify_report(r, actor=w.national_admin, title="Judul diperbaiki"),
        "dispose": lambda r: a.dispose_report(r, w.pemkab, unit=w.dinas_pu, actor=w.national_admin),
        "put_on_hold": lambda r: a.put_on_hold(r, "Di mana tepatnya?", actor=w.national_admin),
        "add_information": lambda r: a.add_information(r, "Di depan SDN 001.", actor=w.citizen),
        "archive": lambda r: a.archive_report(r, "spam", actor=w.national_admin),
        "forward_to_unit": lambda r: a.forward_to_unit(r, w.dlh, actor=w.national_admin),
        "return_not_authority": lambda r: a.return_not_authority(
            r, "Jalan nasional.", actor=w.officer
        ),
        "redispose": lambda r: a.redispose_report(r, w.pemkab, unit=w.dlh, actor=w.agency_admin),
        "acknowledge": lambda r: a.acknowledge_report(r, actor=w.officer),
        "post_follow_up": lambda r: a.post_follow_up(r, "Sudah diperbaiki.", actor=w.officer),
        "post_progress_update": lambda r: a.post_progress_update(
            r, "Material dipesan.", actor=w.officer
        ),
        "take_report": lambda r: a.take_report(r, actor=w.officer),
        "assign_report": lambda r: a.assign_report(r, w.officer, actor=w.agency_admin),
        "release_report": lambda r: a.release_report(
            a.take_report(r, actor=w.officer), actor=w.officer
        ),
        "add_internal_note": lambda r: a.add_internal_note(
            r, "Cek anggaran.", actor=w.national_admin
        ),
        "reporter_reply": lambda r: a.reporter_reply(r, "Belum selesai.", actor=w.citizen),
        "accept": lambda r: a.accept_response(r, actor=w.citizen),
        "contest": lambda r: a.contest_response(r, "Tidak sesuai fakta.", actor=w.citizen),
        "rate": lambda r: a.rate_report(r, 4, actor=w.citizen),
        "withdraw": lambda r: a.withdraw_report(r, actor=w.citizen),
        "close": lambda r: a.close_report(r, actor=w.national_admin),
        "set_needs_inspection": lambda r: a.set_needs_inspection(r, True, actor=w.national_admin),
    }
    return calls[action](report)


ACTION_STATUS_PAIRS = [
    (action, status)
    for action in sorted(EXPECTED_SOURCES)
    if action not in ("auto_close", "remind", "mark_overdue", "escalate")
    if action != "auto_close" and action not in ATTACHMENT_ACTIONS
    # Their conditions need a particular report (tested in their own files).
    if action not in ("support", "unmerge")
    for status in sorted(ALL)
    # `report_in("on_hold")` is on hold before disposition: no unit, so nobody to assign
    # (the condition; on hold after disposition is tried in test_assignment.py).
    if not (action in ASSIGNMENT_ACTIONS and status == S.ON_HOLD)
]


@pytest.mark.parametrize(("action", "status"), ACTION_STATUS_PAIRS)
def test_each_action_succeeds_only_from_its_source_statuses(world, action, status):
    report = world.report_in(status)
    events_before = ReportEvent.objects.filter(report=report).count()
    if status in EXPECTED_SOURCES[action]:
        result = perform(world, action, report)
        assert ReportEvent.objects.filter(report=report).count() > events_before
        target = TRANSITIONS[action].target
        if action == "add_information" and status == S.ON_HOLD:
            assert result.status == S.SUBMITTED  # resumes where it was put on hold
        elif target is not None:
            assert result.status == target
        else:
            assert result.status == status
    else:
        with pytest.raises(DomainError):
            perform(world, action, report)
        report.refresh_from_db()
        assert report.status == status
        assert ReportEvent.objects.filter(report=report).count() == events_before


@pytest.mark.parametrize("status", sorted(ALL))
def test_the_worker_marks_a_missed_deadline_only_where_deadlines_run(world, status):
    from aduan.reports import deadlines

    report = world.report_in(status)
    running = deadlines.running_deadlines(report)
    later = report.submitted_at + dt.timedelta(days=365)
    marked = a.mark_overdue(report, running[0][0], now=later) if running else None
    assert (marked is not None) == (status in WATCHED)
    assert report.events.filter(type="overdue").exists() == (marked is not None)


def test_a_report_put_on_hold_after_disposition_resumes_dispositioned(world):
    report = world.report_in("dispositioned")
    report = a.put_on_hold(report, "Mohon nomor rumah.", actor=world.officer)
    assert report.status == S.ON_HOLD
    report = a.add_information(report, "Nomor 12.", actor=world.citizen)
    assert report.status == S.DISPOSITIONED
    assert report.status_before_hold == ""


def test_a_duplicate_is_linked_to_the_root_original(world):
    original = world.submit(title="Jalan rusak KM 12")
    first_copy = a.archive_report(
        world.submit(), "duplicate", duplicate_of=original, actor=world.national_admin
    )
    second_copy = a.archive_report(
        world.submit(), "duplicate", duplicate_of=first_copy, actor=world.national_admin
    )
    assert first_copy.duplicate_of == original
    assert second_copy.duplicate_of == original
    assert set(original.duplicates.all()) == {first_copy, second_copy}
    event = second_copy.events.get(type="archived")
    assert event.payload["duplicate_of"] == original.tracking_number


def test_archiving_as_duplicate_needs_the_original(world):
    report = world.submit()
    with pytest.raises(DomainError) as exc:
        a.archive_report(report, "duplicate", actor=world.national_admin)
    assert "asli" in exc.value.message_id
    report.refresh_from_db()
    assert report.status == S.SUBMITTED


def test_an_unknown_archive_reason_is_refused(world):
    report = world.submit()
    with pytest.raises(DomainError):
        a.archive_report(report, "boring", actor=world.national_admin)


def test_a_unit_return_goes_back_to_the_agency_admin_who_redisposes(world):
    report = world.report_in("returned")
    assert report.returned_to == "agency"
    assert report.unit is None
    # A sibling unit's officer cannot take it over...
    with pytest.raises(DomainError):
        a.redispose_report(report, world.pemkab, unit=world.dlh, actor=world.dlh_officer)
    report = a.redispose_report(report, world.pemkab, unit=world.dlh, actor=world.agency_admin)
    assert report.status == S.DISPOSITIONED
    assert report.unit == world.dlh
    types = list(report.events.order_by("seq").values_list("type", flat=True))
    assert types[-2:] == ["returned", "redispositioned"]


def test_an_agency_return_goes_to_the_national_admin_who_picks_another_agency(world):
    report = world.report_in("dispositioned")
    report = a.return_not_authority(report, "Kewenangan provinsi.", actor=world.agency_admin)
    assert report.returned_to == "national"
    with pytest.raises(DomainError):
        a.redispose_report(report, world.pemkab, unit=world.dlh, actor=world.agency_admin)
    report = a.redispose_report(report, world.pemkab_paser, actor=world.national_admin)
    assert report.agency == world.pemkab_paser
    assert report.status == S.DISPOSITIONED


def test_an_appeal_is_allowed_once_and_reopens_with_an_escalation_flag(world):
    report = world.report_in("responded")
    report = a.contest_response(report, "Lubang masih ada.", actor=world.citizen)
    assert report.status == S.IN_PROGRESS
    assert report.appeal_used and report.is_escalated
    report = a.post_follow_up(report, "Ditambal ulang.", actor=world.officer)
    with pytest.raises(DomainError) as exc:
        a.contest_response(report, "Masih ada.", actor=world.citizen)
    assert exc.value.code == "appeal_used"


def test_a_rating_is_given_once_and_must_be_one_to_five(world):
    report = world.report_in("responded")
    with pytest.raises(DomainError):
        a.accept_response(report, actor=world.citizen, rating=6)
    report.refresh_from_db()
    assert report.status == S.RESPONDED
    report = a.accept_response(report, actor=world.citizen)
    report = a.rate_report(report, 3, actor=world.citizen, comment="Lambat tapi beres.")
    assert report.rating == 3
    with pytest.raises(DomainError):
        a.rate_report(report, 5, actor=world.citizen)


def test_dispose_refuses_a_unit_of_another_agency(world):
    report = world.submit()
    with pytest.raises(DomainError):
        a.dispose_report(report, world.pemkab, unit=world.pu_paser, actor=world.national_admin)
    report.refresh_from_db()
    assert report.status == S.SUBMITTED
    assert report.agency is None


def test_verification_corrects_title_category_and_region_and_records_the_changes(world):
    report = world.submit(category="limbah", region="64.08")
    report = a.verify_report(
        report,
        actor=world.national_admin,
        title="Jalan berlubang KM 12",
        category="jalan-rusak",
        region="64.08.05",
    )
    assert (report.title, report.category, report.region_id) == (
        "Jalan berlubang KM 12",
        world.jalan,
        "64.08.05",
    )
    assert report.regency_code == "64.08" and report.province_code == "64"
    event = report.events.get(type="verified")
    assert event.visibility == "internal"
    assert event.payload["changes"]["region"] == ["64.08", "64.08.05"]
    assert report.verified_at is not None


def test_the_national_admin_may_intervene_in_a_unit_return(world):
    report = world.report_in("returned")
    report = a.redispose_report(report, world.pemkab, unit=world.dlh, actor=world.national_admin)
    assert (report.status, report.unit) == (S.DISPOSITIONED, world.dlh)


def test_a_disposed_report_put_on_hold_cannot_be_archived(world):
    report = world.report_in("dispositioned")
    report = a.put_on_hold(report, "Alamat lengkap?", actor=world.officer)
    with pytest.raises(DomainError):
        a.archive_report(report, "incomplete", actor=world.national_admin)
    report.refresh_from_db()
    assert report.status == S.ON_HOLD


def test_a_report_on_hold_before_verification_can_be_archived(world):
    report = world.report_in("on_hold")
    report = a.archive_report(report, "incomplete", actor=world.national_admin)
    assert report.status == S.ARCHIVED
    # The row no longer says where a hold would resume: the report is finished.
    stored = type(report).objects.get(pk=report.pk)
    assert (stored.status, stored.status_before_hold) == (S.ARCHIVED, "")
