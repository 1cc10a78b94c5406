"""Every lifecycle action form of the report workspace: it goes through the domain action,
bad input gives a clear message and writes nothing, and people who may not act are
refused."""

import pytest
from django.test import Client

from aduan.agencies.models import CannedResponse
from aduan.notifications.models import Notification
from aduan.reports import actions as a
from aduan.reports.models import Attachment, EventType, Report, ReportEvent, Status

from .helpers import action_url, page_text, png, report_url


def post(client, report, action, data=None, **extra):
    return client.post(action_url(report, action), data or {}, **extra)


def reloaded(report) -> Report:
    return Report.objects.get(pk=report.pk)


def last_event(report) -> ReportEvent:
    return ReportEvent.objects.filter(report=report).order_by("-seq").first()


def assert_unchanged(report, before: Report):
    after = reloaded(report)
    assert (after.status, after.last_event_seq, after.agency_id, after.unit_id) == (
        before.status,
        before.last_event_seq,
        before.agency_id,
        before.unit_id,
    )


# -- verify -------------------------------------------------------------------------------


def test_the_verifier_corrects_title_category_region_and_type(signed_in, world):
    report = world.report_in("submitted")
    response = post(
        signed_in(world.national_admin),
        report,
        "verify",
        {
            "verify-title": "Jalan poros rusak berat di KM 12",
            "verify-category": world.jalan.pk,
            "verify-region": "64.08.05",
            "verify-report_type": "complaint",
            "verify-is_confidential": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == report_url(report)
    report = reloaded(report)
    assert report.title == "Jalan poros rusak berat di KM 12"
    assert (report.region_id, report.is_confidential) == ("64.08.05", True)
    assert last_event(report).type == EventType.VERIFIED


def test_an_unknown_region_code_is_refused_and_nothing_changes(signed_in, world):
    report = world.report_in("submitted")
    response = post(
        signed_in(world.national_admin),
        report,
        "verify",
        {"verify-title": "Baru", "verify-region": "99.99.99", "verify-report_type": "complaint"},
    )
    assert response.status_code == 400
    assert "Kode wilayah tidak dikenal." in page_text(response)
    assert reloaded(report).title == report.title
    assert_unchanged(report, report)


# -- dispose ------------------------------------------------------------------------------


def test_the_national_admin_disposes_to_an_agency_and_its_unit(signed_in, world):
    report = world.report_in("submitted")
    response = post(
        signed_in(world.national_admin),
        report,
        "dispose",
        {
            "dispose-agency": world.pemkab.pk,
            "dispose-unit": world.dinas_pu.pk,
            "dispose-needs_inspection": "on",
            "dispose-note": "Prioritaskan, jalan poros.",
        },
    )
    assert response.status_code == 302
    report = reloaded(report)
    assert (report.status, report.agency, report.unit) == (
        Status.DISPOSITIONED,
        world.pemkab,
        world.dinas_pu,
    )
    assert report.needs_inspection is True
    assert Notification.objects.filter(report=report, template="new_disposition").exists()


def test_disposing_to_a_unit_of_another_agency_is_refused_with_the_reason(signed_in, world):
    report = world.report_in("submitted")
    response = post(
        signed_in(world.national_admin),
        report,
        "dispose",
        {"dispose-agency": world.pemkab.pk, "dispose-unit": world.pu_paser.pk},
    )
    assert response.status_code == 400
    form = next(f["form"] for f in response.context["action_forms"] if f["key"] == "dispose")
    assert "unit" in form.errors
    assert_unchanged(report, report)


def test_disposing_without_an_agency_is_refused(signed_in, world):
    report = world.report_in("submitted")
    response = post(signed_in(world.national_admin), report, "dispose", {"dispose-agency": ""})
    assert response.status_code == 400
    assert response.context["action_forms"]
    assert_unchanged(report, report)


def test_choosing_another_agency_lists_its_units_without_disposing(signed_in, world):
    report = world.report_in("submitted")
    response = post(
        signed_in(world.national_admin),
        report,
        "dispose",
        {"dispose-agency": world.pemkab_paser.pk, "show_units": "1", "dispose-note": "catatan"},
    )
    assert response.status_code == 200
    form = next(f["form"] for f in response.context["action_forms"] if f["key"] == "dispose")
    assert list(form.fields["unit"].queryset) == [world.pu_paser]
    assert form["agency"].value() == world.pemkab_paser.pk
    assert form["note"].value() == "catatan"
    assert_unchanged(report, report)


def test_an_agency_admin_without_delegated_verification_may_not_dispose(signed_in, world):
    report = world.report_in("submitted")
    response = post(
        signed_in(world.agency_admin), report, "dispose", {"dispose-agency": world.pemkab.pk}
    )
    assert response.status_code == 404  # not even visible to it
    assert_unchanged(report, report)


def test_an_agency_admin_with_delegated_verification_disposes_to_itself_only(signed_in, world):
    world.pemkab.verifies_own_region = True
    world.pemkab.save(update_fields=["verifies_own_region"])
    report = world.report_in("submitted")
    client = signed_in(world.agency_admin)
    refused = post(client, report, "dispose", {"dispose-agency": world.pemkab_paser.pk})
    assert refused.status_code == 400
    assert_unchanged(report, report)
    response = post(
        client, report, "dispose", {"dispose-agency": world.pemkab.pk, "dispose-unit": world.dlh.pk}
    )
    assert response.status_code == 302
    assert reloaded(report).unit == world.dlh


# -- put on hold, archive -----------------------------------------------------------------


def test_asking_the_reporter_for_information_pauses_the_report(signed_in, world):
    report = world.report_in("in_progress")
    response = post(
        signed_in(world.officer),
        report,
        "put_on_hold",
        {"put_on_hold-question": "Mohon kirim foto titik lubang."},
    )
    assert response.status_code == 302
    report = reloaded(report)
    assert report.status == Status.ON_HOLD
    assert Notification.objects.filter(report=report, template="information_requested").exists()


def test_an_empty_question_is_refused(signed_in, world):
    report = world.report_in("in_progress")
    response = post(signed_in(world.officer), report, "put_on_hold", {"put_on_hold-question": "  "})
    assert response.status_code == 400
    assert_unchanged(report, report)


def test_archiving_with_a_reason(signed_in, world):
    report = world.report_in("submitted")
    response = post(
        signed_in(world.national_admin),
        report,
        "archive",
        {"archive-reason": "spam", "archive-note": "Iklan."},
    )
    assert response.status_code == 302
    report = reloaded(report)
    assert (report.status, report.archive_reason) == (Status.ARCHIVED, "spam")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"archive-reason": "duplicate"}, "Sebutkan nomor laporan asli untuk duplikat."),
        (
            {"archive-reason": "duplicate", "archive-duplicate_of": "PST-26-0000999-0"},
            "Laporan asli tidak ditemukan.",
        ),
        ({"archive-reason": "bukan-alasan"}, None),
    ],
)
def test_bad_archive_requests_are_refused_with_a_message(signed_in, world, data, message):
    report = world.report_in("submitted")
    response = post(signed_in(world.national_admin), report, "archive", data)
    assert response.status_code == 400
    form = next(f["form"] for f in response.context["action_forms"] if f["key"] == "archive")
    assert form.errors
    if message:
        assert message in page_text(response)
    assert_unchanged(report, report)


def test_a_report_cannot_be_archived_as_a_duplicate_of_a_report_the_admin_cannot_see(
    signed_in, world
):
    world.pemkab.verifies_own_region = True
    world.pemkab.save(update_fields=["verifies_own_region"])
    paser = world.submit(region="64.01")
    report = world.report_in("submitted")
    response = post(
        signed_in(world.agency_admin),
        report,
        "archive",
        {"archive-reason": "duplicate", "archive-duplicate_of": paser.tracking_number},
    )
    assert response.status_code == 400
    assert "Laporan asli tidak ditemukan." in page_text(response)
    assert_unchanged(report, report)


# -- forward, return, redispose -----------------------------------------------------------


def test_the_agency_admin_forwards_a_report_to_a_unit(signed_in, world):
    report = a.dispose_report(world.submit(), world.pemkab, actor=world.national_admin)
    response = post(
        signed_in(world.agency_admin),
        report,
        "forward_to_unit",
        {"forward_to_unit-unit": world.dinas_pu.pk, "forward_to_unit-note": "Mohon segera."},
    )
    assert response.status_code == 302
    report = reloaded(report)
    assert report.unit == world.dinas_pu
    assert EventType.FORWARDED in set(report.events.values_list("type", flat=True))


def test_forwarding_to_a_unit_of_another_agency_is_refused(signed_in, world):
    report = a.dispose_report(world.submit(), world.pemkab, actor=world.national_admin)
    response = post(
        signed_in(world.agency_admin),
        report,
        "forward_to_unit",
        {"forward_to_unit-unit": world.pu_paser.pk},
    )
    assert response.status_code == 400
    assert_unchanged(report, report)


def test_the_unit_returns_a_report_that_is_not_its_authority(signed_in, world):
    report = world.report_in("dispositioned")
    response = post(
        signed_in(world.officer),
        report,
        "return_not_authority",
        {"return_not_authority-reason": "Jalan nasional, bukan kabupaten."},
    )
    assert response.status_code == 302
    report = reloaded(report)
    assert (report.status, report.returned_to, report.unit) == (Status.RETURNED, "agency", None)


def test_a_unit_officer_who_returns_a_report_goes_back_to_the_inbox_with_a_confirmation(
    signed_in, world
):
    report = world.report_in("dispositioned")
    client = signed_in(world.officer)
    response = post(
        client,
        report,
        "return_not_authority",
        {"return_not_authority-reason": "Jalan nasional, bukan kabupaten."},
    )
    # The report went back to the agency admin: the officer may no longer open it.
    assert response.status_code == 302
    assert response["Location"] == "/petugas/"
    inbox = client.get(response["Location"])
    assert inbox.status_code == 200
    assert (
        f"Laporan {report.tracking_number} dikembalikan sebagai bukan wewenang dan tidak lagi "
        "ada di antrean Anda."
    ) in page_text(inbox)
    assert client.get(report_url(report)).status_code == 404
    assert reloaded(report).status == Status.RETURNED


def test_the_confirmation_after_a_return_is_translated(signed_in, world):
    report = world.report_in("in_progress")
    world.officer.language = "en"  # chosen once with the language switch
    world.officer.save(update_fields=["language"])
    client = signed_in(world.officer)
    response = post(
        client,
        report,
        "return_not_authority",
        {"return_not_authority-reason": "Bukan wewenang kami."},
    )
    inbox = client.get(response["Location"])
    assert (
        f"Report {report.tracking_number} was returned as not our authority and is no longer "
        "in your queue."
    ) in page_text(inbox)


def test_an_agency_admin_who_returns_a_report_still_sees_it(signed_in, world):
    report = a.dispose_report(world.submit(), world.pemkab, actor=world.national_admin)
    response = post(
        signed_in(world.agency_admin),
        report,
        "return_not_authority",
        {"return_not_authority-reason": "Wewenang provinsi."},
    )
    assert response.status_code == 302
    assert response["Location"] == report_url(report)
    assert reloaded(report).returned_to == "national"


def test_returning_without_a_reason_is_refused(signed_in, world):
    report = world.report_in("dispositioned")
    response = post(signed_in(world.officer), report, "return_not_authority", {})
    assert response.status_code == 400
    assert_unchanged(report, report)


def test_the_agency_admin_redisposes_a_returned_report_to_another_unit(signed_in, world):
    report = world.report_in("returned")
    client = signed_in(world.agency_admin)
    form = next(
        f["form"]
        for f in client.get(report_url(report)).context["action_forms"]
        if f["key"] == "redispose"
    )
    assert "agency" not in form.fields
    response = post(client, report, "redispose", {"redispose-unit": world.dlh.pk})
    assert response.status_code == 302
    report = reloaded(report)
    assert (report.status, report.unit) == (Status.DISPOSITIONED, world.dlh)


def test_redisposing_without_a_unit_is_refused(signed_in, world):
    report = world.report_in("returned")
    response = post(signed_in(world.agency_admin), report, "redispose", {"redispose-unit": ""})
    assert response.status_code == 400
    assert_unchanged(report, report)


def test_the_national_admin_redisposes_an_agencys_return_to_another_agency(signed_in, world):
    report = a.return_not_authority(
        a.dispose_report(world.submit(), world.pemkab, actor=world.national_admin),
        "Wewenang provinsi.",
        actor=world.agency_admin,
    )
    response = post(
        signed_in(world.national_admin),
        report,
        "redispose",
        {"redispose-agency": world.pemkab_paser.pk, "redispose-unit": world.pu_paser.pk},
    )
    assert response.status_code == 302
    report = reloaded(report)
    assert (report.agency, report.unit) == (world.pemkab_paser, world.pu_paser)


# -- handling -----------------------------------------------------------------------------


def test_the_unit_acknowledges_a_new_disposition(signed_in, world):
    report = world.report_in("dispositioned")
    response = post(signed_in(world.officer), report, "acknowledge")
    assert response.status_code == 302
    assert reloaded(report).status == Status.IN_PROGRESS


def test_a_follow_up_with_a_photo_reaches_the_reporter(signed_in, world):
    report = world.report_in("in_progress")
    response = post(
        signed_in(world.officer),
        report,
        "post_follow_up",
        {
            "post_follow_up-text": "Lubang sudah ditambal pada 3 Maret.",
            "post_follow_up-attachments": [png("sesudah.png"), png("sebelum.png")],
        },
    )
    assert response.status_code == 302
    report = reloaded(report)
    assert report.status == Status.RESPONDED
    assert last_event(report).payload["text"] == "Lubang sudah ditambal pada 3 Maret."
    # Stored under generated names, public like the answer they belong to.
    assert list(Attachment.objects.filter(report=report).values_list("name", "visibility")) == [
        ("foto-1.png", "public"),
        ("foto-2.png", "public"),
    ]
    assert Notification.objects.filter(report=report, template="follow_up_posted").exists()


def test_a_follow_up_with_a_file_that_is_not_an_image_or_pdf_writes_nothing(signed_in, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    report = world.report_in("in_progress")
    bad = SimpleUploadedFile("catatan.jpg", b"<html>bukan gambar</html>", content_type="image/jpeg")
    response = post(
        signed_in(world.officer),
        report,
        "post_follow_up",
        {"post_follow_up-text": "Sudah ditambal.", "post_follow_up-attachments": [bad]},
    )
    assert response.status_code == 400
    assert "catatan.jpg" in page_text(response)
    assert_unchanged(report, report)
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [
        (
            "id",
            'Jenis berkas "catatan.jpg" tidak didukung',
            'File "catatan.jpg" is of an unsupported type',
        ),
        (
            "en",
            'File "catatan.jpg" is of an unsupported type',
            'Jenis berkas "catatan.jpg" tidak didukung',
        ),
    ],
)
def test_an_action_error_is_shown_in_the_page_language_only(
    signed_in, world, language, shown, hidden
):
    from html import unescape

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    report = world.report_in("in_progress")
    client = signed_in(world.officer)
    client.post(reverse("set_language"), {"language": language, "next": report_url(report)})
    bad = SimpleUploadedFile("catatan.jpg", b"<html>bukan gambar</html>", content_type="image/jpeg")
    response = post(
        client,
        report,
        "post_follow_up",
        {"post_follow_up-text": "Sudah ditambal.", "post_follow_up-attachments": [bad]},
    )
    html = unescape(page_text(response))
    assert response.status_code == 400
    assert shown in html
    assert hidden not in html
    assert_unchanged(report, report)


def test_an_empty_follow_up_is_refused(signed_in, world):
    report = world.report_in("in_progress")
    response = post(signed_in(world.officer), report, "post_follow_up", {"post_follow_up-text": ""})
    assert response.status_code == 400
    assert_unchanged(report, report)


def test_a_canned_response_is_inserted_into_the_text_without_sending(signed_in, world):
    canned = CannedResponse.objects.create(
        agency=world.pemkab, title="Sudah dijadwalkan", body="Perbaikan sudah dijadwalkan."
    )
    CannedResponse.objects.create(agency=world.pemkab_paser, title="Paser", body="Milik Paser.")
    report = world.report_in("in_progress")
    client = signed_in(world.officer)
    page = page_text(client.get(report_url(report)))
    assert "Sudah dijadwalkan" in page and "Milik Paser" not in page
    response = post(
        client,
        report,
        "post_follow_up",
        {
            "post_follow_up-text": "Terima kasih.",
            "post_follow_up-canned": canned.pk,
            "use_canned": "1",
        },
    )
    assert response.status_code == 200
    form = next(f["form"] for f in response.context["action_forms"] if f["key"] == "post_follow_up")
    assert form["text"].value() == "Terima kasih.\n\nPerbaikan sudah dijadwalkan."
    assert_unchanged(report, report)


def test_an_internal_note_with_an_attachment_stays_internal(signed_in, world):
    report = world.report_in("in_progress")
    response = post(
        signed_in(world.officer),
        report,
        "add_internal_note",
        {"add_internal_note-text": "Anggaran tersedia.", "add_internal_note-attachments": [png()]},
    )
    assert response.status_code == 302
    event = last_event(report)
    assert (event.type, event.visibility) == (EventType.INTERNAL_NOTE, "internal")
    assert Attachment.objects.get(report=report).visibility == "internal"
    assert reloaded(report).status == Status.IN_PROGRESS


def test_an_admin_marks_a_complaint_as_needing_an_inspection(signed_in, world):
    report = world.report_in("in_progress")
    before = reloaded(report).completion_due_at
    response = post(
        signed_in(world.agency_admin),
        report,
        "set_needs_inspection",
        {"set_needs_inspection-needs_inspection": "on"},
    )
    assert response.status_code == 302
    report = reloaded(report)
    assert report.needs_inspection is True
    assert report.completion_due_at > before


def test_marking_an_inspection_is_its_own_event_not_an_internal_note(signed_in, world):
    report = world.report_in("in_progress")
    post(
        signed_in(world.national_admin),
        report,
        "set_needs_inspection",
        {"set_needs_inspection-needs_inspection": "on"},
    )
    event = last_event(report)
    assert (event.type, event.visibility) == (EventType.INSPECTION_CHANGED, "internal")
    assert event.payload["needs_inspection"] is True
    page = page_text(signed_in(world.national_admin).get(report_url(report)))
    assert "Ditandai perlu pemeriksaan/audit (60 hari kerja)." in page


def test_an_aspiration_cannot_be_marked_for_an_inspection(signed_in, world):
    report = world.report_in("in_progress", report_type="aspiration")
    response = post(
        signed_in(world.agency_admin),
        report,
        "set_needs_inspection",
        {"set_needs_inspection-needs_inspection": "on"},
    )
    assert response.status_code == 400
    assert "Hanya pengaduan yang dapat ditandai perlu pemeriksaan/audit." in page_text(response)
    assert_unchanged(report, report)
    assert reloaded(report).needs_inspection is False


def test_a_unit_officer_cannot_mark_an_inspection(signed_in, world):
    report = world.report_in("in_progress")
    response = post(
        signed_in(world.officer),
        report,
        "set_needs_inspection",
        {"set_needs_inspection-needs_inspection": "on"},
    )
    assert response.status_code == 403
    assert reloaded(report).needs_inspection is False


def test_an_admin_closes_a_responded_report(signed_in, world):
    report = world.report_in("responded")
    response = post(
        signed_in(world.agency_admin), report, "close", {"close-note": "Pelapor tak terjangkau."}
    )
    assert response.status_code == 302
    assert reloaded(report).status == Status.CLOSED


# -- refusals -----------------------------------------------------------------------------


def test_a_supervisor_may_not_act(signed_in, world):
    report = world.report_in("in_progress")
    response = post(
        signed_in(world.supervisor), report, "add_internal_note", {"add_internal_note-text": "x"}
    )
    assert response.status_code == 403
    assert "tidak berwenang" in page_text(response)
    assert_unchanged(report, report)


def test_a_unit_officer_may_not_dispose(signed_in, world):
    report = world.report_in("dispositioned")
    response = post(
        signed_in(world.officer), report, "dispose", {"dispose-agency": world.pemkab.pk}
    )
    assert response.status_code == 403
    assert_unchanged(report, report)


def test_an_action_the_status_no_longer_allows_is_refused_as_a_conflict(signed_in, world):
    report = world.report_in("in_progress")
    response = post(signed_in(world.officer), report, "acknowledge")
    assert response.status_code == 409
    assert "Diproses" in page_text(response)
    assert_unchanged(report, report)


@pytest.mark.parametrize("persona", ["other_admin", "other_officer", "dlh_officer", "citizen"])
def test_outsiders_cannot_act(signed_in, world, persona):
    report = world.report_in("dispositioned")
    response = post(signed_in(getattr(world, persona)), report, "acknowledge")
    assert response.status_code in (403, 404)
    assert response.status_code == (403 if persona == "citizen" else 404)
    assert_unchanged(report, report)


def test_an_unknown_action_is_not_found_and_actions_need_a_post(signed_in, world):
    report = world.report_in("dispositioned")
    client = signed_in(world.officer)
    assert post(client, report, "hapus").status_code == 404
    assert client.get(action_url(report, "acknowledge")).status_code == 405


def test_action_forms_are_protected_against_cross_site_requests(world):
    report = world.report_in("dispositioned")
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.officer)
    assert post(client, report, "acknowledge").status_code == 403
    assert_unchanged(report, report)
