"""The public map, its clustered data, the map on a report's page, and the region look-ups
behind the report form's map. Browser behaviour is in test_maps_browser.py."""

import json

import pytest

from aduan.regions.models import GeoPlace, GeoPlaceSource
from aduan.reports.models import Report
from aduan.reports.public import public_location, with_public_point

from .. import mapdata

MAP = "/peta/"
DATA = "/peta/data.json"
INDONESIA = "bbox=94,-11.5,141.5,6.5&zoom=5"
SANGATTA = {"latitude": "0.503000", "longitude": "117.530000"}
SANGKULIRANG = {"latitude": "0.977000", "longitude": "117.980000"}


def make_places(world):
    """Known places of Kutai Timur: the town of Sangatta (in Sangatta Utara), Sangkulirang
    and an island of the regency with no district."""
    for name, lat, lon, district in (
        ("Sangatta", 0.5049, 117.5279, world.sangatta_utara),
        ("Sangkulirang", 0.977, 117.9803, world.sangkulirang),
        ("Pulau Miang", 0.75, 118.10, None),
    ):
        GeoPlace.objects.create(
            name=name,
            latitude=lat,
            longitude=lon,
            regency=world.kutim,
            district=district,
            source=GeoPlaceSource.ISLAND if district is None else GeoPlaceSource.GEONAMES,
        )


@pytest.fixture
def places(world):
    make_places(world)


def features(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["features"]


def numbers(response) -> set[str]:
    return {r["tracking_number"] for f in features(response) for r in f["properties"]["reports"]}


# ------------------------------------------------------------------------------ the data


def test_the_map_places_published_reports_with_a_public_point_only(client, world):
    shown = world.report_in("in_progress", title="Jalan berlubang", **SANGATTA)
    anonymous = world.report_in("in_progress", is_anonymous=True, **SANGATTA)
    confidential = world.report_in("in_progress", is_confidential=True, **SANGATTA)
    unverified = world.report_in("submitted", **SANGATTA)
    archived = world.report_in("archived", **SANGATTA)
    without_point = world.report_in("closed")

    response = client.get(f"{DATA}?{INDONESIA}")
    assert numbers(response) == {shown.tracking_number}
    assert response.json()["total"] == 1
    body = response.content.decode()
    for hidden in (anonymous, confidential, unverified, archived, without_point):
        assert hidden.tracking_number not in body
    # Nobody's identity travels with the points.
    for personal in ("Siti", "siti@example.com", "081234567890"):
        assert personal not in body
    (feature,) = features(response)
    assert feature["geometry"]["coordinates"] == [117.53, 0.503]
    assert feature["properties"]["reports"][0] == {
        "tracking_number": shown.tracking_number,
        "title": "Jalan berlubang",
        "status": "in_progress",
        "status_label": "Diproses",
        "url": f"/lacak/{shown.tracking_number}/",
    }


def test_an_anonymous_reports_exact_point_never_reaches_the_map_at_any_zoom(client, world):
    anonymous = world.report_in("closed", is_anonymous=True, latitude="0.5", longitude="117.5")
    for zoom in (3, 10, 18):
        box = "117.49,0.49,117.51,0.51" if zoom == 18 else "94,-11.5,141.5,6.5"
        response = client.get(f"{DATA}?bbox={box}&zoom={zoom}")
        assert features(response) == []
        assert "117.5" not in response.content.decode()
    assert anonymous.latitude is not None


def test_the_map_rule_is_the_public_location_rule(world):
    world.report_in("closed", **SANGATTA)
    world.report_in("closed", is_anonymous=True, **SANGATTA)
    world.report_in("closed")
    placed = set(with_public_point(Report.objects.all()).values_list("pk", flat=True))
    for report in Report.objects.all():
        assert (report.pk in placed) == (public_location(report).latitude is not None)


def test_the_map_takes_the_lists_filters(client, world):
    road = world.report_in("in_progress", title="Jalan", **SANGATTA)
    waste = world.report_in(
        "closed", title="Limbah", category="limbah", region="64.08.05", **SANGKULIRANG
    )
    assert numbers(client.get(f"{DATA}?{INDONESIA}&kategori=limbah")) == {waste.tracking_number}
    assert numbers(client.get(f"{DATA}?{INDONESIA}&status=in_progress")) == {road.tracking_number}
    assert numbers(client.get(f"{DATA}?{INDONESIA}&cari=jalan")) == {road.tracking_number}
    assert numbers(client.get(f"{DATA}?{INDONESIA}&provinsi=31")) == set()
    both = {road.tracking_number, waste.tracking_number}
    assert numbers(client.get(f"{DATA}?{INDONESIA}&provinsi=64&kabupaten=64.08")) == both
    # A wrong filter is left out, as on the list.
    assert numbers(client.get(f"{DATA}?{INDONESIA}&dari=kemarin")) == both


def test_nearby_reports_are_one_cluster_far_ones_apart(client, world):
    world.report_in("in_progress", title="A", latitude="0.5030", longitude="117.5300")
    world.report_in("in_progress", title="B", latitude="0.5031", longitude="117.5302")
    world.report_in("in_progress", title="C", **SANGKULIRANG)

    zoomed_out = features(client.get(f"{DATA}?{INDONESIA}"))
    assert [f["properties"]["count"] for f in zoomed_out] == [3]
    assert len(zoomed_out[0]["properties"]["reports"]) == 3

    regency = features(client.get(f"{DATA}?bbox=117,0,118.5,1.5&zoom=10"))
    assert sorted(f["properties"]["count"] for f in regency) == [1, 2]
    pair = next(f for f in regency if f["properties"]["count"] == 2)
    # The box to zoom to when the cluster is opened: the extent of its reports.
    assert pair["properties"]["bounds"] == [[0.503, 117.53], [0.5031, 117.5302]]


def test_past_the_point_limit_the_server_counts_per_cell_in_a_bounded_number_of_queries(
    client, world, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(mapdata, "POINT_LIMIT", 2)
    for i in range(3):
        world.report_in(
            "in_progress", title=f"Sangatta {i}", latitude=f"0.50{i}", longitude="117.53"
        )
    lone = world.report_in("in_progress", title="Sangkulirang", **SANGKULIRANG)

    # The filter form's choices (provinces, categories) and the two map queries.
    with django_assert_max_num_queries(6):
        response = client.get(f"{DATA}?bbox=117,0,118.5,1.5&zoom=9")
    answer = response.json()
    assert answer["clustered_on_server"] is True and answer["total"] == 4
    by_count = {f["properties"]["count"]: f for f in answer["features"]}
    assert set(by_count) == {1, 3}
    # A cell of one report names it; a bigger cell only counts.
    assert [r["tracking_number"] for r in by_count[1]["properties"]["reports"]] == [
        lone.tracking_number
    ]
    assert by_count[3]["properties"]["reports"] == []
    assert by_count[3]["geometry"]["coordinates"] == [117.53, 0.501]


def test_an_answer_never_has_more_cells_than_the_grid_allows():
    box = mapdata.parse_box("94,-11.5,141.5,6.5")
    for zoom in range(mapdata.MIN_ZOOM, mapdata.MAX_ZOOM + 1):
        size = mapdata.cell_size(box, zoom)
        cells = ((box.north - box.south) / size + 1) * ((box.east - box.west) / size + 1)
        assert cells <= (mapdata.MAX_CELLS_PER_AXIS + 1) ** 2


def test_the_answer_is_cached_for_a_minute(client, world):
    world.report_in("in_progress", **SANGATTA)
    first = client.get(f"{DATA}?{INDONESIA}")
    assert "max-age=60" in first["Cache-Control"]
    world.report_in("in_progress", **SANGKULIRANG)
    assert client.get(f"{DATA}?{INDONESIA}").json() == first.json()


@pytest.mark.parametrize(
    "query",
    [
        "",
        "bbox=1,2,3&zoom=5",
        "bbox=a,b,c,d&zoom=5",
        "bbox=94,6,141,-11&zoom=5",
        "bbox=94,nan,141,6&zoom=5",
        "bbox=94,-11,141,6&zoom=dekat",
        "bbox=94,-11,141,6",
    ],
)
def test_a_malformed_view_is_refused_in_both_languages(client, db, query):
    response = client.get(f"{DATA}?{query}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and error["message_id"] and error["message_en"]
    assert error["message_id"] != error["message_en"]


def test_a_view_outside_indonesia_is_empty(client, world):
    world.report_in("in_progress", **SANGATTA)
    response = client.get(f"{DATA}?bbox=-10,40,10,55&zoom=6")
    assert features(response) == [] and response.json()["total"] == 0


def test_the_map_data_answers_get_only(client, db):
    assert client.post(f"{DATA}?{INDONESIA}").status_code == 405


# ------------------------------------------------------------------------------ the map page


def test_the_map_page_offers_the_list_with_the_same_filters(client, world):
    response = client.get(f"{MAP}?kategori=limbah&status=closed&bbox=junk")
    html = response.content.decode()
    assert response.status_code == 200
    assert "data-public-map" in html
    # The list, with the filters (and only the filters), is the map's equal alternative.
    assert 'href="/laporan/?kategori=limbah&amp;status=closed"' in html
    # Without JavaScript the page says so and points to the list.
    assert "Peta membutuhkan JavaScript." in html
    list_html = client.get("/laporan/?kategori=limbah").content.decode()
    assert 'href="/peta/?kategori=limbah"' in list_html


def test_the_map_opens_on_the_chosen_regency(client, world, places):
    html = client.get(f"{MAP}?provinsi=64&kabupaten=64.08").content.decode()
    assert 'data-extent="0.504900,117.527900,0.977000,118.100000"' in html
    assert "data-extent" not in client.get(MAP).content.decode()


def test_the_map_page_in_english(client, world):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(MAP).content.decode()
    assert "Public reports map" in html
    texts = json.loads(html.split('id="map-texts" type="application/json">')[1].split("<")[0])
    assert texts["cluster"] == "{count} reports around here. Press to zoom in."


# ------------------------------------------------------------------------------ a report's page


def test_a_public_report_shows_its_point(client, world):
    report = world.report_in("in_progress", **SANGATTA)
    html = client.get(f"/lacak/{report.tracking_number}/").content.decode()
    assert "0.503000, 117.530000" in html
    assert 'data-point-map data-latitude="0.503000" data-longitude="117.530000"' in html
    assert 'href="/peta/?pusat=0.503000,117.530000"' in html


def test_an_anonymous_report_shows_no_point_to_the_public_but_to_its_reporter(client, world):
    report = world.report_in("in_progress", is_anonymous=True, **SANGATTA)
    html = client.get(f"/lacak/{report.tracking_number}/").content.decode()
    assert "117.53" not in html and "0.503" not in html and "data-point-map" not in html
    assert "titik lokasinya tidak ditampilkan kepada publik" in html

    client.force_login(world.citizen)
    own = client.get(f"/lacak/{report.tracking_number}/").content.decode()
    assert "0.503000, 117.530000" in own and "data-point-map" in own


def test_a_report_without_a_point_has_no_map(client, world):
    report = world.report_in("in_progress")
    html = client.get(f"/lacak/{report.tracking_number}/").content.decode()
    assert "Lokasi di peta" not in html and "tidak ditampilkan kepada publik" not in html


# ------------------------------------------------------------------------------ region look-ups


def test_a_point_names_the_region_of_the_nearest_known_place(client, world, places):
    response = client.get("/wilayah/dari-titik.json?lat=0.51&lon=117.53")
    region = response.json()["region"]
    assert region["codes"] == ["64", "64.08", "64.08.04"]
    assert "Sangatta Utara" in region["reason"]
    # A place with no district (an island) fills only the province and the regency.
    island = client.get("/wilayah/dari-titik.json?lat=0.751&lon=118.101").json()["region"]
    assert island["codes"] == ["64", "64.08"] and island["district"] == ""


def test_a_point_far_from_every_known_place_names_no_region(client, world, places):
    assert client.get("/wilayah/dari-titik.json?lat=-8.5&lon=140.4").json() == {"region": None}


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("lat=utara&lon=117", "invalid"),
        ("lat=0.5", "invalid"),
        ("lat=48.85&lon=2.35", "outside"),
        ("lat=117.5&lon=0.5", "outside"),
        ("lat=nan&lon=117", "outside"),
    ],
)
def test_a_bad_point_is_refused_in_both_languages(client, db, query, code):
    response = client.get(f"/wilayah/dari-titik.json?{query}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code and error["message_id"] and error["message_en"]


def test_a_region_is_framed_by_its_known_places(client, world, places):
    regency = client.get("/wilayah/64.08/letak.json").json()
    assert regency["bounds"] == [[0.5049, 117.5279], [0.977, 118.1]]
    assert regency["measured_on"] == "64.08"
    district = client.get("/wilayah/64.08.04/letak.json").json()
    assert district["bounds"] == [[0.5049, 117.5279], [0.5049, 117.5279]]
    # A village (never known) and a district without points take the regency's box.
    village = client.get("/wilayah/64.08.04.1001/letak.json").json()
    assert village["measured_on"] == "64.08.04"
    province = client.get("/wilayah/64/letak.json").json()
    assert province["bounds"] == regency["bounds"] and province["measured_on"] == "64"


def test_a_region_without_known_places_has_no_box_and_an_unknown_one_is_404(client, world):
    assert client.get("/wilayah/31/letak.json").json()["bounds"] is None
    response = client.get("/wilayah/99.99/letak.json")
    assert response.status_code == 404
    assert response.json()["error"]["message_en"] == "Region not found."
