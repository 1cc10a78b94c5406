"""Reconciliation while reports stream: what the streams still carry is left to them
(no pull, no push, so the stream's own batch is never refused at the receiver as a
concurrent apply), what is genuinely missing is repaired at once, and what was left out
is repaired by a later pass if the stream never brings it."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.utils import timezone

from aduan.federation import outbound, reconcile, sequencer
from aduan.federation.models import Peer
from aduan.reports import actions, tracking
from aduan.reports.models import Report, ReportEvent

from .helpers import make_peer


class FakeCentral:
    """Central (PST) as KTM's peer, played from this database: it holds our reports as
    far as `has` says (uuid -> last seq; 0 = not at all; absent = as far as we do), says
    `flying` is on its way to us in its stream, and answers a stream batch after running
    `during_batch` — as if that happened while it applied the batch. A push or a pull of
    a report whose batch it is applying meets that apply: the batch is refused
    (`retry_later`), as the receiver's concurrent apply is."""

    def __init__(self):
        self.has: dict[str, int] = {}
        self.flying: dict[str, int] = {}
        self.calls: list[tuple[str, str]] = []
        self.pushed: set[str] = set()
        self.pulled: set[str] = set()
        self.applying: set[str] = set()
        self.conflict = False
        self.during_batch = None

    def heads(self, peer):
        days = reconcile._heads(reconcile.shared_reports(peer))
        out = {}
        for day, rows in days.items():
            kept = []
            for key, seq, head in rows:
                seq_there = self.has.get(key, seq)
                if seq_there == 0:
                    continue
                if seq_there < seq:
                    head = ReportEvent.objects.get(report__uuid=key, seq=seq_there).hash
                elif seq_there > seq:
                    head = "e" * 64  # events we do not have yet
                kept.append([key, seq_there, head])
            for key, seq_there in self.has.items():
                if seq_there and not Report.objects.filter(uuid=key).exists():
                    kept.append([key, seq_there, "f" * 64])
            out[day] = sorted(kept)
        return out

    def __call__(self, peer, method, path, body=None, **kwargs):
        self.calls.append((method, path))
        if path == "/reconcile":
            return 200, {"days": self.heads(peer), "in_flight": dict(self.flying)}
        if path == "/reports":
            keys = {item["state"]["uuid"] for item in body["reports"]}
            self.pushed |= keys
            self.conflict = self.conflict or bool(keys & self.applying)
            return 200, {"applied": 1, "kept_aside": 0}
        if path.startswith("/reports/") and path.endswith("/events"):
            key = path.split("/")[2]
            self.pulled.add(key)
            self.conflict = self.conflict or key in self.applying
            return 200, {"v": 1, "reports": []}
        if path == "/events":
            self.applying = {item["state"]["uuid"] for item in body["reports"]}
            if self.during_batch is not None:
                self.during_batch()
            self.applying = set()
            if self.conflict:
                return 503, {"error": "retry_later", "detail": "concurrent apply"}
            return 200, {"position": body["last"]}
        raise AssertionError(f"unexpected call {method} {path}")


@pytest.fixture
def ktm(world, tmp_path, settings, monkeypatch):
    """The regional node KTM with central as its peer; two reports central has had for
    an hour (acknowledged), and a fake central answering every request."""
    settings.NODE_ID, settings.NODE_ROLE = "KTM", "regional"
    # KTM's tracking-number sequence, made by its first submission in this test's
    # transaction (an earlier test's was rolled back with it).
    tracking._known_sequences.discard("report_tracking_ktm_seq")
    world.old = [world.submit(), world.submit()]
    sequencer.sequence()
    world.peer = make_peer("PST", tmp_path)
    Peer.objects.filter(pk=world.peer.pk).update(
        acked_position=sequencer.head_position(),
        last_success_at=timezone.now() - dt.timedelta(hours=1),
    )
    world.peer.refresh_from_db()
    settings.FEDERATION_RECONCILE_SETTLE_SECONDS = 60
    world.central = FakeCentral()
    monkeypatch.setattr(reconcile.client, "call", world.central)
    monkeypatch.setattr(outbound.client, "call", world.central)
    return world


def key(report) -> str:
    return str(report.uuid)


def test_a_pass_during_replication_leaves_in_flight_reports_to_the_stream(ktm):
    """Reports streaming to central when a reconciliation runs: it neither pushes nor
    pulls them, and the stream's batch applies at once (no retry_later, no backoff)."""
    new = [ktm.submit(), ktm.submit(), ktm.submit()]
    # A later event of a report central already has: only that event is on its way.
    moved = actions.put_on_hold(ktm.old[0], "Mohon foto lokasi.", actor=ktm.national_admin)
    sequencer.sequence()
    central = ktm.central
    central.has = {key(r): 0 for r in new} | {key(moved): moved.last_event_seq - 1}
    results = []
    central.during_batch = lambda: results.append(reconcile.reconcile(ktm.peer))

    pushed = outbound.push(ktm.peer, force=True)

    (result,) = results
    assert (result.pushed, result.pulled, result.in_flight) == (0, 0, 4)
    assert not central.pushed and not central.pulled and not central.conflict
    assert pushed.error == "" and pushed.batches == 1
    ktm.peer.refresh_from_db()
    assert ktm.peer.failures == 0 and ktm.peer.next_attempt_at is None
    assert ktm.peer.acked_position == sequencer.head_position()


def test_what_central_is_still_sending_is_not_pulled_but_what_it_sent_and_we_lack_is(ktm):
    """Central further on a report: pulled only if we lack what central's stream already
    delivered to us (acknowledged), not what is still on its way."""
    on_its_way, lost = ktm.old
    elsewhere = str(uuid.uuid4())  # a report of this day only central has
    central = ktm.central
    central.has = {
        key(on_its_way): on_its_way.last_event_seq + 1,
        key(lost): lost.last_event_seq + 2,
        elsewhere: 3,
    }
    # Central's stream delivered `lost` up to one event beyond ours, and `on_its_way` up
    # to ours: the rest of each is on its way; `elsewhere` it believes delivered.
    central.flying = {
        key(on_its_way): on_its_way.last_event_seq,
        key(lost): lost.last_event_seq + 1,
    }

    result = reconcile.reconcile(ktm.peer)

    assert central.pulled == {key(lost), elsewhere}
    assert (result.pulled, result.in_flight, result.pushed) == (2, 1, 0)


def test_a_genuinely_missing_report_is_repaired_while_others_stream(ktm):
    """Central lost a report it acknowledged an hour ago, and the acknowledged first event
    of a report whose next event is still on its way: both are pushed at once; the reports
    on their way are not."""
    lost, half_lost = ktm.old
    moved = actions.put_on_hold(half_lost, "Mohon foto lokasi.", actor=ktm.national_admin)
    new = [ktm.submit(), ktm.submit()]
    sequencer.sequence()
    Peer.objects.filter(pk=ktm.peer.pk).update(last_success_at=timezone.now())
    central = ktm.central
    central.has = {key(lost): 0, key(moved): 0} | {key(r): 0 for r in new}

    result = reconcile.reconcile(ktm.peer)

    assert central.pushed == {key(lost), key(moved)}
    assert (result.pushed, result.in_flight) == (2, 2)


def test_what_a_pass_left_out_is_repaired_by_a_later_one_if_it_never_arrives(ktm):
    new = [ktm.submit(), ktm.submit()]
    sequencer.sequence()
    Peer.objects.filter(pk=ktm.peer.pk).update(last_success_at=timezone.now())
    central = ktm.central
    central.has = {key(r): 0 for r in new}

    first = reconcile.reconcile(ktm.peer)
    assert (first.pushed, first.in_flight) == (0, 2) and not central.pushed

    # The link stops acknowledging (the stream fails from now on): past the settling time
    # the events are no longer counted as on their way, and the next pass repairs them.
    later = timezone.now() + dt.timedelta(seconds=61)
    with time_machine.travel(later, tick=False):
        second = reconcile.reconcile(ktm.peer)
    assert central.pushed == {key(r) for r in new}
    assert (second.pushed, second.in_flight) == (2, 0)


def test_events_not_yet_numbered_by_the_sequencer_are_on_their_way_too(ktm):
    new = ktm.submit()  # committed, no stream position yet
    ktm.central.has = {key(new): 0}
    result = reconcile.reconcile(ktm.peer)
    assert (result.pushed, result.in_flight) == (0, 1) and not ktm.central.pushed


def test_the_responder_says_which_differing_reports_it_is_still_sending(ktm):
    """Answering a reconciliation, a node lists the reports of the differing days whose
    newest events are on their way to the requester, with what it acknowledged of each."""
    moved = actions.put_on_hold(ktm.old[0], "Mohon foto lokasi.", actor=ktm.national_admin)
    sequencer.sequence()
    answer = reconcile.answer(ktm.peer, {})
    assert answer["in_flight"] == {key(moved): moved.last_event_seq - 1}
    assert key(ktm.old[1]) in {k for heads in answer["days"].values() for k, _s, _h in heads}
