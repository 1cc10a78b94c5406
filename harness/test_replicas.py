"""Read replicas and PgBouncer against real servers (docs/REPLICAS.md), in the PostgreSQL
run of `make test` only (marker `postgres`: 75 s measured on a 2-core machine under a
load of 19, most of it starting the servers and the scenarios' own Django process).

A throwaway primary cluster, a streaming replica of it (pg_basebackup) and a PgBouncer in
transaction mode are started on free ports (harness/pgcluster.py). The schema is copied
from this run's test database. The scenarios (harness/scenario_scaling.py) then run as
a pytest process of their own whose settings point at them - Django's connections are fixed
at start-up: submitting, the worker claiming jobs, statistics and a streamed export through
PgBouncer in transaction mode; the router against the replica with replay paused (lag), the
replica killed mid-run and brought back.

`make test` installs what they need (scripts/ensure_pgbouncer.sh); where something is
missing these tests fail and say what.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness import pgcluster

ROOT = Path(__file__).resolve().parent.parent

# django_db: so that this run's test database exists (its schema is copied).
pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(scope="module")
def cluster(django_db_setup):
    from django.db import connections

    problems = pgcluster.missing()
    assert not problems, "install: " + "; ".join(problems)
    source = connections["default"].settings_dict
    assert source["ENGINE"] == "django.db.backends.postgresql", "needs DATABASE_URL=postgres://"
    servers = pgcluster.Cluster.create()
    try:
        servers.load_schema_from(source)
        servers.start_pgbouncer()
        yield servers
    finally:
        servers.stop()


def run_scenario(name: str, env: dict, clock: str | None = None) -> None:
    child_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REPLICA_", "PYTEST_", "DB_CONN"))
    }
    child_env.update(env)
    child_env["DJANGO_SETTINGS_MODULE"] = "aduan.settings"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", f"harness/{name}.py", "-q", "-x"]
        + ([f"--clock={clock}"] if clock else []),
        cwd=ROOT,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]


def test_replicas_and_pgbouncer_in_transaction_mode(cluster, request):
    run_scenario(
        "scenario_scaling",
        {
            "DATABASE_URL": cluster.url(cluster.bouncer_port),
            "DATABASE_POOLER": "pgbouncer",
            "DATABASE_REPLICA_URLS": cluster.url(cluster.replica_port),
            "REPLICA_TEST_MIRROR": "false",
            "SCENARIO_BOUNCER_PORT": str(cluster.bouncer_port),
            "SCENARIO_REPLICA_ADMIN_PORT": str(cluster.replica_port),
            "SCENARIO_CLUSTER_BASE": str(cluster.base),
            "SCENARIO_POSTGRES_BIN": str(cluster.bin),
        },
        clock=request.config.getoption("clock"),
    )
    pools = {row["database"]: row for row in cluster.bouncer_show("POOLS")}
    assert pools[pgcluster.DATABASE]["pool_mode"] == "transaction"
    stats = {row["database"]: row for row in cluster.bouncer_show("STATS")}
    # What the scenario did on the primary went through PgBouncer, a transaction at a time.
    assert int(stats[pgcluster.DATABASE]["total_xact_count"]) > 100
