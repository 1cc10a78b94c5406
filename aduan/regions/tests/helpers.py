"""Shared helpers for the regions tests: the tiny fixture data set and a loader call."""

from io import StringIO
from pathlib import Path

from django.core.management import call_command

MINI_DATA = Path(__file__).resolve().parent / "data" / "mini"
MINI_GEONAMES = MINI_DATA / "geonames.csv"


def load(path: Path = MINI_DATA, *args: str, geonames: Path = MINI_GEONAMES) -> str:
    """Run `load_regions` on a data folder; return its output with runs of spaces collapsed."""
    out = StringIO()
    call_command("load_regions", *args, path=path, geonames=geonames, stdout=out)
    return "\n".join(" ".join(line.split()) for line in out.getvalue().splitlines())
