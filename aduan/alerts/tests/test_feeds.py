"""The Atom feeds: published reports by region, category and agency, and one report's
public timeline. The XML is parsed; only what the public pages show may appear."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
import time_machine

from aduan.alerts import feeds
from aduan.reports import actions as a
from aduan.reports.models import ReportEvent, Visibility
from conftest import aware

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
POINT = {"latitude": "0.512300", "longitude": "117.654300"}


def parse(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)  # noqa: S314 - our own server's answer, in a test


def entries(feed) -> list:
    return feed.findall(f"{ATOM}entry")


def text(element, tag: str) -> str:
    found = element.find(f"{ATOM}{tag}")
    return found.text if found is not None else ""


def when(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def disposed(world, moment, **data):
    with time_machine.travel(moment, tick=False):
        report = world.submit(**data)
        return a.dispose_report(
            report, world.pemkab, unit=world.dinas_pu, actor=world.national_admin
        )


def test_the_regency_feed_lists_its_published_reports_with_ids_and_dates(client, world):
    first = disposed(world, aware(2026, 3, 10, 9), title="Jalan berlubang di KM 12")
    second = disposed(world, aware(2026, 3, 11, 9), title="Lampu jalan mati")
    with time_machine.travel(aware(2026, 3, 12, 15, 45), tick=False):
        a.acknowledge_report(first, actor=world.officer)
        a.post_follow_up(first, "Sudah ditambal.", actor=world.officer)
    with time_machine.travel(aware(2026, 3, 12, 16), tick=False):
        # An internal note moves no public date.
        a.add_internal_note(second, "Kontraktor belum datang.", actor=world.officer)
    world.submit(title="Belum diteruskan")
    with time_machine.travel(aware(2026, 3, 12, 9), tick=False):
        other = world.submit(region="64.01", title="Laporan di Paser")
        a.dispose_report(other, world.pemkab_paser, actor=world.national_admin)

    feed = parse(client.get("/umpan/laporan/?wilayah=64.08"))

    assert text(feed, "id") == "https://lapor.example.go.id/umpan/laporan/?wilayah=64.08"
    assert "Kabupaten Kutai Timur" in text(feed, "title")
    assert when(text(feed, "updated")) == aware(2026, 3, 12, 15, 45)
    rows = entries(feed)
    assert [text(entry, "title") for entry in rows] == [
        f"Jalan berlubang di KM 12 ({first.tracking_number})",
        f"Lampu jalan mati ({second.tracking_number})",
    ]
    top = rows[0]
    assert text(top, "id") == f"urn:uuid:{first.uuid}"
    assert when(text(top, "updated")) == aware(2026, 3, 12, 15, 45)
    assert when(text(top, "published")) == aware(2026, 3, 10, 9)
    assert top.find(f"{ATOM}link").get("href").endswith(f"/lacak/{first.tracking_number}/")
    assert "Ditanggapi" in text(top, "summary")
    assert when(text(rows[1], "updated")) == aware(2026, 3, 11, 9)
    assert "Kontraktor" not in client.get("/umpan/laporan/?wilayah=64.08").content.decode()


def test_a_district_feed_leaves_out_anonymous_reports_which_the_regency_feed_shows(client, world):
    named = disposed(world, aware(2026, 3, 10, 9), title="Laporan bernama", **POINT)
    anonymous = disposed(
        world, aware(2026, 3, 11, 9), title="Laporan anonim", is_anonymous=True, **POINT
    )

    district = parse(client.get("/umpan/laporan/?wilayah=64.08.04"))
    assert [text(entry, "id") for entry in entries(district)] == [f"urn:uuid:{named.uuid}"]
    regency = parse(client.get("/umpan/laporan/?wilayah=64.08"))
    ids = [text(entry, "id") for entry in entries(regency)]
    assert ids == [f"urn:uuid:{anonymous.uuid}", f"urn:uuid:{named.uuid}"]
    summary = text(entries(regency)[0], "summary")
    assert "Kabupaten Kutai Timur" in summary
    assert "Sangatta Utara" not in summary
    assert "0.5123" not in client.get("/umpan/laporan/?wilayah=64.08").content.decode()


def test_category_and_agency_filters(client, world):
    road = disposed(world, aware(2026, 3, 10, 9), category="jalan-rusak")
    waste = disposed(world, aware(2026, 3, 10, 10), category="limbah", title="Limbah di sungai")

    def ids(query):
        return [text(e, "id") for e in entries(parse(client.get(f"/umpan/laporan/?{query}")))]

    assert ids("kategori=infrastruktur") == [f"urn:uuid:{road.uuid}"]
    assert ids("kategori=limbah") == [f"urn:uuid:{waste.uuid}"]
    assert ids(f"instansi={world.dinas_pu.uuid}") == [
        f"urn:uuid:{waste.uuid}",
        f"urn:uuid:{road.uuid}",
    ]
    assert ids(f"instansi={world.pemkab.uuid}&kategori=jalan-rusak") == [f"urn:uuid:{road.uuid}"]
    assert ids(f"instansi={world.pemkab_paser.uuid}") == []


@pytest.mark.parametrize(
    "query, message",
    [
        ("wilayah=99.99", "Kode wilayah tidak dikenal"),
        ("wilayah=64", "Kode wilayah tidak dikenal"),
        ("kategori=tidak-ada", "Kategori tidak dikenal."),
        ("instansi=bukan-uuid", "Instansi tidak dikenal."),
        ("instansi=00000000-0000-0000-0000-000000000000", "Unknown agency."),
        ("wilayah=64.08%00", "Kode wilayah tidak dikenal"),
        ("kategori=jalan%00", "Kategori tidak dikenal."),
    ],
)
def test_bad_filters_are_refused_in_both_languages(client, world, query, message):
    response = client.get(f"/umpan/laporan/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.content.decode().count("\n") == 2


def test_feeds_are_bounded(client, world, monkeypatch):
    monkeypatch.setattr(feeds, "FEED_ITEMS", 2)
    for day in (10, 11, 12):
        disposed(world, aware(2026, 3, day, 9), title=f"Laporan tanggal {day}")
    assert [text(e, "title")[:19] for e in entries(parse(client.get("/umpan/laporan/")))] == [
        "Laporan tanggal 12 ",
        "Laporan tanggal 11 ",
    ]


def test_a_feed_costs_the_same_queries_for_more_reports(
    client, world, django_assert_max_num_queries
):
    disposed(world, aware(2026, 3, 10, 9))
    with django_assert_max_num_queries(8):
        client.get(
            f"/umpan/laporan/?wilayah=64.08&kategori=jalan-rusak&instansi={world.pemkab.uuid}"
        )
    for day in range(11, 16):
        disposed(world, aware(2026, 3, day, 9), category="limbah")
    with django_assert_max_num_queries(8):
        feed = parse(client.get(f"/umpan/laporan/?wilayah=64.08&instansi={world.pemkab.uuid}"))
    assert len(entries(feed)) == 6


def test_the_timeline_feed_shows_only_the_public_history(client, world):
    report = disposed(world, aware(2026, 3, 10, 9), title="Jalan berlubang")
    with time_machine.travel(aware(2026, 3, 11, 9), tick=False):
        a.add_internal_note(report, "Catatan internal yang rahasia.", actor=world.officer)
        report = a.put_on_hold(report, "Pertanyaan hanya untuk pelapor.", actor=world.officer)
        report = a.add_information(report, "Jawaban pelapor.", actor=world.citizen)
    with time_machine.travel(aware(2026, 3, 12, 9), tick=False):
        report = a.acknowledge_report(report, actor=world.officer)
        report = a.post_follow_up(report, "Sudah ditambal & diaspal.", actor=world.officer)
        report = a.accept_response(report, actor=world.citizen, rating=2, comment="Lambat sekali")

    response = client.get(f"/umpan/laporan/{report.tracking_number}/")
    feed = parse(response)
    body = response.content.decode()
    public = ReportEvent.objects.filter(report=report, visibility=Visibility.PUBLIC).order_by(
        "-seq"
    )
    assert [text(entry, "id") for entry in entries(feed)] == [f"urn:uuid:{e.uuid}" for e in public]
    assert text(feed, "id") == f"urn:uuid:{report.uuid}"
    assert when(text(feed, "updated")) == aware(2026, 3, 12, 9)
    titles = [text(entry, "title") for entry in entries(feed)]
    assert any(title.startswith("Tindak lanjut dari") for title in titles)
    assert "Sudah ditambal &amp;amp; diaspal." in body  # HTML in the summary, escaped as XML
    for secret in ("Catatan internal", "Pertanyaan hanya", "Jawaban pelapor", "Lambat sekali"):
        assert secret not in body
    assert "Siti" not in body


def test_the_timeline_feed_of_a_report_the_public_cannot_see_is_not_found(client, world):
    submitted = world.submit()
    confidential = disposed(world, aware(2026, 3, 10, 9), is_confidential=True)
    for report in (submitted, confidential):
        assert client.get(f"/umpan/laporan/{report.tracking_number}/").status_code == 404
    assert client.get("/umpan/laporan/PST-26-9999999-1/").status_code == 404
    assert client.get("/umpan/laporan/bukan-nomor/").status_code == 404
    assert client.post("/umpan/laporan/").status_code == 405


def test_the_list_and_a_report_page_link_to_their_feeds_and_alerts(client, world):
    named = disposed(world, aware(2026, 3, 10, 9), **POINT)
    anonymous = disposed(world, aware(2026, 3, 11, 9), is_anonymous=True, **POINT)

    listing = client.get("/laporan/?provinsi=64&kabupaten=64.08&kategori=jalan-rusak")
    html = listing.content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert 'href="/umpan/laporan/?wilayah=64.08&amp;kategori=jalan-rusak"' in html
    assert 'href="/langganan/?kabupaten=64.08&amp;kategori=jalan-rusak"' in html

    page = client.get(f"/lacak/{named.tracking_number}/").content.decode()
    assert f'href="/umpan/laporan/{named.tracking_number}/"' in page
    assert "kecamatan=64.08.04" in page
    assert "lintang=0.512300&amp;bujur=117.654300" in page

    page = client.get(f"/lacak/{anonymous.tracking_number}/").content.decode()
    assert f'href="/umpan/laporan/{anonymous.tracking_number}/"' in page
    assert "kabupaten=64.08&amp;kategori=jalan-rusak" in page
    assert "kecamatan=" not in page
    assert "lintang=" not in page
