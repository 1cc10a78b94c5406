"""Agency follow-up work through the API: each action runs as the key's service account,
so the domain's permission and state rules apply."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from aduan.api.keys import issue_key
from aduan.reports.models import Attachment, EventType, Report, Status, Visibility

from .conftest import ApiClient, error_code
from .test_reports_read import png_bytes


def path(report, action):
    return f"/api/v1/reports/{report.tracking_number}/{action}"


def last_event(report):
    return Report.objects.get(pk=report.pk).events.order_by("-seq").first()


def test_the_unit_acknowledges_a_disposed_report(world, dinas_pu_key):
    report = world.report_in("dispositioned")
    response = dinas_pu_key.post(path(report, "acknowledge"))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_progress"
    event = last_event(report)
    assert event.type == EventType.ACKNOWLEDGED
    assert event.actor.username == "layanan_pu"


def test_acknowledging_twice_is_a_conflict(world, dinas_pu_key):
    report = world.report_in("in_progress")
    response = dinas_pu_key.post(path(report, "acknowledge"))
    assert response.status_code == 409
    assert error_code(response) == "invalid_transition"
    assert "Diproses" in response.json()["error"]["message_id"]


def test_the_unit_posts_a_follow_up_with_a_photo(world, dinas_pu_key):
    report = world.report_in("in_progress")
    response = dinas_pu_key.post_multipart(
        path(report, "follow-ups"),
        {
            "text": "Lubang sudah ditambal.",
            "attachments": [SimpleUploadedFile("hasil.png", png_bytes(), content_type="image/png")],
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "responded"
    event = last_event(report)
    assert event.type == EventType.FOLLOW_UP and event.payload["text"] == "Lubang sudah ditambal."
    assert event.attachments.count() == 1


def test_a_follow_up_with_a_fake_file_writes_nothing(world, dinas_pu_key):
    report = world.report_in("in_progress")
    seq = report.last_event_seq
    response = dinas_pu_key.post_multipart(
        path(report, "follow-ups"),
        {
            "text": "Lubang sudah ditambal.",
            "attachments": [SimpleUploadedFile("hasil.png", b"<html>", content_type="image/png")],
        },
    )
    assert response.status_code == 400
    assert "attachments" in response.json()["error"]["fields"]
    fresh = Report.objects.get(pk=report.pk)
    assert fresh.status == Status.IN_PROGRESS and fresh.last_event_seq == seq
    assert Attachment.objects.count() == 0


def test_the_unit_asks_the_reporter_for_information(world, dinas_pu_key):
    report = world.report_in("in_progress")
    response = dinas_pu_key.post(
        path(report, "information-requests"), {"question": "Di KM berapa?"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "on_hold"
    event = last_event(report)
    assert event.type == EventType.PUT_ON_HOLD and event.visibility == Visibility.PARTIES


def test_the_unit_returns_a_report_that_is_not_its_authority(world, dinas_pu_key):
    report = world.report_in("dispositioned")
    response = dinas_pu_key.post(
        path(report, "return"), {"reason": "Jalan nasional, bukan kabupaten."}
    )
    assert response.status_code == 200
    fresh = Report.objects.get(pk=report.pk)
    assert fresh.status == Status.RETURNED and fresh.returned_to == "agency"


def test_the_agency_forwards_a_report_to_another_unit(world, kutim_key):
    report = world.report_in("dispositioned")
    response = kutim_key.post(
        path(report, "forward"), {"unit": str(world.dlh.uuid), "note": "Limbah."}
    )
    assert response.status_code == 200, response.content
    assert response.json()["unit"]["uuid"] == str(world.dlh.uuid)
    assert Report.objects.get(pk=report.pk).unit == world.dlh


def test_forwarding_to_another_agencys_unit_is_refused(world, kutim_key):
    report = world.report_in("dispositioned")
    for unit in (world.pu_paser.uuid, "00000000-0000-0000-0000-000000000000"):
        response = kutim_key.post(path(report, "forward"), {"unit": str(unit)})
        assert response.status_code == 400
        assert "unit" in response.json()["error"]["fields"]
    assert Report.objects.get(pk=report.pk).unit == world.dinas_pu


def test_a_unit_account_may_not_forward(world, dinas_pu_key):
    report = world.report_in("dispositioned")
    response = dinas_pu_key.post(path(report, "forward"), {"unit": str(world.dlh.uuid)})
    assert response.status_code == 403
    assert error_code(response) == "forbidden"


def test_an_internal_note_stays_internal(world, dinas_pu_key, anonymous):
    report = world.report_in("in_progress")
    response = dinas_pu_key.post(path(report, "internal-notes"), {"text": "Tunggu anggaran."})
    assert response.status_code == 200
    event = last_event(report)
    assert event.type == EventType.INTERNAL_NOTE and event.visibility == Visibility.INTERNAL
    assert "Tunggu anggaran." not in anonymous.get(path(report, "timeline")).content.decode()


def test_another_agencys_key_cannot_see_or_touch_the_report(world, paser_key):
    report = world.report_in("dispositioned")
    for action, body in (
        ("acknowledge", None),
        ("follow-ups", {"text": "x"}),
        ("information-requests", {"question": "x"}),
        ("return", {"reason": "x"}),
        ("forward", {"unit": str(world.dlh.uuid)}),
        ("internal-notes", {"text": "x"}),
    ):
        response = paser_key.post(path(report, action), body)
        assert response.status_code == 404, action
        assert error_code(response) == "report_not_found"
    assert Report.objects.get(pk=report.pk).last_event_seq == report.last_event_seq


def test_a_unit_cannot_act_on_another_units_report(world):
    from .conftest import service_account

    user = service_account("layanan_dlh", "unit_officer", world.dlh)
    dlh_key = ApiClient(issue_key("DLH", user=user, agency=world.dlh).secret)
    report = world.report_in("dispositioned")  # with Dinas PU
    assert dlh_key.post(path(report, "acknowledge")).status_code == 404


def test_keys_without_a_service_account_and_anonymous_callers_are_refused(
    world, integrator, anonymous
):
    report = world.report_in("dispositioned")
    agency_only = ApiClient(issue_key("Kutim tanpa akun", agency=world.pemkab).secret)
    for client, status, code in (
        (integrator, 403, "not_scoped"),
        (agency_only, 403, "not_scoped"),
        (anonymous, 401, "not_authenticated"),
    ):
        response = client.post(path(report, "acknowledge"))
        assert response.status_code == status
        assert error_code(response) == code
    assert Report.objects.get(pk=report.pk).status == Status.DISPOSITIONED


def test_an_empty_or_unknown_field_body_is_refused(world, dinas_pu_key):
    report = world.report_in("in_progress")
    for body in ({}, {"text": ""}, {"text": "ok", "extra": 1}):
        response = dinas_pu_key.post(path(report, "follow-ups"), body)
        assert response.status_code == 400, body
        assert error_code(response) == "validation_failed"


def test_a_logged_in_officer_uses_the_session_with_csrf(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.officer)
    session = ApiClient(client=browser)
    report = world.report_in("dispositioned")
    assert session.post(path(report, "acknowledge")).status_code == 403
    browser.get("/api/v1/docs")
    token = browser.cookies["csrftoken"].value
    response = session.post(path(report, "acknowledge"), headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert last_event(report).actor == world.officer


def test_a_logged_in_citizen_is_not_staff(world):
    browser = Client()
    browser.force_login(world.citizen)
    report = world.report_in("dispositioned")
    response = ApiClient(client=browser).post(path(report, "acknowledge"))
    assert response.status_code == 403


# -------------------------------------------------------------------- what may be done


def available(response) -> list[str]:
    return response.json()["handling"]["available_actions"]


def test_a_report_lists_what_the_keys_account_may_do_to_it_now(world, dinas_pu_key, kutim_key):
    report = world.report_in("dispositioned")
    show = f"/api/v1/reports/{report.tracking_number}"
    assert available(dinas_pu_key.get(show)) == [
        "put_on_hold",
        "return_not_authority",
        "acknowledge",
        "post_follow_up",
        "post_progress_update",
        "take_report",
        "add_internal_note",
    ]
    assert available(kutim_key.get(show)) == [
        "put_on_hold",
        "forward_to_unit",
        "return_not_authority",
        "acknowledge",
        "post_follow_up",
        "post_progress_update",
        "assign_report",
        "add_internal_note",
        "set_needs_inspection",
    ]
    # The answer to an action says what may be done next.
    acknowledged = dinas_pu_key.post(path(report, "acknowledge"))
    assert "acknowledge" not in available(acknowledged)
    assert "post_follow_up" in available(acknowledged)


def test_the_list_gives_each_report_its_own_available_actions(world, dinas_pu_key):
    waiting = world.report_in("dispositioned")
    working = world.report_in("in_progress")
    response = dinas_pu_key.get("/api/v1/reports", {"status": ["dispositioned", "in_progress"]})
    by_number = {
        r["tracking_number"]: r["handling"]["available_actions"] for r in response.json()["results"]
    }
    assert "acknowledge" in by_number[waiting.tracking_number]
    assert "acknowledge" not in by_number[working.tracking_number]


def test_after_returning_a_report_the_unit_may_do_nothing_more(world, dinas_pu_key):
    report = world.report_in("dispositioned")
    response = dinas_pu_key.post(path(report, "return"), {"reason": "Jalan nasional."})
    assert response.status_code == 200
    assert available(response) == []


def test_a_key_without_a_service_account_may_read_but_do_nothing(world):
    report = world.report_in("dispositioned")
    agency_only = ApiClient(issue_key("Kutim tanpa akun", agency=world.pemkab).secret)
    response = agency_only.get(f"/api/v1/reports/{report.tracking_number}")
    assert response.status_code == 200
    assert available(response) == []


def test_the_schema_names_the_actions_a_report_may_list():
    schema = Client().get("/api/v1/openapi.json").json()
    handling = schema["components"]["schemas"]["HandlingOut"]
    field = handling["properties"]["available_actions"]
    assert field["type"] == "array"
    assert {"acknowledge", "post_follow_up", "set_needs_inspection", "dispose"} <= set(
        field["items"]["enum"]
    )
    assert "auto_close" not in field["items"]["enum"]
    assert "available_actions" in handling["required"]
