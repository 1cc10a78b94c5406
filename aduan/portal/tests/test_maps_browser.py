"""The maps in a real browser (Playwright, Debian's chromium), at desktop and phone widths.

No tile server is reachable in the tests (the tile address points at a closed local port),
which is also the case they prove: without tiles the points, pins and lists still work."""

import io
import re

import pytest
from playwright.sync_api import expect

from aduan.reports.models import Report
from conftest import login, screenshot

from .test_maps import SANGATTA, SANGKULIRANG, make_places

NO_TILES = "http://127.0.0.1:9/{z}/{x}/{y}.png"


@pytest.fixture(autouse=True)
def _unreachable_tiles(settings):
    settings.MAP_TILE_URL = NO_TILES


@pytest.fixture
def places(world):
    make_places(world)


@pytest.fixture
def published(world):
    """Published reports with points in Kutai Timur, and one anonymous report."""
    reports = [
        world.report_in("in_progress", title="Jalan berlubang di depan SDN 003", **SANGATTA),
        world.report_in(
            "closed",
            title="Lampu jalan mati sebulan",
            latitude="0.505500",
            longitude="117.533000",
        ),
        world.report_in(
            "responded",
            title="Sampah menumpuk di pasar",
            category="limbah",
            region="64.08.05",
            **SANGKULIRANG,
        ),
    ]
    world.report_in("in_progress", title="Keluhan anonim", is_anonymous=True, **SANGATTA)
    return reports


def gps_photo(latitude_dms=(0.0, 30.0, 18.0), longitude_dms=(117.0, 31.0, 48.0)) -> bytes:
    """A JPEG whose EXIF holds a GPS position (0°30'18" N, 117°31'48" E by default)."""
    from PIL import Image

    image = Image.new("RGB", (64, 48), (90, 120, 160))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: latitude_dms, 3: "E", 4: longitude_dms}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


# ------------------------------------------------------------------------------ the public map


def test_the_public_map_clusters_reports_and_works_by_keyboard(page, world, published):
    page.goto("/peta/")
    status = page.locator("[data-map-status]")
    expect(status).to_have_text(re.compile("3 laporan ditampilkan"))
    # No tiles could be loaded: the page says so and still shows the points.
    expect(page.get_by_text("Peta dasar tidak dapat dimuat")).to_be_visible()
    cluster = page.locator(".map-cluster")
    expect(cluster).to_have_count(1)
    expect(cluster).to_have_attribute("aria-label", re.compile("3 laporan di sekitar sini"))
    assert "Keluhan anonim" not in page.content()

    # Keyboard: Enter on a cluster zooms in until the reports stand apart.
    for _ in range(6):
        if page.locator(".map-point").count() >= 1:
            break
        page.locator(".map-cluster").first.focus()
        page.keyboard.press("Enter")
        page.wait_for_timeout(600)
    expect(page.locator(".map-point").first).to_be_visible()
    screenshot(page, "public-map")

    # The list under the map names what is in view, with links to the reports.
    link = page.locator("[data-map-list] a", has_text="Sampah menumpuk di pasar")
    if link.count() == 0:
        # Zoomed onto Sangatta: Sangkulirang is out of view; its neighbours are listed.
        link = page.locator("[data-map-list] a").first
    expect(link).to_be_visible()
    link.click()
    expect(page).to_have_url(re.compile(r"/lacak/PST-"))


def test_the_public_map_follows_the_lists_filters_at_a_phones_width(
    phone_page, world, published, places
):
    page = phone_page
    page.goto("/laporan/?provinsi=64&kabupaten=64.08&kategori=limbah")
    page.get_by_role("link", name="Lihat di peta").click()
    expect(page).to_have_url(re.compile(r"/peta/\?provinsi=64&kabupaten=64.08&kategori=limbah"))
    expect(page.locator("[data-map-status]")).to_have_text(re.compile("1 laporan ditampilkan"))
    point = page.locator(".map-point")
    expect(point).to_have_count(1)
    point.click()
    expect(page.locator(".leaflet-popup a", has_text="Sampah menumpuk di pasar")).to_be_visible()
    screenshot(page, "public-map-phone")
    page.get_by_role("link", name="Lihat sebagai daftar").click()
    expect(page.get_by_role("link", name="Sampah menumpuk di pasar")).to_be_visible()
    expect(page.get_by_role("link", name="Jalan berlubang di depan SDN 003")).to_have_count(0)


def test_without_javascript_the_map_page_leads_to_the_list(browser, live_server, world, published):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/peta/?status=closed")
        expect(page.get_by_text("Peta membutuhkan JavaScript.")).to_be_visible()
        page.get_by_role("link", name="Lihat laporan yang sama sebagai daftar").click()
        expect(page).to_have_url(re.compile(r"/laporan/\?status=closed"))
        expect(page.get_by_role("link", name="Lampu jalan mati sebulan")).to_be_visible()
        # A report's page shows its point as text.
        page.get_by_role("link", name="Lampu jalan mati sebulan").click()
        expect(page.get_by_text("0.505500, 117.533000")).to_be_visible()
    finally:
        context.close()


# ------------------------------------------------------------------------------ a report's page


def test_a_public_report_shows_its_point_on_a_map(page, world, published):
    page.goto(f"/lacak/{published[0].tracking_number}/")
    section = page.locator(".report-point")
    expect(section.locator(".map-point")).to_be_visible()
    expect(section).to_contain_text("0.503000, 117.530000")
    screenshot(page, "report-map")
    section.get_by_role("link", name="Laporan lain di sekitarnya").click()
    # The public map opens on the report's place, where its neighbour is too.
    expect(page.locator("[data-map-status]")).to_have_text(re.compile("2 laporan ditampilkan"))


# ------------------------------------------------------------------------------ the report form


def test_the_phones_location_fills_the_point_and_the_regions(browser, live_server, world, places):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": 0.5101, "longitude": 117.5301},
        permissions=["geolocation"],
    )
    page = context.new_page()
    try:
        login(page, "warga")
        page.goto("/lapor/")
        page.get_by_role("button", name="Gunakan lokasi saya").click()
        expect(page.get_by_label("Lintang (latitude)")).to_have_value("0.510100")
        expect(page.get_by_label("Bujur (longitude)")).to_have_value("117.530100")
        expect(page.get_by_label("Provinsi")).to_have_value("64")
        expect(page.get_by_label("Kabupaten/kota")).to_have_value("64.08")
        expect(page.get_by_label("Kecamatan")).to_have_value("64.08.04")
        expect(page.locator("[data-locate-status]")).to_contain_text("Sangatta Utara")
        # The village is left to the citizen, its options ready.
        page.get_by_label("Desa/kelurahan").select_option("64.08.04.1001")
    finally:
        context.close()


def test_the_form_map_opens_on_the_chosen_regency_and_a_tap_fills_the_regions(page, world, places):
    login(page, "warga")
    page.goto("/lapor/")
    page.get_by_label("Provinsi").select_option("64")
    page.get_by_label("Kabupaten/kota").select_option("64.08")
    with page.expect_response(re.compile(r"/wilayah/64\.08/letak\.json")):
        page.get_by_role("button", name="Tandai di peta").click()
    canvas = page.locator("[data-map-canvas]")
    expect(canvas).to_be_visible()
    page.wait_for_timeout(500)
    # A tap in the middle of the framed map lands in Kutai Timur's known extent.
    canvas.click()
    latitude = float(page.get_by_label("Lintang (latitude)").input_value())
    longitude = float(page.get_by_label("Bujur (longitude)").input_value())
    assert 0.5 <= latitude <= 0.98 and 117.52 <= longitude <= 118.11
    expect(page.locator("[data-locate-status]")).to_contain_text("Wilayah diisi dari titik")
    expect(page.get_by_label("Kabupaten/kota")).to_have_value("64.08")
    expect(page.locator(".leaflet-marker-icon")).to_be_visible()
    screenshot(page, "report-form-map")

    # By keyboard: the arrow keys move the map, Enter marks its centre.
    canvas.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_timeout(400)
    page.keyboard.press("Enter")
    expect(page.get_by_label("Bujur (longitude)")).not_to_have_value(f"{longitude:.6f}")
    assert float(page.get_by_label("Bujur (longitude)").input_value()) > longitude

    # Choosing a region by hand frames the map on it (the reverse way).
    with page.expect_response(re.compile(r"/wilayah/64\.08\.05/letak\.json")):
        page.get_by_label("Kecamatan").select_option("64.08.05")


def test_a_photos_gps_is_offered_as_the_point_and_stripped_on_upload(phone_page, world, places):
    page = phone_page
    login(page, "warga")
    page.goto("/lapor/")
    page.locator("#id_attachments").set_input_files(
        {"name": "lubang.jpg", "mimeType": "image/jpeg", "buffer": gps_photo()}
    )
    offer = page.locator("[data-photo-point]")
    expect(offer).to_contain_text("0.505000, 117.530000")
    screenshot(page, "report-form-photo-point-phone")
    offer.get_by_role("button", name="Gunakan titik dari foto").click()
    expect(page.get_by_label("Lintang (latitude)")).to_have_value("0.505000")
    expect(page.get_by_label("Bujur (longitude)")).to_have_value("117.530000")
    expect(page.get_by_label("Kecamatan")).to_have_value("64.08.04")

    page.get_by_label("Judul laporan").fill("Jalan berlubang di depan pasar")
    page.get_by_label("Isi laporan").fill(
        "Lubang besar di depan pasar, motor sering jatuh di sini."
    )
    page.get_by_role("button", name="Kirim laporan").click()
    expect(page).to_have_url(re.compile(r"/lapor/terkirim/"))
    report = Report.objects.get(title="Jalan berlubang di depan pasar")
    assert (str(report.latitude), str(report.longitude)) == ("0.505000", "117.530000")
    assert report.region_id == "64.08.04"
    from PIL import Image

    (attachment,) = report.attachments.all()
    with attachment.file.open("rb") as stored:
        assert not Image.open(stored).getexif().get_ifd(0x8825)
