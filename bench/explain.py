"""EXPLAIN ANALYZE the slowest queries of one page (in-process), to find where time goes.

DATABASE_URL=... .venv/bin/python bench/explain.py /petugas/ [--user admin.nasional] [--top 2]
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench_settings")

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from aduan.accounts.models import User  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--user", default="")
    parser.add_argument("--top", type=int, default=2)
    parser.add_argument("--lines", type=int, default=25)
    args = parser.parse_args()
    client = Client(HTTP_HOST="127.0.0.1")
    if args.user:
        client.force_login(User.objects.get(username=args.user))
    client.get(args.url)
    reset_queries()
    with CaptureQueriesContext(connection) as q:
        status = client.get(args.url).status_code
    captured = list(q.captured_queries)
    total = sum(float(x["time"]) for x in captured) * 1000
    print(f"HTTP {status}, {len(captured)} queries, {total:.0f} ms in the database")
    for item in sorted(captured, key=lambda x: -float(x["time"]))[: args.top]:
        sql = item["sql"]
        where = sql.find(" WHERE ")
        print(f"\n-- {float(item['time']) * 1000:.0f} ms: ...{sql[where : where + 600]}")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            lines = [line for (line,) in cursor.fetchall()]
            for line in lines[: args.lines]:
                print(line)
            # Planning can cost more than running: a wide self-join of the reports table
            # took 26 ms to plan and 1 ms to run. Always shown, however short the plan cut.
            for line in lines[args.lines :]:
                if line.startswith(("Planning Time", "Execution Time")):
                    print(line)


if __name__ == "__main__":
    main()
