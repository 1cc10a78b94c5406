"""What federation adds to the intake request itself, measured in one process, no peer
running: the same API submissions on a regional node as if it were alone (no peer, and
without the two indexes only replication needs) and federated (paired with central, the
indexes present), alternated round by round.

    DATABASE_URL=postgres://aduan:aduan@127.0.0.1:5432/<a copy of the benchmark template> \\
        NODE_ROLE=regional NODE_ID=KTM .venv/bin/python bench/federation_intake.py \\
        [--n 200] [--rounds 4]

A submission on a federated node writes nothing for federation: no outbox row, no
sequence number, no extra hash (the audit chain's hash and seal are written on every node,
federated or not). Its events are written with no stream position; what federation adds
inside the transaction is keeping the two indexes replication reads (the unsequenced
events, and the unique position), and the queries that ask where a report belongs. This
measures exactly that, per request: wall time, this process's CPU, the PostgreSQL
backend's CPU (read from /proc, so the benchmark and the database must share a machine)
and the number of queries. It then times the work federation defers to the worker for
those events (the sequencer giving them positions), per event.

Drops and recreates indexes of the database it runs on: only for a throw-away copy.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench_settings")

import django  # noqa: E402

django.setup()

from common import write_result  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from intake import bodies  # noqa: E402

from aduan.api.keys import issue_key  # noqa: E402
from aduan.federation import sequencer  # noqa: E402
from aduan.federation.models import NodeRole, Peer  # noqa: E402

INDEXES = {
    "event_unsequenced_idx": (
        'CREATE INDEX "event_unsequenced_idx" ON "reports_reportevent" ("id") '
        'WHERE "position" IS NULL'
    ),
    "reports_reportevent_position_key": (
        'ALTER TABLE "reports_reportevent" ADD CONSTRAINT '
        '"reports_reportevent_position_key" UNIQUE ("position")'
    ),
}


def standalone() -> None:
    """No peer, no replication indexes: the node as if federation did not exist."""
    Peer.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute('DROP INDEX IF EXISTS "event_unsequenced_idx"')
        cursor.execute(
            'ALTER TABLE "reports_reportevent" DROP CONSTRAINT IF EXISTS '
            '"reports_reportevent_position_key"'
        )


def federated() -> None:
    """Paired with central; the replication indexes in place."""
    with connection.cursor() as cursor:
        for name, sql in INDEXES.items():
            cursor.execute("SELECT 1 FROM pg_class WHERE relname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(sql)
    Peer.objects.get_or_create(
        node_id="PST",
        defaults={
            "role": NodeRole.CENTRAL,
            "url": "http://127.0.0.1:9",  # nothing listens: no peer runs
            "public_key": "A" * 43 + "=",
            "fingerprint": "bench",
        },
    )


def backend_cpu() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="submissions per phase")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--name", default="federation_intake")
    args = parser.parse_args()
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit("PostgreSQL only (a throw-away copy of the benchmark template)")
    key = issue_key("bench federation intake", rate_limit_per_minute=10**9)
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_API_KEY=key.secret)
    payloads = bodies(args.n * args.rounds * 2 + 20)
    used = iter(payloads)

    def submit():
        r = client.post("/api/v1/reports", next(used), content_type="application/json")
        assert r.status_code == 201, r.content[:300]

    for _ in range(5):  # warm-up: imports, caches
        submit()
    phases: dict[str, list[dict]] = {"standalone": [], "federated": []}
    queries: dict[str, int] = {}
    deferred = []
    for _ in range(args.rounds):
        for mode, prepare in (("standalone", standalone), ("federated", federated)):
            prepare()
            # Sequence whatever came before, so that this phase's events are the queue.
            while sequencer.sequence():
                pass
            with CaptureQueriesContext(connection) as captured:
                submit()
            queries[mode] = len(captured.captured_queries)
            db0, wall0, cpu0 = backend_cpu(), time.perf_counter(), time.process_time()
            for _ in range(args.n):
                submit()
            wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
            db = backend_cpu() - db0
            phases[mode].append(
                {
                    "wall_ms": round(wall / args.n * 1000, 2),
                    "cpu_ms": round(cpu / args.n * 1000, 2),
                    "db_cpu_ms": round(db / args.n * 1000, 2),
                }
            )
            if mode == "federated":
                # What federation then does for them outside the request (the worker).
                started, given = time.perf_counter(), 0
                while step := sequencer.sequence():
                    given += step
                seconds = time.perf_counter() - started
                deferred.append(round(seconds / max(given, 1) * 1000, 3))
            print(mode, phases[mode][-1], flush=True)

    def median(mode, field):
        return round(statistics.median(p[field] for p in phases[mode]), 2)

    result = {"n_per_phase": args.n, "rounds": args.rounds, "phases": phases, "queries": queries}
    for field in ("wall_ms", "cpu_ms", "db_cpu_ms"):
        off, on = median("standalone", field), median("federated", field)
        result[field] = {
            "standalone": off,
            "federated": on,
            "cost_percent": round((on - off) / off * 100, 1) if off else None,
        }
    total_off = median("standalone", "cpu_ms") + median("standalone", "db_cpu_ms")
    total_on = median("federated", "cpu_ms") + median("federated", "db_cpu_ms")
    result["cpu_total_ms"] = {
        "standalone": round(total_off, 2),
        "federated": round(total_on, 2),
        "cost_percent": round((total_on - total_off) / total_off * 100, 1),
    }
    result["sequencer_ms_per_event"] = deferred
    federated()
    for field in ("wall_ms", "cpu_ms", "db_cpu_ms", "cpu_total_ms"):
        print(field, result[field])
    print("queries per request", queries)
    print("sequencer ms per event (deferred, in the worker)", deferred)
    print("->", write_result(args.name, result))


if __name__ == "__main__":
    main()
