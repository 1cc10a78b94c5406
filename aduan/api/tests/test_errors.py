"""One error format for every failure, and never a 500 on bad input."""

import json

import pytest

from aduan.api import views
from aduan.reports.models import Report

from .conftest import ApiClient

CREATE = "/api/v1/reports"
GOOD = {
    "title": "Sampah menumpuk",
    "body": "Sampah menumpuk di pasar induk sejak dua minggu.",
    "reporter_email": "a@example.com",
}


def assert_error_shape(response, status, code=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"code", "message", "message_id", "message_en", "fields"}
    assert error["message"] == f"{error['message_id']} / {error['message_en']}"
    assert "Traceback" not in response.content.decode()
    if code:
        assert error["code"] == code
    return error


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"{", "application/json"),
        (b"[1, 2]", "application/json"),
        (b'"teks"', "application/json"),
        (b"\xff\xfe\x00", "application/json"),
        (b'{"title": NaN}', "application/json"),
        (b"[" * 100_000 + b"]" * 100_000, "application/json"),
    ],
)
def test_malformed_json_is_400(world, integrator, body, content_type):
    response = integrator.post_raw(CREATE, body, content_type)
    assert_error_shape(response, 400, "malformed_json")
    assert Report.objects.count() == 0


@pytest.mark.parametrize(
    "change",
    [
        {"title": 12},
        {"title": ["a"]},
        {"is_anonymous": "mungkin"},
        {"latitude": 10**400, "longitude": 1},
        {"latitude": "1e999", "longitude": 1},
        {"latitude": 1.5},
        {"incident_date": "2025-02-30"},
        {"incident_date": "9999-01-01"},
        {"title": "ada\x00nul"},
        {"body": "x" * 20_001},
        {"report_type": "gugatan"},
        {"unknown_field": 1},
        {"region": {"code": "64"}},
        {"reporter_nik": "123"},
    ],
)
def test_wrong_types_and_values_are_400_with_field_messages(world, integrator, change):
    response = integrator.post(CREATE, GOOD | change)
    error = assert_error_shape(response, 400)
    assert error["fields"], error
    for messages in error["fields"].values():
        for message in messages:
            assert message["message_id"] and message["message_en"]
    assert Report.objects.count() == 0


def test_an_unsupported_content_type_is_415(world, integrator):
    response = integrator.post_raw(CREATE, b"title=x", "text/plain")
    assert_error_shape(response, 415, "unsupported_media_type")


def test_a_body_larger_than_any_allowed_upload_is_413(world, integrator, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    settings.ATTACHMENT_MAX_COUNT = 1
    response = integrator.post_raw(CREATE, b"{}" + b" " * (1024 * 1024 + 100), "application/json")
    assert_error_shape(response, 413, "too_large")


def test_a_broken_multipart_body_is_400(world, integrator):
    response = integrator.post_raw(
        CREATE, b"--batas\r\nbroken", "multipart/form-data; boundary=batas"
    )
    assert response.status_code == 400
    assert_error_shape(response, 400)


def test_nul_bytes_and_bad_utf8_in_the_url_are_400_or_404(world, anonymous):
    assert_error_shape(anonymous.get("/api/v1/reports?category=a%00b"), 400, "invalid_characters")
    # Invalid UTF-8 in a query string is decoded with replacement characters, not a crash.
    assert anonymous.client.get("/api/v1/regions?q=%ff%fe").status_code == 200
    assert_error_shape(anonymous.get("/api/v1/reports/%00"), 400, "invalid_characters")


def test_unknown_addresses_and_methods(world, anonymous):
    assert_error_shape(anonymous.get("/api/v1/tidak-ada"), 404, "not_found")
    response = anonymous.client.delete("/api/v1/reports")
    assert_error_shape(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"] and "POST" in response["Allow"]
    response = anonymous.client.put("/api/v1/categories")
    assert_error_shape(response, 405, "method_not_allowed")


def test_huge_numbers_in_query_parameters_are_400(world, anonymous):
    for params in ({"limit": "9" * 400}, {"limit": "-1"}, {"level": "1e3"}):
        response = anonymous.get("/api/v1/regions", params)
        assert_error_shape(response, 400, "validation_failed")


def test_an_unexpected_error_is_a_500_without_a_traceback(world, anonymous, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("rahasia internal")

    monkeypatch.setattr(views.rep, "report_out", broken)
    world.report_in("in_progress")
    response = anonymous.get("/api/v1/reports")
    error = assert_error_shape(response, 500, "server_error")
    assert "rahasia" not in json.dumps(error)


def test_domain_errors_map_to_their_status_codes():
    from django.http import Http404
    from django.utils.translation import gettext_lazy

    from aduan.api.errors import error_from_exception
    from aduan.reports.errors import InvalidInput, InvalidTransition, NotAllowed, ValidationFailed

    cases = [
        (
            ValidationFailed({"category": [gettext_lazy("Kategori tidak dikenal.")]}),
            400,
            "validation_failed",
        ),
        (InvalidInput(gettext_lazy("Penilaian harus 1 sampai 5."), field="rating"), 400, "invalid"),
        (NotAllowed("archive"), 403, "forbidden"),
        (InvalidTransition("archive", "closed"), 409, "invalid_transition"),
        (Http404("Laporan tidak ditemukan / Report not found"), 404, "report_not_found"),
        (Http404(), 404, "not_found"),
    ]
    for exc, status, code in cases:
        error = error_from_exception(exc)
        assert (error.status, error.code) == (status, code)
        body = error.body()["error"]
        assert body["message_id"] and body["message_en"]
    fields = error_from_exception(cases[0][0]).body()["error"]["fields"]
    assert fields == {
        "category": [
            {
                "message": "Kategori tidak dikenal. / Unknown category.",
                "message_id": "Kategori tidak dikenal.",
                "message_en": "Unknown category.",
            }
        ]
    }
    assert error_from_exception(RuntimeError()) is None


def test_an_empty_api_key_header_is_refused(world):
    response = ApiClient().get("/api/v1/reports", headers={"X-API-Key": ""})
    assert_error_shape(response, 401, "invalid_api_key")
