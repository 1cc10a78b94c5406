"""GET requests and GET one request: published reports only, every filter, both formats."""

import datetime as dt
import json

import pytest
import time_machine
from django.utils import timezone

from aduan.reports import actions as a
from aduan.reports.models import Report

from .conftest import BASE, body, records

pytestmark = pytest.mark.django_db

ALL_STATUSES = (
    "submitted",
    "on_hold",
    "archived",
    "withdrawn",
    "dispositioned",
    "returned",
    "in_progress",
    "responded",
    "closed",
)


def ids(response) -> list[str]:
    return [r["service_request_id"] for r in records(response)]


def test_only_published_reports_that_are_not_confidential_are_listed(client, world):
    reports = {status: world.report_in(status) for status in ALL_STATUSES}
    for status in ALL_STATUSES:
        world.report_in(status, is_confidential=True)

    for fmt in ("json", "xml"):
        listed = set(ids(client.get(f"{BASE}requests.{fmt}")))
        assert listed == {
            reports[s].tracking_number
            for s in ("dispositioned", "returned", "in_progress", "responded", "closed")
        }


def test_a_request_carries_the_report_fields_with_time_zone_offsets(client, world):
    report = world.report_in("responded", latitude="0.512300", longitude="117.545600")
    report.refresh_from_db()

    (entry,) = json.loads(client.get(BASE + "requests.json").content)

    assert entry == {
        "service_request_id": report.tracking_number,
        "status": "open",
        "status_notes": "Sudah ditambal pada 3 Maret.",
        "service_name": "Jalan rusak",
        "service_code": "jalan-rusak",
        "description": report.body,
        "agency_responsible": "Dinas Pekerjaan Umum Kutai Timur",
        "service_notice": entry["service_notice"],
        "requested_datetime": timezone.localtime(
            report.submitted_at, dt.timezone(dt.timedelta(hours=8))
        ).isoformat(timespec="seconds"),
        "updated_datetime": entry["updated_datetime"],
        "expected_datetime": entry["expected_datetime"],
        "address": "Sangatta Utara",
        "address_id": "64.08.04",
        "zipcode": "",
        "lat": 0.5123,
        "long": 117.5456,
        "media_url": "",
    }
    # Kutai Timur keeps WITA (UTC+8): every timestamp says so.
    for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert entry[field].endswith("+08:00")
    assert dt.datetime.fromisoformat(
        entry["expected_datetime"]
    ) == report.completion_due_at.replace(microsecond=0)
    assert dt.datetime.fromisoformat(entry["updated_datetime"]) == report.updated_at.replace(
        microsecond=0
    )
    assert entry["service_notice"].startswith("Target penyelesaian: ")


def test_statuses_map_to_open_and_closed(client, world):
    in_progress = world.report_in("in_progress")
    closed = world.report_in("closed")

    entries = {r["service_request_id"]: r for r in records(client.get(BASE + "requests.xml"))}

    assert entries[in_progress.tracking_number]["status"] == "open"
    assert entries[in_progress.tracking_number]["status_notes"] == "Diproses"
    assert entries[closed.tracking_number]["status"] == "closed"
    assert entries[closed.tracking_number]["service_notice"] == ""


def test_the_status_filter_takes_open_closed_or_both(client, world):
    open_report = world.report_in("in_progress")
    closed_report = world.report_in("closed")

    assert ids(client.get(BASE + "requests.json?status=open")) == [open_report.tracking_number]
    assert ids(client.get(BASE + "requests.json?status=closed")) == [closed_report.tracking_number]
    assert set(ids(client.get(BASE + "requests.json?status=open,closed"))) == {
        open_report.tracking_number,
        closed_report.tracking_number,
    }


def test_the_service_code_filter_takes_a_comma_separated_list(client, world):
    road = world.report_in("dispositioned")
    waste = world.report_in("dispositioned", category="limbah")
    world.report_in("dispositioned", category="infrastruktur")

    assert ids(client.get(BASE + "requests.json?service_code=limbah")) == [waste.tracking_number]
    assert set(ids(client.get(BASE + "requests.json?service_code=limbah,jalan-rusak"))) == {
        road.tracking_number,
        waste.tracking_number,
    }


def test_service_request_ids_override_every_other_filter(client, world):
    first = world.report_in("closed")
    second = world.report_in("in_progress")
    unpublished = world.report_in("submitted")

    query = ",".join(
        [first.tracking_number, second.tracking_number.lower(), unpublished.tracking_number]
    )
    response = client.get(
        f"{BASE}requests.json?service_request_id={query}&status=open&service_code=limbah"
        "&start_date=2001-01-01T00:00:00Z&end_date=2001-01-02T00:00:00Z"
    )

    assert set(ids(response)) == {first.tracking_number, second.tracking_number}


def test_the_list_defaults_to_the_most_recent_90_days(client, world):
    with time_machine.travel(timezone.now() - dt.timedelta(days=120), tick=False):
        old = world.report_in("dispositioned")
    recent = world.report_in("dispositioned")

    assert ids(client.get(BASE + "requests.json")) == [recent.tracking_number]
    old_day = old.submitted_at.date()
    response = client.get(
        f"{BASE}requests.json?start_date={old_day}T00:00:00Z&end_date={old_day}T23:59:59Z"
    )
    assert ids(response) == [old.tracking_number]
    # A start alone reaches 90 days forward.
    start = (old.submitted_at - dt.timedelta(days=1)).isoformat()
    assert ids(client.get(BASE + "requests.json", {"start_date": start})) == [old.tracking_number]
    # An end alone reaches 90 days back.
    end = (recent.submitted_at + dt.timedelta(minutes=1)).isoformat()
    assert ids(client.get(BASE + "requests.json", {"end_date": end})) == [recent.tracking_number]


def test_dates_with_offsets_and_an_unencoded_plus_are_understood(client, world):
    report = world.report_in("dispositioned")
    local = timezone.localtime(report.submitted_at, dt.timezone(dt.timedelta(hours=8)))
    start = (local - dt.timedelta(seconds=5)).replace(microsecond=0).isoformat()

    # "+08:00" typed into a URL without encoding arrives as " 08:00".
    response = client.get(BASE + "requests.json?start_date=" + start.replace("+", "%20"))

    assert response.status_code == 200
    assert ids(response) == [report.tracking_number]


def test_pages_split_the_list_and_link_to_the_next(client, world):
    reports = [world.report_in("dispositioned") for _ in range(5)]
    newest_first = [r.tracking_number for r in reversed(reports)]

    first = client.get(BASE + "requests.json?page_size=2")
    assert ids(first) == newest_first[:2]
    assert first["Link"] == (
        '<http://testserver/open311/v2/requests.json?page_size=2&page=2>; rel="next"'
    )
    assert ids(client.get(BASE + "requests.json?page_size=2&page=3")) == newest_first[4:]
    last = client.get(BASE + "requests.json?page_size=2&page=3")
    assert not last.has_header("Link")
    assert ids(client.get(BASE + "requests.json?page_size=2&page=9")) == []


def test_listing_takes_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for _ in range(8):
        world.report_in("responded")
    world.report_in("closed", category="limbah")

    # Three reads and the rate limit's one upsert.
    with django_assert_max_num_queries(4):
        response = client.get(BASE + "requests.json")
    assert len(json.loads(response.content)) == 9
    with django_assert_max_num_queries(4):
        response = client.get(BASE + "requests.xml?extensions=true")
    assert len(body(response).findall("request")) == 9


def test_one_request_is_an_array_of_one_in_both_formats(client, world):
    report = world.report_in("in_progress")

    response = client.get(f"{BASE}requests/{report.tracking_number}.json")
    assert response.status_code == 200
    (entry,) = json.loads(response.content)
    assert entry["service_request_id"] == report.tracking_number

    root = body(client.get(f"{BASE}requests/{report.tracking_number}.xml"))
    assert root.tag == "service_requests"
    assert [r.findtext("service_request_id") for r in root.findall("request")] == [
        report.tracking_number
    ]


@pytest.mark.parametrize("status", ["submitted", "on_hold", "archived", "withdrawn"])
def test_one_unpublished_request_is_not_found(client, world, status):
    report = world.report_in(status)

    response = client.get(f"{BASE}requests/{report.tracking_number}.json")

    assert response.status_code == 404
    assert json.loads(response.content)[0]["code"] == 404


def test_one_confidential_request_is_not_found_even_when_forwarded(client, world):
    report = world.report_in("closed", is_confidential=True)

    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}requests/{report.tracking_number}.{fmt}")
        assert response.status_code == 404
        assert report.body.encode() not in response.content


def test_a_mistyped_tracking_number_is_not_found_instead_of_matching_another(client, world):
    report = world.report_in("closed")
    wrong_check_digit = report.tracking_number[:-1] + str(
        (int(report.tracking_number[-1]) + 1) % 10
    )

    response = client.get(f"{BASE}requests/{wrong_check_digit}.json")

    assert response.status_code == 404


def test_no_identity_ever_appears_in_a_request(client, world):
    anonymous = world.report_in("closed", is_anonymous=True)
    named = world.report_in("closed")

    for fmt in ("json", "xml"):
        for report in (anonymous, named):
            response = client.get(f"{BASE}requests/{report.tracking_number}.{fmt}?extensions=true")
            for personal in (b"Siti", b"siti@example.com", b"081234567890", b"6408041234567890"):
                assert personal not in response.content


def test_extensions_add_the_public_history_and_the_detailed_state(client, world):
    report = world.report_in("responded")
    a.add_internal_note(report, "Catatan rahasia petugas.", actor=world.officer)
    report.refresh_from_db()

    (entry,) = json.loads(
        client.get(f"{BASE}requests/{report.tracking_number}.json?extensions=true").content
    )

    assert [(n["type"], n["status"], n["description"]) for n in entry["notes"]] == [
        ("submitted", "submitted", "Laporan diterima"),
        (
            "dispositioned",
            "dispositioned",
            "Didisposisikan ke instansi: Pemerintah Kabupaten Kutai Timur › "
            "Dinas Pekerjaan Umum Kutai Timur",
        ),
        ("acknowledged", "in_progress", "Diterima dan diproses"),
        ("follow_up", "responded", "Sudah ditambal pada 3 Maret."),
    ]
    assert all(n["datetime"].endswith("+08:00") for n in entry["notes"])
    assert entry["extended_attributes"] == {
        "tracking_number": report.tracking_number,
        "uuid": str(report.uuid),
        "title": report.title,
        "status": "responded",
        "status_label": "Ditanggapi",
        "report_type": "complaint",
        "channel": "web",
        "agency": "Pemerintah Kabupaten Kutai Timur",
        "unit": "Dinas Pekerjaan Umum Kutai Timur",
        "category": "jalan-rusak",
        "category_name": "Jalan rusak",
        "region_code": "64.08.04",
        "region_name": "Sangatta Utara",
        "is_overdue": False,
    }
    assert (
        b"Catatan rahasia"
        not in client.get(f"{BASE}requests/{report.tracking_number}.xml?extensions=true").content
    )


def test_extensions_in_xml_nest_notes_and_attributes(client, world):
    report = world.report_in("closed")

    root = body(client.get(f"{BASE}requests/{report.tracking_number}.xml?extensions=true"))

    request = root.find("request")
    assert [n.findtext("type") for n in request.findall("notes/note")] == [
        "submitted",
        "dispositioned",
        "acknowledged",
        "follow_up",
        "accepted",
    ]
    assert request.findtext("extended_attributes/status") == "closed"
    assert request.findtext("extended_attributes/is_overdue") == "false"


def test_without_extensions_there_are_no_notes(client, world):
    report = world.report_in("closed")

    (entry,) = json.loads(client.get(f"{BASE}requests/{report.tracking_number}.json").content)

    assert "notes" not in entry and "extended_attributes" not in entry


def test_a_returned_report_tells_the_public_only_that_it_was_returned(client, world):
    report = world.report_in("returned")

    (entry,) = json.loads(
        client.get(f"{BASE}requests/{report.tracking_number}.json?extensions=true").content
    )

    assert entry["notes"][-1] == {
        "datetime": entry["notes"][-1]["datetime"],
        "description": "Dikembalikan: bukan wewenang",
        "type": "returned",
        "status": "returned",
    }
    assert "Bukan jalan kabupaten" not in json.dumps(entry)
    assert Report.objects.get(pk=report.pk).status == "returned"
