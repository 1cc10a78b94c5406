"""The public map's data: the published reports in a box, clustered on a grid by the server.

Why on the server: at a million reports a browser cannot be sent every point, and a
clustering library in the browser (Leaflet.markercluster) needs them all. So the browser
asks for its view (`bbox`, `zoom`, and the public list's filters) and receives at most one
feature per grid cell, whatever the number of reports:

- the cell is a square of 64 screen pixels at that zoom (90 / 2^zoom degrees), never
  smaller than 1/48 of the box's longer side, so an answer has at most 48 × 48 features;
- when the view holds at most `POINT_LIMIT` reports they are read (one query, LIMIT
  `POINT_LIMIT + 1`) and grouped in Python, and every feature lists its reports;
- otherwise one GROUP BY query counts the reports per cell (count, mean point, extent),
  and a second reads the titles of the cells that hold a single report.

The box query uses the `report_point_idx` index on (latitude, longitude); at a zoomed-out
view the count still reads every public point in the box (see docs/MAPS.md for the cost
and the next step). Answers are cached for a minute.

Privacy: only reports whose exact point the public may see are placed
(`reports.public.with_public_point`): anonymous reports never, confidential and
unpublished ones are not in `public_reports()` at all.
"""

import hashlib
import math
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Avg, Count, FloatField, Max, Min, QuerySet
from django.db.models.functions import Cast, Floor
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from aduan.regions.geo import INDONESIA_LATITUDE, INDONESIA_LONGITUDE
from aduan.reports.errors import InvalidInput
from aduan.reports.models import Report, Status
from aduan.reports.public import with_public_point

MIN_ZOOM = 3
MAX_ZOOM = 18
# Degrees of one cell at zoom 0: 64 px of a 256-px tile spanning 360°.
CELL_AT_ZOOM_0 = 360 * 64 / 256
MAX_CELLS_PER_AXIS = 48
POINT_LIMIT = 250
# A cell lists its reports (in the popup) when it holds at most this many.
LISTED_PER_CELL = 10
CACHE_SECONDS = 60


@dataclass(frozen=True)
class Box:
    south: float
    west: float
    north: float
    east: float


def parse_box(text: str) -> Box:
    """`west,south,east,north` in degrees (the order of GeoJSON and of Leaflet's
    `toBBoxString`), clipped to Indonesia's extent."""
    try:
        west, south, east, north = (float(part) for part in text.split(","))
    except ValueError:
        raise InvalidInput(
            _("Kotak peta harus berisi empat angka: barat, selatan, timur, utara."),
            field="bbox",
        ) from None
    if not all(math.isfinite(v) for v in (west, south, east, north)) or south > north:
        raise InvalidInput(
            _("Kotak peta harus berisi empat angka: barat, selatan, timur, utara."),
            field="bbox",
        )
    # A view that wraps the antimeridian (west > east) is clipped to Indonesia's side.
    if west > east:
        west, east = -180.0, 180.0
    box = Box(
        south=max(south, INDONESIA_LATITUDE[0]),
        west=max(west, INDONESIA_LONGITUDE[0]),
        north=min(north, INDONESIA_LATITUDE[1]),
        east=min(east, INDONESIA_LONGITUDE[1]),
    )
    return box


def parse_zoom(text: str) -> int:
    try:
        zoom = int(text)
    except ValueError:
        raise InvalidInput(_("Tingkat perbesaran peta tidak valid."), field="zoom") from None
    return min(max(zoom, MIN_ZOOM), MAX_ZOOM)


def cell_size(box: Box, zoom: int) -> float:
    longest = max(box.north - box.south, box.east - box.west, 0.0)
    return max(CELL_AT_ZOOM_0 / 2**zoom, longest / MAX_CELLS_PER_AXIS)


def clusters(reports: QuerySet[Report], box: Box, zoom: int) -> dict:
    """A GeoJSON FeatureCollection of the public points of `reports` inside `box`,
    clustered on the grid of `zoom` (see the module's docstring), cached for a minute."""
    if box.south > box.north or box.west > box.east:
        # The view lies outside Indonesia: nothing to show.
        return _collection([], total=0, size=cell_size(box, zoom), on_server=False)
    size = cell_size(box, zoom)
    # Whole cells, so that the same cells (and the same cache entry) serve nearby views.
    box = Box(
        south=math.floor(box.south / size) * size,
        west=math.floor(box.west / size) * size,
        north=math.ceil(box.north / size) * size,
        east=math.ceil(box.east / size) * size,
    )
    query = reports.filter(
        latitude__gte=box.south,
        latitude__lte=box.north,
        longitude__gte=box.west,
        longitude__lte=box.east,
    )
    points = with_public_point(query).order_by()
    sql, params = points.values("pk").query.sql_with_params()
    key = (
        "portal:map:"
        + hashlib.sha256(repr((get_language(), sql, params, size)).encode()).hexdigest()
    )
    answer = cache.get(key)
    if answer is None:
        answer = _clusters(points, size)
        cache.set(key, answer, CACHE_SECONDS)
    return answer


def _clusters(points: QuerySet[Report], size: float) -> dict:
    fields = ("tracking_number", "title", "status", "latitude", "longitude", "submitted_at")
    rows = list(points.values(*fields)[: POINT_LIMIT + 1])
    if len(rows) <= POINT_LIMIT:
        return _collection(_group(rows, size), total=len(rows), size=size, on_server=False)

    latitude = Cast("latitude", FloatField())
    longitude = Cast("longitude", FloatField())
    cells = list(
        points.annotate(
            cell_y=Floor(latitude / size),
            cell_x=Floor(longitude / size),
        )
        .values("cell_y", "cell_x")
        .annotate(
            count=Count("pk"),
            mean_latitude=Avg(latitude),
            mean_longitude=Avg(longitude),
            south=Min(latitude),
            west=Min(longitude),
            north=Max(latitude),
            east=Max(longitude),
            number=Min("tracking_number"),
        )
        .order_by()
    )
    singles = [cell["number"] for cell in cells if cell["count"] == 1]
    titles = {
        row["tracking_number"]: row
        for row in Report.objects.filter(tracking_number__in=singles).values(*fields)
    }
    features = []
    for cell in cells:
        members = [titles[cell["number"]]] if cell["count"] == 1 else []
        features.append(
            _feature(
                cell["mean_latitude"],
                cell["mean_longitude"],
                cell["count"],
                (cell["south"], cell["west"], cell["north"], cell["east"]),
                members,
            )
        )
    total = sum(cell["count"] for cell in cells)
    return _collection(features, total=total, size=size, on_server=True)


def _group(rows: list[dict], size: float) -> list[dict]:
    cells: dict[tuple[int, int], list[dict]] = {}
    for row in rows:
        key = (
            math.floor(float(row["latitude"]) / size),
            math.floor(float(row["longitude"]) / size),
        )
        cells.setdefault(key, []).append(row)
    features = []
    for members in cells.values():
        lats = [float(m["latitude"]) for m in members]
        lons = [float(m["longitude"]) for m in members]
        members.sort(key=lambda m: (m["submitted_at"], m["tracking_number"]), reverse=True)
        features.append(
            _feature(
                sum(lats) / len(lats),
                sum(lons) / len(lons),
                len(members),
                (min(lats), min(lons), max(lats), max(lons)),
                members[:LISTED_PER_CELL],
            )
        )
    return features


def _feature(latitude, longitude, count, extent, members) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(longitude, 6), round(latitude, 6)]},
        "properties": {
            "count": count,
            # [[south, west], [north, east]]: the box to zoom to when the cell is opened.
            "bounds": [
                [round(extent[0], 6), round(extent[1], 6)],
                [round(extent[2], 6), round(extent[3], 6)],
            ],
            "reports": [
                {
                    "tracking_number": m["tracking_number"],
                    "title": m["title"],
                    "status": m["status"],
                    "status_label": str(Status(m["status"]).label),
                    "url": reverse("portal:report-detail", args=[m["tracking_number"]]),
                }
                for m in members
            ],
        },
    }


def _collection(features: list[dict], *, total: int, size: float, on_server: bool) -> dict:
    features.sort(key=lambda f: (-f["properties"]["count"], f["geometry"]["coordinates"]))
    return {
        "type": "FeatureCollection",
        "features": features,
        # Reports placed in this view (anonymous ones and those without a point are not).
        "total": total,
        "cell_degrees": size,
        "clustered_on_server": on_server,
    }
