"""A report posted through Open311 is the same report everywhere: the REST API (/api/v1/)
and the public web page (/lacak/<number>/) read it back, and hide it alike until it is
published."""

import json

import pytest

from aduan.reports import actions as a
from aduan.reports.models import Report

from .conftest import BASE, post_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def posted(client, world, integrator_key):
    form = post_form(
        integrator_key,
        description="Tumpukan sampah di Pasar Induk Sangatta tidak diangkut dua minggu.",
        service_code="limbah",
        address_id="64.08.04",
        email="pedagang@example.com",
        **{"attribute[title]": "Sampah pasar tidak diangkut", "attribute[anonymous]": "true"},
    )
    (entry,) = json.loads(client.post(BASE + "requests.json", form).content)
    return entry


def test_an_unpublished_open311_report_is_hidden_from_every_public_reader(client, posted):
    number = Report.objects.get(uuid=posted["token"]).tracking_number

    assert client.get(f"{BASE}requests/{number}.json").status_code == 404
    assert client.get(f"/api/v1/reports/{number}").status_code == 404
    assert client.get(f"/api/v1/reports/{posted['token']}").status_code == 404
    assert client.get(f"/lacak/{number}/").status_code == 404


def test_the_rest_api_reads_back_what_open311_stored(client, world, posted):
    report = Report.objects.get(uuid=posted["token"])
    a.dispose_report(report, world.pemkab, unit=world.dlh, actor=world.national_admin)
    (resolved,) = json.loads(client.get(f"{BASE}tokens/{posted['token']}.json").content)

    response = client.get(f"/api/v1/reports/{resolved['service_request_id']}")

    assert response.status_code == 200
    data = response.json()
    assert data["uuid"] == posted["token"]
    assert data["tracking_number"] == resolved["service_request_id"]
    assert data["title"] == "Sampah pasar tidak diangkut"
    assert data["body"] == "Tumpukan sampah di Pasar Induk Sangatta tidak diangkut dua minggu."
    assert data["channel"] == "open311"
    assert data["category"]["slug"] == "limbah"
    # An anonymous report: the public reads its regency/city, not the district it gave.
    assert data["region"]["code"] == "64.08"
    assert data["is_anonymous"] is True
    assert data["status"] == "dispositioned"
    assert data["unit"]["name"] == "Dinas Lingkungan Hidup Kutai Timur"
    assert "pedagang@example.com" not in response.content.decode()
    # The two APIs agree on the report.
    (as_open311,) = json.loads(client.get(f"{BASE}requests/{data['tracking_number']}.json").content)
    assert as_open311["description"] == data["body"]
    assert as_open311["address_id"] == data["region"]["code"]
    assert as_open311["service_code"] == data["category"]["slug"]


def test_the_public_web_page_shows_the_open311_report(client, world, posted):
    report = Report.objects.get(uuid=posted["token"])
    a.dispose_report(report, world.pemkab, unit=world.dlh, actor=world.national_admin)

    response = client.get(f"/lacak/{report.tracking_number}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert report.tracking_number in page
    assert "Sampah pasar tidak diangkut" in page
    assert "Tumpukan sampah di Pasar Induk Sangatta" in page
    assert "Dinas Lingkungan Hidup Kutai Timur" in page
    assert "pedagang@example.com" not in page
