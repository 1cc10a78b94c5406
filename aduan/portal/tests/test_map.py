"""The optional map: Leaflet comes from node_modules when installed; without it the form
still takes coordinates as plain inputs."""

import pytest

NEW = "/lapor/"


@pytest.fixture
def with_leaflet(settings, tmp_path):
    dist = tmp_path / "node_modules" / "leaflet" / "dist"
    (dist / "images").mkdir(parents=True)
    (dist / "leaflet.js").write_text("/* leaflet */ window.L = {};")
    (dist / "leaflet.css").write_text(".leaflet-container{}")
    (dist / "images" / "marker-icon.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    exifr = tmp_path / "node_modules" / "exifr" / "dist"
    exifr.mkdir(parents=True)
    (exifr / "mini.umd.js").write_text("/* exifr */ window.exifr = {};")
    (tmp_path / "secret.txt").write_text("not for the web")
    settings.BASE_DIR = tmp_path
    return dist


@pytest.fixture
def without_leaflet(settings, tmp_path):
    settings.BASE_DIR = tmp_path


def test_with_leaflet_installed_the_form_offers_the_map(client, world, with_leaflet):
    client.force_login(world.citizen)
    html = client.get(NEW).content.decode()
    assert "data-map " in html and "Tandai di peta" in html
    assert "/aset/leaflet/leaflet.js?v=1.9.4" in html
    # The tile server is configurable and only the browser talks to it.
    assert "tile.openstreetmap.org" in html


def test_leaflet_files_are_served_with_a_long_cache(client, db, with_leaflet):
    response = client.get("/aset/leaflet/leaflet.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "immutable" in response["Cache-Control"]
    assert client.get("/aset/leaflet/images/marker-icon.png")["Content-Type"] == "image/png"


def test_only_leaflets_own_files_are_served(client, db, with_leaflet):
    for name in ("../../../secret.txt", "leaflet-src.js", "package.json", "..%2F..%2Fsecret.txt"):
        assert client.get(f"/aset/leaflet/{name}").status_code == 404


def test_exifr_reads_photos_in_the_browser_and_is_served_like_leaflet(client, world, with_leaflet):
    client.force_login(world.citizen)
    html = client.get(NEW).content.decode()
    assert 'data-exifr-js="/aset/exifr/mini.umd.js?v=7.1.3"' in html
    response = client.get("/aset/exifr/mini.umd.js")
    assert response.status_code == 200 and "immutable" in response["Cache-Control"]
    for path in ("/aset/exifr/full.umd.js", "/aset/exifr/package.json", "/aset/os/secret.txt"):
        assert client.get(path).status_code == 404


def test_without_node_modules_the_form_works_with_plain_coordinates(client, world, without_leaflet):
    client.force_login(world.citizen)
    html = client.get(NEW).content.decode()
    assert "data-map " not in html and "Tandai di peta" not in html and 'data-exifr-js=""' in html
    assert 'name="latitude"' in html and 'name="longitude"' in html
    assert client.get("/aset/leaflet/leaflet.js").status_code == 404
    from .conftest import report_form_data

    client.post(NEW, report_form_data(latitude="0.4935", longitude="117.5163"))
    from aduan.reports.models import Report

    report = Report.objects.get()
    assert (str(report.latitude), str(report.longitude)) == ("0.493500", "117.516300")
