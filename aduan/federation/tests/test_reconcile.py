"""Reconciliation: digests per day, and deep passes that go through the days in slices."""

import datetime as dt
import json

import pytest
import time_machine

from aduan.federation import reconcile, views
from aduan.federation.models import AlertKind, SyncAlert
from conftest import aware

from .helpers import as_node, make_peer
from .test_signing import signed_request

DAYS = (dt.date(2026, 3, 2), dt.date(2026, 3, 5), dt.date(2026, 3, 9))


@pytest.fixture
def spread(world, tmp_path, settings):
    """Two reports submitted on each of three days at the regional node KTM, and central
    (PST) as its peer, holding the same histories."""
    settings.FEDERATION_DEEP_SLICE = 2
    reports = []
    for day in DAYS:
        with time_machine.travel(aware(day.year, day.month, day.day, 10), tick=False):
            reports += [world.submit(), world.submit()]
    world.reports = reports
    world.peer = make_peer("PST", tmp_path)
    settings.NODE_ID, settings.NODE_ROLE = "KTM", "regional"
    return world


def answering_as_a_copy(calls, change=None):
    """A fake transport: the peer answers from this very database (it holds the same
    histories), optionally changed by `change(answer)`."""

    def call(peer, method, path, body=None, **kwargs):
        assert path == "/reconcile", "nothing to pull or push between copies"
        calls.append(body)
        span = tuple(body.get("span") or ("", ""))
        data = reconcile.answer(peer, body["days"], deep=body["deep"], span=span)
        return 200, (change(data, span) if change else data)

    return call


def test_slices_cover_every_day_once(spread):
    qs = reconcile.shared_reports(spread.peer)
    spans, after = [], ""
    while True:
        span = reconcile.next_span(qs, after)
        spans.append(span)
        after = span[1]
        if not after:
            break
    assert spans == [("", "2026-03-02"), ("2026-03-02", "2026-03-05"), ("2026-03-05", "")]
    covered = [
        pk for span in spans for pk in reconcile.within(qs, span).values_list("pk", flat=True)
    ]
    assert sorted(covered) == sorted(r.pk for r in spread.reports)


def test_a_deep_pass_goes_slice_by_slice_and_finds_nothing_between_copies(spread, monkeypatch):
    calls = []
    monkeypatch.setattr(reconcile.client, "call", answering_as_a_copy(calls))
    first = reconcile.reconcile(spread.peer, deep=True)
    spread.peer.refresh_from_db()
    # One slice done, the pass goes on from its last day at the next round.
    assert (first.deep_through, spread.peer.deep_reconcile_through) == ("2026-03-02", "2026-03-02")
    assert spread.peer.last_deep_reconciled_at is None
    results = reconcile.reconcile_deep(spread.peer)
    spread.peer.refresh_from_db()
    assert [r.deep_through for r in results] == ["2026-03-05", ""]
    assert spread.peer.deep_reconcile_through == ""
    assert spread.peer.last_deep_reconciled_at is not None
    assert [c["span"] for c in calls] == [
        ["", "2026-03-02"],
        ["2026-03-02", "2026-03-05"],
        ["2026-03-05", ""],
    ]
    assert all(c["deep"] for c in calls) and sum(r.days_differing for r in results) == 0
    assert not SyncAlert.objects.exists()


def test_a_peer_whose_history_differs_in_a_later_slice_is_raised(spread, monkeypatch):
    target = spread.reports[4]  # submitted on the last day

    def change(data, span):
        # The peer's recomputed history of one report is not ours: it was edited there.
        day = "2026-03-09"
        if span[1]:  # not the slice holding that day
            return data
        if day not in data["days"]:
            ours = reconcile._heads(reconcile.shared_reports(spread.peer), {day})[day]
            data["days"][day] = sorted(ours)
        data["days"][day] = [
            (key, seq, "0" * 64 if key == str(target.uuid) else head)
            for key, seq, head in data["days"][day]
        ]
        return data

    monkeypatch.setattr(reconcile.client, "call", answering_as_a_copy([], change))
    results = reconcile.reconcile_deep(spread.peer)
    assert [r.forks for r in results] == [0, 0, 1]
    alert = SyncAlert.objects.get()
    assert (alert.kind, alert.peer, alert.report_uuid) == (
        AlertKind.BROKEN_CHAIN,
        "PST",
        target.uuid,
    )
    assert "on PST" in alert.detail


@pytest.mark.parametrize("span", [["", "3 Maret"], "2026-03-02", ["2026-03-02"], [1, 2]], ids=str)
def test_a_malformed_span_is_refused_without_answering(spread, tmp_path, span):
    body = json.dumps({"v": 1, "days": {}, "deep": True, "span": span}).encode()
    request, _ = signed_request(
        tmp_path, sender="PST", receiver="KTM", body=body, path="/federation/v1/reconcile"
    )
    with as_node("KTM", tmp_path):
        response = views.reconcile_days(request)
    assert response.status_code == 400
    assert "days" not in json.loads(response.content)
