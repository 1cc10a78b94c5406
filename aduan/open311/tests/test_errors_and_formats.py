"""Errors exactly as the spec gives them, format negotiation, jurisdictions, empty
parameters, and text XML cannot carry."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from aduan.accounts.models import Reporter
from aduan.api.keys import issue_key, revoke
from aduan.notifications.models import Notification
from aduan.open311.render import clean_text, to_json, to_xml
from aduan.reports import actions as a
from aduan.reports.models import Report, ReportEvent

from .conftest import BASE, body, parse_xml, post_form, records

pytestmark = pytest.mark.django_db

XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'


def errors(response) -> list[tuple[int, str]]:
    """(code, description) of every error, checking the document's shape on the way."""
    if response["Content-Type"] == "application/json; charset=utf-8":
        parsed = json.loads(response.content)
        assert all(set(e) == {"code", "description"} for e in parsed)
        return [(e["code"], e["description"]) for e in parsed]
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(XML_DECLARATION)
    root = parse_xml(response.content)
    assert root.tag == "errors"
    return [(int(e.findtext("code")), e.findtext("description")) for e in root.findall("error")]


def nothing_written():
    return (
        Report.objects.count(),
        ReportEvent.objects.count(),
        Reporter.objects.filter(user__isnull=True).count(),
        Notification.objects.count(),
    ) == (0, 0, 0, 0)


# ------------------------------------------------------------------------------ POST


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_post_without_an_api_key_is_forbidden(client, world, fmt):
    response = client.post(f"{BASE}requests.{fmt}", post_form(None))

    assert response.status_code == 403
    assert errors(response) == [
        (
            403,
            "api_key tidak ada, tidak valid, atau tidak berhak mengirim laporan. / "
            "api_key is missing, invalid, or not allowed to submit requests.",
        )
    ]
    assert nothing_written()


def test_a_wrong_revoked_or_read_only_key_is_forbidden(client, world, integrator_key):
    revoked = issue_key("Dicabut")
    revoke(revoked.key)
    read_only = issue_key("Baca saja", can_submit=False).secret
    disabled_user = world.outsider
    disabled_user.is_active = False
    disabled_user.save(update_fields=["is_active"])
    disabled = issue_key("Akun nonaktif", user=disabled_user).secret

    for key in (integrator_key + "x", "rahasia", revoked.secret, read_only, disabled, ""):
        response = client.post(BASE + "requests.json", post_form(key))
        assert response.status_code == 403, key
    assert nothing_written()


def test_a_post_without_a_service_code_is_a_bad_request(client, world, integrator_key):
    response = client.post(BASE + "requests.xml", post_form(integrator_key, service_code=""))

    assert response.status_code == 400
    assert errors(response) == [(400, "service_code wajib diisi. / service_code is required.")]
    assert nothing_written()


def test_a_post_for_an_unknown_service_is_not_found(client, world, integrator_key):
    response = client.post(BASE + "requests.json", post_form(integrator_key, service_code="ufo"))

    assert response.status_code == 404
    assert errors(response) == [
        (404, "service_code 'ufo' tidak ditemukan. / service_code 'ufo' was not found.")
    ]


def test_every_missing_field_is_named_at_once(client, world, integrator_key):
    form = post_form(integrator_key, description=" ", lat=None, long=None, email=None)

    response = client.post(BASE + "requests.json", form)

    assert response.status_code == 400
    assert errors(response) == [
        (400, "description wajib diisi. / description is required."),
        (
            400,
            "Lokasi wajib diisi: lat dan long, address_string, atau address_id. / "
            "A location is required: lat and long, address_string, or address_id.",
        ),
        (
            400,
            "Isi email atau phone pelapor agar ia dapat menerima nomor pelacakan. / "
            "Give the reporter's email or phone so they receive the tracking number.",
        ),
    ]
    assert nothing_written()


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"description": "Rusak."}, "description: Isi laporan terlalu singkat"),
        ({"lat": "0.5", "long": None}, "lat/long: Lintang dan bujur harus diisi bersama."),
        ({"lat": "91", "long": "117"}, "lat/long: Koordinat tidak valid."),
        ({"lat": "NaN", "long": "117"}, "lat/long: Koordinat tidak valid."),
        (
            {"lat": "51.5", "long": "-0.12"},
            "lat/long: Titik lokasi (51.5, -0.12) berada di luar Indonesia; periksa lintang dan "
            "bujurnya. / lat/long: The location (51.5, -0.12) is outside Indonesia;",
        ),
        ({"address_id": "99.99"}, "address_id / attribute[region]: Kode wilayah tidak dikenal."),
        ({"media_url": "javascript:alert(1)"}, "media_url: Tautan media tidak valid."),
        ({"email": "bukan-surel"}, "email: Alamat surel tidak valid."),
        ({"phone": "12ab"}, "phone: Nomor HP tidak valid."),
        ({"phone": "+44 20 7946 0000"}, "phone: Hanya nomor seluler Indonesia (+62)"),
        ({"phone": "(0549) 21234"}, "phone: Ini nomor telepon rumah atau kantor"),
        ({"attribute[report_type]": "pujian"}, "attribute[report_type] harus complaint"),
        ({"attribute[anonymous]": "mungkin"}, "attribute[anonymous] harus true atau false."),
        ({"attribute[title]": "J" * 201}, "attribute[title]: Judul terlalu panjang"),
    ],
)
def test_invalid_fields_are_refused_with_the_field_named(
    client, world, integrator_key, fields, expected
):
    response = client.post(BASE + "requests.json", post_form(integrator_key, **fields))

    assert response.status_code == 400
    descriptions = [d for _, d in errors(response)]
    assert any(d.startswith(expected) for d in descriptions), descriptions
    assert all(" / " in d for d in descriptions)  # Indonesian / English
    assert nothing_written()


def test_a_file_that_is_not_an_image_or_document_is_refused(client, world, integrator_key):
    from django.core.files.uploadedfile import SimpleUploadedFile

    form = post_form(integrator_key)
    form["media"] = SimpleUploadedFile("virus.exe", b"MZ\x90\x00" * 64)

    response = client.post(BASE + "requests.json", form)

    assert response.status_code == 400
    assert errors(response)[0][1].startswith("media: ")
    assert nothing_written()


def test_empty_optional_fields_of_a_post_are_ignored(client, world, integrator_key):
    form = post_form(
        integrator_key,
        phone="",
        first_name="",
        last_name="",
        address_string="",
        address_id="",
        media_url="",
        device_id="",
        account_id="",
        jurisdiction_id="",
        **{
            "attribute[report_type]": "",
            "attribute[anonymous]": "",
            "attribute[region]": "",
            "attribute[title]": "",
        },
    )

    response = client.post(BASE + "requests.json", form)

    assert response.status_code == 200
    assert json.loads(response.content)[0]["account_id"] is None
    report = Report.objects.get()
    assert (report.report_type, report.is_anonymous, report.region, report.media_url) == (
        "complaint",
        False,
        None,
        "",
    )


def test_a_body_over_the_upload_limit_is_a_bad_request(client, world, integrator_key, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = client.post(
        BASE + "requests.json", post_form(integrator_key, description="x" * 2000)
    )

    assert response.status_code == 400
    assert errors(response) == [(400, "Permintaan terlalu besar. / The request is too large.")]
    assert nothing_written()


def test_text_xml_cannot_carry_is_removed_on_the_way_in(client, world, integrator_key):
    description = "Lampu jalan\x00 mati\x07 sejak\x1b seminggu.\tMohon\x0b diperbaiki."
    form = post_form(integrator_key, description=description, first_name="Ra\x01hmat")

    response = client.post(BASE + "requests.xml", form)

    assert response.status_code == 200
    report = Report.objects.get()
    assert report.body == "Lampu jalan mati sejak seminggu.\tMohon diperbaiki."
    assert report.reporter.name == "Rahmat Hidayat"


# ------------------------------------------------------------------------------ GET


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
            "Rentang start_date sampai end_date tidak boleh lebih dari 90 hari. / "
            "The range from start_date to end_date may not span more than 90 days.",
        ),
        (
            "start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z",
            "end_date lebih awal dari start_date. / end_date is earlier than start_date.",
        ),
        (
            "start_date=kemarin",
            "start_date bukan tanggal-waktu ISO 8601 yang valid (mis. 2026-01-31T00:00:00+08:00). / "
            "start_date is not a valid ISO 8601 date-time (e.g. 2026-01-31T00:00:00+08:00).",
        ),
        (
            "start_date=9999-12-31T00:00:00Z",
            "start_date/end_date di luar rentang tanggal yang dapat diproses. / "
            "start_date/end_date is outside the range of dates that can be handled.",
        ),
        (
            "status=pending",
            "status harus open atau closed (boleh keduanya, dipisah koma). / "
            "status must be open or closed (or both, comma-separated).",
        ),
        ("page_size=201", "page_size paling banyak 200. / page_size may be at most 200."),
        ("page=0", "page harus bilangan bulat positif. / page must be a positive whole number."),
        (
            "page_size=١٠",
            "page_size harus bilangan bulat positif. / page_size must be a positive whole number.",
        ),
        (
            "extensions=banyak",
            "extensions harus true atau false. / extensions must be true or false.",
        ),
        (
            "service_request_id=" + ",".join(f"PST-26-{i:07d}-0" for i in range(201)),
            "Parameter service_request_id berisi lebih dari 200 nilai. / "
            "Parameter service_request_id holds more than 200 values.",
        ),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_list_parameters_are_refused_in_the_requested_format(
    client, world, fmt, query, expected
):
    response = client.get(f"{BASE}requests.{fmt}?{query}")

    assert response.status_code == 400
    assert errors(response) == [(400, expected)]


def test_empty_optional_parameters_of_a_list_are_treated_as_absent(client, world):
    report = world.report_in("in_progress")

    response = client.get(
        BASE + "requests.json?service_request_id=&service_code=&start_date=&end_date="
        "&status=&page=&page_size=&extensions=&jurisdiction_id="
    )

    assert response.status_code == 200
    assert [r["service_request_id"] for r in records(response)] == [report.tracking_number]


def test_an_unknown_request_is_not_found_in_the_requested_format(client, world):
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}requests/PST-26-0000001-0.{fmt}")
        assert response.status_code == 404
        assert errors(response) == [
            (
                404,
                "service_request_id 'PST-26-0000001-0' tidak ditemukan. / "
                "service_request_id 'PST-26-0000001-0' was not found.",
            )
        ]


# ------------------------------------------------------------------------------ jurisdictions


V2_READS = [
    "services.{fmt}",
    "services/jalan-rusak.{fmt}",
    "requests.{fmt}",
    "servicerequestupdates.{fmt}",
]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_this_nodes_jurisdiction_is_accepted_in_any_case_and_others_are_not_found(
    client, world, settings, fmt
):
    settings.OPEN311_JURISDICTION_ID = "kutaitimurkab.go.id"
    report = world.report_in("closed")
    paths = V2_READS + [f"requests/{report.tracking_number}.{{fmt}}"]

    for path in paths:
        url = BASE + path.format(fmt=fmt)
        assert client.get(url, {"jurisdiction_id": "KutaiTimurKab.go.id"}).status_code == 200
        response = client.get(url, {"jurisdiction_id": "sfgov.org"})
        assert response.status_code == 404, url
        assert errors(response) == [
            (
                404,
                "jurisdiction_id 'sfgov.org' tidak ditemukan; server ini melayani "
                "'kutaitimurkab.go.id'. / jurisdiction_id 'sfgov.org' was not found; "
                "this server serves 'kutaitimurkab.go.id'.",
            )
        ]


JUNK_JURISDICTIONS = ["", "   ", "None", "none", "null", "NULL", "undefined", " null "]


@pytest.mark.parametrize("junk", JUNK_JURISDICTIONS)
def test_a_placeholder_jurisdiction_is_read_as_absent_on_every_endpoint(
    client, world, settings, integrator_key, junk
):
    """Clients send the jurisdiction they do not have as "", "None", "null"...; this
    server serves one jurisdiction, so it answers them as if the parameter were absent."""
    settings.OPEN311_JURISDICTION_ID = "kutaitimurkab.go.id"
    report = world.report_in("closed")
    (posted,) = json.loads(
        client.post(BASE + "requests.json", post_form(integrator_key, jurisdiction_id=junk)).content
    )
    paths = V2_READS + [
        f"requests/{report.tracking_number}.{{fmt}}",
        f"tokens/{posted['token']}.{{fmt}}",
    ]

    for fmt in ("json", "xml"):
        for path in paths:
            url = BASE + path.format(fmt=fmt)
            with_junk = client.get(url, {"jurisdiction_id": junk})
            assert with_junk.status_code == 200, url
            assert with_junk.content == client.get(url).content, url
    assert Report.objects.filter(uuid=posted["token"], channel="open311").exists()


@pytest.mark.parametrize("other", ["sfgov.org", "none.example.org", "nullarbor"])
def test_a_real_other_jurisdiction_is_still_not_found_on_every_endpoint(
    client, world, settings, integrator_key, other
):
    settings.OPEN311_JURISDICTION_ID = "kutaitimurkab.go.id"
    report = world.report_in("closed")
    (posted,) = json.loads(client.post(BASE + "requests.json", post_form(integrator_key)).content)
    paths = V2_READS + [
        f"requests/{report.tracking_number}.{{fmt}}",
        f"tokens/{posted['token']}.{{fmt}}",
    ]

    for path in paths:
        response = client.get(BASE + path.format(fmt="json"), {"jurisdiction_id": other})
        assert response.status_code == 404, path
        assert errors(response)[0][1].startswith(f"jurisdiction_id '{other}' tidak ditemukan")
    refused = client.post(BASE + "requests.json", post_form(integrator_key, jurisdiction_id=other))
    assert refused.status_code == 404
    assert Report.objects.filter(channel="open311").count() == 1


def test_a_post_for_another_jurisdiction_is_not_found_and_writes_nothing(
    client, world, integrator_key
):
    response = client.post(
        BASE + "requests.json", post_form(integrator_key, jurisdiction_id="sfgov.org")
    )

    assert response.status_code == 404
    assert nothing_written()


def test_without_a_setting_the_jurisdiction_is_the_site_host(client, world, settings):
    settings.SITE_URL = "https://lapor.kutaitimurkab.go.id"

    ok = client.get(BASE + "services.json?jurisdiction_id=lapor.kutaitimurkab.go.id")

    assert ok.status_code == 200
    assert client.get(BASE + "services.json?jurisdiction_id=kutaitimurkab.go.id").status_code == 404


# ------------------------------------------------------------------------------ formats


@pytest.mark.parametrize(
    "path",
    [
        "/open311/discovery.{fmt}",
        BASE + "services.{fmt}",
        BASE + "services/jalan-rusak.{fmt}",
        BASE + "requests.{fmt}",
        BASE + "servicerequestupdates.{fmt}",
    ],
)
def test_every_read_answers_in_the_format_of_its_suffix(client, world, path):
    world.report_in("closed")

    as_json = client.get(path.format(fmt="json"))
    as_xml = client.get(path.format(fmt="xml"))

    assert as_json.status_code == as_xml.status_code == 200
    assert as_json["Content-Type"] == "application/json; charset=utf-8"
    json.loads(as_json.content)
    assert as_xml["Content-Type"] == "text/xml; charset=utf-8"
    assert as_xml.content.startswith(XML_DECLARATION)
    parse_xml(as_xml.content)
    assert as_json["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        (BASE + "services.html", "text/xml; charset=utf-8"),
        (BASE + "services", "text/xml; charset=utf-8"),
        (BASE, "text/xml; charset=utf-8"),
        (BASE + "nothing.json", "application/json; charset=utf-8"),
        ("/open311/v3/services.xml", "text/xml; charset=utf-8"),
    ],
)
def test_an_unknown_address_or_format_is_a_404_in_the_spec_format(client, path, content_type):
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == content_type
    assert errors(response)[0][0] == 404


def test_a_method_an_address_does_not_take_is_refused_with_the_allowed_ones(client, world):
    response = client.delete(BASE + "requests.json")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, POST"
    assert errors(response) == [
        (405, "Metode DELETE tidak didukung di sini. / Method DELETE is not supported here.")
    ]
    assert client.post(BASE + "services.xml").status_code == 405


def test_control_characters_stored_by_other_channels_never_break_the_xml(client, world):
    report = world.report_in("in_progress", body="Jembatan\x0c ambruk\x1f di RT 05, mohon segera.")
    a.post_follow_up(report, "Sudah\x08 ditinjau\x0e oleh tim.", actor=world.officer)

    response = client.get(f"{BASE}requests/{report.tracking_number}.xml?extensions=true")

    assert response.status_code == 200
    request = parse_xml(response.content).find("request")
    assert request.findtext("description") == "Jembatan ambruk di RT 05, mohon segera."
    assert request.findtext("status_notes") == "Sudah ditinjau oleh tim."
    (as_json,) = json.loads(client.get(f"{BASE}requests/{report.tracking_number}.json").content)
    assert as_json["description"] == request.findtext("description")


def test_markup_in_text_is_escaped_not_interpreted(client, world):
    report = world.report_in("closed", body="<script>alert(1)</script> & ]]> jalan rusak parah")

    response = client.get(f"{BASE}requests/{report.tracking_number}.xml")

    assert body(response).findtext("request/description") == report.body
    assert b"<script>" not in response.content


def test_the_cleaner_drops_every_character_xml_forbids_and_keeps_the_rest():
    text = "a\x00b\x08c\x0bd\x0ce\x1ff\ud800g\udfffh\ufffei\uffffj\tk\nl\rm😀n€"

    cleaned = clean_text(text)

    assert cleaned == "abcdefghij\tk\nl\rm😀n€"
    root = parse_xml(to_xml("x", {"t": text}))
    # (An XML parser reads a carriage return as a line feed.)
    assert root.findtext("t") == "abcdefghij\tk\nl\nm😀n€"
    assert json.loads(to_json({"t": text}))["t"] == cleaned


def test_timestamps_always_carry_an_offset(client, world):
    world.report_in("closed")

    (entry,) = json.loads(client.get(BASE + "requests.json?extensions=true").content)

    stamps = [entry["requested_datetime"], entry["updated_datetime"]]
    stamps += [n["datetime"] for n in entry["notes"]]
    for stamp in stamps:
        assert timezone.is_aware(dt.datetime.fromisoformat(stamp))
