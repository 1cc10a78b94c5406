"""CSV and XLSX exports: staff only, scoped by role, filtered like the dashboard, streamed
in chunks, and never carrying personal data."""

import csv
import io
import zipfile
from unittest import mock

import pytest
import time_machine
from django.db.models.query import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse

from aduan.reports import actions as a
from aduan.stats import exports
from conftest import aware

CSV = reverse("stats:export-csv")
XLSX = reverse("stats:export-xlsx")


def read_csv(response) -> list[dict]:
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body[1:])))


def numbers(response) -> set[str]:
    return {row["Nomor laporan"] for row in read_csv(response)}


@pytest.fixture
def reports(world):
    with time_machine.travel(aware(2026, 3, 10), tick=False):
        named = world.report_in("in_progress")
        anonymous = world.report_in("closed", is_anonymous=True, category="limbah")
        paser = world.submit(region="64.01")
        paser = a.dispose_report(paser, world.pemkab_paser, actor=world.national_admin)
    with time_machine.travel(aware(2026, 5, 4), tick=False):
        later = world.report_in("submitted", region="64.08.05")
    return {"named": named, "anonymous": anonymous, "paser": paser, "later": later}


@pytest.mark.parametrize("url", [CSV, XLSX])
def test_visitors_and_citizens_cannot_export(world, client, url):
    assert client.get(url).status_code == 302
    client.force_login(world.citizen)
    assert client.get(url).status_code == 403


def test_each_role_exports_only_what_it_may_read(world, client, reports):
    client.force_login(world.national_admin)
    assert numbers(client.get(CSV)) == {r.tracking_number for r in reports.values()}
    client.force_login(world.agency_admin)
    assert numbers(client.get(CSV)) == {
        reports["named"].tracking_number,
        reports["anonymous"].tracking_number,
    }
    client.force_login(world.other_officer)
    assert numbers(client.get(CSV)) == set()
    client.force_login(world.supervisor)
    assert len(numbers(client.get(CSV))) == 4


def test_an_export_carries_no_personal_data(world, client, reports):
    client.force_login(world.national_admin)
    body = b"".join(client.get(CSV).streaming_content).decode()
    for personal in ("Siti Aminah", "6408041234567890", "081234567890", "siti@example.com"):
        assert personal not in body
    rows = read_csv(client.get(CSV))
    assert "Pelapor" not in rows[0]
    anonymous = next(r for r in rows if r["Nomor laporan"] == reports["anonymous"].tracking_number)
    assert anonymous["Anonim"] == "ya"


def test_filters_narrow_the_list(world, client, reports):
    client.force_login(world.national_admin)
    assert numbers(client.get(CSV, {"status": "closed"})) == {reports["anonymous"].tracking_number}
    assert numbers(client.get(CSV, {"status": ["closed", "submitted"]})) == {
        reports["anonymous"].tracking_number,
        reports["later"].tracking_number,
    }
    assert numbers(client.get(CSV, {"kategori": "lingkungan-hidup"})) == {
        reports["anonymous"].tracking_number
    }
    assert numbers(client.get(CSV, {"wilayah": "64.01"})) == {reports["paser"].tracking_number}
    assert numbers(client.get(CSV, {"wilayah": "64.08.05"})) == {reports["later"].tracking_number}
    assert numbers(client.get(CSV, {"instansi": str(world.pemkab_paser.uuid)})) == {
        reports["paser"].tracking_number
    }
    assert numbers(client.get(CSV, {"instansi": str(world.dinas_pu.uuid)})) == {
        reports["named"].tracking_number,
        reports["anonymous"].tracking_number,
    }
    assert numbers(client.get(CSV, {"dari": "2026-05-01"})) == {reports["later"].tracking_number}
    assert len(numbers(client.get(CSV, {"dari": "2026-03", "sampai": "2026-03"}))) == 3
    assert numbers(client.get(CSV, {"terlambat": "1"})) == set()


@pytest.mark.parametrize(
    ("params", "message", "message_en"),
    [
        ({"status": "hilang"}, "Status tidak dikenal.", "Unknown status."),
        ({"dari": "2026-02-30"}, "Tanggal tidak valid", "Invalid date"),
        (
            {"dari": "2026-05-01", "sampai": "2026-04-01"},
            "Tanggal awal harus sebelum",
            "The first date must come before",
        ),
        (
            {"instansi": "00000000-0000-0000-0000-000000000000"},
            "Instansi tidak dikenal.",
            "Unknown agency.",
        ),
        ({"wilayah": "xx"}, "Wilayah tidak dikenal", "Unknown region"),
    ],
)
@pytest.mark.parametrize("url", [CSV, XLSX])
def test_bad_filters_are_refused_in_the_readers_language(
    world, client, url, params, message, message_en
):
    client.force_login(world.national_admin)
    response = client.get(url, params)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and message_en not in body
    assert len(body.strip().splitlines()) == 1

    client.cookies["django_language"] = "en"
    body = client.get(url, params).content.decode()
    assert message_en in body and message not in body


def test_the_csv_is_streamed_from_a_chunked_iterator(world, client, reports):
    client.force_login(world.national_admin)
    original = QuerySet.iterator
    calls = []

    def spy(self, chunk_size=None):
        calls.append(chunk_size)
        return original(self, chunk_size=chunk_size)

    with mock.patch.object(QuerySet, "iterator", spy):
        response = client.get(CSV)
        assert isinstance(response, StreamingHttpResponse)
        assert response.streaming
        # The query runs (and its first chunk is read) before the answer starts, so that
        # a failure is an error answer rather than a file with only its header.
        assert calls == [exports.CHUNK]
        rows = read_csv(response)
    assert calls == [exports.CHUNK]
    assert len(rows) == 4
    assert response["Content-Disposition"].startswith('attachment; filename="laporan-')


def test_formulas_in_titles_are_neutralised(world, client):
    with time_machine.travel(aware(2026, 3, 10), tick=False):
        world.report_in("submitted", title='=HYPERLINK("http://x.example","klik")')
    client.force_login(world.national_admin)
    (row,) = read_csv(client.get(CSV))
    assert row["Judul"].startswith("'=HYPERLINK")


def xlsx_sheets(response) -> dict[str, str]:
    assert isinstance(response, FileResponse)
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name: archive.read(name).decode()
            for name in archive.namelist()
            if name.startswith("xl/worksheets/sheet")
        }


def test_the_xlsx_export_has_the_same_rows(world, client, reports):
    client.force_login(world.agency_admin)
    response = client.get(XLSX)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    (sheet,) = xlsx_sheets(response).values()
    assert reports["named"].tracking_number in sheet
    assert reports["anonymous"].tracking_number in sheet
    assert reports["paser"].tracking_number not in sheet
    assert "Siti Aminah" not in sheet


def test_a_long_xlsx_export_continues_on_a_new_sheet(world, client, reports):
    client.force_login(world.national_admin)
    with mock.patch.object(exports, "XLSX_ROWS_PER_SHEET", 3):
        sheets = xlsx_sheets(client.get(XLSX))
    assert len(sheets) == 2


def test_the_xlsx_keeps_formulas_as_text(world, client):
    with time_machine.travel(aware(2026, 3, 10), tick=False):
        world.report_in("submitted", title="=1+1")
    client.force_login(world.national_admin)
    (sheet,) = xlsx_sheets(client.get(XLSX)).values()
    assert "<f>" not in sheet


@pytest.mark.parametrize("url", [CSV, XLSX])
@pytest.mark.parametrize(
    "params", [{"sampai": "9999-12"}, {"dari": "0001-01"}, {"dari": "0001-01-01"}]
)
def test_dates_at_the_edges_of_the_calendar_are_refused_not_a_500(world, client, url, params):
    """The attack: ekspor.csv|xlsx?sampai=9999-12 and ?dari=0001-01 answered 500."""
    client.force_login(world.national_admin)
    response = client.get(url, params)
    assert response.status_code == 400
    assert "Tanggal di luar jangkauan (tahun 2000–2100)." in response.content.decode()


def test_a_csv_whose_query_fails_is_an_error_not_an_empty_export(world, client, reports):
    """The attack: the CSV stream died after its header and looked like an empty export."""
    from django.test import Client

    staff = Client(raise_request_exception=False)
    staff.force_login(world.national_admin)

    def failing(queryset, *, for_xlsx=False):
        raise OverflowError("date value out of range")
        yield  # a generator, like the real one

    with mock.patch.object(exports, "rows", failing):
        response = staff.get(CSV)
    assert response.status_code == 500
    assert not isinstance(response, StreamingHttpResponse)
