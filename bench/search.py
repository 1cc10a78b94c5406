"""Search at scale: p50/p95 latency and query counts of the public list's search and the
staff inbox's, in-process (django.test.Client), like bench/reads.py.

    DATABASE_URL=postgres://aduan:aduan@127.0.0.1:5432/aduan_bench \
        .venv/bin/python bench/search.py [--requests 50] [--warmup 5] [--name search]

The words are chosen from the generated corpus by how many reports contain them: a word in
a third of all reports ("jalan"), a few percent ("sampah"), two words together, a phrase,
a rare place name and a word found nowhere — the cases where full-text search is cheap and
where it is not. Each is measured in the three orders of the public list. Only 127.0.0.1 /
in-process.
"""

import argparse
import sys
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import write_result  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from reads import TARGETS, measure  # noqa: E402  (sets up Django)

from aduan.accounts.models import User  # noqa: E402
from aduan.reports.models import Report  # noqa: E402

QUERIES = {
    "common_word": "jalan",
    "frequent_word": "sampah",
    "two_words": "jalan rusak",
    "phrase": '"lampu jalan"',
    "rare_word": "lasalimu",
    "no_match": "zzzyyyxxx",
}
SORTS = ("relevan", "terbaru", "terlama")


def share(word: str) -> float:
    """The share of reports whose index entry contains the word (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return float("nan")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE document @@ plainto_tsquery('simple', %s))::float"
            " / greatest(count(*), 1) FROM reports_report_search",
            [word],
        )
        return round(cursor.fetchone()[0], 4)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--name", default="search")
    args = parser.parse_args()

    total = Report.objects.count()
    pages = []
    for key, text in QUERIES.items():
        for sort in SORTS:
            pages.append((f"public_{key}_{sort}", "public", None, text, sort))
    national = User.objects.filter(username="admin.nasional").first()
    if national is not None:
        for key in ("common_word", "two_words", "rare_word"):
            pages.append((f"inbox_national_{key}", "staff", national, QUERIES[key], ""))

    results = {}
    for key, kind, user, text, sort in pages:
        client = Client(HTTP_HOST="127.0.0.1")
        if user is not None:
            client.force_login(user)
            url = "/petugas/?" + urlencode({"tab": "semua", "q": text})
        else:
            url = "/laporan/?" + urlencode({"cari": text, "urut": sort})
        result = measure(client, url, requests=args.requests, warmup=args.warmup)
        result["text"] = text
        result["target_p95_ms"] = TARGETS[kind]
        result["meets_target"] = result.get("p95_ms", 1e9) <= TARGETS[kind]
        results[key] = result
        print(
            f"{key:36} {result.get('status')} p50 {result.get('p50_ms')} ms  "
            f"p95 {result.get('p95_ms')} ms  queries {result.get('queries')}",
            flush=True,
        )
    shares = {key: share(text.strip('"').split()[0]) for key, text in QUERIES.items()}
    path = write_result(args.name, {"reports": total, "word_share": shares, "pages": results})
    print(f"-> {path}")


if __name__ == "__main__":
    main()
