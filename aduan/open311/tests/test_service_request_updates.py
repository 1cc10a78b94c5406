"""servicerequestupdates, as FixMyStreet defines the extension: the public updates of
published requests in a period, with FixMyStreet's extended statuses."""

import datetime as dt
import json

import pytest
import time_machine
from django.utils import timezone

from aduan.reports import actions as a
from aduan.reports.models import ReportEvent

from .conftest import BASE, body

pytestmark = pytest.mark.django_db

URL = BASE + "servicerequestupdates.json"


def test_updates_are_the_public_steps_of_published_requests_oldest_first(client, world):
    closed = world.report_in("closed")
    a.add_internal_note(world.report_in("in_progress"), "Rahasia.", actor=world.officer)
    world.report_in("submitted")
    world.report_in("in_progress", is_confidential=True)

    updates = json.loads(client.get(URL).content)

    mine = [u for u in updates if u["service_request_id"] == closed.tracking_number]
    assert [(u["status"], u["external_status_code"]) for u in mine] == [
        ("open", "dispositioned"),
        ("in_progress", "in_progress"),
        ("in_progress", "responded"),
        ("closed", "closed"),
    ]
    follow_up = ReportEvent.objects.get(report=closed, type="follow_up")
    assert mine[2] == {
        "update_id": str(follow_up.uuid),
        "service_request_id": closed.tracking_number,
        "status": "in_progress",
        "external_status_code": "responded",
        "updated_datetime": timezone.localtime(
            follow_up.at, dt.timezone(dt.timedelta(hours=8))
        ).isoformat(timespec="seconds"),
        "description": "Sudah ditambal pada 3 Maret.",
        "media_url": "",
    }
    # Only published, non-confidential reports; no internal notes; no submissions.
    published = {closed.tracking_number}
    published.add(ReportEvent.objects.filter(type="internal_note").get().report.tracking_number)
    assert {u["service_request_id"] for u in updates} == published
    assert all(u["description"] != "Rahasia." for u in updates)
    assert [u["updated_datetime"] for u in updates] == sorted(
        u["updated_datetime"] for u in updates
    )


def test_returns_forwards_and_appeals_use_fixmystreet_statuses(client, world):
    returned = world.report_in("returned")
    forwarded = world.submit()
    a.dispose_report(forwarded, world.pemkab, actor=world.national_admin)
    a.forward_to_unit(forwarded, world.dlh, actor=world.agency_admin)
    contested = world.report_in("responded")
    a.contest_response(contested, "Lubangnya masih ada.", actor=world.citizen)

    updates = json.loads(client.get(URL).content)

    def statuses(report):
        return [u["status"] for u in updates if u["service_request_id"] == report.tracking_number]

    assert statuses(returned) == ["open", "not_councils_responsibility"]
    assert statuses(forwarded) == ["open", "internal_referral"]
    assert statuses(contested) == ["open", "in_progress", "in_progress", "reopen"]
    descriptions = [
        u["description"] for u in updates if u["service_request_id"] == contested.tracking_number
    ]
    assert "Lubangnya masih ada." not in descriptions
    assert [u for u in updates if u["service_request_id"] == forwarded.tracking_number][1][
        "description"
    ] == "Diteruskan ke unit kerja: Dinas Lingkungan Hidup Kutai Timur"


def test_the_period_defaults_to_90_days_and_may_not_be_longer(client, world):
    with time_machine.travel(timezone.now() - dt.timedelta(days=100), tick=False):
        old = world.report_in("dispositioned")
    recent = world.report_in("dispositioned")

    ids = {u["service_request_id"] for u in json.loads(client.get(URL).content)}
    assert ids == {recent.tracking_number}

    day = old.dispositioned_at.date()
    response = client.get(URL, {"start_date": f"{day}T00:00:00Z", "end_date": f"{day}T23:59:59Z"})
    assert {u["service_request_id"] for u in json.loads(response.content)} == {old.tracking_number}

    too_long = client.get(
        URL, {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-05-01T00:00:00Z"}
    )
    assert too_long.status_code == 400


def test_updates_in_xml_are_request_update_elements(client, world):
    report = world.report_in("in_progress")

    response = client.get(BASE + "servicerequestupdates.xml")

    root = body(response)
    assert root.tag == "service_request_updates"
    updates = root.findall("request_update")
    assert [u.findtext("service_request_id") for u in updates] == [report.tracking_number] * 2
    assert [u.findtext("status") for u in updates] == ["open", "in_progress"]
    assert updates[0].find("media_url") is not None


def test_updates_are_paginated_with_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    for _ in range(6):
        world.report_in("in_progress")

    with django_assert_max_num_queries(3):  # with the rate limit's upsert
        first = client.get(URL + "?page_size=5")
    second = client.get(URL + "?page_size=5&page=2")
    third = client.get(URL + "?page_size=5&page=3")

    pages = [json.loads(r.content) for r in (first, second, third)]
    assert [len(p) for p in pages] == [5, 5, 2]
    assert first["Link"].endswith('?page_size=5&page=2>; rel="next"')
    assert not third.has_header("Link")
    all_ids = [u["update_id"] for p in pages for u in p]
    assert len(set(all_ids)) == 12


def test_a_follow_up_photo_is_the_media_url_of_its_update(client, world):
    from .test_post_and_tokens import photo

    report = world.report_in("in_progress")
    a.post_follow_up(report, "Lubang sudah ditambal.", actor=world.officer, files=[photo()])

    (update,) = [
        u for u in json.loads(client.get(URL).content) if u["external_status_code"] == "responded"
    ]

    attachment = report.attachments.get()
    assert update["media_url"] == f"http://testserver/lampiran/{attachment.uuid}/"
    assert client.get(update["media_url"]).status_code == 200
