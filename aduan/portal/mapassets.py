"""The maps' front-end libraries: Leaflet (the maps) and exifr (a photo's GPS position,
read in the browser before upload), both from the npm registry (`package.json` at the
repository root, installed with `npm ci`), served from node_modules by a small view.

Every map is an enhancement: without node_modules, without JavaScript, or without a
reachable tile server the pages work the same — the report form takes latitude and
longitude as plain inputs, a report page shows its point as text, and the public map
page points to the list. Leaflet (150 KB) is downloaded only by pages that show a map
(and by the report form only when the citizen asks for the map); exifr (29 KB) only once
a photo is chosen."""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _

LEAFLET_VERSION = "1.9.4"
EXIFR_VERSION = "7.1.3"


@dataclass(frozen=True)
class Package:
    version: str
    # Inside node_modules.
    directory: str
    # The files the pages may ask for, and their content types.
    files: dict[str, str]


PACKAGES = {
    "leaflet": Package(
        LEAFLET_VERSION,
        "leaflet/dist",
        {
            "leaflet.js": "text/javascript; charset=utf-8",
            "leaflet.css": "text/css; charset=utf-8",
            "images/marker-icon.png": "image/png",
            "images/marker-icon-2x.png": "image/png",
            "images/marker-shadow.png": "image/png",
            "images/layers.png": "image/png",
            "images/layers-2x.png": "image/png",
        },
    ),
    # The "mini" build reads the EXIF and GPS blocks of JPEG and TIFF files: the photos
    # phones take. It only reads; the server still strips every photo's metadata.
    "exifr": Package(
        EXIFR_VERSION,
        "exifr/dist",
        {"mini.umd.js": "text/javascript; charset=utf-8"},
    ),
}
LEAFLET_FILES = PACKAGES["leaflet"].files
DEFAULT_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_TILE_ATTRIBUTION = "© OpenStreetMap contributors"


def package_dir(package: str) -> Path:
    return Path(settings.BASE_DIR) / "node_modules" / PACKAGES[package].directory


def leaflet_dir() -> Path:
    return package_dir("leaflet")


@lru_cache(maxsize=4)
def _present(path: str) -> bool:
    return Path(path).is_file()


def leaflet_available() -> bool:
    return _present(str(leaflet_dir() / "leaflet.js"))


def exifr_available() -> bool:
    return _present(str(package_dir("exifr") / "mini.umd.js"))


def asset_url(package: str, name: str) -> str:
    return reverse("portal:npm-asset", args=[package, name]) + f"?v={PACKAGES[package].version}"


def map_context() -> dict:
    """What a page with a map needs: `map_enabled` and, when Leaflet is installed, the
    addresses of its files and the tile server (only the browser talks to it)."""
    exifr_js = asset_url("exifr", "mini.umd.js") if exifr_available() else ""
    if not leaflet_available():
        return {"map_enabled": False, "exifr_js": exifr_js, "map_texts": map_texts()}
    return {
        "map_enabled": True,
        "exifr_js": exifr_js,
        "map_texts": map_texts(),
        "leaflet_js": asset_url("leaflet", "leaflet.js"),
        "leaflet_css": asset_url("leaflet", "leaflet.css"),
        "maps_css": static("portal/maps.css"),
        "tile_url": getattr(settings, "MAP_TILE_URL", "") or DEFAULT_TILE_URL,
        "tile_attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", "")
        or DEFAULT_TILE_ATTRIBUTION,
    }


def map_texts() -> dict[str, str]:
    """The words the maps' JavaScript shows, in the reader's language ({name} fields are
    filled in by the script)."""
    return {
        "loading": _("Memuat laporan…"),
        "shown": _("{total} laporan ditampilkan di {groups} titik pada tampilan ini."),
        "none": _("Tidak ada laporan bertitik lokasi pada tampilan ini."),
        "failed": _("Laporan untuk peta tidak dapat dimuat. Coba lagi, atau lihat daftarnya."),
        "tiles_failed": _("Peta dasar tidak dapat dimuat; titik laporan tetap ditampilkan."),
        "cluster": _("{count} laporan di sekitar sini. Tekan untuk memperbesar."),
        "cluster_here": _("{count} laporan di titik ini"),
        "cluster_more": _("Lihat semuanya di daftar"),
        "point": _("{title} ({status})"),
        "map_label": _(
            "Peta laporan. Geser dengan tombol panah, perbesar dan perkecil dengan + dan −."
        ),
        "locating": _("Mencari lokasi Anda…"),
        "located": _("Titik diisi dari lokasi ponsel Anda."),
        "photo_found": _("Foto “{name}” menyimpan titik lokasi {latitude}, {longitude}."),
        "photo_used": _(
            "Titik diisi dari foto. Data lokasi di dalam foto tetap dihapus saat dikirim."
        ),
        "region_filled": _(
            "Wilayah diisi dari titik ({reason}). Periksa lagi, lalu ubah jika keliru."
        ),
        "region_unknown": _("Wilayah untuk titik ini tidak diketahui; pilih wilayah sendiri."),
        "region_outside": _("Titik ini berada di luar wilayah Indonesia."),
    }
