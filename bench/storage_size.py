"""Database and media size per million reports (docs/SCALING.md).

    DATABASE_URL=postgres://aduan:aduan@127.0.0.1:5432/aduan_bench \
        .venv/bin/python bench/storage_size.py [--out bench/results/storage_size.json]

Database: `pg_total_relation_size` (rows, indexes, TOAST) of every table of the database
it is pointed at, split into the tables that grow with reports and the fixed ones (regions,
place names, the category model), divided by the number of reports and scaled to a million.

Media: what the upload pipeline (`core.uploads.process_upload`, the code every channel
uses) stores for real photographs: the two JPEG photographs scikit-learn ships (640x427),
stored at their size and enlarged to the sizes phones send (1600x1200, and 4032x3024 =
12 MP, kept whole since the longest side stays under 4096), and a one-page PDF. Enlarged
photos carry less detail per pixel than a real 12 MP photo, so the 12 MP figure is a
lower bound; the same photo at quality 85 from a phone camera is typically 2-4 MB.
"""

import argparse
import io
import json
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aduan.settings")

import django  # noqa: E402

django.setup()

import pikepdf  # noqa: E402
from django.db import connection  # noqa: E402
from PIL import Image  # noqa: E402
from sklearn.datasets import load_sample_image  # noqa: E402

from aduan.core.uploads import process_upload  # noqa: E402

FIXED_PREFIXES = ("regions_", "routing_", "categories_", "django_", "auth_", "workdays_")


def database_sizes() -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 2 DESC"
        )
        tables = dict(cursor.fetchall())
        cursor.execute("SELECT COUNT(*) FROM reports_report")
        (reports,) = cursor.fetchone()
        cursor.execute("SELECT COUNT(*) FROM reports_reportevent")
        (events,) = cursor.fetchone()
        cursor.execute("SELECT pg_database_size(current_database())")
        (database,) = cursor.fetchone()
    tasks = tables.get("django_tasks_database_dbtaskresult", 0)
    fixed = sum(size for name, size in tables.items() if name.startswith(FIXED_PREFIXES))
    growing = sum(tables.values()) - fixed
    scale = 1_000_000 / reports
    return {
        "reports": reports,
        "events": events,
        "database_bytes": database,
        "fixed_bytes": fixed - tasks,
        "growing_bytes": growing + tasks,
        "per_million_bytes": round((growing + tasks) * scale),
        "largest_tables_per_million_mb": {
            name: round(size * scale / 2**20)
            for name, size in list(tables.items())[:8]
            if not name.startswith(FIXED_PREFIXES)
        },
    }


def stored_size(image: Image.Image) -> int:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)
    return process_upload(io.BytesIO(buffer.getvalue()), name="foto.jpg").size


def media_sizes() -> dict:
    photos = {}
    for name in ("china.jpg", "flower.jpg"):
        image = Image.fromarray(load_sample_image(name))
        photos[name] = {
            f"{w}x{h}": stored_size(image.resize((w, h), Image.Resampling.LANCZOS))
            for w, h in (image.size, (1600, 1200), (4032, 3024))
        }
    pdf = pikepdf.new()
    pdf.add_blank_page()
    buffer = io.BytesIO()
    pdf.save(buffer)
    document = process_upload(io.BytesIO(buffer.getvalue()), name="surat.pdf").size
    return {"photos": photos, "one_page_blank_pdf": document}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "bench/results/storage_size.json"))
    args = parser.parse_args()
    result = {
        "machine": {"python": platform.python_version(), "load": os.getloadavg()},
        "database": database_sizes() if connection.vendor == "postgresql" else None,
        "media": media_sizes(),
    }
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
