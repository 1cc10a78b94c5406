"""Every public output, one test each: an anonymous reporter's identity and the exact place
of their report never appear, wherever the public reads the report; a named report shows
where it is. The place of an anonymous report is its regency/city (aduan.reports.public).

When a new public output is added, it belongs in OUTPUTS."""

import io
import json
from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from aduan.api.keys import issue_key
from aduan.reports import actions as a
from aduan.stats import opendata

# The reporter behind the report (the citizen persona) and where exactly it is.
IDENTITY = ("Siti", "081234567890", "siti@example.com", "6408041234567890")
LATITUDE, LONGITUDE = "0.517391", "117.538264"
ADDRESS = "Jl. Mawar No. 7 RT 03"
VILLAGE = ("64.08.04.1001", "Singa Gembara")
DISTRICT = ("64.08.04", "Sangatta Utara")
EXACT_PLACE = (
    LATITUDE,
    LATITUDE[:-1],
    LONGITUDE,
    LONGITUDE[:-1],
    "Mawar",
    *VILLAGE,
    *DISTRICT,
)


def photo(name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 120, 60)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters and cached pages live in the cache.
    cache.clear()


def report_at_the_exact_place(world, *, anonymous: bool):
    """A report by Siti, at a village with coordinates and an address, forwarded and
    answered, whose photo (named after her) the staff published."""
    report = world.report_in(
        "responded",
        is_anonymous=anonymous,
        title="Limbah cair dialirkan ke sungai",
        region=VILLAGE[0],
        latitude=LATITUDE,
        longitude=LONGITUDE,
        address=ADDRESS,
        files=[photo("Siti_081234567890.jpg")],
    )
    a.publish_attachment(report.attachments.get(), actor=world.national_admin)
    return report


@pytest.fixture
def anonymous_report(world):
    return report_at_the_exact_place(world, anonymous=True)


@pytest.fixture
def named_report(world):
    return report_at_the_exact_place(world, anonymous=False)


def text(response) -> str:
    assert response.status_code == 200, response.content[:500]
    headers = "\n".join(f"{name}: {value}" for name, value in response.items())
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return headers + "\n" + body.decode("utf-8", errors="replace")


def open_data(client: Client, report) -> str:
    opendata.build()
    directory = opendata.directory()
    return "\n".join(
        (directory / name).read_text(encoding="utf-8")
        for name in (opendata.CSV_NAME, opendata.JSON_NAME)
    )


def integrator(path: str) -> Callable:
    """An output read with an integrator's key that is not scoped to any agency."""

    def read(client: Client, report) -> str:
        key = issue_key("Aplikasi warga").secret
        return text(client.get(path.format(n=report.tracking_number), headers={"X-API-Key": key}))

    return read


def page(path: str, **params) -> Callable:
    def read(client: Client, report) -> str:
        number = report.tracking_number
        query = {name: value.format(n=number) for name, value in params.items()}
        return text(client.get(path.format(n=number), query, follow=True))

    return read


def attachment_download(prefix: str) -> Callable:
    def read(client: Client, report) -> str:
        attachment = report.attachments.get()
        if prefix == "api":
            path = f"/api/v1/reports/{report.tracking_number}/attachments/{attachment.uuid}"
        else:
            path = f"/lampiran/{attachment.uuid}/"
        return text(client.get(path))

    return read


OUTPUTS: dict[str, Callable[[Client, object], str]] = {
    "report page": page("/lacak/{n}/"),
    "tracking page": page("/lacak/", nomor="{n}"),
    "public list": page("/laporan/"),
    "home page": page("/"),
    "api report": page("/api/v1/reports/{n}"),
    "api report list": page("/api/v1/reports"),
    "api report timeline": page("/api/v1/reports/{n}/timeline"),
    "api report for an integrator": integrator("/api/v1/reports/{n}"),
    "api report list for an integrator": integrator("/api/v1/reports"),
    "open311 request": page("/open311/v2/requests/{n}.json", extensions="true"),
    "open311 request as xml": page("/open311/v2/requests/{n}.xml", extensions="true"),
    "open311 request list": page("/open311/v2/requests.json", extensions="true"),
    "open311 updates": page("/open311/v2/servicerequestupdates.json"),
    "open data": open_data,
    "photo download": attachment_download("portal"),
    "api photo download": attachment_download("api"),
    "search results": page("/laporan/", cari="Limbah sungai"),
    "map data": page("/peta/data.json", bbox="110,-5,125,5", zoom="14"),
    "atom feed of reports": page("/umpan/laporan/"),
    "atom feed of one report": page("/umpan/laporan/{n}/"),
}
# Outputs where an anonymous report does not appear at all (no point to show).
NOT_SHOWN_WHEN_ANONYMOUS = ("photo download", "api photo download", "map data")


@pytest.mark.parametrize("output", sorted(OUTPUTS))
def test_an_anonymous_report_shows_neither_its_reporter_nor_its_exact_place(
    world, anonymous_report, output
):
    shown = OUTPUTS[output](Client(), anonymous_report)

    leaks = [secret for secret in IDENTITY + EXACT_PLACE if secret in shown]
    assert leaks == []
    if output not in NOT_SHOWN_WHEN_ANONYMOUS:
        assert anonymous_report.tracking_number in shown  # the output does show the report


@pytest.mark.parametrize(
    "output",
    ["report page", "api report", "api report list", "open311 request", "open311 request list"],
)
def test_an_anonymous_report_is_placed_in_its_regency(world, anonymous_report, output):
    shown = OUTPUTS[output](Client(), anonymous_report)

    assert "Kabupaten Kutai Timur" in shown or '"64.08"' in shown


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("report page", ("Singa Gembara", "Sangatta Utara", ADDRESS)),
        ("api report", (LATITUDE, LONGITUDE, ADDRESS, VILLAGE[0])),
        ("api report list", (LATITUDE, LONGITUDE, ADDRESS, VILLAGE[0])),
        ("open311 request", (LATITUDE, LONGITUDE, ADDRESS, VILLAGE[0], "Singa Gembara")),
        ("open311 request as xml", (LATITUDE, LONGITUDE, ADDRESS, VILLAGE[0])),
        ("open data", (DISTRICT[0], "0.52", "117.54")),
        ("map data", ("Limbah cair dialirkan ke sungai",)),
        ("search results", ("Limbah cair dialirkan ke sungai",)),
    ],
)
def test_a_named_report_shows_where_it_is_but_not_who_sent_it(
    world, named_report, output, expected
):
    shown = OUTPUTS[output](Client(), named_report)

    assert [place for place in expected if place not in shown] == []
    assert [secret for secret in IDENTITY if secret in shown] == []


def test_the_public_cannot_find_an_anonymous_report_by_its_village_or_district(
    world, anonymous_report
):
    client = Client()

    def found(region: str) -> list[str]:
        response = client.get("/api/v1/reports", {"region": region})
        assert response.status_code == 200
        return [r["tracking_number"] for r in response.json()["results"]]

    assert found(VILLAGE[0]) == []
    assert found(DISTRICT[0]) == []
    assert found("64.08") == [anonymous_report.tracking_number]


def test_the_reporter_sees_where_they_placed_their_own_anonymous_report(world, anonymous_report):
    client = Client()
    client.force_login(world.citizen)

    shown = text(client.get(f"/lacak/{anonymous_report.tracking_number}/"))

    assert ADDRESS in shown
    assert "Singa Gembara" in shown


def test_open_data_json_is_valid_and_blurs_the_anonymous_report(world, anonymous_report):
    opendata.build()
    data = json.loads((opendata.directory() / opendata.JSON_NAME).read_text(encoding="utf-8"))

    (row,) = data["laporan"]
    assert (row["kode_kabupaten_kota"], row["kode_kecamatan"]) == ("64.08", None)
    assert (row["lintang"], row["bujur"], row["lokasi_disamarkan"]) == (None, None, True)
