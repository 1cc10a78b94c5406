"""The staff pages for work inside a unit: taking and assigning reports, "assigned to me"
and per-unit filters, progress updates, deadlines in working days, appeals shown as
appeals, and a fixed number of queries however many rows."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from aduan.accounts.models import Role, User
from aduan.notifications.models import Notification
from aduan.reports import actions as a
from aduan.reports.deadlines import working_days_left
from aduan.reports.models import EventType, Report, Status
from aduan.workdays.calendar import add_working_days
from aduan.workspace.inbox import days_left_label
from conftest import aware

from .helpers import action_url, page_text, report_url

INBOX = "/petugas/"
WITA = "Asia/Makassar"


def listed(response) -> list[str]:
    return [r.tracking_number for r in response.context["reports"]]


def row_of(response, report):
    return next(r for r in response.context["reports"] if r.pk == report.pk)


def colleague(world, username="petugas_pu_dua", unit=None):
    return User.objects.create_user(
        username=username,
        password="kata-sandi-uji-123",
        role=Role.UNIT_OFFICER,
        agency=unit or world.dinas_pu,
        first_name="Rudi",
        last_name="Hartono",
    )


# -- taking, assigning, releasing through the workspace ------------------------------------


def test_an_officer_takes_a_report_from_its_page(signed_in, world):
    report = world.report_in("dispositioned")
    client = signed_in(world.officer)

    response = client.post(action_url(report, "take_report"))

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.assignee == world.officer
    page = page_text(client.get(report_url(report)))
    assert "Ditugaskan kepada petugas" in page
    assert "diambil sendiri oleh petugas" in page
    # Taken: the page now offers giving it back, not taking it.
    forms = [item["key"] for item in client.get(report_url(report)).context["action_forms"]]
    assert "release_report" in forms and "take_report" not in forms


def test_the_agency_admin_assigns_an_officer_of_the_unit(signed_in, world):
    rudi = colleague(world)
    report = world.report_in("in_progress")
    client = signed_in(world.agency_admin)
    form = client.get(report_url(report)).context["action_forms"]
    choices = next(i["form"] for i in form if i["key"] == "assign_report").fields["assignee"]
    # Only the unit's own active officers are offered.
    assert set(choices.queryset) == {world.officer, rudi}

    response = client.post(action_url(report, "assign_report"), {"assign_report-assignee": rudi.pk})

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.assignee == rudi
    assert "Rudi Hartono" in page_text(client.get(report_url(report)))


def test_assigning_an_officer_of_another_unit_is_refused_with_a_message(signed_in, world):
    report = world.report_in("in_progress")
    seq = report.last_event_seq

    response = signed_in(world.agency_admin).post(
        action_url(report, "assign_report"), {"assign_report-assignee": world.dlh_officer.pk}
    )

    assert response.status_code == 400
    assert "Periksa kembali isian formulir." in page_text(response)
    report.refresh_from_db()
    assert (report.assignee, report.last_event_seq) == (None, seq)


def test_an_officer_of_another_unit_cannot_take_the_report(signed_in, world):
    report = world.report_in("dispositioned")
    response = signed_in(world.dlh_officer).post(action_url(report, "take_report"))
    assert response.status_code == 404  # not even visible to a sibling unit
    response = signed_in(world.supervisor).post(action_url(report, "take_report"))
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.assignee is None


def test_the_assignee_releases_the_report(signed_in, world):
    report = a.take_report(world.report_in("in_progress"), actor=world.officer)
    response = signed_in(world.officer).post(action_url(report, "release_report"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.assignee is None


# -- progress updates through the workspace -----------------------------------------------


def test_a_progress_update_from_the_workspace_reaches_the_reporter_without_a_reply_clock(
    signed_in, world
):
    report = world.report_in("in_progress")
    client = signed_in(world.officer)

    response = client.post(
        action_url(report, "post_progress_update"),
        {"post_progress_update-text": "Tim sudah survei lokasi; pengaspalan pekan depan."},
    )

    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.reply_due_at) == (Status.IN_PROGRESS, None)
    assert report.events.filter(type=EventType.PROGRESS_UPDATE).count() == 1
    assert Notification.objects.filter(report=report, template="progress_update").exists()
    page = page_text(client.get(report_url(report)))
    assert "Perkembangan penanganan" in page
    assert "batas balasan pelapor belum berjalan" in page


def test_an_empty_progress_update_is_refused_and_writes_nothing(signed_in, world):
    report = world.report_in("in_progress")
    seq = report.last_event_seq
    response = signed_in(world.officer).post(
        action_url(report, "post_progress_update"), {"post_progress_update-text": ""}
    )
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.last_event_seq == seq


def test_the_reporter_reads_the_update_as_an_update_with_nothing_to_answer(client, world):
    report = a.post_progress_update(
        world.report_in("in_progress"), "Material sudah dipesan.", actor=world.officer
    )
    client.force_login(world.citizen)
    page = page_text(client.get(f"/lacak/{report.tracking_number}/"))
    assert "Perkembangan penanganan dari" in page
    assert "Material sudah dipesan." in page
    assert "Terima tanggapan" not in page


# -- the inbox: tabs and filters ----------------------------------------------------------


def test_my_tasks_tab_lists_the_open_reports_assigned_to_the_officer(signed_in, world):
    rudi = colleague(world)
    mine = a.take_report(world.report_in("in_progress"), actor=world.officer)
    theirs = a.take_report(world.report_in("in_progress"), actor=rudi)
    world.report_in("dispositioned")  # nobody's yet
    done = a.take_report(world.report_in("responded"), actor=world.officer)
    a.accept_response(done, actor=world.citizen)

    response = signed_in(world.officer).get(INBOX, {"tab": "tugas-saya"})

    assert listed(response) == [mine.tracking_number]
    counts = {item["tab"].key: item["count"] for item in response.context["tabs"]}
    assert counts["tugas-saya"] == "1"
    assert theirs.tracking_number not in page_text(response)


def test_the_assignee_filter_finds_mine_and_the_unassigned(signed_in, world):
    rudi = colleague(world)
    mine = a.take_report(world.report_in("in_progress"), actor=world.officer)
    theirs = a.take_report(world.report_in("in_progress"), actor=rudi)
    free = world.report_in("in_progress")
    client = signed_in(world.officer)

    assert listed(client.get(INBOX, {"tab": "semua", "assignee": "saya"})) == [mine.tracking_number]
    assert listed(client.get(INBOX, {"tab": "semua", "assignee": "belum"})) == [
        free.tracking_number
    ]
    everything = set(listed(client.get(INBOX, {"tab": "semua"})))
    assert {mine.tracking_number, theirs.tracking_number, free.tracking_number} <= everything


def test_the_agency_admin_filters_by_unit_and_sees_who_works_on_each(signed_in, world):
    in_pu = a.take_report(world.report_in("in_progress"), actor=world.officer)
    in_dlh = world.report_in("in_progress", category="limbah")
    a.redispose_report(
        a.return_not_authority(in_dlh, "Limbah, bukan jalan.", actor=world.officer),
        None,
        unit=world.dlh,
        actor=world.agency_admin,
    )
    client = signed_in(world.agency_admin)

    by_unit = client.get(INBOX, {"tab": "semua", "unit": world.dlh.pk})
    assert listed(by_unit) == [in_dlh.tracking_number]
    pu = client.get(INBOX, {"tab": "semua", "unit": world.dinas_pu.pk})
    assert listed(pu) == [in_pu.tracking_number]
    assert f"Petugas: {world.officer.display_name}" in page_text(pu)
    # Its unit list holds its own units only; "saya" means nothing to an admin.
    units = client.get(INBOX).context["form"].fields["unit"].queryset
    assert set(units) == {world.dinas_pu, world.dlh}
    assert "saya" not in dict(client.get(INBOX).context["form"].fields["assignee"].choices)


@pytest.mark.parametrize(
    "params",
    [{"unit": "99999"}, {"unit": "x"}, {"assignee": "orang-lain"}],
)
def test_a_bad_unit_or_assignee_filter_is_refused_with_a_message(signed_in, world, params):
    response = signed_in(world.agency_admin).get(INBOX, {"tab": "semua", **params})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == set(params)


def test_another_agencys_unit_cannot_be_used_as_a_filter(signed_in, world):
    response = signed_in(world.agency_admin).get(INBOX, {"unit": world.pu_paser.pk})
    assert response.status_code == 400


def test_national_admins_and_supervisors_get_no_assignment_filters(signed_in, world):
    for user in (world.national_admin, world.supervisor):
        fields = signed_in(user).get(INBOX).context["form"].fields
        assert "assignee" not in fields and "unit" not in fields


# -- deadlines in working days ------------------------------------------------------------


def test_working_days_left_count_like_the_deadline_itself(world):
    # Tuesday 17 March 2026: 18-24 March are cuti bersama, Nyepi, Idul Fitri and a weekend,
    # so 5 working days later is Tuesday 31 March.
    start = aware(2026, 3, 17, 10)
    report = world.report_in("dispositioned")
    due = add_working_days(start, 5, WITA)
    assert due.astimezone(dt.timezone(dt.timedelta(hours=8))).date() == dt.date(2026, 3, 31)

    assert working_days_left(report, due, start) == 5  # not 6: today does not count
    assert working_days_left(report, due, aware(2026, 3, 25, 8)) == 4  # after the holidays
    assert working_days_left(report, due, aware(2026, 3, 31, 8)) == 0  # its last day
    assert working_days_left(report, due, aware(2026, 4, 1, 8)) == -1
    # Deadline on Friday 10 April: the weekend after it is late, but no working day late.
    friday = add_working_days(aware(2026, 4, 9, 10), 1, WITA)
    assert working_days_left(report, friday, aware(2026, 4, 11, 10)) == 0
    assert working_days_left(report, friday, aware(2026, 4, 13, 10)) == -1


@pytest.mark.parametrize(
    ("left", "passed", "indonesian", "english"),
    [
        (5, False, "5 hari kerja lagi", "5 working days left"),
        (1, False, "1 hari kerja lagi", "1 working day left"),
        (0, False, "jatuh tempo hari ini", "due today"),
        (0, True, "terlambat, belum 1 hari kerja", "overdue, less than a working day"),
        (-1, True, "terlambat 1 hari kerja", "1 working day overdue"),
        (-3, True, "terlambat 3 hari kerja", "3 working days overdue"),
    ],
)
def test_the_days_left_read_well_in_both_languages(left, passed, indonesian, english):
    with translation.override("id"):
        assert days_left_label(left, passed) == indonesian
    with translation.override("en"):
        assert days_left_label(left, passed) == english


def test_the_inbox_and_the_report_page_show_working_days_next_to_the_date(signed_in, world):
    with time_machine.travel(aware(2026, 7, 6), tick=False):  # Monday
        report = world.submit()  # verification due Thursday 9 July: 3 working days
    with time_machine.travel(aware(2026, 7, 6, 11), tick=False):
        client = signed_in(world.national_admin)
        inbox_page = client.get(INBOX)
        report_page = client.get(report_url(report))
    assert row_of(inbox_page, report).days_left_label == "3 hari kerja lagi"
    assert "(3 hari kerja lagi)" in page_text(inbox_page)
    assert "(3 hari kerja lagi)" in page_text(report_page)
    with time_machine.travel(aware(2026, 7, 13, 11), tick=False):  # the next Monday
        late = signed_in(world.national_admin).get(INBOX)
    assert "(terlambat 2 hari kerja)" in page_text(late)
    assert "ws-days-late" in page_text(late)


# -- appeals ------------------------------------------------------------------------------


def test_an_appeal_is_shown_as_banding_and_a_missed_deadline_as_eskalasi(signed_in, world):
    appealed = a.contest_response(
        world.report_in("responded"), "Lubang belum ditambal.", actor=world.citizen
    )
    late = world.report_in("in_progress")
    a.escalate(late, "completion_due_at", 1, now=late.completion_due_at + dt.timedelta(days=1))
    client = signed_in(world.agency_admin)

    response = client.get(INBOX, {"tab": "semua"})

    row = row_of(response, appealed)
    assert (row.is_appealed, row.is_deadline_escalated) == (True, False)
    row = row_of(response, late)
    assert (row.is_appealed, row.is_deadline_escalated) == (False, True)
    page = page_text(client.get(report_url(appealed)))
    assert ">Banding</span>" in page and ">Eskalasi</span>" not in page
    assert "Pelapor mengajukan banding" in page


def test_an_appeal_that_later_misses_a_deadline_shows_both(world):
    report = a.contest_response(world.report_in("responded"), "Belum.", actor=world.citizen)
    Report.objects.filter(pk=report.pk).update(escalation_level=1)
    report.refresh_from_db()
    assert report.is_appealed and report.is_deadline_escalated


# -- queries ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["agency_admin", "officer"])
def test_the_inbox_with_assignees_and_filters_costs_the_same_for_more_rows(
    signed_in, world, django_assert_max_num_queries, persona
):
    rudi = colleague(world)
    user = getattr(world, persona)
    client = signed_in(user)
    # Rows with and without an assignee, appeals among them; the admin filters by unit.
    params = {"tab": "semua"}
    if persona == "agency_admin":
        params["unit"] = world.dinas_pu.pk
    a.take_report(world.report_in("in_progress"), actor=world.officer)
    world.report_in("dispositioned")
    client.get(INBOX, params)  # fills the per-process memo of filter choices
    with CaptureQueriesContext(connection) as few:
        client.get(INBOX, params)
    for number in range(4):
        a.take_report(world.report_in("in_progress"), actor=rudi if number % 2 else world.officer)
        a.contest_response(world.report_in("responded"), "Belum.", actor=world.citizen)
        world.report_in("dispositioned")
    with django_assert_max_num_queries(18):
        response = client.get(INBOX, params)
    assert len(response.context["reports"]) >= 5
    with CaptureQueriesContext(connection) as many:
        client.get(INBOX, params)
    assert len(many) == len(few)
