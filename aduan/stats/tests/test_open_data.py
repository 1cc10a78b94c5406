"""The open dataset: published reports only, no personal data, coarsened places for
anonymous reports, rebuilt by the worker, served at stable URLs."""

import csv
import datetime as dt
import io
import json
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from aduan.reports import actions as a
from aduan.stats import opendata
from aduan.stats.tasks import refresh_open_data
from conftest import aware, run_tasks


@pytest.fixture
def published(world):
    with time_machine.travel(aware(2026, 3, 10), tick=False):
        named = world.report_in(
            "closed", region="64.08.04.1001", latitude="0.512345", longitude="117.654321"
        )
        anonymous = world.report_in(
            "in_progress",
            is_anonymous=True,
            region="64.08.04",
            latitude="0.512345",
            longitude="117.654321",
        )
        confidential = world.report_in("in_progress", is_confidential=True)
        waiting = world.report_in("submitted")
        archived = world.report_in("archived")
    return {
        "named": named,
        "anonymous": anonymous,
        "confidential": confidential,
        "waiting": waiting,
        "archived": archived,
    }


def built_rows() -> dict[str, dict]:
    call_command("build_open_data", stdout=StringIO())
    text = (opendata.directory() / opendata.CSV_NAME).read_text(encoding="utf-8")
    return {row["nomor_laporan"]: row for row in csv.DictReader(io.StringIO(text))}


def test_only_published_non_confidential_reports_are_in_the_dataset(world, published):
    rows = built_rows()
    assert set(rows) == {
        published["named"].tracking_number,
        published["anonymous"].tracking_number,
    }


def test_the_dataset_has_no_personal_data_or_free_text(world, published):
    call_command("build_open_data", stdout=StringIO())
    for name in (opendata.CSV_NAME, opendata.JSON_NAME):
        content = (opendata.directory() / name).read_text(encoding="utf-8")
        for secret in ("Siti Aminah", "6408041234567890", "081234567890", "siti@example.com"):
            assert secret not in content
        assert "Jalan poros Sangatta" not in content  # the title
        assert "Lubang besar" not in content  # the body


def test_anonymous_reports_are_placed_only_at_regency_level(world, published):
    rows = built_rows()
    named = rows[published["named"].tracking_number]
    assert (named["kode_kecamatan"], named["nama_kecamatan"]) == ("64.08.04", "Sangatta Utara")
    assert (named["lintang"], named["bujur"]) == ("0.51", "117.65")
    assert named["lokasi_disamarkan"] == "false"
    anonymous = rows[published["anonymous"].tracking_number]
    assert anonymous["kode_kabupaten_kota"] == "64.08"
    assert anonymous["nama_kabupaten_kota"] == "Kabupaten Kutai Timur"
    assert (anonymous["kode_kecamatan"], anonymous["nama_kecamatan"]) == ("", "")
    assert (anonymous["lintang"], anonymous["bujur"]) == ("", "")
    assert anonymous["lokasi_disamarkan"] == "true"


def test_the_dataset_carries_the_deadline_figures(world, published):
    row = built_rows()[published["named"].tracking_number]
    assert row["status"] == "closed"
    assert row["tanggal_masuk"] == "2026-03-10"
    assert row["tindak_lanjut_tepat_waktu"] == "true"
    assert row["selesai_tepat_waktu"] == "true"
    assert row["instansi"] == "Pemerintah Kabupaten Kutai Timur"
    assert row["kategori_induk"] == "infrastruktur"
    assert list(row) == [c.name for c in opendata.COLUMNS]


def test_the_json_file_holds_the_same_reports(world, published):
    call_command("build_open_data", stdout=StringIO())
    data = json.loads((opendata.directory() / opendata.JSON_NAME).read_text(encoding="utf-8"))
    assert data["kolom"] == [c.name for c in opendata.COLUMNS]
    assert data["lisensi"] == opendata.LICENSE
    numbers = {r["nomor_laporan"] for r in data["laporan"]}
    assert numbers == {published["named"].tracking_number, published["anonymous"].tracking_number}
    anonymous = next(
        r for r in data["laporan"] if r["nomor_laporan"] == published["anonymous"].tracking_number
    )
    assert anonymous["kode_kecamatan"] is None
    assert anonymous["lokasi_disamarkan"] is True


def test_the_files_are_served_at_stable_urls(world, client, published):
    assert client.get(reverse("stats:open-data-csv")).status_code == 404
    call_command("build_open_data", stdout=StringIO())
    response = client.get("/statistik/data-terbuka/laporan.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    assert published["named"].tracking_number in body
    response = client.get("/statistik/data-terbuka/laporan.json")
    assert response.status_code == 200
    assert json.loads(b"".join(response.streaming_content))["laporan"]


def test_the_page_explains_every_column(world, client, published):
    page = client.get(reverse("stats:open-data")).content.decode()
    assert "Data terbuka belum dibuat" in page
    call_command("build_open_data", stdout=StringIO())
    page = client.get(reverse("stats:open-data")).content.decode()
    for column in opendata.COLUMNS:
        assert f"<code>{column.name}</code>" in page
    assert "2 laporan" in page


def test_the_worker_task_rebuilds_only_stale_files(world, published):
    with time_machine.travel(aware(2026, 3, 11), tick=False) as clock:
        refresh_open_data.enqueue()
        run_tasks()
        first = opendata.metadata()
        assert first["baris"] == 2
        a.post_follow_up(published["anonymous"], "Sudah ditangani.", actor=world.officer)
        clock.shift(dt.timedelta(hours=1))
        assert opendata.build_if_stale() is None  # fresh: nothing to do
        clock.shift(dt.timedelta(days=1))
        result = opendata.build_if_stale()
    assert result is not None
    rows = built_rows()
    assert rows[published["anonymous"].tracking_number]["status"] == "responded"


def test_a_failed_build_leaves_the_previous_files_in_place(world, published, monkeypatch):
    call_command("build_open_data", stdout=StringIO())
    before = (opendata.directory() / opendata.CSV_NAME).read_bytes()

    def broken(_regions):
        yield from ()
        raise RuntimeError("database went away")

    monkeypatch.setattr(opendata, "records", broken)
    with pytest.raises(RuntimeError):
        opendata.build()
    assert (opendata.directory() / opendata.CSV_NAME).read_bytes() == before
    assert not list(opendata.directory().glob("*.tmp"))
