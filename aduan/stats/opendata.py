"""The open dataset: every published report, anonymised, as CSV and JSON.

Privacy rules (docs/STATISTICS.md):
- only published reports (`access.public_reports()`: forwarded at least once, never
  confidential);
- no personal data and no free text written by citizens (no name, contact, title, body or
  address): a bulk file is easy to mine, and free text can hold names and phone numbers;
- the place follows the rule of every public output (`aduan.reports.public`): anonymous
  reports are placed in their regency/city only (no kecamatan, no coordinates); other
  reports carry their kecamatan and, in this bulk file, coordinates rounded to 0.01°
  (about 1 km);
- dates only (WIB), no times.

The files are rebuilt by the worker (`tasks.refresh_open_data`, at most once per
`OPEN_DATA_MAX_AGE`) or by `manage.py build_open_data`, and kept in the file storage
(`default_storage`, under "opendata/"), so every web host serves the same build: on the
filesystem they are written to temporary files and renamed into place; on object storage
each file is one PUT of the whole object. Either way a download never sees half a file,
and meta.json, which the page and the next build read, is written last.
"""

import csv
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aduan.core.files import is_local
from aduan.core.streaming import chunks
from aduan.regions.models import Region
from aduan.reports.access import public_reports
from aduan.reports.public import location_from_values

from .contributions import STATS_TIME_ZONE

CHUNK = 2000
DIRECTORY = "opendata"
CSV_NAME = "laporan.csv"
JSON_NAME = "laporan.json"
META_NAME = "meta.json"
LICENSE = "ODbL-1.0"
ATTRIBUTION = (
    "Aduan (data pengaduan pelayanan publik); kode dan nama wilayah: idn-area-data "
    "(Open Database License 1.0)"
)
# Rebuild the files when they are older than this (the worker asks every minute).
OPEN_DATA_MAX_AGE = dt.timedelta(hours=getattr(settings, "OPEN_DATA_MAX_AGE_HOURS", 24))


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    description: str


# The data dictionary, in file order. Shown on /statistik/data-terbuka/ and in
# docs/STATISTICS.md.
COLUMNS = (
    Column("nomor_laporan", _("teks"), _("Nomor pelacakan laporan, mis. PST-26-0001234-7.")),
    Column("tanggal_masuk", _("tanggal"), _("Tanggal laporan diterima (WIB).")),
    Column("jenis", _("kode"), _("complaint (pengaduan), aspiration (aspirasi) atau information_request (permintaan informasi).")),
    Column("kanal", _("kode"), _("Saluran masuk: web, api, open311, sms, whatsapp, email, counter (loket), phone, sync.")),
    Column("kategori", _("kode"), _("Slug kategori (topik) laporan; kosong bila belum dikategorikan.")),
    Column("kategori_nama", _("teks"), _("Nama kategori.")),
    Column("kategori_induk", _("kode"), _("Slug kategori induk (topik utama); sama dengan kategori bila sudah topik utama.")),
    Column("kode_provinsi", _("kode"), _("Kode Kemendagri provinsi, mis. 64.")),
    Column("nama_provinsi", _("teks"), _("Nama provinsi.")),
    Column("kode_kabupaten_kota", _("kode"), _("Kode kabupaten/kota, mis. 64.08.")),
    Column("nama_kabupaten_kota", _("teks"), _("Nama kabupaten/kota.")),
    Column("kode_kecamatan", _("kode"), _("Kode kecamatan, mis. 64.08.04; kosong untuk laporan anonim.")),
    Column("nama_kecamatan", _("teks"), _("Nama kecamatan; kosong untuk laporan anonim.")),
    Column("lintang", _("angka"), _("Lintang dibulatkan ke 0,01° (± 1 km); kosong untuk laporan anonim.")),
    Column("bujur", _("angka"), _("Bujur dibulatkan ke 0,01° (± 1 km); kosong untuk laporan anonim.")),
    Column("lokasi_disamarkan", _("ya/tidak"), _("true bila lokasi disamarkan ke tingkat kabupaten/kota (laporan anonim).")),
    Column("instansi", _("teks"), _("Instansi yang menerima disposisi.")),
    Column("unit_kerja", _("teks"), _("Unit kerja (OPD) yang menangani; kosong bila ditangani instansi.")),
    Column("status", _("kode"), _("dispositioned, returned, in_progress, responded atau closed.")),
    Column("tanggal_disposisi", _("tanggal"), _("Tanggal disposisi terakhir ke instansi (WIB).")),
    Column("tanggal_tindak_lanjut_pertama", _("tanggal"), _("Tanggal tindak lanjut pertama (WIB); kosong bila belum.")),
    Column("tanggal_selesai", _("tanggal"), _("Tanggal laporan selesai (WIB); kosong bila belum.")),
    Column("tindak_lanjut_tepat_waktu", _("ya/tidak"), _("true bila tindak lanjut pertama tidak melewati batas 5 hari kerja; kosong bila belum ada tindak lanjut.")),
    Column("selesai_tepat_waktu", _("ya/tidak"), _("true bila selesai sebelum batas penyelesaian (5/14/60 hari kerja); kosong bila belum selesai.")),
    Column("terlambat", _("ya/tidak"), _("true bila laporan terbuka ini melewati batas waktu menurut pemeriksaan tenggat terakhir.")),
    Column("penilaian", _("angka"), _("Penilaian pelapor 1–5; kosong bila tidak dinilai.")),
)  # fmt: skip

FIELDS = (
    "tracking_number",
    "submitted_at",
    "report_type",
    "channel",
    "category__slug",
    "category__name",
    "category__parent__slug",
    "province_code",
    "regency_code",
    "region_id",
    "latitude",
    "longitude",
    "is_anonymous",
    "agency__name",
    "unit__name",
    "status",
    "dispositioned_at",
    "first_response_at",
    "first_response_due_at",
    "closed_at",
    "completion_due_at",
    "is_overdue",
    "rating",
)

HUNDREDTH = Decimal("0.01")


def directory() -> Path:
    """Where the files are on the filesystem storage (MEDIA_ROOT/opendata)."""
    return Path(settings.MEDIA_ROOT) / DIRECTORY


def storage_name(name: str) -> str:
    """A file's name in the file storage."""
    return f"{DIRECTORY}/{name}"


def _day(moment: dt.datetime | None) -> str:
    return moment.astimezone(STATS_TIME_ZONE).date().isoformat() if moment else ""


def _rounded(value: Decimal | None) -> str:
    if value is None:
        return ""
    return str(Decimal(value).quantize(HUNDREDTH, rounding=ROUND_HALF_UP))


def _flag(value: bool | None):
    return "" if value is None else value


def records(region_names: dict[str, str]):
    """One dict per published report, in the column order of COLUMNS."""
    rows = public_reports().order_by("pk").values_list(*FIELDS)
    for values in chunks(rows, CHUNK):
        v = dict(zip(FIELDS, values, strict=True))
        location = location_from_values(v)
        district = location.district_code
        responded_on_time = None
        if v["first_response_at"] is not None and v["first_response_due_at"] is not None:
            responded_on_time = v["first_response_at"] <= v["first_response_due_at"]
        closed_on_time = None
        if v["status"] == "closed" and v["closed_at"] and v["completion_due_at"]:
            closed_on_time = v["closed_at"] <= v["completion_due_at"]
        category = v["category__slug"] or ""
        yield {
            "nomor_laporan": v["tracking_number"],
            "tanggal_masuk": _day(v["submitted_at"]),
            "jenis": v["report_type"],
            "kanal": v["channel"],
            "kategori": category,
            "kategori_nama": v["category__name"] or "",
            "kategori_induk": v["category__parent__slug"] or category,
            "kode_provinsi": v["province_code"],
            "nama_provinsi": region_names.get(v["province_code"], ""),
            "kode_kabupaten_kota": v["regency_code"],
            "nama_kabupaten_kota": region_names.get(v["regency_code"], ""),
            "kode_kecamatan": district,
            "nama_kecamatan": region_names.get(district, "") if district else "",
            "lintang": _rounded(location.latitude),
            "bujur": _rounded(location.longitude),
            "lokasi_disamarkan": location.blurred,
            "instansi": v["agency__name"] or "",
            "unit_kerja": v["unit__name"] or "",
            "status": v["status"],
            "tanggal_disposisi": _day(v["dispositioned_at"]),
            "tanggal_tindak_lanjut_pertama": _day(v["first_response_at"]),
            "tanggal_selesai": _day(v["closed_at"]) if v["status"] == "closed" else "",
            "tindak_lanjut_tepat_waktu": _flag(responded_on_time),
            "selesai_tepat_waktu": _flag(closed_on_time),
            "terlambat": v["is_overdue"],
            "penilaian": v["rating"] if v["rating"] is not None else "",
        }


def _region_names() -> dict[str, str]:
    # Provinces, regencies and districts: at most ~8,000 short rows, read once.
    return dict(Region.objects.filter(level__lte=3).values_list("code", "name"))


def _csv_value(value) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def _json_value(value):
    return None if value == "" else value


@dataclass
class BuildResult:
    rows: int
    generated_at: dt.datetime
    files: dict[str, dict]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def build() -> BuildResult:
    """Write laporan.csv, laporan.json and meta.json to the file storage ("opendata/")."""
    local = is_local(default_storage)
    # On the filesystem the temporary files sit beside their final names, so the rename
    # is atomic; for object storage they are made in a directory of this host, uploaded,
    # and removed.
    target = directory() if local else Path(tempfile.mkdtemp(prefix="aduan-opendata-"))
    target.mkdir(parents=True, exist_ok=True)
    generated_at = timezone.now()
    names = [c.name for c in COLUMNS]
    regions = _region_names()
    count = 0
    csv_tmp = tempfile.NamedTemporaryFile(  # noqa: SIM115 - renamed into place below
        "w", encoding="utf-8", newline="", dir=target, suffix=".csv.tmp", delete=False
    )
    json_tmp = tempfile.NamedTemporaryFile(  # noqa: SIM115
        "w", encoding="utf-8", dir=target, suffix=".json.tmp", delete=False
    )
    meta_tmp = target / (META_NAME + ".tmp")
    try:
        with csv_tmp, json_tmp:
            writer = csv.writer(csv_tmp)
            writer.writerow(names)
            json_tmp.write(
                "{"
                + f'"dibuat": {json.dumps(generated_at.isoformat())}, '
                + f'"lisensi": {json.dumps(LICENSE)}, '
                + f'"atribusi": {json.dumps(ATTRIBUTION)}, '
                + f'"kolom": {json.dumps(names)}, '
                + '"laporan": [\n'
            )
            for record in records(regions):
                writer.writerow([_csv_value(record[n]) for n in names])
                if count:
                    json_tmp.write(",\n")
                json_tmp.write(
                    json.dumps({n: _json_value(record[n]) for n in names}, ensure_ascii=False)
                )
                count += 1
            json_tmp.write("\n]}\n")
        built = {CSV_NAME: Path(csv_tmp.name), JSON_NAME: Path(json_tmp.name)}
        files = {
            name: {"bytes": path.stat().st_size, "sha256": _sha256(path)}
            for name, path in built.items()
        }
        meta = {
            "dibuat": generated_at.isoformat(),
            "baris": count,
            "lisensi": LICENSE,
            "atribusi": ATTRIBUTION,
            "berkas": files,
        }
        meta_tmp.write_text(json.dumps(meta, indent=2), encoding="utf-8")
        built[META_NAME] = meta_tmp
        for name, path in built.items():  # meta.json last
            _publish(name, path, local=local)
    finally:
        for name in (csv_tmp.name, json_tmp.name, str(meta_tmp)):
            if os.path.exists(name):
                os.unlink(name)
        if not local:
            shutil.rmtree(target, ignore_errors=True)
    return BuildResult(count, generated_at, files)


def _publish(name: str, path: Path, *, local: bool) -> None:
    if local:
        os.replace(path, directory() / name)
        return
    with open(path, "rb") as handle:
        default_storage.save(storage_name(name), File(handle, name=name))


def metadata() -> dict | None:
    """What the last build wrote, or None before the first build."""
    try:
        with default_storage.open(storage_name(META_NAME), "rb") as handle:
            meta = json.loads(handle.read().decode("utf-8"))
        meta["dibuat_pada"] = dt.datetime.fromisoformat(meta["dibuat"])
        return meta
    except (OSError, ValueError, KeyError):
        return None


def build_if_stale(now: dt.datetime | None = None) -> BuildResult | None:
    now = now or timezone.now()
    meta = metadata()
    if meta is not None and now - meta["dibuat_pada"] < OPEN_DATA_MAX_AGE:
        return None
    return build()
