"""The application behind PgBouncer in transaction mode. Run by harness/test_replicas.py in
its own process, with DATABASE_URL naming PgBouncer's port and DATABASE_POOLER=pgbouncer
(the database exists: this process creates none). Not collected by the ordinary suite.

Transaction mode hands a server connection to a client for one transaction only, so
anything that outlives a transaction on the server breaks: a session's SET, a WITH HOLD
cursor, a prepared statement, a session advisory lock. The throwaway primary runs in the
Asia/Jakarta time zone, so Django sets each session's zone to UTC and PgBouncer must carry
that across server connections.
"""

import csv
import io
import json
import os
import threading

import pytest
from django.db import close_old_connections, connection, connections
from django.test import Client
from django_tasks_db.models import DBTaskResult

from aduan.accounts.models import User
from aduan.api.keys import issue_key
from aduan.core.management.commands.run_worker import queue_runner
from aduan.reports.models import Report
from conftest import World

REPORT = {
    "title": "Jalan berlubang di Sangatta Utara",
    "body": "Lubang besar di depan SD 001 membahayakan anak-anak yang berangkat sekolah.",
    "category": "jalan-rusak",
    "region": "64.08.04",
    "reporter_name": "Dewi Lestari",
    "reporter_email": "dewi@example.com",
}


@pytest.fixture(scope="module")
def unblocked(django_db_blocker):
    with django_db_blocker.unblock():
        yield


@pytest.fixture(scope="module")
def world(unblocked):
    return World()


def test_connections_go_through_pgbouncer_without_server_side_state(world):
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


def test_submitting_and_the_workers_claiming_jobs_through_pgbouncer(world):
    integrator = Client(headers={"X-API-Key": issue_key("Aplikasi warga").secret})
    numbers = []
    for n in range(6):
        response = integrator.post(
            "/api/v1/reports",
            json.dumps(REPORT | {"title": f"Jalan berlubang nomor {n + 1}"}),
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        numbers.append(response.json()["tracking_number"])
    assert Report.objects.filter(tracking_number__in=numbers).count() == 6
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


def test_statistics_and_a_streamed_export_through_pgbouncer(world, monkeypatch):
    from aduan.stats import exports

    # Chunks smaller than the export, so that it is read in several fetches from one
    # server-side cursor (which must stay on one server connection).
    monkeypatch.setattr(exports, "CHUNK", 2)
    for n in range(5):
        world.report_in("in_progress", title=f"Jalan rusak di KM {n + 10}")
    client = Client()
    assert client.get("/statistik/").status_code == 200
    assert client.get("/laporan/").status_code == 200
    assert client.get("/open311/v2/requests.json").status_code == 200

    staff = Client()
    staff.force_login(User.objects.get(username="admin_nasional"))
    response = staff.get("/statistik/dasbor/ekspor.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    total = Report.objects.count()
    assert len(rows) - 1 == total and total >= 11
