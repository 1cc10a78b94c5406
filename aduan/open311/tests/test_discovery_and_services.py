"""Discovery, the service list (categories as services) and service definitions."""

import json

import pytest

from aduan.categories.models import Category

from .conftest import BASE, body, xml_records

pytestmark = pytest.mark.django_db


def test_discovery_names_the_georeport_v2_endpoint_of_this_server_in_json(client):
    response = client.get("/open311/discovery.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(response.content)
    assert set(data) == {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["changeset"].endswith("+00:00")


def test_discovery_in_xml_has_the_declaration_and_the_same_content(client):
    response = client.get("/open311/discovery.xml")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<discovery>')
    root = body(response)
    endpoint = root.find("endpoints/endpoint")
    assert endpoint.findtext("url") == "http://testserver/open311/v2/"
    assert [f.text for f in endpoint.findall("formats/format")] == [
        "text/xml",
        "application/json",
    ]
    assert client.get("/open311/v2/discovery.xml").content == response.content


def test_the_service_list_offers_sub_categories_grouped_under_their_parent(
    client, world, django_assert_max_num_queries
):
    Category.objects.create(slug="lainnya", name="Lainnya", name_en="Other", sort_order=99)
    Category.objects.create(slug="lama", name="Kategori lama", is_active=False)

    with django_assert_max_num_queries(2):
        response = client.get(BASE + "services.json")

    services = json.loads(response.content)
    by_code = {s["service_code"]: s for s in services}
    # Parents with sub-categories are groups, not services; inactive categories are hidden.
    assert set(by_code) == {"jalan-rusak", "limbah", "lainnya"}
    assert by_code["jalan-rusak"] == {
        "service_code": "jalan-rusak",
        "service_name": "Jalan rusak",
        "description": "Infrastruktur › Jalan rusak",
        "metadata": True,
        "type": "realtime",
        "keywords": "Jalan rusak, Damaged road, Infrastruktur, Infrastructure",
        "group": "Infrastruktur",
    }
    assert by_code["lainnya"]["group"] == ""


def test_service_names_follow_the_requested_language(client, world):
    response = client.get(BASE + "services.json", HTTP_ACCEPT_LANGUAGE="en")

    by_code = {s["service_code"]: s for s in json.loads(response.content)}
    assert by_code["limbah"]["service_name"] == "Waste"
    assert by_code["limbah"]["group"] == "Environment"


def test_the_service_list_in_xml_matches_the_json(client, world):
    as_json = json.loads(client.get(BASE + "services.json").content)
    response = client.get(BASE + "services.xml")

    assert response["Content-Type"] == "text/xml; charset=utf-8"
    as_xml = xml_records(body(response), "service")
    assert as_xml == [
        {k: str(v).lower() if isinstance(v, bool) else v for k, v in s.items()} for s in as_json
    ]


def test_a_service_definition_lists_the_report_attributes(client, world):
    response = client.get(BASE + "services/jalan-rusak.json")

    assert response.status_code == 200
    definition = json.loads(response.content)
    assert definition["service_code"] == "jalan-rusak"
    attributes = {a["code"]: a for a in definition["attributes"]}
    assert list(attributes) == ["title", "report_type", "anonymous", "confidential", "region"]
    assert [a["order"] for a in definition["attributes"]] == [1, 2, 3, 4, 5]
    report_type = attributes["report_type"]
    assert report_type["datatype"] == "singlevaluelist"
    assert report_type["variable"] is True
    assert report_type["required"] is False
    assert report_type["values"] == [
        {"key": "complaint", "name": "Pengaduan"},
        {"key": "aspiration", "name": "Aspirasi"},
        {"key": "information_request", "name": "Permintaan informasi"},
    ]
    assert [v["key"] for v in attributes["anonymous"]["values"]] == ["true", "false"]
    assert attributes["region"]["datatype"] == "string"
    assert "64.08.04" in attributes["region"]["datatype_description"]


def test_a_service_definition_in_xml_nests_attributes_and_values(client, world):
    response = client.get(BASE + "services/jalan-rusak.xml", HTTP_ACCEPT_LANGUAGE="en")

    root = body(response)
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "jalan-rusak"
    attributes = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attributes] == [
        "title",
        "report_type",
        "anonymous",
        "confidential",
        "region",
    ]
    report_type = attributes[1]
    assert report_type.findtext("variable") == "true"
    assert report_type.findtext("required") == "false"
    assert [
        (v.findtext("key"), v.findtext("name")) for v in report_type.findall("values/value")
    ] == [
        ("complaint", "Complaint"),
        ("aspiration", "Aspiration"),
        ("information_request", "Information request"),
    ]


def test_a_top_level_category_still_has_a_definition(client, world):
    response = client.get(BASE + "services/infrastruktur.json")

    assert response.status_code == 200


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_or_inactive_service_is_not_found(client, world, fmt):
    Category.objects.create(slug="lama", name="Kategori lama", is_active=False)

    for code in ("tidak-ada", "lama"):
        response = client.get(f"{BASE}services/{code}.{fmt}")
        assert response.status_code == 404
        if fmt == "json":
            assert json.loads(response.content) == [
                {
                    "code": 404,
                    "description": f"service_code '{code}' tidak ditemukan. / "
                    f"service_code '{code}' was not found.",
                }
            ]
        else:
            root = body(response)
            assert root.tag == "errors"
            assert root.findtext("error/code") == "404"
