"""Bulk actions on the inbox: each selected report goes through its own domain action, and
the result is reported per report."""

from aduan.reports import actions as a
from aduan.reports.models import Report, Status

from .helpers import page_text

BULK = "/petugas/massal/"


def status_of(report) -> str:
    return Report.objects.get(pk=report.pk).status


def results(response) -> dict[str, bool]:
    return {r.tracking_number: r.ok for r in response.context["results"]}


def test_the_national_admin_disposes_several_reports_and_sees_each_outcome(signed_in, world):
    first, second = world.submit(), world.submit()
    already = world.report_in("dispositioned")
    response = signed_in(world.national_admin).post(
        BULK,
        {
            "bulk_action": "dispose",
            "agency": world.pemkab.pk,
            "reports": [first.tracking_number, second.tracking_number, already.tracking_number],
        },
    )
    assert response.status_code == 200
    assert results(response) == {
        first.tracking_number: True,
        second.tracking_number: True,
        already.tracking_number: False,
    }
    assert status_of(first) == status_of(second) == Status.DISPOSITIONED
    assert Report.objects.get(pk=first.pk).agency == world.pemkab
    page = page_text(response)
    assert "2 berhasil, 1 gagal." in page
    assert "tidak dapat dilakukan" in page  # the refusal says why


def test_the_agency_admin_forwards_several_reports_to_a_unit(signed_in, world):
    reports = [
        a.dispose_report(world.submit(), world.pemkab, actor=world.national_admin) for _ in range(2)
    ]
    response = signed_in(world.agency_admin).post(
        BULK,
        {
            "bulk_action": "forward",
            "unit": world.dlh.pk,
            "reports": [r.tracking_number for r in reports],
        },
    )
    assert all(results(response).values())
    assert {Report.objects.get(pk=r.pk).unit for r in reports} == {world.dlh}


def test_bulk_archive_with_a_reason(signed_in, world):
    reports = [world.submit(), world.submit()]
    response = signed_in(world.national_admin).post(
        BULK,
        {
            "bulk_action": "archive",
            "reason": "spam",
            "reports": [r.tracking_number for r in reports],
        },
    )
    assert all(results(response).values())
    assert {status_of(r) for r in reports} == {Status.ARCHIVED}


def test_reports_the_admin_may_not_see_are_reported_as_not_found_and_untouched(signed_in, world):
    paser = a.dispose_report(
        world.submit(region="64.01"), world.pemkab_paser, actor=world.national_admin
    )
    mine = a.dispose_report(world.submit(), world.pemkab, actor=world.national_admin)
    response = signed_in(world.agency_admin).post(
        BULK,
        {
            "bulk_action": "forward",
            "unit": world.dinas_pu.pk,
            "reports": [paser.tracking_number, mine.tracking_number, "bukan-nomor"],
        },
    )
    assert results(response) == {
        paser.tracking_number: False,
        mine.tracking_number: True,
        "bukan-nomor": False,
    }
    assert "Laporan tidak ditemukan." in page_text(response)
    assert Report.objects.get(pk=paser.pk).unit == None  # noqa: E711


def test_an_incomplete_bulk_request_does_nothing_and_says_what_is_missing(signed_in, world):
    report = world.submit()
    client = signed_in(world.national_admin)
    no_agency = client.post(BULK, {"bulk_action": "dispose", "reports": [report.tracking_number]})
    no_reason = client.post(BULK, {"bulk_action": "archive", "reports": [report.tracking_number]})
    nothing_selected = client.post(BULK, {"bulk_action": "archive", "reason": "spam"})
    for response in (no_agency, no_reason, nothing_selected):
        assert response.status_code == 400
        assert "Tindakan massal tidak dijalankan" in page_text(response)
    assert status_of(report) == Status.SUBMITTED


def test_the_national_admin_cannot_bulk_forward_to_units(signed_in, world):
    report = a.dispose_report(world.submit(), world.pemkab, actor=world.national_admin)
    response = signed_in(world.national_admin).post(
        BULK,
        {"bulk_action": "forward", "unit": world.dinas_pu.pk, "reports": [report.tracking_number]},
    )
    assert response.status_code == 400
    assert Report.objects.get(pk=report.pk).unit is None


def test_too_many_reports_at_once_are_refused(signed_in, world):
    response = signed_in(world.national_admin).post(
        BULK,
        {"bulk_action": "archive", "reason": "spam", "reports": [f"X{i}" for i in range(101)]},
    )
    assert response.status_code == 400


def test_unit_officers_supervisors_and_citizens_may_not_use_bulk_actions(signed_in, world):
    report = world.submit()
    for user in (world.officer, world.supervisor, world.citizen):
        response = signed_in(user).post(
            BULK, {"bulk_action": "archive", "reason": "spam", "reports": [report.tracking_number]}
        )
        assert response.status_code == 403
    assert status_of(report) == Status.SUBMITTED


def test_bulk_needs_a_post(signed_in, world):
    assert signed_in(world.national_admin).get(BULK).status_code == 405


def test_the_inbox_offers_row_checkboxes_and_the_bulk_form_to_admins(signed_in, world):
    report = world.submit()
    page = page_text(signed_in(world.national_admin).get("/petugas/"))
    assert f'name="reports" value="{report.tracking_number}"' in page
    assert ">Jalankan untuk laporan terpilih</button>" in page
    assert 'name="unit"' not in page  # the national admin sends to agencies


def choices(response) -> list[str]:
    return [value for value, _ in response.context["bulk_form"].fields["bulk_action"].choices]


def test_an_agency_admin_is_offered_only_bulk_actions_its_role_can_take(signed_in, world):
    a.dispose_report(world.submit(), world.pemkab, actor=world.national_admin)
    response = signed_in(world.agency_admin).get("/petugas/")
    # Without delegated verification the agency disposes and archives nothing: those
    # reports are still the national admins'.
    assert choices(response) == ["forward"]
    page = page_text(response)
    assert 'name="unit"' in page
    assert 'name="agency"' not in page and 'name="reason"' not in page


def test_an_agency_admin_cannot_bulk_archive_without_delegated_verification(signed_in, world):
    report = world.submit()
    response = signed_in(world.agency_admin).post(
        BULK, {"bulk_action": "archive", "reason": "spam", "reports": [report.tracking_number]}
    )
    assert response.status_code == 400
    assert status_of(report) == Status.SUBMITTED


def test_an_agency_that_verifies_its_region_is_offered_dispose_and_archive(signed_in, world):
    world.pemkab.verifies_own_region = True
    world.pemkab.save()
    world.submit()
    assert choices(signed_in(world.agency_admin).get("/petugas/")) == [
        "dispose",
        "forward",
        "archive",
    ]


def test_the_national_admin_is_offered_dispose_and_archive(signed_in, world):
    world.submit()
    assert choices(signed_in(world.national_admin).get("/petugas/")) == ["dispose", "archive"]


def test_a_unit_officer_and_a_supervisor_get_no_bulk_panel(signed_in, world):
    world.report_in("dispositioned")
    for user in (world.officer, world.supervisor):
        response = signed_in(user).get("/petugas/")
        assert response.context["bulk_form"] is None
        assert 'id="bulk-form"' not in page_text(response)


def test_each_report_that_cannot_be_archived_says_why_and_the_others_are_archived(signed_in, world):
    fresh = world.submit()
    held = a.put_on_hold(world.report_in("dispositioned"), "Foto?", actor=world.officer)
    response = signed_in(world.national_admin).post(
        BULK,
        {
            "bulk_action": "archive",
            "reason": "spam",
            "reports": [fresh.tracking_number, held.tracking_number],
        },
    )
    assert results(response) == {fresh.tracking_number: True, held.tracking_number: False}
    assert status_of(held) == Status.ON_HOLD
    assert "1 berhasil, 1 gagal." in page_text(response)
