"""Read replicas and PgBouncer against real servers. Run by harness/test_replicas.py in its
own process, with settings as a deployment behind both would have them: DATABASE_URL names
PgBouncer (transaction mode) in front of the throwaway primary, DATABASE_POOLER=pgbouncer,
and DATABASE_REPLICA_URLS names the primary's streaming replica. The database exists (a copy
of the schema): this process creates none, and its rows stay in the throwaway cluster. Not
collected by the ordinary suite (no test_ prefix).

Transaction mode hands a server connection to a client for one transaction only, so
anything that outlives a transaction on the server breaks: a session's SET, a WITH HOLD
cursor, a prepared statement, a session advisory lock. The throwaway primary runs in the
Asia/Jakarta time zone, so Django sets each session's zone to UTC and PgBouncer must carry
that across server connections.

The tests run in order and share one world: paused replay makes the replica lag on purpose,
`pg_ctl stop -m immediate` kills it, and it is started again.
"""

import csv
import io
import json
import os
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.core.cache import cache
from django.db import close_old_connections, connection, connections, transaction
from django.test import Client
from django_tasks_db.models import DBTaskResult

from aduan.accounts.models import Role, User
from aduan.api.keys import issue_key
from aduan.core import dbrouting
from aduan.core.management.commands.run_worker import queue_runner
from aduan.reports.models import Report
from conftest import World
from harness.pgcluster import as_server_user

REPORT = {
    "title": "Jalan berlubang di Sangatta Utara",
    "body": "Lubang besar di depan SD 001 membahayakan anak-anak yang berangkat sekolah.",
    "category": "jalan-rusak",
    "region": "64.08.04",
    "reporter_name": "Dewi Lestari",
    "reporter_email": "dewi@example.com",
}
READ_PAGES = [
    "/laporan/",
    "/statistik/",
    "/open311/v2/requests.json",
    "/api/v1/reports",
]


@pytest.fixture(scope="module")
def unblocked(django_db_blocker):
    with django_db_blocker.unblock():
        yield


@pytest.fixture(scope="module")
def people(unblocked):
    world = World()
    kutim = User.objects.create_user(
        username="layanan_kutim", password="kata-sandi-uji-123", role=Role.AGENCY_ADMIN,
        agency=world.pemkab,
    )  # fmt: skip
    return {
        "world": world,
        "integrator": issue_key("Aplikasi warga").secret,
        "kutim": issue_key("SIMPEL Kutim", user=kutim, agency=world.pemkab).secret,
    }


@pytest.fixture(autouse=True)
def _fresh(unblocked, settings):
    settings.REPLICA_MAX_LAG_SECONDS = 30.0
    settings.READ_YOUR_WRITES_SECONDS = 30.0
    settings.REPLICA_CHECK_SECONDS = 0.05
    settings.REPLICA_RETRY_SECONDS = 0.05
    dbrouting.reset_health()
    cache.clear()  # pages cached by an earlier test would read nothing
    yield


def replica_admin():
    return psycopg.connect(
        host="127.0.0.1", port=int(os.environ["SCENARIO_REPLICA_ADMIN_PORT"]), user="postgres",
        dbname="postgres", autocommit=True,
    )  # fmt: skip


def caught_up(timeout=20.0):
    """Wait until the replica has replayed everything the primary has written."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    with replica_admin() as conn:
        while True:
            done = conn.execute(
                "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [str(target)]
            ).fetchone()[0]
            if done:
                return
            assert time.monotonic() < deadline, "the replica did not catch up"
            time.sleep(0.05)


def api(secret, address):
    return Client(headers={"X-API-Key": secret}, REMOTE_ADDR=address)


@contextmanager
def replica_queries():
    """The statements sent to the replica inside the block (without connecting to it, as
    CaptureQueriesContext would: the replica may be down)."""
    seen = []

    def wrapper(execute, sql, params, many, context):
        if "pg_is_in_recovery" not in sql:  # not the router's lag measurement
            seen.append(sql)
        return execute(sql, params, many, context)

    with connections["replica1"].execute_wrapper(wrapper):
        yield seen


def reads(client, path, **headers):
    """(response, number of queries run on the replica) for one GET."""
    with replica_queries() as seen:
        response = client.get(path, headers=headers)
    return response, len(seen)


def pg_ctl(*args):
    base = Path(os.environ["SCENARIO_CLUSTER_BASE"])
    argv = [
        str(Path(os.environ["SCENARIO_POSTGRES_BIN"]) / "pg_ctl"),
        "-D", str(base / "replica"), "-w", "-t", "60", "-l", str(base / "replica.log"), *args,
    ]  # fmt: skip
    subprocess.run(argv, cwd=base, check=True, capture_output=True, timeout=90, **as_server_user())


def test_connections_go_through_pgbouncer_without_server_side_state(people):
    settings_dict = connection.settings_dict
    assert int(settings_dict["PORT"]) == int(os.environ["SCENARIO_BOUNCER_PORT"])
    assert settings_dict["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert settings_dict["CONN_MAX_AGE"] == 0
    assert settings_dict["OPTIONS"]["prepare_threshold"] is None
    # Many transactions, each possibly on another server connection: the session's time
    # zone (set by Django, tracked by PgBouncer) holds in every one of them.
    for _ in range(20):
        with connection.cursor() as cursor:
            cursor.execute("SHOW TimeZone")
            assert cursor.fetchone()[0] == "UTC"
    # The same query many times over (psycopg prepares after five by default): nothing is
    # prepared on the server connection this transaction holds.
    with transaction.atomic():
        for _ in range(10):
            list(Report.objects.filter(pk=-1))
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            assert cursor.fetchone()[0] == 0


def test_submitting_and_the_workers_claiming_jobs_through_pgbouncer(people):
    integrator = Client(headers={"X-API-Key": issue_key("Aplikasi warga").secret})
    numbers = []
    for n in range(3):
        response = integrator.post(
            "/api/v1/reports",
            json.dumps(REPORT | {"title": f"Jalan berlubang nomor {n + 1}"}),
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        numbers.append(response.json()["tracking_number"])
    assert Report.objects.filter(tracking_number__in=numbers).count() == 3
    queued = DBTaskResult.objects.filter(status="READY").count()
    assert queued > 0

    # Two workers claim jobs side by side (SELECT ... FOR UPDATE SKIP LOCKED, each claim
    # in one transaction): every job runs exactly once.
    failures = []

    def work(name):
        try:
            queue_runner(name).run()
        except Exception as exc:  # reported below, in the test's thread
            failures.append(exc)
        finally:
            close_old_connections()
            connections.close_all()

    threads = [threading.Thread(target=work, args=(f"pool-{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures
    assert not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists()
    assert not DBTaskResult.objects.filter(status="FAILED").exists(), list(
        DBTaskResult.objects.filter(status="FAILED").values_list(
            "task_path", "exception_class_path"
        )
    )


def test_statistics_and_a_streamed_export_through_pgbouncer(people, monkeypatch):
    from aduan.stats import exports

    # Chunks smaller than the export, so that it is read in several fetches from one
    # server-side cursor (which must stay on one server connection).
    monkeypatch.setattr(exports, "CHUNK", 2)
    for n in range(5):
        people["world"].report_in("in_progress", title=f"Jalan rusak di KM {n + 10}")
    client = Client()
    assert client.get("/statistik/").status_code == 200
    assert client.get("/laporan/").status_code == 200
    assert client.get("/open311/v2/requests.json").status_code == 200

    caught_up()  # the export reads the replica: let it have every report first
    staff = Client()
    staff.force_login(User.objects.get(username="admin_nasional"))
    response = staff.get("/statistik/dasbor/ekspor.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    total = Report.objects.count()
    assert len(rows) - 1 == total and total >= 8


def test_read_only_pages_read_the_replica_and_other_pages_do_not(people):
    caught_up()
    client = Client(REMOTE_ADDR="10.0.0.1")
    for path in READ_PAGES:
        response, on_replica = reads(client, path)
        assert response.status_code == 200, (path, response.content[:300])
        assert on_replica > 0, f"{path} did not read the replica"
    # A page that is not read-only, and a read-only page asked with POST, stay on the primary.
    for method, path in [("get", "/lacak/"), ("get", "/petugas/"), ("post", "/laporan/")]:
        with replica_queries() as seen:
            getattr(client, method)(path)
        assert not seen, (method, path)


def test_a_lagging_replica_is_read_within_the_bound_and_passed_over_beyond_it(people, settings):
    writer = api(people["integrator"], "10.0.0.2")
    reader = api(people["kutim"], "10.0.0.3")
    caught_up()
    assert dbrouting.staleness("replica1") < 5
    with replica_admin() as conn:
        conn.execute("SELECT pg_wal_replay_pause()")
    try:
        created = writer.post(
            "/api/v1/reports", json.dumps(REPORT), content_type="application/json"
        )
        assert created.status_code == 201, created.content
        number = created.json()["tracking_number"]
        path = f"/api/v1/reports/{number}"
        # The reporter's proof of ownership, so that the unpublished report can be read.
        secret = {"X-Tracking-Secret": created.json()["tracking_secret"]}

        # Within the bound (30 s): the replica answers, and it has not seen the report yet.
        response, on_replica = reads(reader, path, **secret)
        assert (response.status_code, on_replica > 0) == (404, True)
        # The writer reads its own write: pinned to the primary by the cookie it was given
        # (here from another address, so that only the cookie pins it).
        assert dbrouting.PIN_COOKIE in writer.cookies
        same_person = api(people["kutim"], "10.0.0.9")
        same_person.cookies = writer.cookies
        response, on_replica = reads(same_person, path, **secret)
        assert (response.status_code, on_replica) == (200, 0)
        # ... and so does a client that keeps no cookies, by its address.
        cookieless = api(people["kutim"], "10.0.0.2")
        response, on_replica = reads(cookieless, path, **secret)
        assert (response.status_code, on_replica) == (200, 0)

        # Past the bound the replica is passed over: the primary answers, with the report.
        settings.REPLICA_MAX_LAG_SECONDS = 0.2
        time.sleep(0.3)
        response, on_replica = reads(reader, path, **secret)
        assert (response.status_code, on_replica) == (200, 0)
    finally:
        with replica_admin() as conn:
            conn.execute("SELECT pg_wal_replay_resume()")
    settings.REPLICA_MAX_LAG_SECONDS = 30.0
    caught_up()
    # Caught up again: the replica answers, now with the report.
    response, on_replica = reads(reader, path, **secret)
    assert response.status_code == 200 and on_replica > 0


def test_a_dead_replica_is_never_a_failure_and_is_used_again_when_back(people, settings):
    reader = Client(REMOTE_ADDR="10.0.0.4")
    caught_up()
    response, on_replica = reads(reader, "/laporan/")
    assert response.status_code == 200 and on_replica > 0
    # The replica dies while this process still believes it healthy (checked a moment
    # ago, not again for a minute) and holds an open connection to it.
    settings.REPLICA_CHECK_SECONDS = 60.0
    settings.REPLICA_RETRY_SECONDS = 60.0
    pg_ctl("stop", "-m", "immediate")
    try:
        for path in READ_PAGES:
            response = reader.get(path)
            assert response.status_code == 200, (path, response.content[:300])
        assert dbrouting.staleness("replica1") is None  # marked down by the failed request
        # While it is down, read-only pages are served by the primary without trying it.
        for path in READ_PAGES:
            response, on_replica = reads(reader, path)
            assert (response.status_code, on_replica) == (200, 0)
    finally:
        pg_ctl("start", "-o", f"-p {os.environ['SCENARIO_REPLICA_ADMIN_PORT']} -k "
               f"{os.environ['SCENARIO_CLUSTER_BASE']} -c listen_addresses=127.0.0.1")  # fmt: skip
    # Back: after REPLICA_RETRY_SECONDS it is measured again, and used.
    settings.REPLICA_RETRY_SECONDS = 0.05
    settings.REPLICA_CHECK_SECONDS = 0.05
    deadline = time.monotonic() + 30
    while dbrouting.staleness("replica1") is None:
        assert time.monotonic() < deadline, "the replica did not come back"
        time.sleep(0.1)
    caught_up()
    response, on_replica = reads(reader, "/laporan/")
    assert response.status_code == 200 and on_replica > 0
