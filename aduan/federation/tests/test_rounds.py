"""How the worker paces its pushes: one request for what came in since the last round
while intake is steady, back to back only for a backlog, and little work in idle rounds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aduan.federation import outbound, sequencer, worker
from aduan.reports import actions
from aduan.reports.models import ReportEvent

from .helpers import make_peer


@pytest.fixture
def federated(world, tmp_path):
    world.pemkab.node = "KTM"
    world.pemkab.save()
    world.ktm = make_peer("KTM", tmp_path)
    return world


def test_a_push_stops_at_the_head_it_saw_and_leaves_later_events_to_the_next_round(
    federated, monkeypatch
):
    actions.dispose_report(federated.submit(), federated.pemkab, actor=federated.national_admin)
    sequencer.sequence()
    head = sequencer.head_position()
    sent = []

    def fake_call(peer, method, path, body):
        sent.append(body["last"])
        if len(sent) == 1:
            # A report disposed to KTM while this batch travels.
            actions.dispose_report(
                federated.submit(), federated.pemkab, actor=federated.national_admin
            )
            sequencer.sequence()
        return 200, {"position": body["last"]}

    monkeypatch.setattr(outbound.client, "call", fake_call)
    first = outbound.push(federated.ktm, time_budget=30, force=True)
    assert sent == [head]
    assert (first.batches, first.position, first.backlog) == (1, head, False)
    second = outbound.push(federated.ktm, time_budget=30, force=True)
    assert sent == [head, sequencer.head_position()] and second.events > 0
    assert not second.backlog


def test_a_push_that_runs_out_of_time_with_full_batches_reports_a_backlog(
    federated, monkeypatch, settings
):
    settings.FEDERATION_BATCH_SIZE = 2
    for _ in range(3):
        actions.dispose_report(federated.submit(), federated.pemkab, actor=federated.national_admin)
    sequencer.sequence()
    clock = [0.0]

    class Clock:
        @staticmethod
        def monotonic():
            return clock[0]

    def fake_call(peer, method, path, body):
        clock[0] += 10  # each request takes ten seconds
        return 200, {"position": body["last"]}

    monkeypatch.setattr(outbound, "time", Clock)
    monkeypatch.setattr(outbound.client, "call", fake_call)
    result = outbound.push(federated.ktm, time_budget=15, force=True)
    assert result.batches == 2 and result.backlog
    assert result.position < sequencer.head_position()


def test_a_long_backlog_of_unnumbered_events_is_numbered_over_several_rounds(db, monkeypatch):
    """Each step numbers 5,000 events; a round stops stepping once its budget is spent and
    says there is a backlog, so the thread comes back at once, having renewed its lease and
    looked whether it was asked to stop. Each step takes a second here."""
    steps = []
    clock = [0.0]

    def full_step():
        steps.append(1)
        clock[0] += 1.0
        return 5000

    monkeypatch.setattr(sequencer, "sequence", full_step)
    summary = worker.run_round(push_budget=2.0, clock=lambda: clock[0])

    assert len(steps) == 2
    assert (summary["sequenced"], summary["backlog"]) == (10_000, True)
    # The last slice of the backlog ends the stepping without calling it one.
    monkeypatch.setattr(sequencer, "sequence", lambda: 1234)
    assert worker.run_round(push_budget=2.0, clock=lambda: clock[0])["backlog"] is False


@pytest.mark.django_db(transaction=True)
def test_an_idle_sequencer_step_is_one_query_without_a_lock(federated):
    federated.submit()
    assert sequencer.sequence() == ReportEvent.objects.count()
    with CaptureQueriesContext(connection) as captured:
        assert sequencer.sequence() == 0
    assert len(captured.captured_queries) == 1
    assert "FOR UPDATE" not in captured.captured_queries[0]["sql"]


@pytest.mark.parametrize(
    ("summary", "waited"),
    [
        ({"pushed": 40, "sequenced": 40, "backlog": False}, 0.5),  # steady intake
        ({"pushed": 0, "sequenced": 0, "backlog": False}, 3.0),  # idle
        ({"pushed": 500, "sequenced": 0, "backlog": True}, None),  # a backlog: at once
    ],
)
def test_the_federation_thread_spaces_its_rounds_by_what_the_last_one_did(
    monkeypatch, summary, waited
):
    thread = worker.FederationThread(interval=3.0, push_wait=0.5)
    waits, rounds = [], []

    def fake_round():
        rounds.append(1)
        if len(rounds) >= 2:  # a second round at once (a backlog): then stop
            thread.stopping.set()
        return summary

    def fake_wait(seconds):
        waits.append(seconds)
        thread.stopping.set()

    monkeypatch.setattr(worker, "run_round", fake_round)
    monkeypatch.setattr(worker, "close_old_connections", lambda: None)
    # The lease (one worker of several runs the rounds) is the scheduler's: held here.
    monkeypatch.setattr(worker, "hold_lease", lambda *args: True)
    monkeypatch.setattr(worker, "release_lease", lambda *args: None)
    monkeypatch.setattr(thread.stopping, "wait", fake_wait)
    thread.run()
    assert waits == ([] if waited is None else [waited])


def test_the_push_wait_comes_from_the_settings(settings):
    settings.FEDERATION_PUSH_WAIT_MS = 250
    assert worker.FederationThread().push_wait == 0.25


def test_a_batch_inserts_its_new_reporters_in_one_statement_with_their_lookups(federated, tmp_path):
    from django.db import connection as conn

    from aduan.accounts.models import Reporter, lookup_hash, normalise_phone
    from aduan.federation import inbound

    from .helpers import as_node, forget_reports, roundtrip

    pst = make_peer("PST", tmp_path)
    for actor in (federated.citizen, federated.outsider):
        actions.dispose_report(
            federated.submit(actor=actor, is_anonymous=False),
            federated.pemkab,
            actor=federated.national_admin,
        )
    sequencer.sequence()
    batch = roundtrip(outbound.build_batch(federated.ktm, 0))
    expected = {
        str(r.uuid): (r.email, r.phone) for r in Reporter.objects.filter(user__isnull=False)
    }
    forget_reports()
    with conn.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_reporter")
    with as_node("KTM", tmp_path), CaptureQueriesContext(conn) as captured:
        inbound.apply_batch(pst, batch)
    inserts = [q for q in captured.captured_queries if 'INTO "accounts_reporter"' in q["sql"]]
    assert len(inserts) == 1
    arrived = {str(r.uuid): r for r in Reporter.objects.all()}
    assert set(arrived) == set(expected)
    for key, (email, phone) in expected.items():
        reporter = arrived[key]
        assert (reporter.email, reporter.phone) == (email, phone)
        assert reporter.email_lookup == (lookup_hash(email) if email else "")
        assert reporter.phone_lookup == (lookup_hash(normalise_phone(phone)) if phone else "")
