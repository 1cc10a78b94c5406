"""The report workspace page: who may open it, the timeline with internal notes set apart,
the reporter's identity behind a logged button, routing and region suggestions, possible
duplicates nearby, and attachments."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aduan.accounts.models import PersonalDataAccess, Role, User
from aduan.regions.models import GeoPlace, GeoPlaceSource
from aduan.reports import actions as a
from aduan.reports import permissions
from aduan.reports.models import ArchiveReason, Attachment, Report, Status
from aduan.reports.permissions import available_actions
from aduan.workspace.views import ACTIONS

from .helpers import action_url, page_text, png, report_url

SITI = "Siti Aminah"


# -- who may open it ----------------------------------------------------------------------


def test_the_staff_link_in_notification_emails_opens_the_report_workspace(signed_in, world):
    report = world.report_in("dispositioned")
    response = signed_in(world.officer).get(f"/petugas/laporan/{report.tracking_number}/")
    assert response.status_code == 200
    assert report.title in page_text(response)


@pytest.mark.parametrize("persona", ["other_admin", "other_officer", "dlh_officer"])
def test_staff_of_another_agency_or_unit_get_not_found(signed_in, world, persona):
    report = world.report_in("in_progress")
    client = signed_in(getattr(world, persona))
    assert client.get(report_url(report)).status_code == 404
    assert client.post(report_url(report, "identitas/")).status_code == 404
    assert (
        client.post(
            action_url(report, "add_internal_note"), {"add_internal_note-text": "x"}
        ).status_code
        == 404
    )


def test_a_citizen_even_the_reporter_cannot_open_the_workspace(signed_in, world):
    report = world.report_in("in_progress")
    assert signed_in(world.citizen).get(report_url(report)).status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, world):
    report = world.report_in("in_progress")
    response = client.get(report_url(report))
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/masuk/?next=")


def test_a_mistyped_or_unknown_tracking_number_is_not_found(signed_in, world):
    report = world.report_in("submitted")
    client = signed_in(world.national_admin)
    typo = report.tracking_number[:-1] + str((int(report.tracking_number[-1]) + 1) % 10)
    assert client.get(f"/petugas/laporan/{typo}/").status_code == 404
    assert client.get("/petugas/laporan/omong-kosong/").status_code == 404


def test_a_supervisor_reads_in_scope_without_any_action_form(signed_in, world):
    report = world.report_in("in_progress")
    response = signed_in(world.supervisor).get(report_url(report))
    assert response.status_code == 200
    assert response.context["action_forms"] == []
    assert "Hanya baca" in page_text(response)
    assert "Tampilkan identitas pelapor" not in page_text(response)


def test_a_supervisor_of_another_area_gets_not_found(signed_in, world):
    report = world.report_in("in_progress")
    jakarta = User.objects.create_user(
        "pengawas_dki", password="x", role=Role.SUPERVISOR, scope_region=world.jakarta
    )
    assert signed_in(jakarta).get(report_url(report)).status_code == 404


# -- what each role may do ----------------------------------------------------------------


def forms_on(response) -> list[str]:
    return [item["key"] for item in response.context["action_forms"]]


def test_each_role_sees_exactly_the_actions_it_may_take_now(signed_in, world):
    submitted = world.report_in("submitted")
    assert forms_on(signed_in(world.national_admin).get(report_url(submitted))) == [
        "verify",
        "dispose",
        "put_on_hold",
        "add_internal_note",
        "set_needs_inspection",
        "archive",
    ]
    disposed = world.report_in("dispositioned")
    assert forms_on(signed_in(world.officer).get(report_url(disposed))) == [
        "take_report",
        "acknowledge",
        "post_progress_update",
        "post_follow_up",
        "put_on_hold",
        "return_not_authority",
        "add_internal_note",
    ]
    responded = world.report_in("responded")
    assert forms_on(signed_in(world.agency_admin).get(report_url(responded))) == [
        "assign_report",
        "add_internal_note",
        "set_needs_inspection",
        "close",
    ]
    returned = world.report_in("returned")
    assert "redispose" in forms_on(signed_in(world.agency_admin).get(report_url(returned)))


def test_only_a_complaint_offers_the_inspection_form(signed_in, world):
    client = signed_in(world.agency_admin)
    complaint = world.report_in("in_progress")
    aspiration = world.report_in("in_progress", report_type="aspiration")
    assert "set_needs_inspection" in forms_on(client.get(report_url(complaint)))
    assert "set_needs_inspection" not in forms_on(client.get(report_url(aspiration)))


def test_the_page_offers_what_the_domain_makes_available_and_has_a_form_for_every_staff_action(
    signed_in, world
):
    # Publishing is offered file by file, beside each attachment, not as a report form.
    staff_actions = (
        permissions.NATIONAL_ACTIONS | permissions.AGENCY_ACTIONS | permissions.UNIT_ACTIONS
    ) - permissions.PUBLISHING_ACTIONS
    assert {spec.permission for spec in ACTIONS.values()} == staff_actions
    held = a.put_on_hold(world.report_in("dispositioned"), "Foto?", actor=world.officer)
    for user in (world.national_admin, world.agency_admin, world.officer):
        for report in (world.report_in("submitted"), held, world.report_in("responded")):
            response = signed_in(user).get(report_url(report))
            if response.status_code == 404:
                continue
            fresh = Report.objects.get(pk=report.pk)
            offered = set(available_actions(user, fresh)) - permissions.PUBLISHING_ACTIONS
            assert sorted(forms_on(response)) == sorted(offered)


def test_a_report_on_hold_after_disposition_cannot_be_archived(signed_in, world):
    report = a.put_on_hold(world.report_in("in_progress"), "Foto?", actor=world.officer)
    response = signed_in(world.national_admin).get(report_url(report))
    assert "archive" not in forms_on(response)


def test_the_forms_carry_the_stable_button_texts(signed_in, world):
    page = page_text(signed_in(world.officer).get(report_url(world.report_in("dispositioned"))))
    for text in (
        "Terima untuk diproses",
        "Kirim tindak lanjut",
        "Minta informasi",
        "Bukan wewenang",
    ):
        assert f">{text}</button>" in page


# -- timeline -----------------------------------------------------------------------------


def test_the_timeline_says_which_deadline_was_missed_and_who_was_told(signed_in, world):
    report = world.report_in("dispositioned")
    later = report.first_response_due_at + dt.timedelta(days=1)
    a.mark_overdue(report, "first_response_due_at", now=later)
    a.escalate(report, "first_response_due_at", 1, now=later)
    entries = signed_in(world.agency_admin).get(report_url(report)).context["timeline"]
    overdue, escalated = entries[-2:]
    assert (str(overdue.label), overdue.internal) == ("Melewati tenggat", True)
    assert [(str(k), str(v)) for k, v in overdue.details][0] == (
        "Tenggat",
        "tindak lanjut pertama",
    )
    assert ("Tingkat", "Admin instansi") in [(str(k), str(v)) for k, v in escalated.details]


def test_the_timeline_shows_every_event_with_internal_notes_set_apart(signed_in, world):
    report = world.report_in("in_progress")
    a.add_internal_note(report, "Cek anggaran pemeliharaan dulu.", actor=world.officer)
    response = signed_in(world.officer).get(report_url(report))
    entries = response.context["timeline"]
    assert [e.event.type for e in entries] == [
        "submitted",
        "dispositioned",
        "acknowledged",
        "internal_note",
    ]
    assert [e.internal for e in entries] == [False, False, False, True]
    page = page_text(response)
    assert '<li class="internal"' in page
    assert "Cek anggaran pemeliharaan dulu." in page
    assert "Dinas Pekerjaan Umum Kutai Timur" in page


def test_the_timeline_names_the_reporter_only_as_pelapor(signed_in, world):
    world.citizen.first_name, world.citizen.last_name = "Siti", "Aminah"
    world.citizen.save(update_fields=["first_name", "last_name"])
    report = world.report_in("dispositioned")
    page = page_text(signed_in(world.officer).get(report_url(report)))
    assert "· Pelapor ·" in page
    assert "Siti" not in page
    assert "warga" not in page.split("<main")[1]


# -- reporter identity --------------------------------------------------------------------


def test_the_identity_is_behind_a_button_and_each_read_is_logged(signed_in, world):
    report = world.report_in("submitted")
    client = signed_in(world.national_admin)
    page = page_text(client.get(report_url(report)))
    assert "Tampilkan identitas pelapor" in page
    assert SITI not in page
    assert not PersonalDataAccess.objects.exists()
    response = client.post(report_url(report, "identitas/"))
    assert response.status_code == 200
    assert SITI in page_text(response)
    assert "6408041234567890" in page_text(response)
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.report, access.purpose) == (
        world.national_admin,
        report,
        "workspace",
    )


def test_the_identity_needs_a_post(signed_in, world):
    report = world.report_in("submitted")
    assert signed_in(world.national_admin).get(report_url(report, "identitas/")).status_code == 405
    assert not PersonalDataAccess.objects.exists()


def test_a_unit_officer_never_sees_an_anonymous_reporter(signed_in, world):
    report = world.report_in("in_progress", is_anonymous=True)
    client = signed_in(world.officer)
    page = page_text(client.get(report_url(report)))
    assert "Tampilkan identitas pelapor" not in page
    assert SITI not in page and "081234567890" not in page
    response = client.post(report_url(report, "identitas/"))
    assert response.status_code == 403
    assert SITI not in page_text(response)
    assert not PersonalDataAccess.objects.exists()


def test_the_receiving_agency_admin_does_not_see_an_anonymous_reporter_either(signed_in, world):
    report = world.report_in("dispositioned", is_anonymous=True)
    client = signed_in(world.agency_admin)
    assert "Tampilkan identitas pelapor" not in page_text(client.get(report_url(report)))
    assert client.post(report_url(report, "identitas/")).status_code == 403


def test_the_national_admin_who_verifies_may_see_an_anonymous_reporter_logged(signed_in, world):
    report = world.report_in("submitted", is_anonymous=True)
    response = signed_in(world.national_admin).post(report_url(report, "identitas/"))
    assert SITI in page_text(response)
    assert PersonalDataAccess.objects.filter(user=world.national_admin, report=report).count() == 1


def test_a_unit_officer_may_see_a_named_reporter_of_its_own_report_logged(signed_in, world):
    report = world.report_in("in_progress")
    response = signed_in(world.officer).post(report_url(report, "identitas/"))
    assert SITI in page_text(response)
    assert PersonalDataAccess.objects.filter(user=world.officer).count() == 1


# -- suggestions --------------------------------------------------------------------------


def test_the_routing_suggestion_with_its_reason_prefills_the_disposition(signed_in, world):
    report = world.report_in("submitted")
    response = signed_in(world.national_admin).get(report_url(report))
    page = page_text(response)
    assert "Saran disposisi" in page
    assert f"aturan #{world.rule_jalan.pk}" in page
    dispose = next(f["form"] for f in response.context["action_forms"] if f["key"] == "dispose")
    assert dispose["agency"].value() == world.pemkab.pk
    assert dispose["unit"].value() == world.dinas_pu.pk


@pytest.fixture
def sangatta_place(world):
    return GeoPlace.objects.create(
        name="Sangatta",
        latitude=0.5,
        longitude=117.55,
        regency=world.kutim,
        district=world.sangatta_utara,
        source=GeoPlaceSource.GEONAMES,
    )


def test_the_region_suggested_from_coordinates_can_be_confirmed_in_one_click(
    signed_in, world, sangatta_place
):
    report = world.submit(region="", latitude="0.501", longitude="117.551")
    assert report.region_id is None and report.suggested_region_id == "64.08.04"
    client = signed_in(world.national_admin)
    page = page_text(client.get(report_url(report)))
    assert "Wilayah dari koordinat" in page and "Sangatta Utara" in page
    assert ">Gunakan wilayah ini</button>" in page
    response = client.post(
        action_url(report, "verify"),
        {
            "verify-title": report.title,
            "verify-category": report.category_id,
            "verify-region": "64.08.04",
            "verify-report_type": report.report_type,
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.region_id == "64.08.04"
    assert report.verified_at is not None


# -- possible duplicates ------------------------------------------------------------------


def test_similar_reports_nearby_are_offered_as_possible_duplicates(signed_in, world):
    original = world.report_in("dispositioned")
    other_topic = world.submit(category="limbah", title="Limbah")
    other_district = world.submit(region="64.08.05", title="Di Sangkulirang")
    report = world.submit()
    response = signed_in(world.national_admin).get(report_url(report))
    similar = [r.tracking_number for r in response.context["similar"]]
    assert similar == [original.tracking_number]
    assert other_topic.tracking_number not in similar
    assert other_district.tracking_number not in similar
    assert ">Arsipkan sebagai duplikat dari ini</button>" in page_text(response)


def test_with_coordinates_only_reports_within_about_a_kilometre_are_similar(signed_in, world):
    near = world.submit(latitude="0.5000", longitude="117.5500")
    far = world.submit(latitude="0.5200", longitude="117.5500")  # about 2.2 km north
    report = world.submit(latitude="0.5050", longitude="117.5520")
    similar = signed_in(world.national_admin).get(report_url(report)).context["similar"]
    assert [r.tracking_number for r in similar] == [near.tracking_number]
    assert far.tracking_number not in {r.tracking_number for r in similar}


def test_reports_older_than_ninety_days_are_not_offered(signed_in, world):
    with time_machine.travel(timezone.now() - dt.timedelta(days=120)):
        world.submit()
    report = world.submit()
    assert signed_in(world.national_admin).get(report_url(report)).context["similar"] == []


def test_archiving_as_a_duplicate_of_a_similar_report_links_them(signed_in, world):
    original = world.report_in("dispositioned")
    report = world.submit()
    response = signed_in(world.national_admin).post(
        action_url(report, "archive"),
        {"archive-reason": "duplicate", "archive-duplicate_of": original.tracking_number},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.ARCHIVED
    assert report.archive_reason == ArchiveReason.DUPLICATE
    assert report.duplicate_of == original


def test_similar_reports_are_only_those_the_user_may_see(signed_in, world):
    paser_report = world.submit(region="64.01")
    a.dispose_report(paser_report, world.pemkab_paser, actor=world.national_admin)
    mine = world.report_in("dispositioned")
    report = world.report_in("dispositioned")
    similar = signed_in(world.officer).get(report_url(report)).context["similar"]
    assert {r.tracking_number for r in similar} == {mine.tracking_number}


def test_a_report_without_a_point_is_matched_by_region_and_category(signed_in, world):
    with_point = world.submit(title="Dengan titik", latitude="0.5000", longitude="117.5500")
    report = world.submit(title="Tanpa titik")
    similar = signed_in(world.national_admin).get(report_url(report)).context["similar"]
    assert [r.tracking_number for r in similar] == [with_point.tracking_number]
    # And the other way round: the report with a point finds the one without.
    similar = signed_in(world.national_admin).get(report_url(with_point)).context["similar"]
    assert [r.tracking_number for r in similar] == [report.tracking_number]


def test_no_duplicate_hint_without_a_shared_category(signed_in, world):
    world.submit(title="Berkategori")
    world.submit(title="Tanpa kategori", category="")
    report = world.submit(title="Juga tanpa kategori", category="")
    response = signed_in(world.national_admin).get(report_url(report))
    assert response.context["similar"] == []
    assert "kemungkinan duplikat" not in page_text(response)


def test_an_original_shows_its_duplicates(signed_in, world):
    original = world.report_in("dispositioned")
    copies = [
        a.archive_report(
            world.submit(title=f"Salinan {i}"),
            "duplicate",
            duplicate_of=original,
            actor=world.national_admin,
        )
        for i in range(2)
    ]
    page = page_text(signed_in(world.national_admin).get(report_url(original)))
    assert "Laporan ini asli dari 2 duplikat" in page
    for copy in copies:
        assert report_url(copy) in page and copy.title in page
    # The agency handling the original cannot open the archived copies: it sees how many.
    page = page_text(signed_in(world.agency_admin).get(report_url(original)))
    assert "Laporan ini asli dari 2 duplikat" in page
    assert "2 duplikat lain di luar wewenang Anda." in page
    assert copies[0].title not in page


def test_supports_show_as_a_count_and_one_timeline_entry_without_identity(signed_in, world):
    report = world.report_in("in_progress")
    for contact in ("a@example.com", "b@example.com", "c@example.com"):
        a.support_report(report, a.supporter_key(report, contact), actor=None)
    response = signed_in(world.officer).get(report_url(report))
    page = page_text(response)
    assert "Warga yang juga mengalami" in page
    supports = [e for e in response.context["timeline"] if e.event.type == "supported"]
    assert len(supports) == 1
    assert supports[0].actor == "Warga" and supports[0].text == "Sejauh ini 3 orang."
    assert "example.com" not in page


# -- attachments --------------------------------------------------------------------------


def test_staff_open_attachments_including_internal_ones(signed_in, world):
    report = world.report_in("in_progress")
    a.add_internal_note(report, "Foto survei.", actor=world.officer, files=[png("survei.png")])
    attachment = Attachment.objects.get(report=report)
    assert attachment.visibility == "internal"
    client = signed_in(world.officer)
    page = page_text(client.get(report_url(report)))
    url = report_url(report, f"lampiran/{attachment.uuid}/")
    assert url in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_attachments_are_refused_to_outsiders_and_through_another_report(signed_in, world):
    report = world.report_in("in_progress")
    a.add_internal_note(report, "Foto.", actor=world.officer, files=[png()])
    attachment = Attachment.objects.get(report=report)
    other = world.report_in("in_progress")
    assert (
        signed_in(world.dlh_officer)
        .get(report_url(report, f"lampiran/{attachment.uuid}/"))
        .status_code
        == 404
    )
    assert (
        signed_in(world.officer).get(report_url(other, f"lampiran/{attachment.uuid}/")).status_code
        == 404
    )
    assert (
        signed_in(world.citizen).get(report_url(report, f"lampiran/{attachment.uuid}/")).status_code
        == 403
    )


# -- queries ------------------------------------------------------------------------------


def test_the_page_query_count_does_not_grow_with_the_history(signed_in, world):
    report = world.report_in("in_progress")
    client = signed_in(world.agency_admin)
    client.get(report_url(report))  # fills the per-process memo of reference data
    with CaptureQueriesContext(connection) as short:
        client.get(report_url(report))
    for i in range(6):
        a.add_internal_note(
            report, f"Catatan {i}", actor=world.officer, files=[png()] if i < 3 else []
        )
    with CaptureQueriesContext(connection) as long:
        response = client.get(report_url(report))
    assert len(response.context["timeline"]) == 9
    assert len(long) == len(short)
    assert len(long) <= 30


# What one view of the report page costs with every part of the page filled: the
# session, the user with its agency, the reference version, the report with its related
# rows (reporter included) and, as subqueries of the same statement, the number of its
# duplicates and its cluster, campaign and whether suggestions wait; all its attachments
# once, the events, the messages and notices, similar reports, the duplicates shown,
# pending federation commands, the unit's officers and the canned replies, one query each
# (13; 19 before the duplicates' count and the cluster card's three queries went into the
# report's statement and the user's agency came with the user).
# A query per event, attachment, similar report, duplicate or reply (an N+1) fails this.
REPORT_PAGE_MAX_QUERIES = 13


@pytest.mark.parametrize("persona", ["agency_admin", "officer"])
def test_a_full_report_page_costs_a_fixed_number_of_queries(
    signed_in, world, django_assert_max_num_queries, persona
):
    from aduan.agencies.models import CannedResponse

    def grow(report, round_):
        for i in range(3):
            # At most 5 files per report: the report's own and two notes' per round.
            files = [png(f"{i}.png")] if i < 2 else []
            a.add_internal_note(report, f"Catatan {round_}-{i}", actor=world.officer, files=files)
            CannedResponse.objects.create(
                agency=world.pemkab, title=f"Jawaban {round_}-{i}", body="Sudah dijadwalkan."
            )
            world.submit(title=f"Jalan berlubang lagi {round_}-{i}")
            a.archive_report(
                world.submit(title=f"Salinan {round_}-{i}"),
                "duplicate",
                duplicate_of=report,
                actor=world.national_admin,
            )
        a.support_report(report, a.supporter_key(report, f"{round_}@example.com"), actor=None)

    report = world.report_in("in_progress", files=[png("laporan.png")])
    a.take_report(report, actor=world.officer)
    grow(report, 1)
    client = signed_in(getattr(world, persona))
    client.get(report_url(report))  # fills the per-process memo of reference data
    with CaptureQueriesContext(connection) as few:
        client.get(report_url(report))
    grow(report, 2)
    with django_assert_max_num_queries(REPORT_PAGE_MAX_QUERIES):
        response = client.get(report_url(report))
    assert response.status_code == 200
    assert len([e for e in response.context["timeline"] if e.attachments]) == 5
    assert response.context["duplicates"]["total"] == 6
    assert len(few) <= REPORT_PAGE_MAX_QUERIES


def test_coordinates_are_shown_for_the_verifier(signed_in, world):
    report = world.submit(latitude="0.5", longitude="117.55")
    page = page_text(signed_in(world.national_admin).get(report_url(report)))
    assert "0.500000, 117.550000" in page
