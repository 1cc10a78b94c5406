"""Submitting reports through the API: JSON and multipart, keys, validation, privacy."""

import io
import os

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from aduan.accounts.models import Reporter
from aduan.api.keys import issue_key, revoke
from aduan.reports.models import Attachment, EventType, Report

from .conftest import ApiClient, error_code
from .test_reports_read import png_bytes

CREATE = "/api/v1/reports"

REPORT = {
    "title": "Jalan berlubang di Sangatta Utara",
    "body": "Lubang besar di depan SD 001 membahayakan anak-anak yang berangkat sekolah.",
    "category": "jalan-rusak",
    "region": "64.08.04",
    "reporter_name": "Dewi Lestari",
    "reporter_email": "dewi@example.com",
    "reporter_phone": "0812 3456 7890",
}


def media_files() -> list[str]:
    root = settings.MEDIA_ROOT
    return [os.path.join(d, f) for d, _, files in os.walk(root) for f in files]


def test_an_integrator_submits_a_report_in_json(world, integrator):
    response = integrator.post(CREATE, REPORT)
    assert response.status_code == 201, response.content
    body = response.json()
    report = Report.objects.get(uuid=body["uuid"])
    assert body["tracking_number"] == report.tracking_number
    assert body["status"] == "submitted"
    assert body["tracking_secret"]
    assert report.channel == "api"
    assert report.region_id == "64.08.04"
    assert report.reporter.name == "Dewi Lestari"
    assert report.reporter.email == "dewi@example.com"
    assert report.events.get().type == EventType.SUBMITTED
    text = response.content.decode()
    assert "Dewi" not in text and "dewi@example.com" not in text and "3456" not in text


def test_an_anonymous_report_keeps_the_identity_out_of_the_answer(world, integrator):
    response = integrator.post(CREATE, REPORT | {"is_anonymous": True, "is_confidential": True})
    assert response.status_code == 201
    report = Report.objects.get(uuid=response.json()["uuid"])
    assert report.is_anonymous and report.is_confidential
    assert "Dewi" not in response.content.decode()


def test_a_report_with_attachments_is_submitted_as_multipart(world, integrator):
    data = REPORT | {
        "is_anonymous": "true",
        "attachments": [
            SimpleUploadedFile("lubang.png", png_bytes(), content_type="image/png"),
            SimpleUploadedFile("lubang2.png", png_bytes("green"), content_type="image/png"),
        ],
    }
    response = integrator.post_multipart(CREATE, data)
    assert response.status_code == 201, response.content
    report = Report.objects.get(uuid=response.json()["uuid"])
    assert report.is_anonymous
    assert report.attachments.count() == 2
    assert len(response.json()["attachments"]) == 2
    assert len(media_files()) == 2


def test_a_fake_image_is_refused_and_nothing_is_written(world, integrator):
    data = REPORT | {
        "attachments": [
            SimpleUploadedFile("lubang.png", png_bytes(), content_type="image/png"),
            SimpleUploadedFile(
                "foto.jpg", b"MZ\x90\x00 not really a photo", content_type="image/jpeg"
            ),
        ]
    }
    response = integrator.post_multipart(CREATE, data)
    assert response.status_code == 400
    assert "attachments" in response.json()["error"]["fields"]
    assert Report.objects.count() == 0
    assert Reporter.objects.filter(user__isnull=True).count() == 0
    assert Attachment.objects.count() == 0
    assert media_files() == []


def test_every_problem_is_listed_at_once(world, integrator):
    response = integrator.post(
        CREATE,
        {
            "title": "",
            "body": "pendek",
            "category": "tidak-ada",
            "region": "99",
            "reporter_name": "X",
        },
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    # Schema problems first (the title and body are checked by their shape).
    assert {"title", "body"} <= set(error["fields"])
    response = integrator.post(
        CREATE,
        REPORT
        | {"category": "tidak-ada", "region": "99", "reporter_email": "", "reporter_phone": ""},
    )
    fields = response.json()["error"]["fields"]
    assert {"category", "region", "contact"} <= set(fields)
    message = fields["category"][0]
    assert message["message_id"] == "Kategori tidak dikenal."
    assert message["message_en"] == "Unknown category."
    assert Report.objects.count() == 0


def test_bad_contact_details_are_refused(world, integrator):
    for field, value in (("reporter_email", "bukan-surel"), ("reporter_phone", "telepon saya")):
        response = integrator.post(CREATE, REPORT | {field: value})
        assert response.status_code == 400
        assert field in response.json()["error"]["fields"]


def test_the_reporters_phone_and_nik_follow_the_rules_of_every_channel(world, integrator):
    response = integrator.post(
        CREATE, REPORT | {"reporter_phone": "+62 812-3456-7890", "reporter_nik": "6408045708900001"}
    )
    assert response.status_code == 201, response.content
    reporter = Report.objects.get(uuid=response.json()["uuid"]).reporter
    assert (reporter.phone, reporter.nik) == ("+6281234567890", "6408045708900001")

    refusals = (
        ("reporter_phone", "021 555 1234", "Ini nomor telepon rumah atau kantor"),
        ("reporter_phone", "+60 12 345 6789", "Only Indonesian mobile numbers (+62)"),
        ("reporter_nik", "6408041234567890", "digits 7 to 12 must be a date of birth"),
        ("reporter_nik", "9908045708900001", "the first two digits are not a province code"),
    )
    for field, value, words in refusals:
        response = integrator.post(CREATE, REPORT | {field: value})
        assert response.status_code == 400
        (message,) = response.json()["error"]["fields"][field]
        assert words in message["message"]
    assert Report.objects.count() == 1


def test_a_point_outside_indonesia_is_refused(world, integrator):
    response = integrator.post(CREATE, REPORT | {"latitude": 51.5, "longitude": -0.12})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    (message,) = error["fields"]["latitude"]
    assert message["message_id"] == (
        "Titik lokasi (51.5, -0.12) berada di luar Indonesia; periksa lintang dan bujurnya."
    )
    assert message["message_en"] == (
        "The location (51.5, -0.12) is outside Indonesia; check its latitude and longitude."
    )
    assert Report.objects.count() == 0


def test_submitting_needs_a_key_that_may_submit(world, anonymous):
    response = anonymous.post(CREATE, REPORT)
    assert response.status_code == 401
    assert error_code(response) == "not_authenticated"

    read_only = ApiClient(issue_key("Dasbor kota", can_submit=False).secret)
    response = read_only.post(CREATE, REPORT)
    assert response.status_code == 403
    assert error_code(response) == "key_cannot_submit"
    assert Report.objects.count() == 0


def test_a_revoked_or_unknown_key_is_refused(world):
    issued = issue_key("Aplikasi lama")
    revoke(issued.key)
    for secret in (issued.secret, "aduan_deadbeef_salah", "sembarang"):
        client = ApiClient(secret)
        for response in (client.post(CREATE, REPORT), client.get(CREATE)):
            assert response.status_code == 401
            assert error_code(response) == "invalid_api_key"
    assert Report.objects.count() == 0


def test_the_key_may_also_be_sent_as_a_bearer_token(world):
    issued = issue_key("Aplikasi warga")
    client = ApiClient()
    response = client.post(CREATE, REPORT, headers={"Authorization": f"Bearer {issued.secret}"})
    assert response.status_code == 201


def test_a_logged_in_citizen_submits_with_the_csrf_token(world):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.citizen)
    session = ApiClient(client=browser)
    without = session.post(CREATE, {"title": REPORT["title"], "body": REPORT["body"]})
    assert without.status_code == 403
    assert error_code(without) == "csrf_failed"

    browser.get("/api/v1/docs")  # sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    response = session.post(
        CREATE, {"title": REPORT["title"], "body": REPORT["body"]}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 201, response.content
    report = Report.objects.get(uuid=response.json()["uuid"])
    assert report.reporter.user == world.citizen


def test_a_report_created_through_the_api_is_read_back_by_its_reporter(world, integrator):
    created = integrator.post(CREATE, REPORT).json()
    path = f"{CREATE}/{created['tracking_number']}"
    assert integrator.get(path).status_code == 404  # not published yet
    response = integrator.get(path, headers={"X-Tracking-Secret": created["tracking_secret"]})
    assert response.status_code == 200
    assert response.json()["title"] == REPORT["title"]


def test_an_attachment_that_is_too_large_is_refused(world, integrator, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    big = SimpleUploadedFile("besar.png", b"\x89PNG" + b"0" * 5000, content_type="image/png")
    response = integrator.post_multipart(CREATE, REPORT | {"attachments": [big]})
    assert response.status_code == 413
    assert error_code(response) == "too_large"
    assert Report.objects.count() == 0


def test_an_unknown_file_field_is_refused(world, integrator):
    data = REPORT | {"foto": SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")}
    response = integrator.post_multipart(CREATE, data)
    assert response.status_code == 400
    assert "foto" in response.json()["error"]["fields"]


def test_multipart_with_an_in_memory_file(world, integrator):
    data = REPORT | {"attachments": [io.BytesIO(png_bytes())]}
    data["attachments"][0].name = "foto.png"
    response = integrator.post_multipart(CREATE, data)
    assert response.status_code == 201


def test_five_huge_images_in_one_submission_are_refused_after_the_first(world, integrator):
    """The attack: five 6300×6300 PNGs in one request each passed the per-image limit."""
    from aduan.core.tests.test_uploads import blank_png

    data = blank_png(6300, 6300)
    files = [SimpleUploadedFile(f"peta{n}.png", data, content_type="image/png") for n in range(5)]
    response = integrator.post_multipart(CREATE, REPORT | {"attachments": files})
    assert response.status_code == 400
    messages = " ".join(m["message_en"] for m in response.json()["error"]["fields"]["attachments"])
    assert "total resolution" in messages
    assert Report.objects.count() == 0
    assert media_files() == []


def test_a_signed_in_citizen_is_held_to_the_hourly_report_limit_of_the_web_form(world, settings):
    from django.test import Client

    settings.REPORTS_PER_HOUR_PER_REPORTER = 2
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.citizen)
    browser.get("/api/v1/docs")  # sets the CSRF cookie
    token = {"X-CSRFToken": browser.cookies["csrftoken"].value}
    session = ApiClient(client=browser)
    body = {"title": REPORT["title"], "body": REPORT["body"]}
    statuses = [session.post(CREATE, body, headers=token).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    refused = session.post(CREATE, body, headers=token)
    assert error_code(refused) == "too_many_reports"
    assert "banyak laporan" in refused.json()["error"]["message_id"]
    assert Report.objects.count() == 2
