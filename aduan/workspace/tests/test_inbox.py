"""The inbox: one set of work queues per role, bounded counts, filters, sorting, SLA
badges, pagination, and a fixed number of queries however many reports there are."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aduan.reports import actions as a
from aduan.workspace import inbox
from conftest import aware

from .helpers import page_text

INBOX = "/petugas/"
TAB_COUNTS = "/petugas/jumlah-antrean/"


def listed(response) -> set[str]:
    return {r.tracking_number for r in response.context["reports"]}


def tab_counts(response) -> dict[str, str]:
    return {item["tab"].key: item["count"] for item in response.context["tabs"]}


# -- who may open it ----------------------------------------------------------------------


def test_the_inbox_sends_anonymous_visitors_to_the_login_page(client, db):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert response["Location"] == "/akun/masuk/?next=/petugas/"


def test_citizens_are_refused(signed_in, world):
    assert signed_in(world.citizen).get(INBOX).status_code == 403


# -- queues per role ----------------------------------------------------------------------


def test_the_national_admin_sees_what_awaits_verification_first(signed_in, world):
    submitted = world.report_in("submitted")
    on_hold = world.report_in("on_hold")
    disposed = world.report_in("dispositioned")
    response = signed_in(world.national_admin).get(INBOX)
    assert response.status_code == 200
    assert [t["tab"].key for t in response.context["tabs"]] == [
        "verifikasi",
        "dikembalikan",
        "eskalasi",
        "terlambat",
        "semua",
    ]
    assert listed(response) == {submitted.tracking_number, on_hold.tracking_number}
    assert disposed.tracking_number not in page_text(response)
    assert tab_counts(response)["verifikasi"] == "2"
    counts = signed_in(world.national_admin).get(TAB_COUNTS).json()["tabs"]
    assert counts["verifikasi"]["count"] == "2"
    assert counts["semua"]["count"] == "3"


def test_the_national_admin_sees_reports_returned_by_an_agency(signed_in, world):
    returned_by_agency = a.return_not_authority(
        a.dispose_report(world.submit(), world.pemkab, actor=world.national_admin),
        "Bukan urusan kabupaten.",
        actor=world.agency_admin,
    )
    returned_by_unit = world.report_in("returned")
    response = signed_in(world.national_admin).get(INBOX, {"tab": "dikembalikan"})
    assert listed(response) == {returned_by_agency.tracking_number}
    assert returned_by_unit.tracking_number not in listed(response)


def test_the_national_admin_sees_escalated_reports(signed_in, world):
    contested = world.report_in("responded")
    a.contest_response(contested, "Jalan belum diperbaiki.", actor=world.citizen)
    world.report_in("in_progress")
    response = signed_in(world.national_admin).get(INBOX, {"tab": "eskalasi"})
    assert listed(response) == {contested.tracking_number}


def test_the_agency_admin_sees_its_work_queues_and_nothing_of_other_agencies(signed_in, world):
    awaiting_unit = a.dispose_report(world.submit(), world.pemkab, actor=world.national_admin)
    returned = world.report_in("returned")
    with_unit = world.report_in("in_progress")
    paser = a.dispose_report(
        world.submit(region="64.01"), world.pemkab_paser, actor=world.national_admin
    )
    client = signed_in(world.agency_admin)
    response = client.get(INBOX)
    assert [t["tab"].key for t in response.context["tabs"]] == [
        "perlu-diteruskan",
        "dikembalikan",
        "diproses",
        "terlambat",
        "semua",
    ]
    assert listed(response) == {awaiting_unit.tracking_number}
    assert listed(client.get(INBOX, {"tab": "dikembalikan"})) == {returned.tracking_number}
    assert listed(client.get(INBOX, {"tab": "diproses"})) == {with_unit.tracking_number}
    everything = client.get(INBOX, {"tab": "semua"})
    assert paser.tracking_number not in listed(everything)
    assert paser.tracking_number not in page_text(everything)


def test_an_agency_that_verifies_its_own_region_gets_a_verification_queue(signed_in, world):
    world.pemkab.verifies_own_region = True
    world.pemkab.save(update_fields=["verifies_own_region"])
    in_region = world.submit()
    elsewhere = world.submit(region="64.01")
    response = signed_in(world.agency_admin).get(INBOX)
    assert response.context["current_tab"].key == "verifikasi"
    assert listed(response) == {in_region.tracking_number}
    assert elsewhere.tracking_number not in page_text(response)


def test_the_unit_officer_sees_its_units_reports_by_stage(signed_in, world):
    new = world.report_in("dispositioned")
    in_progress = world.report_in("in_progress")
    responded = world.report_in("responded")
    waiting = a.put_on_hold(world.report_in("in_progress"), "Foto lokasi?", actor=world.officer)
    dlh = a.dispose_report(world.submit(), world.pemkab, unit=world.dlh, actor=world.national_admin)
    client = signed_in(world.officer)
    assert listed(client.get(INBOX)) == {new.tracking_number}
    assert listed(client.get(INBOX, {"tab": "diproses"})) == {in_progress.tracking_number}
    assert listed(client.get(INBOX, {"tab": "menunggu-pelapor"})) == {waiting.tracking_number}
    assert listed(client.get(INBOX, {"tab": "ditanggapi"})) == {responded.tracking_number}
    assert dlh.tracking_number not in page_text(client.get(INBOX, {"tab": "semua"}))


def test_the_supervisor_reads_escalations_and_overdue_reports_without_bulk_actions(
    signed_in, world
):
    late = world.report_in("in_progress")
    response = signed_in(world.supervisor).get(INBOX)
    assert [t["tab"].key for t in response.context["tabs"]] == ["eskalasi", "terlambat", "semua"]
    assert response.context["bulk_form"] is None
    assert 'name="reports"' not in page_text(response)
    with time_machine.travel(late.next_due_at + dt.timedelta(hours=1)):
        overdue = signed_in(world.supervisor).get(INBOX, {"tab": "terlambat"})
    assert listed(overdue) == {late.tracking_number}


def test_a_supervisor_outside_the_region_sees_none_of_its_reports(signed_in, world):
    from aduan.accounts.models import Role, User

    world.report_in("in_progress")
    jakarta = User.objects.create_user(
        "pengawas_dki", password="x", role=Role.SUPERVISOR, scope_region=world.jakarta
    )
    response = signed_in(jakarta).get(INBOX, {"tab": "semua"})
    assert listed(response) == set()
    assert tab_counts(response)["semua"] == "0"


def test_an_unknown_tab_falls_back_to_the_first_queue(signed_in, world):
    response = signed_in(world.officer).get(INBOX, {"tab": "tidak-ada"})
    assert response.status_code == 200
    assert response.context["current_tab"].key == "baru"


# -- counts -------------------------------------------------------------------------------


def test_tab_counts_stop_at_the_limit(signed_in, world, monkeypatch):
    monkeypatch.setattr(inbox, "COUNT_LIMIT", 3)
    for _ in range(5):
        world.submit()
    response = signed_in(world.national_admin).get(INBOX)
    assert tab_counts(response)["verifikasi"] == "3+"
    assert ">3+</span>" in page_text(response)


def test_the_page_counts_its_own_tab_and_the_others_come_after_it(signed_in, world):
    world.report_in("submitted")
    world.report_in("submitted")
    world.report_in("in_progress")
    client = signed_in(world.national_admin)
    response = client.get(INBOX)
    assert tab_counts(response) == {
        "verifikasi": "2",
        "dikembalikan": None,
        "eskalasi": None,
        "terlambat": None,
        "semua": None,
    }
    text = page_text(response)
    assert 'data-tab-counts="/petugas/jumlah-antrean/"' in text
    assert '<span class="count" data-tab-count="semua" hidden></span>' in text
    answer = client.get(TAB_COUNTS)
    assert answer["Cache-Control"] == "private, no-store"
    assert answer.json()["tabs"] == {
        "verifikasi": {"count": "2", "label": "2 laporan"},
        "dikembalikan": {"count": "0", "label": "0 laporan"},
        "eskalasi": {"count": "0", "label": "0 laporan"},
        "terlambat": {"count": "0", "label": "0 laporan"},
        "semua": {"count": "3", "label": "3 laporan"},
    }
    # Kept for a short time: the next views show them at once, without counting them.
    with CaptureQueriesContext(connection) as queries:
        again = client.get(INBOX, {"tab": "semua"})
    assert tab_counts(again) == {
        "verifikasi": "2",
        "dikembalikan": "0",
        "eskalasi": "0",
        "terlambat": "0",
        "semua": "3",
    }
    assert "data-tab-counts" not in page_text(again)
    (counting,) = [q["sql"] for q in queries if "COUNT(*)" in q["sql"]]
    assert counting.count("COUNT(*)") == 1


def test_the_tabs_counted_after_the_page_are_counted_again_after_a_change(signed_in, world):
    report = world.report_in("submitted")
    client = signed_in(world.national_admin)
    client.get(TAB_COUNTS)
    assert tab_counts(client.get(INBOX))["semua"] == "1"
    world.report_in("in_progress")
    # Others' changes show within TAB_COUNTS_SECONDS; the user's own at once.
    assert tab_counts(client.get(INBOX))["semua"] == "1"
    note = {"add_internal_note-text": "Dicek."}
    client.post(f"/petugas/laporan/{report.tracking_number}/tindakan/add_internal_note/", note)
    assert tab_counts(client.get(INBOX))["semua"] is None
    client.get(TAB_COUNTS)
    assert tab_counts(client.get(INBOX))["semua"] == "2"
    world.report_in("in_progress")
    later = timezone.now() + dt.timedelta(seconds=inbox.TAB_COUNTS_SECONDS + 1)
    with time_machine.travel(later):
        assert tab_counts(client.get(INBOX))["semua"] is None
        client.get(TAB_COUNTS)
        assert tab_counts(client.get(INBOX))["semua"] == "3"


def test_counts_kept_for_another_user_or_role_are_not_shown(world):
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    now = timezone.now()
    inbox.remember_counts(session, world.agency_admin, {"semua": 4}, now)
    assert inbox.remembered_counts(session, world.agency_admin, now) == {"semua": 4}
    assert inbox.remembered_counts(session, world.national_admin, now) == {}
    world.agency_admin.agency = world.pemkab_paser
    assert inbox.remembered_counts(session, world.agency_admin, now) == {}


def test_the_tab_counts_are_for_staff_only(client, signed_in, world):
    assert client.get(TAB_COUNTS).status_code == 302
    assert signed_in(world.citizen).get(TAB_COUNTS).status_code == 403
    world.report_in("in_progress")
    counts = signed_in(world.agency_admin).get(TAB_COUNTS).json()["tabs"]
    assert counts["semua"]["count"] == "1"
    other = signed_in(world.other_admin).get(TAB_COUNTS).json()["tabs"]
    assert other["semua"]["count"] == "0"


def test_a_bounded_count_is_one_query_with_a_limit(world):
    from aduan.reports.models import Report

    with CaptureQueriesContext(connection) as queries:
        inbox.bounded_count(Report.objects.all())
    assert len(queries) == 1
    assert "LIMIT 1001" in queries[0]["sql"]


def test_bounded_counts_are_the_bounded_counts_in_one_query(world, monkeypatch):
    from aduan.reports.models import Report

    monkeypatch.setattr(inbox, "COUNT_LIMIT", 3)
    for _ in range(5):
        world.submit()
    world.report_in("dispositioned")
    querysets = [
        Report.objects.all(),
        Report.objects.filter(status="dispositioned"),
        Report.objects.none(),
        Report.objects.filter(status="closed"),
    ]
    with CaptureQueriesContext(connection) as queries:
        counts = inbox.bounded_counts(querysets)
    assert counts == [4, 1, 0, 0]
    assert counts == [inbox.bounded_count(qs) for qs in querysets]
    assert len(queries) == 1
    assert inbox.bounded_counts([]) == []
    assert inbox.bounded_counts([Report.objects.none()]) == [0]


# -- filters and sorting ------------------------------------------------------------------


def test_search_finds_a_report_by_title_or_opens_a_loosely_typed_tracking_number(signed_in, world):
    road = world.submit()
    waste = world.submit(title="Limbah sawit mencemari sungai", category="limbah")
    client = signed_in(world.national_admin)
    assert listed(client.get(INBOX, {"q": "sawit"})) == {waste.tracking_number}
    loose = road.tracking_number.replace("-", " ").lower()
    response = client.get(INBOX, {"q": loose})
    assert response.status_code == 302
    assert response["Location"] == f"/petugas/laporan/{road.tracking_number}/"


def test_filters_by_category_including_sub_categories_region_type_and_channel(signed_in, world):
    road = world.submit()
    waste = world.submit(title="Limbah", category="limbah", region="64.08.05")
    aspiration = world.submit(report_type="aspiration", title="Usul taman kota")
    by_phone = world.submit(channel="phone", title="Via telepon")
    client = signed_in(world.national_admin)
    everything = {"tab": "semua"}
    assert listed(client.get(INBOX, everything | {"category": world.lingkungan.pk})) == {
        waste.tracking_number
    }
    assert listed(client.get(INBOX, everything | {"region": "64.08.05"})) == {waste.tracking_number}
    assert listed(client.get(INBOX, everything | {"report_type": "aspiration"})) == {
        aspiration.tracking_number
    }
    assert listed(client.get(INBOX, everything | {"channel": "phone"})) == {
        by_phone.tracking_number
    }
    assert road.tracking_number in listed(client.get(INBOX, everything | {"channel": "web"}))


def test_filters_by_status_and_overdue(signed_in, world):
    held = world.report_in("on_hold")
    fresh = world.submit()
    client = signed_in(world.national_admin)
    assert listed(client.get(INBOX, {"tab": "semua", "status": "on_hold"})) == {
        held.tracking_number
    }
    with time_machine.travel(fresh.verify_due_at + dt.timedelta(hours=1)):
        client = signed_in(world.national_admin)  # the old session has expired by then
        overdue = client.get(INBOX, {"tab": "semua", "overdue": "on"})
    # On hold the clocks are paused: only the waiting-for-verification report is late.
    assert listed(overdue) == {fresh.tracking_number}


def test_the_region_filter_offers_the_users_area(signed_in, world):
    form = signed_in(world.agency_admin).get(INBOX).context["form"]
    assert [code for code, _ in form.fields["region"].choices] == [
        "",
        "64.08",
        "64.08.04",
        "64.08.05",
    ]


def test_an_invalid_filter_is_refused_with_a_message(signed_in, world):
    response = signed_in(world.agency_admin).get(INBOX, {"region": "99.99", "status": "nope"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"region", "status"}


def test_sorting_by_deadline_puts_the_nearest_first_and_reports_without_one_last(signed_in, world):
    # Two days apart in a week without holidays, so the deadlines are two days apart too
    # (around Idul Fitri both could fall on the same day).
    with time_machine.travel(aware(2026, 7, 6), tick=False):  # Monday: due Thursday 9 July
        older = world.submit(title="Lama")
    with time_machine.travel(aware(2026, 7, 8)):  # Wednesday: due Monday 13 July
        newer = world.submit(title="Baru")
        held = world.report_in("on_hold")  # paused: no running deadline
        client = signed_in(world.national_admin)
        by_deadline = [r.tracking_number for r in client.get(INBOX).context["reports"]]
        newest_first = client.get(INBOX, {"sort": "newest"}).context["reports"]
    assert older.verify_due_at < newer.verify_due_at
    assert by_deadline == [older.tracking_number, newer.tracking_number, held.tracking_number]
    assert [r.tracking_number for r in newest_first][0] == held.tracking_number


def test_the_everything_tab_lists_newest_first(signed_in, world):
    first = world.submit()
    second = world.submit()
    response = signed_in(world.national_admin).get(INBOX, {"tab": "semua"})
    assert [r.tracking_number for r in response.context["reports"]] == [
        second.tracking_number,
        first.tracking_number,
    ]


# -- SLA badges ---------------------------------------------------------------------------


def badge(response, report) -> str:
    row = next(r for r in response.context["reports"] if r.pk == report.pk)
    return row.sla_state


def test_sla_badges_say_on_time_due_soon_or_overdue(signed_in, world):
    report = world.submit()
    client = signed_in(world.national_admin)
    assert badge(client.get(INBOX), report) == "on_time"
    assert "Tepat waktu" in page_text(client.get(INBOX))
    with time_machine.travel(report.verify_due_at - dt.timedelta(hours=2)):
        soon = signed_in(world.national_admin).get(INBOX)
    assert badge(soon, report) == "due_soon"
    assert "Segera jatuh tempo" in page_text(soon)
    with time_machine.travel(report.verify_due_at + dt.timedelta(minutes=1)):
        late = signed_in(world.national_admin).get(INBOX)
    assert badge(late, report) == "overdue"
    assert "ws-row-overdue" in page_text(late)


# -- pagination and query counts ----------------------------------------------------------


def test_the_inbox_pages_through_long_queues(signed_in, world, monkeypatch):
    monkeypatch.setattr(inbox, "PAGE_SIZE", 4)
    for _ in range(6):
        world.submit()
    client = signed_in(world.national_admin)
    first = client.get(INBOX)
    assert len(first.context["reports"]) == 4
    assert first.context["has_next"] is True
    assert "halaman=2" in page_text(first)
    second = client.get(INBOX, {"halaman": 2})
    assert len(second.context["reports"]) == 2
    assert second.context["has_next"] is False
    assert not listed(first) & listed(second)
    assert client.get(INBOX, {"halaman": "x"}).status_code == 200


@pytest.mark.parametrize("number", ["99999999999999999999", "1" + "0" * 5000, "-7"])
def test_an_absurd_page_number_is_an_empty_page_not_a_500(signed_in, world, number):
    """The attack: /petugas/?halaman=99999999999999999999 answered 500."""
    world.submit()
    response = signed_in(world.national_admin).get(INBOX, {"halaman": number})
    assert response.status_code == 200
    if number.startswith("-"):
        assert len(response.context["reports"]) == 1
    else:
        assert response.context["reports"] == []


@pytest.mark.parametrize("persona", ["national_admin", "agency_admin", "officer", "supervisor"])
def test_the_inbox_query_count_does_not_grow_with_the_number_of_reports(
    signed_in, world, django_assert_max_num_queries, persona
):
    user = getattr(world, persona)
    client = signed_in(user)
    world.report_in("in_progress")
    world.report_in("dispositioned")
    client.get(INBOX, {"tab": "semua"})  # fills the per-process memo of filter choices
    with CaptureQueriesContext(connection) as few:
        client.get(INBOX, {"tab": "semua"})
    for _ in range(4):
        world.report_in("in_progress")
        world.report_in("dispositioned", is_anonymous=True, category="limbah")
    with django_assert_max_num_queries(16):
        response = client.get(INBOX, {"tab": "semua"})
    assert len(response.context["reports"]) == 10
    with CaptureQueriesContext(connection) as many:
        client.get(INBOX, {"tab": "semua"})
    assert len(many) == len(few)
