"""Replication's CPU and queries per batch, in one process (pytest, on the test database):
the sending side of one round of the worker's federation loop (sequencer step, building
the batch, serialising and signing it, moving the cursor on the answer, and the round's
other duties) and central's side (the signed `events` view: the signature and nonce
checked, the batch applied, the answer signed), for batches like the ones steady intake
sends (BATCH_REPORTS new reports submitted by guests, each with a new reporter, one
event each). No HTTP: the request body and its signature are built as the client builds
them and handed to the view.

    DATABASE_URL=postgres://aduan:aduan@127.0.0.1:5432/aduan_<name> \\
        [BATCH_REPORTS=60] [BATCH_ROUNDS=10] [BATCH_PROFILE=sender|central] \\
        [BATCH_SORT=tottime] [BATCH_SQL=1] [BATCH_BULK_CREATE=1] \\
        .venv/bin/pytest -q -s -p no:randomly bench/profile_federation_batch.py

Prints per batch: queries, this process's CPU, the PostgreSQL backend's CPU (from /proc:
the database must run on this machine; 10 ms ticks, so use enough rounds), each side;
with BATCH_PROFILE, the cProfile (CPU time) of that side summed over the rounds;
BATCH_SQL=1 the statements of the last round; BATCH_BULK_CREATE=1 central's new rows
inserted with Django's bulk_create instead (for comparison)."""

import cProfile
import datetime as dt
import io
import json
import os
import pstats
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aduan.accounts.models import Reporter
from aduan.federation import inbound, outbound, signing, views, worker
from aduan.federation.models import Peer
from aduan.federation.tests.helpers import as_node, forget_reports, make_peer
from aduan.reports.actions.intake import submit_report
from aduan.reports.actions.validation import ReporterDetails

TICK = os.sysconf("SC_CLK_TCK")


def backend_cpu() -> float:
    """Seconds of CPU of this connection's PostgreSQL backend (0 on SQLite)."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


class Meter:
    def __init__(self, profile: bool):
        self.queries = self.cpu = self.db = 0.0
        self.rounds = 0
        self.profiler = cProfile.Profile(time.process_time) if profile else None

    def __enter__(self):
        self.captured = CaptureQueriesContext(connection).__enter__()
        self.db0, self.cpu0 = backend_cpu(), time.process_time()
        if self.profiler:
            self.profiler.enable()
        return self

    def __exit__(self, *exc):
        if self.profiler:
            self.profiler.disable()
        self.cpu += time.process_time() - self.cpu0
        self.captured.__exit__(*exc)
        # The backend's CPU read after the last statement (its own query not counted).
        self.db += backend_cpu() - self.db0
        self.queries += len(self.captured.captured_queries) - 1  # pg_backend_pid()
        self.last_sql = [q["sql"] for q in self.captured.captured_queries]
        self.rounds += 1

    def line(self, name: str) -> str:
        n = self.rounds
        return (
            f"{name}: {self.queries / n:.1f} queries, {1000 * self.cpu / n:.1f} ms CPU "
            f"(process), {1000 * self.db / n:.1f} ms CPU (database) per batch"
        )

    def top(self) -> str:
        out = io.StringIO()
        if os.environ.get("BATCH_CALLEES"):  # the callees of the functions named so
            stats = pstats.Stats(self.profiler, stream=out).sort_stats("cumulative")
            stats.print_callees(os.environ["BATCH_CALLEES"])
            return out.getvalue()
        pstats.Stats(self.profiler, stream=out).sort_stats(
            os.environ.get("BATCH_SORT", "cumulative")
        ).print_stats(45)
        return out.getvalue()


@pytest.fixture
def nodes(world, tmp_path, settings):
    world.pemkab.node = "KTM"
    world.pemkab.save()
    world.ktm = make_peer("KTM", tmp_path)
    world.pst = make_peer("PST", tmp_path)
    world.tmp = tmp_path
    return world


def submit_many(n: int, round_: int) -> None:
    for i in range(n):
        submit_report(
            {
                "report_type": "complaint",
                "title": "Jalan poros Sangatta–Bengalon berlubang",
                "body": "Lubang besar di KM 12 sudah tiga bulan dan membahayakan pengendara.",
                "region": "64.08.04",
                "category": "jalan-rusak",
            },
            actor=None,
            reporter=ReporterDetails(
                name=f"Warga {round_} {i}", email=f"warga{round_}x{i}@contoh.id"
            ),
        )


def test_profile_a_batch(nodes, settings):
    reports = int(os.environ.get("BATCH_REPORTS", "60"))
    rounds = int(os.environ.get("BATCH_ROUNDS", "10"))
    profile = os.environ.get("BATCH_PROFILE", "")
    sender, central = Meter(profile == "sender"), Meter(profile == "central")
    bodies = []

    def fake_call(peer, method, path, payload=None, **kwargs):
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers = signing.request_headers(method, "/federation/v1" + path, body, peer.node_id)
        bodies.append((body, headers))
        return 200, {"position": payload["last"]}

    outbound.client.call = fake_call  # restored by the process ending (a bench)
    if os.environ.get("BATCH_BULK_CREATE"):  # for comparison: Django's bulk_create

        def bulk(model, objs, batch_size=1000):
            model.objects.bulk_create(objs, batch_size=batch_size)

        inbound.insert_rows = bulk
    timed = [0.0]
    plain_insert = getattr(inbound, "insert_rows", None)  # (absent before it was written)

    def timed_insert(*args, **kwargs):
        started = time.process_time()
        try:
            return plain_insert(*args, **kwargs)
        finally:
            timed[0] += time.process_time() - started

    if plain_insert is not None:
        inbound.insert_rows = timed_insert
    factory = RequestFactory()
    Peer.objects.update(
        reference_synced_at=timezone.now() + dt.timedelta(days=1),
        last_reconciled_at=timezone.now() + dt.timedelta(days=1),
        last_deep_reconciled_at=timezone.now() + dt.timedelta(days=1),
    )

    def playing(node):
        # Each side sees only its peer (one database plays both nodes).
        Peer.objects.update(is_active=True)
        Peer.objects.filter(node_id=node).update(is_active=False)
        return as_node(node, nodes.tmp)

    with playing("KTM"):
        # A warm-up round (first queries, caches), not counted.
        submit_many(2, -1)
        worker.run_round()
    for round_ in range(rounds):
        with playing("KTM"):
            known = Reporter.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            submit_many(reports, round_)
            with sender:
                summary = worker.run_round()
            assert summary["pushed"] >= reports, summary
        body, headers = bodies[-1]
        batch = json.loads(body)
        forget_reports()
        # Central has never seen these reporters either.
        Reporter.objects.filter(pk__gt=known).delete()
        Peer.objects.filter(node_id="KTM").update(received_position=batch["after"])
        meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        http = factory.post(
            "/federation/v1/events", data=body, content_type="application/json", **meta
        )
        with playing("PST"):
            with central:
                response = views.events(http)
            assert response.status_code == 200, response.content
            assert json.loads(response.content)["applied"] >= reports
        forget_reports()
    print()
    print(f"{reports} new reports per batch, {rounds} rounds, {connection.vendor}")
    print(sender.line("sending node (a worker round: sequencer, push, ...)"))
    print(central.line("central (events view: verify, apply, sign)"))
    print(f"  of which inserting new rows: {1000 * timed[0] / rounds:.1f} ms CPU (process)")
    if os.environ.get("BATCH_SQL"):
        for meter in (sender, central):
            print("\n".join(sql[:160] for sql in meter.last_sql), end="\n\n")
    if profile:
        print((sender if profile == "sender" else central).top())
