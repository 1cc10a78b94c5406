"""The optional map on the report form: Leaflet from the npm registry (`package.json` at
the repository root, installed with `npm ci`), served from node_modules by a small view.

The map is an enhancement: without node_modules, without JavaScript, or without a
reachable tile server the form works the same, with latitude and longitude as plain
inputs. Leaflet (150 KB) is only downloaded when the citizen asks for the map."""

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.urls import reverse

LEAFLET_VERSION = "1.9.4"
# The files of leaflet/dist the page may ask for, and their content types.
LEAFLET_FILES = {
    "leaflet.js": "text/javascript; charset=utf-8",
    "leaflet.css": "text/css; charset=utf-8",
    "images/marker-icon.png": "image/png",
    "images/marker-icon-2x.png": "image/png",
    "images/marker-shadow.png": "image/png",
    "images/layers.png": "image/png",
    "images/layers-2x.png": "image/png",
}
DEFAULT_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_TILE_ATTRIBUTION = "© OpenStreetMap contributors"


def leaflet_dir() -> Path:
    return Path(settings.BASE_DIR) / "node_modules" / "leaflet" / "dist"


@lru_cache(maxsize=1)
def _leaflet_present(directory: str) -> bool:
    return (Path(directory) / "leaflet.js").is_file()


def leaflet_available() -> bool:
    return _leaflet_present(str(leaflet_dir()))


def map_context() -> dict:
    if not leaflet_available():
        return {"map_enabled": False}
    return {
        "map_enabled": True,
        "leaflet_js": reverse("portal:leaflet-asset", args=["leaflet.js"])
        + f"?v={LEAFLET_VERSION}",
        "leaflet_css": reverse("portal:leaflet-asset", args=["leaflet.css"])
        + f"?v={LEAFLET_VERSION}",
        "tile_url": getattr(settings, "MAP_TILE_URL", "") or DEFAULT_TILE_URL,
        "tile_attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", "")
        or DEFAULT_TILE_ATTRIBUTION,
    }
