"""Reading reports: visibility, filters, cursor pagination, timeline, attachments."""

import datetime as dt
import io

import time_machine
from django.urls import reverse
from PIL import Image

from aduan.reports import actions as a
from aduan.reports.actors import Actor
from aduan.reports.models import Report

from .conftest import error_code

LIST = "/api/v1/reports"


def png_bytes(colour="red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, "PNG")
    return buffer.getvalue()


def numbers(response) -> list[str]:
    return [r["tracking_number"] for r in response.json()["results"]]


# -------------------------------------------------------------------- visibility


def test_the_public_list_shows_published_reports_without_a_key(world, anonymous):
    published = world.report_in("in_progress")
    waiting = world.report_in("submitted")
    response = anonymous.get(LIST)
    assert response.status_code == 200
    assert numbers(response) == [published.tracking_number]
    assert waiting.tracking_number not in response.content.decode()
    assert response.json()["results"][0]["handling"] is None


def test_another_agencys_key_sees_public_reports_without_handling_data(world, paser_key):
    published = world.report_in("in_progress")
    results = paser_key.get(LIST).json()["results"]
    assert [(r["tracking_number"], r["handling"]) for r in results] == [
        (published.tracking_number, None)
    ]


def test_confidential_reports_never_appear_in_public_lists(world, anonymous, integrator, paser_key):
    secret = world.report_in("in_progress", is_confidential=True)
    for client in (anonymous, integrator, paser_key):
        response = client.get(LIST)
        assert response.status_code == 200
        assert secret.tracking_number not in response.content.decode()
        assert client.get(f"{LIST}/{secret.tracking_number}").status_code == 404


def test_a_key_scoped_to_the_agency_reads_its_confidential_and_unpublished_reports(
    world, kutim_key
):
    secret = world.report_in("in_progress", is_confidential=True)
    # Withdrawn by its reporter after disposition: no longer public, still the agency's.
    withdrawn = a.withdraw_report(world.report_in("dispositioned"), actor=world.citizen)
    results = {r["tracking_number"]: r for r in kutim_key.get(LIST).json()["results"]}
    assert secret.tracking_number in results
    assert withdrawn.tracking_number in results
    assert results[withdrawn.tracking_number]["status"] == "withdrawn"
    assert results[withdrawn.tracking_number]["handling"] is not None
    response = kutim_key.get(f"{LIST}/{secret.tracking_number}")
    assert response.status_code == 200
    assert response.json()["is_confidential"] is True
    assert response.json()["handling"]["completion_due_at"] is not None


def test_another_agencys_key_gets_404_for_unpublished_reports(world, paser_key):
    report = a.withdraw_report(world.report_in("dispositioned"), actor=world.citizen)
    response = paser_key.get(f"{LIST}/{report.tracking_number}")
    assert response.status_code == 404
    assert error_code(response) == "report_not_found"


def test_a_report_is_found_by_tracking_number_or_uuid(world, anonymous):
    report = world.report_in("responded")
    by_number = anonymous.get(f"{LIST}/{report.tracking_number}")
    by_uuid = anonymous.get(f"{LIST}/{report.uuid}")
    assert by_number.status_code == by_uuid.status_code == 200
    assert by_number.json() == by_uuid.json()
    body = by_number.json()
    assert body["status"] == "responded"
    assert body["status_name"] == "Ditanggapi"
    assert body["status_name_en"] == "Responded"
    assert body["category"]["slug"] == "jalan-rusak"
    assert body["unit"]["name"] == "Dinas Pekerjaan Umum Kutai Timur"
    assert body["handling"] is None
    assert body["url"] == reverse("api:show-report", kwargs={"key": report.tracking_number})


def test_a_mistyped_or_unknown_number_is_404(world, anonymous):
    report = world.report_in("in_progress")
    typo = report.tracking_number[:-1] + str((int(report.tracking_number[-1]) + 1) % 10)
    for key in (typo, "PST-26-0000000-0", "bukan-nomor", "x" * 500):
        response = anonymous.get(f"{LIST}/{key}")
        assert response.status_code == 404, key
        assert error_code(response) == "report_not_found"


def test_the_reporter_reads_their_unpublished_report_with_the_tracking_secret(world, anonymous):
    result = a.submit_report(
        {"title": "Lampu jalan mati", "body": "Lampu jalan di depan pasar mati sejak seminggu."},
        actor=None,
        reporter=a.ReporterDetails(name="Rina", email="rina@example.com"),
    )
    path = f"{LIST}/{result.report.tracking_number}"
    assert anonymous.get(path).status_code == 404
    assert anonymous.get(path, headers={"X-Tracking-Secret": "salah"}).status_code == 404
    response = anonymous.get(path, headers={"X-Tracking-Secret": result.secret})
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"


# -------------------------------------------------------------------- anonymity


def test_an_anonymous_reporters_identity_is_in_no_api_output(
    world, anonymous, kutim_key, dinas_pu_key
):
    result = a.submit_report(
        {
            "title": "Pungutan liar di kantor kecamatan",
            "body": "Petugas meminta uang untuk pengurusan KTP di kantor kecamatan.",
            "region": "64.08.04",
            "category": "jalan-rusak",
            "is_anonymous": True,
        },
        actor=None,
        reporter=a.ReporterDetails(
            name="Hendra Wijaya", email="hendra.rahasia@example.com", phone="081298765432"
        ),
    )
    report = a.dispose_report(
        result.report, world.pemkab, unit=world.dinas_pu, actor=world.national_admin
    )
    a.acknowledge_report(report, actor=world.officer)
    a.put_on_hold(report, "Kapan kejadiannya?", actor=world.officer)
    reporter = Actor(reporter_id=report.reporter_id)
    a.add_information(report, "Hari Senin pagi.", actor=reporter)
    a.post_follow_up(report, "Sudah kami tegur.", actor=world.officer)
    paths = [
        LIST,
        f"{LIST}/{report.tracking_number}",
        f"{LIST}/{report.tracking_number}/timeline",
    ]
    for client in (anonymous, kutim_key, dinas_pu_key):
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (path, response.content)
            text = response.content.decode()
            for secret in ("Hendra", "Wijaya", "hendra.rahasia", "081298765432", "6281298765432"):
                assert secret not in text, (path, secret)


# -------------------------------------------------------------------- filters


def test_filters_by_status_category_region_and_agency(world, anonymous):
    road = world.report_in("in_progress")
    waste = world.report_in("closed", category="limbah", region="64.08.05")
    paser = world.submit(region="64.01", category="limbah")
    paser = a.dispose_report(paser, world.pemkab_paser, actor=world.national_admin)

    def listed(**params):
        response = anonymous.get(LIST, params)
        assert response.status_code == 200, response.content
        return set(numbers(response))

    assert listed(status="closed") == {waste.tracking_number}
    assert listed(status=["closed", "in_progress"]) == {waste.tracking_number, road.tracking_number}
    assert listed(category="lingkungan-hidup") == {waste.tracking_number, paser.tracking_number}
    assert listed(category="jalan-rusak") == {road.tracking_number}
    assert listed(region="64.08") == {road.tracking_number, waste.tracking_number}
    assert listed(region="64.08.05") == {waste.tracking_number}
    assert listed(region="64") == {
        road.tracking_number,
        waste.tracking_number,
        paser.tracking_number,
    }
    assert listed(agency=str(world.pemkab_paser.uuid)) == {paser.tracking_number}
    assert listed(agency=str(world.dinas_pu.uuid)) == {road.tracking_number, waste.tracking_number}


def test_filters_by_submission_and_update_dates(world, anonymous):
    with time_machine.travel(dt.datetime(2025, 3, 3, 2, 0, tzinfo=dt.UTC), tick=False):
        march = world.report_in("in_progress")
    with time_machine.travel(dt.datetime(2025, 5, 5, 2, 0, tzinfo=dt.UTC), tick=False):
        may = world.report_in("in_progress")
    with time_machine.travel(dt.datetime(2025, 6, 2, 2, 0, tzinfo=dt.UTC), tick=False):
        a.add_internal_note(march, "Menunggu anggaran.", actor=world.officer)

    def listed(**params):
        response = anonymous.get(LIST, params)
        assert response.status_code == 200, response.content
        return numbers(response)

    assert listed(submitted_after="2025-04-01") == [may.tracking_number]
    assert listed(submitted_before="2025-04-01T00:00:00+08:00") == [march.tracking_number]
    assert listed(updated_since="2025-06-01T00:00:00Z") == [march.tracking_number]
    assert listed(sort="updated_at") == [may.tracking_number, march.tracking_number]


def test_unknown_filter_values_are_refused_with_the_field_named(world, anonymous):
    cases = {
        "status": "lost",
        "category": "tidak-ada",
        "region": "99.99",
        "agency": "00000000-0000-0000-0000-000000000000",
        "submitted_after": "kemarin",
        "updated_since": "2025-13-45",
        "limit": "1000",
        "sort": "title",
    }
    for field, value in cases.items():
        response = anonymous.get(LIST, {field: value})
        assert response.status_code == 400, (field, response.content)
        assert field in response.json()["error"]["fields"], field


# -------------------------------------------------------------------- pagination


def test_cursor_pages_have_no_duplicates_or_gaps_while_reports_arrive(world, anonymous):
    existing = [world.report_in("dispositioned").tracking_number for _ in range(7)]
    seen = []
    response = anonymous.get(LIST, {"limit": 3})
    while True:
        assert response.status_code == 200, response.content
        seen += numbers(response)
        # New reports arrive between page reads; they belong before the first page.
        world.report_in("dispositioned")
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break
        response = anonymous.get(LIST, {"limit": 3, "cursor": cursor})
    assert len(seen) == len(set(seen))
    assert seen == list(reversed(existing))


def test_reports_submitted_in_the_same_instant_are_paged_by_tracking_number(world, anonymous):
    with time_machine.travel(dt.datetime(2025, 3, 3, 2, 0, tzinfo=dt.UTC), tick=False):
        made = [world.report_in("dispositioned").tracking_number for _ in range(5)]
    seen, cursor = [], None
    while True:
        response = anonymous.get(LIST, {"limit": 2} | ({"cursor": cursor} if cursor else {}))
        seen += numbers(response)
        cursor = response.json()["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(made) and len(seen) == 5


def test_a_cursor_is_refused_when_tampered_or_used_with_other_filters(world, anonymous):
    for _ in range(3):
        world.report_in("dispositioned")
    cursor = anonymous.get(LIST, {"limit": 1}).json()["next_cursor"]
    assert cursor
    for params in (
        {"cursor": cursor[:-2] + "xx"},
        {"cursor": "bukan-kursor"},
        {"cursor": cursor, "status": "closed"},
        {"cursor": cursor, "sort": "updated_at"},
    ):
        response = anonymous.get(LIST, params)
        assert response.status_code == 400, params
        assert error_code(response) == "invalid_cursor"


def test_listing_costs_a_fixed_number_of_queries(
    world, anonymous, kutim_key, django_assert_max_num_queries
):
    for _ in range(12):
        report = world.report_in("in_progress")
        a.post_follow_up(
            report, "Sudah ditangani.", actor=world.officer, files=[io.BytesIO(png_bytes())]
        )
    for client in (anonymous, kutim_key):
        with django_assert_max_num_queries(8):
            response = client.get(LIST, {"limit": 100})
        assert len(response.json()["results"]) == 12


# -------------------------------------------------------------------- timeline


def test_the_public_timeline_hides_internal_notes_and_questions_to_the_reporter(
    world, anonymous, integrator
):
    report = world.report_in("in_progress")
    a.add_internal_note(report, "Catatan rahasia petugas.", actor=world.officer)
    a.put_on_hold(report, "Di KM berapa tepatnya?", actor=world.officer)
    a.add_information(report, "KM 12 arah Bengalon.", actor=world.citizen)
    for client in (anonymous, integrator):
        response = client.get(f"{LIST}/{report.tracking_number}/timeline")
        assert response.status_code == 200
        text = response.content.decode()
        assert "Catatan rahasia petugas." not in text
        assert "Di KM berapa tepatnya?" not in text
        assert "KM 12 arah Bengalon." not in text
        types = [e["type"] for e in response.json()["events"]]
        assert types == ["submitted", "dispositioned", "acknowledged"]


def test_a_key_scoped_to_the_agency_sees_internal_notes_in_the_timeline(
    world, kutim_key, dinas_pu_key
):
    report = world.report_in("in_progress")
    a.add_internal_note(report, "Catatan rahasia petugas.", actor=world.officer)
    a.put_on_hold(report, "Di KM berapa tepatnya?", actor=world.officer)
    for client in (kutim_key, dinas_pu_key):
        events = client.get(f"{LIST}/{report.tracking_number}/timeline").json()["events"]
        texts = {e["type"]: e["text"] for e in events}
        assert texts["internal_note"] == "Catatan rahasia petugas."
        assert texts["put_on_hold"] == "Di KM berapa tepatnya?"
        assert [e["visibility"] for e in events if e["type"] == "internal_note"] == ["internal"]


def test_the_timeline_of_a_report_the_caller_may_not_see_is_404(world, paser_key):
    report = world.report_in("submitted")
    response = paser_key.get(f"{LIST}/{report.tracking_number}/timeline")
    assert response.status_code == 404


# -------------------------------------------------------------------- attachments


def test_public_attachments_download_and_internal_ones_do_not(world, anonymous, kutim_key):
    report = world.report_in("in_progress")
    a.post_follow_up(
        report, "Foto perbaikan.", actor=world.officer, files=[io.BytesIO(png_bytes())]
    )
    report = Report.objects.get(pk=report.pk)
    a.contest_response(report, "Belum selesai.", actor=world.citizen)
    a.add_internal_note(
        report, "Foto internal.", actor=world.officer, files=[io.BytesIO(png_bytes("blue"))]
    )
    public = anonymous.get(f"{LIST}/{report.tracking_number}").json()["attachments"]
    assert len(public) == 1
    download = anonymous.get(public[0]["url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")

    events = kutim_key.get(f"{LIST}/{report.tracking_number}/timeline").json()["events"]
    internal = [e for e in events if e["type"] == "internal_note"][0]["attachments"][0]
    assert kutim_key.get(internal["url"]).status_code == 200
    assert anonymous.get(internal["url"]).status_code == 404


def test_dates_with_any_iso_offset_are_read_as_moments(world, anonymous):
    report = world.report_in("in_progress")
    # An offset PostgreSQL itself would refuse; the API converts it to UTC first.
    response = anonymous.get(LIST, {"updated_since": "0657-08-22T11:43:58-16:47"})
    assert response.status_code == 200
    assert numbers(response) == [report.tracking_number]
    response = anonymous.get(LIST, {"submitted_before": "0001-01-01T00:00:00+01:00"})
    assert response.status_code == 400
    assert "submitted_before" in response.json()["error"]["fields"]
