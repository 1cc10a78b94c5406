import gzip
import shutil

import pytest
from django.core.management import CommandError

from aduan.regions.loading import DEFAULT_DATA_DIR, open_data_file
from aduan.regions.models import (
    PROVINCE_TIMEZONES,
    GeoPlace,
    GeoPlaceSource,
    Region,
    RegionLevel,
    TimeZone,
)

from .helpers import MINI_DATA, load


def level_counts() -> dict[int, int]:
    return {level: Region.objects.filter(level=level).count() for level in RegionLevel}


def zones_under(province_code: str) -> set[str]:
    regions = Region.objects.filter(code__startswith=province_code)
    return set(regions.values_list("timezone", flat=True))


@pytest.fixture
def data_copy(tmp_path):
    """A writable copy of the fixture data, for tests that change it between runs."""
    target = tmp_path / "data"
    shutil.copytree(MINI_DATA, target)
    return target


def append_line(path, line):
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")


@pytest.mark.django_db
class TestLoadRegions:
    def test_it_builds_the_tree_with_parents_and_time_zones(self):
        output = load()

        assert level_counts() == {1: 3, 2: 6, 3: 9, 4: 15}
        village = Region.objects.get(code="64.08.04.2001")
        assert village.name == "Sangatta Utara"
        assert village.level == RegionLevel.VILLAGE
        assert village.parent.code == "64.08.04"
        assert village.parent.parent.code == "64.08"
        assert village.parent.parent.name == "Kabupaten Kutai Timur"
        assert village.parent.parent.parent.code == "64"
        assert Region.objects.get(code="64").parent is None
        assert village.timezone == TimeZone.WITA
        assert zones_under("64") == {TimeZone.WITA}
        assert zones_under("31") == {TimeZone.WIB}
        assert zones_under("94") == {TimeZone.WIT}
        assert "village 15 rows: 15 new, 0 updated, 0 unchanged" in output

    def test_running_it_twice_changes_nothing(self):
        load()
        places_before = GeoPlace.objects.count()

        output = load()

        assert level_counts() == {1: 3, 2: 6, 3: 9, 4: 15}
        assert GeoPlace.objects.count() == places_before
        assert "province 3 rows: 0 new, 0 updated, 3 unchanged" in output
        assert "village 15 rows: 0 new, 0 updated, 15 unchanged" in output

    def test_a_newer_release_renames_and_adds_without_duplicates(self, data_copy):
        load(data_copy)
        villages = data_copy / "villages.csv"
        villages.write_text(
            villages.read_text(encoding="utf-8").replace("Teluk Lingga", "Teluk Lingga Baru"),
            encoding="utf-8",
        )
        append_line(villages, "64.08.04.1011,64.08.04,Singa Gembara")

        output = load(data_copy)

        assert Region.objects.get(code="64.08.04.1010").name == "Teluk Lingga Baru"
        assert Region.objects.get(code="64.08.04.1011").parent_id == "64.08.04"
        assert level_counts()[RegionLevel.VILLAGE] == 16
        assert "village 16 rows: 1 new, 1 updated, 14 unchanged" in output

    def test_a_region_dropped_from_the_data_is_kept_and_reported(self, data_copy):
        load(data_copy)
        villages = data_copy / "villages.csv"
        lines = villages.read_text(encoding="utf-8").splitlines()
        villages.write_text(
            "\n".join(line for line in lines if not line.startswith("94.01.01.1002")) + "\n",
            encoding="utf-8",
        )

        output = load(data_copy)

        assert Region.objects.filter(code="94.01.01.1002").exists()
        assert "1 in the database but not in the data (kept)" in output

    def test_it_reads_gzip_compressed_files(self, tmp_path):
        for source in MINI_DATA.glob("*.csv"):
            with (
                open(source, "rb") as plain,
                gzip.open(tmp_path / f"{source.name}.gz", "wb") as packed,
            ):
                packed.write(plain.read())

        load(tmp_path)

        assert level_counts() == {1: 3, 2: 6, 3: 9, 4: 15}

    def test_a_village_with_an_unknown_district_is_refused(self, data_copy):
        append_line(data_copy / "villages.csv", "64.08.99.2001,64.08.99,Tanpa Kecamatan")

        with pytest.raises(CommandError, match=r"villages line 17: 64.08.99.2001 has unknown"):
            load(data_copy)

        assert not Region.objects.filter(level=RegionLevel.VILLAGE).exists()

    def test_a_province_without_a_known_time_zone_is_refused(self, data_copy):
        append_line(data_copy / "provinces.csv", "99,Provinsi Baru")

        with pytest.raises(CommandError, match="province 99 has no time zone"):
            load(data_copy)

        assert not Region.objects.exists()

    def test_a_missing_file_is_refused(self, data_copy):
        (data_copy / "districts.csv").unlink()

        with pytest.raises(CommandError, match="districts.csv"):
            load(data_copy)

    def test_skip_geo_leaves_the_geo_places_alone(self, data_copy):
        load(data_copy)
        before = set(GeoPlace.objects.values_list("id", flat=True))

        output = load(data_copy, "--skip-geo")

        assert set(GeoPlace.objects.values_list("id", flat=True)) == before
        assert "geonames" not in output


@pytest.mark.django_db
class TestGeoPlaces:
    def test_islands_with_one_regency_and_a_readable_coordinate_become_points(self):
        output = load()

        islands = GeoPlace.objects.filter(source=GeoPlaceSource.ISLAND)
        assert sorted(islands.values_list("name", flat=True)) == ["Pulau Bajau", "Pulau Belian"]
        bajau = islands.get(name="Pulau Bajau")
        assert bajau.regency_id == "64.08"
        assert bajau.district_id is None
        assert bajau.latitude == pytest.approx(0 + 55 / 60 + 16 / 3600)
        assert bajau.longitude == pytest.approx(118 + 3 / 60 + 6.99 / 3600)
        assert "1 without a single regency, 1 with an unreadable coordinate" in output

    def test_geonames_points_are_matched_to_regencies_and_districts(self):
        output = load()

        matched = {
            place.name: (place.regency_id, place.district_id)
            for place in GeoPlace.objects.filter(source=GeoPlaceSource.GEONAMES)
        }
        assert matched == {
            # A prefix of two districts: the older (lower code) one.
            "Sangatta": ("64.08", "64.08.04"),
            "Sangkulirang": ("64.08", "64.08.05"),
            # GeoNames writes one word where Kemendagri writes two.
            "Muarabadak": ("64.02", "64.02.05"),
            "Tenggarong": ("64.02", "64.02.06"),
            # A city point: the regency only.
            "Samarinda": ("64.72", None),
            # One name for several cities of the province: the city with the lowest code.
            "Jakarta": ("31.71", None),
            # "Papua" in GeoNames still covers Papua Tengah (94).
            "Nabire": ("94.01", "94.01.01"),
        }
        # Tanahgrogot lies in a regency missing from the fixture; Kuching is in Malaysia.
        assert (
            "8 Indonesian points: 7 matched by name, 7 kept after the neighbourhood check" in output
        )


def test_every_province_in_the_shipped_data_has_a_time_zone():
    with open_data_file(DEFAULT_DATA_DIR, "provinces") as handle:
        codes = {line.split(",")[0] for line in handle.read().splitlines()[1:]}

    assert len(codes) == 38
    assert codes == set(PROVINCE_TIMEZONES)
