"""Offline coordinates -> region suggestion, and the name and coordinate helpers behind it.

A report may carry only a map pin. `suggest_region` names the regency (and district where
known) of the nearest `GeoPlace` point, with a reason the verifier can read. It only
suggests: a report is never refused because its region is unknown.

Runtime cost is a few indexed range queries and a haversine over the points in a small
box; nothing is held in memory between calls and no numpy/scipy is needed.
"""

import math
import re
import unicodedata
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .models import GeoPlace, Region

EARTH_RADIUS_KM = 6371.0088
# Length of one degree of latitude, rounded down so the search-box test below stays safe
# (it is 110.57 km at the equator and grows towards the poles).
KM_PER_DEGREE = 110.5
# Half-widths, in degrees of latitude, of the boxes searched one after another.
SEARCH_HALF_WIDTHS_DEG = (0.25, 0.5, 1.0, 2.0)
# Papua's special-autonomy law (UU 21/2001) calls the district level "distrik".
DISTRIK_PROVINCES = frozenset({"91", "92", "93", "94", "95", "96", "97"})


# Indonesia's extent with a margin of about half a degree (55 km) for reports from the
# coast and the sea: the shipped Kemendagri island points span 10.98°S (Pulau Ndana, Rote)
# to 6.07°N (Pulau Rondo, Sabang) and 94.97°E (Pulau Benggala, Aceh) to 140.79°E, and the
# land border with Papua New Guinea runs along 141.0°E. A box cannot tell Indonesia from
# its neighbours inside it (Malaysia, Timor-Leste, Papua New Guinea's border strip), but it
# refuses a point on another continent, such as a phone's default position or swapped
# latitude and longitude.
INDONESIA_LATITUDE = (-11.5, 6.5)
INDONESIA_LONGITUDE = (94.0, 141.5)


def in_indonesia(lat: float, lon: float) -> bool:
    """Whether a point lies within Indonesia's extent (see INDONESIA_LATITUDE)."""
    return (
        INDONESIA_LATITUDE[0] <= lat <= INDONESIA_LATITUDE[1]
        and INDONESIA_LONGITUDE[0] <= lon <= INDONESIA_LONGITUDE[1]
    )


@dataclass(frozen=True)
class RegionSuggestion:
    regency: Region
    district: Region | None
    place_name: str
    distance_km: float
    reason: str


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def suggest_region(lat: float, lon: float) -> RegionSuggestion | None:
    """Suggest the regency/district of a point from the nearest known place.

    Searches boxes of growing size around the point on the indexed latitude/longitude
    columns. A nearest candidate is accepted only when it lies inside the circle inscribed
    in the box: a point outside that circle could be beaten by one just outside the box, so
    the search widens. Nothing within the last box (about 220 km) means the point is not in
    Indonesia, or not near anything we know: no suggestion.
    """
    if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > 90 or abs(lon) > 180:
        return None
    # Degrees of longitude shrink with latitude; widen the box so it stays square in km.
    lon_stretch = 1 / max(math.cos(math.radians(lat)), 0.01)
    for half_width in SEARCH_HALF_WIDTHS_DEG:
        rows = GeoPlace.objects.filter(
            latitude__range=(lat - half_width, lat + half_width),
            longitude__range=(lon - half_width * lon_stretch, lon + half_width * lon_stretch),
        ).values_list("name", "latitude", "longitude", "regency_id", "district_id")
        best = None
        for name, place_lat, place_lon, regency_id, district_id in rows.iterator():
            distance = haversine_km(lat, lon, place_lat, place_lon)
            if best is None or distance < best[0]:
                best = (distance, name, regency_id, district_id)
        if best is not None and best[0] <= half_width * KM_PER_DEGREE:
            distance, name, regency_id, district_id = best
            wanted = [code for code in (regency_id, district_id) if code]
            regions = Region.objects.in_bulk(wanted)
            regency = regions[regency_id]
            district = regions.get(district_id) if district_id else None
            return RegionSuggestion(
                regency=regency,
                district=district,
                place_name=name,
                distance_km=distance,
                reason=_describe(name, distance, regency, district),
            )
    return None


def _describe(place_name: str, distance_km: float, regency: Region, district: Region | None) -> str:
    region = regency.name
    if district is not None:
        if district.province_code in DISTRIK_PROVINCES:
            district_label = _("Distrik %(name)s") % {"name": district.name}
        else:
            district_label = _("Kecamatan %(name)s") % {"name": district.name}
        region = f"{district_label}, {regency.name}"
    return _("Titik terdekat: %(place)s (%(distance)s km) → %(region)s") % {
        "place": place_name,
        "distance": number_format(distance_km, 1),
        "region": region,
    }


# -- helpers shared with the loader ---------------------------------------------------------

_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")


def normalise_name(name: str) -> str:
    """A key under which spellings of one place name compare equal.

    Lowercase, accents removed, and every space and punctuation mark dropped, because
    sources disagree on word breaks: GeoNames writes "Muarabadak" and "Tanahgrogot" where
    Kemendagri writes "Muara Badak" and "Tanah Grogot", and "Sanga-Sanga" is "Sangasanga".
    """
    decomposed = unicodedata.normalize("NFKD", name)
    without_accents = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_ALPHANUMERIC.sub("", without_accents.lower())


_NUMBER = r"\d+(?:[.,]\d+)?"
# One coordinate in degrees, minutes and seconds (minutes and seconds optional), with
# typographic or ASCII marks: 03°19'03.44", 3° 19′ 3,44″, 97°7'.
_DMS_VALUE = rf"""
    (?P<degrees>{_NUMBER})\s*(?:°|º|˚|DEG)\s*
    (?:(?P<minutes>{_NUMBER})\s*(?:'|′|’)\s*)?
    (?:(?P<seconds>{_NUMBER})\s*(?:"|″|”|''|′′)\s*)?
"""
# The hemisphere letter follows the value (idn-area-data) or precedes it; one style per text.
_DMS_HEMISPHERE_AFTER = re.compile(rf"{_DMS_VALUE}(?P<hemisphere>[NSEW])\b", re.VERBOSE)
_DMS_HEMISPHERE_BEFORE = re.compile(rf"\b(?P<hemisphere>[NSEW])\s*{_DMS_VALUE}", re.VERBOSE)
_STARTS_WITH_HEMISPHERE = re.compile(r"\s*[NSEW]\b")
# Indonesian hemisphere abbreviations: Lintang Utara/Selatan, Bujur Timur/Barat.
_INDONESIAN_HEMISPHERES = {"LU": "N", "LS": "S", "BT": "E", "BB": "W"}


def parse_dms(text: str) -> tuple[float, float]:
    """Parse a latitude/longitude pair written in degrees, minutes and seconds.

    Accepts the idn-area-data form `03°19'03.44" N 097°07'41.73" E`, the hemisphere before
    the value, either order of latitude and longitude, decimal commas, and the Indonesian
    LU/LS/BT/BB. Raises ValueError for anything else, including trailing garbage.
    """
    normalised = re.sub(
        r"\b(LU|LS|BT|BB)\b", lambda m: _INDONESIAN_HEMISPHERES[m.group(1)], text.upper()
    )
    pattern = (
        _DMS_HEMISPHERE_BEFORE
        if _STARTS_WITH_HEMISPHERE.match(normalised)
        else _DMS_HEMISPHERE_AFTER
    )
    matches = list(pattern.finditer(normalised))
    if len(matches) != 2 or pattern.sub("", normalised).strip(" ,;/\t"):
        raise ValueError(f"Not a latitude/longitude pair: {text!r}")
    latitude = longitude = None
    for match in matches:
        degrees = float(match["degrees"].replace(",", "."))
        minutes = float((match["minutes"] or "0").replace(",", "."))
        seconds = float((match["seconds"] or "0").replace(",", "."))
        if minutes >= 60 or seconds >= 60:
            raise ValueError(f"Minutes and seconds must be below 60: {text!r}")
        value = degrees + minutes / 60 + seconds / 3600
        hemisphere = match["hemisphere"]
        if hemisphere in "SW":
            value = -value
        if hemisphere in "NS" and latitude is None and value <= 90:
            latitude = value
        elif hemisphere in "EW" and longitude is None and value <= 180:
            longitude = value
        else:
            raise ValueError(f"Not a latitude/longitude pair: {text!r}")
    return latitude, longitude


# -- where a region lies, for maps -----------------------------------------------------------


@dataclass(frozen=True)
class RegionExtent:
    """The box around the known points of a region: (south, west, north, east).

    The Kemendagri data carries no boundaries and no centroids, so a region's extent is
    the box around the `GeoPlace` points matched to it: its islands (for a regency) and
    its GeoNames populated places (regency, and district where known). It is a rough
    frame for a map, not a boundary. A district without points of its own (most of
    them), and every village, take their regency's box; `code` names the region the box
    was measured on."""

    code: str
    south: float
    west: float
    north: float
    east: float
    points: int


def region_extent(code: str) -> RegionExtent | None:
    """The extent of region `code` or, when it has no known points, of the nearest
    ancestor that has; None when none has (or the code is unknown). Cached with the
    reference data (`load_regions` renews the points and the version)."""
    from aduan.core import refcache

    return refcache.lookup("region-extent", code, lambda: _measure_extent(code))


def _measure_extent(code: str) -> RegionExtent | None:
    from django.db.models import Count, Max, Min

    parts = code.split(".")
    for depth in range(min(len(parts), 3), 0, -1):
        prefix = ".".join(parts[:depth])
        if depth == 3:
            places = GeoPlace.objects.filter(district_id=prefix)
        elif depth == 2:
            places = GeoPlace.objects.filter(regency_id=prefix)
        else:
            regencies = Region.objects.filter(parent_id=prefix).values("code")
            places = GeoPlace.objects.filter(regency_id__in=regencies)
        box = places.aggregate(
            south=Min("latitude"),
            west=Min("longitude"),
            north=Max("latitude"),
            east=Max("longitude"),
            points=Count("id"),
        )
        if box["points"]:
            return RegionExtent(code=prefix, **box)
    return None
