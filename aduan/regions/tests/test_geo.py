import math

import pytest

from aduan.regions.geo import haversine_km, normalise_name, parse_dms, suggest_region
from aduan.regions.loading import DEFAULT_GEONAMES_FILE
from aduan.regions.matching import (
    Candidate,
    Place,
    RegionNameIndex,
    Tier,
    place_keys,
    read_geonames_places,
    resolve_places,
)
from aduan.regions.models import GeoPlace, GeoPlaceSource

from .helpers import MINI_DATA, load


class TestParseDms:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            # The idn-area-data form (the CSV doubles the quotes; csv undoes that).
            ("03°19'03.44\" N 097°07'41.73\" E", (3.317622, 97.128258)),
            ("01°08'53.53\" S 100°19'48.90\" E", (-1.148203, 100.330250)),
            ("03°19'03.44\"N, 097°07'41.73\"E", (3.317622, 97.128258)),
            # Hemisphere first, decimal comma, typographic marks.
            ("S 1°8′53,53″ E 100°19′48.90″", (-1.148203, 100.330250)),
            # Longitude first; degrees only; Indonesian LU/LS/BT.
            ("100° E 1° S", (-1.0, 100.0)),
            ("0°30' LU 117°31' BT", (0.5, 117.516667)),
            ("8°30' LS 140°24' BT", (-8.5, 140.4)),
        ],
    )
    def test_it_reads_common_spellings(self, text, expected):
        latitude, longitude = parse_dms(text)

        assert latitude == pytest.approx(expected[0], abs=1e-6)
        assert longitude == pytest.approx(expected[1], abs=1e-6)

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "tidak diketahui",
            "03°19'03.44\" N",  # latitude only
            "3° N 3° N",  # two latitudes
            "91° N 97° E",  # beyond the pole
            "3°61' N 97° E",  # 61 minutes
            "x 3° N 97° E",  # trailing garbage
            "3° 97° E",  # no hemisphere for the first value
        ],
    )
    def test_it_refuses_anything_else(self, text):
        with pytest.raises(ValueError):
            parse_dms(text)


class TestNames:
    @pytest.mark.parametrize(
        ("a", "b"),
        [
            ("Muarabadak", "Muara Badak"),
            ("Sangasanga", "Sanga-Sanga"),
            ("Tanahgrogot", "TANAH GROGOT"),
            ("Toli-Toli", "Tolitoli"),
            ("Fak Fak", "Fakfak"),
            ("Bélang", "Belang"),
        ],
    )
    def test_spellings_of_one_name_normalise_alike(self, a, b):
        assert normalise_name(a) == normalise_name(b)

    def test_different_names_stay_different(self):
        assert normalise_name("Sangatta Utara") != normalise_name("Sangatta Selatan")

    def test_place_keys_cover_english_and_administrative_forms(self):
        assert "balikpapan" in place_keys("City of Balikpapan")
        assert "jambi" in place_keys("Jambi City")
        assert "sukamaju" in place_keys("Desa Sukamaju")
        assert "tangerangselatan" in place_keys("South Tangerang")
        assert "halimaungjaya" in place_keys("Halimaung Jaya (F-3)")


@pytest.fixture
def name_index():
    return RegionNameIndex(
        regencies={
            "64.02": "Kabupaten Kutai Kartanegara",
            "64.08": "Kabupaten Kutai Timur",
            "64.72": "Kota Samarinda",
            "65.01": "Kabupaten Bulungan",
        },
        districts={
            "64.02.05": "Muara Badak",
            "64.08.04": "Sangatta Utara",
            "64.08.12": "Sangatta Selatan",
            "65.01.01": "Tanjung Palas",
        },
        villages={"64.08.04.2001": "Sangatta Utara", "64.02.05.2001": "Badak Baru"},
    )


class TestRegionNameIndex:
    def test_an_exact_district_name(self, name_index):
        found = name_index.candidates("Muarabadak", ["64", "65"])

        assert list(found) == ["64.02"]
        assert found["64.02"].strongest == Tier.DISTRICT
        assert found["64.02"].district_code() == "64.02.05"

    def test_a_district_prefix_prefers_the_older_district(self, name_index):
        found = name_index.candidates("Sangatta", ["64"])

        assert found["64.08"].strongest == Tier.DISTRICT_PREFIX
        assert found["64.08"].district_code() == "64.08.04"

    def test_a_city_name_gives_the_regency_without_a_district(self, name_index):
        found = name_index.candidates("Samarinda", ["64"])

        assert found["64.72"].strongest == Tier.REGENCY
        assert found["64.72"].district_code() is None

    def test_only_the_given_provinces_are_searched(self, name_index):
        assert name_index.candidates("Tanjung Palas", ["64"]) == {}
        assert list(name_index.candidates("Tanjung Palas", ["64", "65"])) == ["65.01"]


def place(name, latitude, longitude, *regency_tiers):
    """A GeoNames place with given candidate regencies, e.g. ("64.08", Tier.VILLAGE)."""
    candidates = {}
    for code, tier in regency_tiers:
        candidates.setdefault(code, Candidate(code)).districts[tier] = set()
    return Place(name, latitude, longitude, "East Java", candidates)


def village_cluster(regency_code, latitude, longitude, count=6):
    """Villages a kilometre or so apart, each matched to one regency."""
    return [
        place(f"Desa {i}", latitude + 0.01 * i, longitude, (regency_code, Tier.VILLAGE))
        for i in range(count)
    ]


class TestResolvePlaces:
    def test_a_namesake_in_another_regency_is_rejected(self):
        # "Waru" sits among villages of regency A but its name matches only a district of
        # regency B elsewhere in the province: the match is a coincidence.
        places = [
            *village_cluster("35.01", -7.0, 112.0),
            place("Waru", -7.02, 112.01, ("35.15", Tier.DISTRICT)),
        ]

        assert resolve_places(places, anchors=[])[-1] is None

    def test_the_neighbours_pick_among_several_candidates(self):
        places = [
            *village_cluster("35.01", -7.0, 112.0),
            place("Sukamaju", -7.02, 112.01, ("35.01", Tier.VILLAGE), ("35.15", Tier.VILLAGE)),
        ]

        assert resolve_places(places, anchors=[])[-1] == "35.01"

    def test_islands_vote_too(self):
        places = [
            place("Sukamaju", -7.02, 112.01, ("35.01", Tier.VILLAGE), ("35.15", Tier.VILLAGE))
        ]
        anchors = [(-7.03, 112.02, "35.15"), (-7.01, 112.0, "35.15")]

        assert resolve_places(places, anchors) == ["35.15"]

    def test_a_lone_place_is_taken_on_an_unambiguous_name(self):
        places = [
            place("Sangatta", 0.5, 117.5, ("64.08", Tier.DISTRICT_PREFIX)),
            place("Sukamaju", 2.0, 117.0, ("64.01", Tier.VILLAGE), ("64.02", Tier.VILLAGE)),
        ]

        assert resolve_places(places, anchors=[]) == ["64.08", None]

    def test_a_city_wins_over_the_regency_of_the_same_name_around_it(self):
        malang = place("Malang", -7.98, 112.63, ("35.07", Tier.REGENCY), ("35.73", Tier.REGENCY))
        places = [*village_cluster("35.07", -7.99, 112.62), malang]

        assert resolve_places(places, anchors=[])[-1] == "35.73"


def test_haversine_matches_a_known_distance():
    # Samarinda to Balikpapan is about 90 km as the crow flies.
    assert haversine_km(-0.5022, 117.1536, -1.2654, 116.8312) == pytest.approx(91.9, abs=0.5)


@pytest.mark.django_db
class TestSuggestRegion:
    @pytest.fixture(autouse=True)
    def _load_fixture_data(self):
        load()

    def test_a_point_in_sangatta_gives_kutai_timur(self, django_assert_max_num_queries):
        with django_assert_max_num_queries(2):
            suggestion = suggest_region(0.5049, 117.5279)

        assert suggestion.regency.code == "64.08"
        assert suggestion.district.code == "64.08.04"
        assert suggestion.place_name == "Sangatta"
        assert suggestion.distance_km == pytest.approx(0, abs=0.01)
        assert suggestion.reason == (
            "Titik terdekat: Sangatta (0,0 km) → Kecamatan Sangatta Utara, Kabupaten Kutai Timur"
        )

    def test_the_reason_gives_the_distance_to_the_nearest_place(self):
        # About 3.2 km north-east of the Sangkulirang point.
        suggestion = suggest_region(0.977 + 0.0205, 117.9803 + 0.0205)

        assert suggestion.reason == (
            "Titik terdekat: Sangkulirang (3,2 km) → Kecamatan Sangkulirang, Kabupaten Kutai Timur"
        )

    def test_an_island_gives_its_regency(self):
        suggestion = suggest_region(0.921, 118.052)

        assert suggestion.place_name == "Pulau Bajau"
        assert suggestion.regency.code == "64.08"
        assert suggestion.district is None
        assert suggestion.reason.endswith("→ Kabupaten Kutai Timur")

    def test_papua_calls_a_district_distrik(self):
        suggestion = suggest_region(-3.37, 135.5)

        assert suggestion.reason.endswith("→ Distrik Nabire, Kabupaten Nabire")

    def test_the_nearer_of_two_places_wins(self):
        # Between Tenggarong (2.4 km) and Samarinda (17 km).
        assert suggest_region(-0.43, 117.0).place_name == "Tenggarong"

    def test_the_search_widens_until_it_finds_a_place(self):
        # 114 km south of Samarinda, the nearest fixture place: only the last box reaches it.
        suggestion = suggest_region(-1.5, 117.0)

        assert suggestion.place_name == "Samarinda"
        assert suggestion.distance_km == pytest.approx(113.9, abs=0.1)

    def test_a_point_in_the_ocean_far_away_gives_nothing(self):
        assert suggest_region(-20.0, 100.0) is None

    @pytest.mark.parametrize(("lat", "lon"), [(math.nan, 117.0), (0.5, math.inf), (95.0, 117.0)])
    def test_an_impossible_point_gives_nothing(self, lat, lon):
        assert suggest_region(lat, lon) is None


@pytest.mark.django_db
def test_a_place_in_the_corner_of_the_box_does_not_hide_a_nearer_one_outside_it():
    # From (0, 117): A is inside the first 0.25° box, in its corner (~33 km); B lies just
    # north of the box (~29 km). The first box alone would answer A.
    load(MINI_DATA, "--skip-geo")
    for name, latitude, longitude in [("A", 0.21, 117.21), ("B", 0.26, 117.0)]:
        GeoPlace.objects.create(
            name=name,
            latitude=latitude,
            longitude=longitude,
            regency_id="64.08",
            source=GeoPlaceSource.GEONAMES,
        )

    assert suggest_region(0.0, 117.0).place_name == "B"


@pytest.mark.django_db
def test_without_geo_places_there_is_no_suggestion():
    assert not GeoPlace.objects.exists()

    assert suggest_region(0.5049, 117.5279) is None


def test_the_shipped_geonames_extract_holds_the_indonesian_places():
    places = read_geonames_places(DEFAULT_GEONAMES_FILE)

    assert len(places) == 8923
    sangatta = next(place for place in places if place.name == "Sangatta")
    assert (sangatta.latitude, sangatta.longitude) == (0.5049, 117.5279)
    assert sangatta.admin1 == "East Kalimantan"


def test_every_island_of_the_kemendagri_data_lies_within_indonesias_extent():
    """The bounds used to refuse points abroad hold every island point shipped with the
    region data, with the margin they claim."""
    import csv

    from aduan.regions.geo import INDONESIA_LATITUDE, INDONESIA_LONGITUDE, in_indonesia
    from aduan.regions.loading import DEFAULT_DATA_DIR, open_data_file

    with open_data_file(DEFAULT_DATA_DIR, "islands") as handle:
        points = [parse_dms(row["coordinate"]) for row in csv.DictReader(handle)]

    assert len(points) > 17_000
    assert all(in_indonesia(lat, lon) for lat, lon in points)
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    assert min(lats) - INDONESIA_LATITUDE[0] >= 0.4 and INDONESIA_LATITUDE[1] - max(lats) >= 0.4
    assert min(lons) - INDONESIA_LONGITUDE[0] >= 0.4
    assert not in_indonesia(51.5, -0.12)  # London
    assert not in_indonesia(-0.12, 51.5)
