"""Replication between nodes, played in one process: what central sends is applied as the
regional node would, after forgetting every report it had (see helpers.py)."""

import copy

import pytest
from django.utils import timezone

from aduan.federation import inbound, outbound, sequencer
from aduan.federation.models import AlertKind, Holding, PendingEvent, SyncAlert
from aduan.reports import actions
from aduan.reports.deadlines import first_notice_at
from aduan.reports.events import verify_report_chain
from aduan.reports.models import Report, ReportEvent
from aduan.stats.maintenance import check

from .helpers import as_node, forget_reports, make_peer, roundtrip


@pytest.fixture
def federated(world, tmp_path):
    """Pemkab Kutai Timur and its units work on the regional node KTM."""
    world.pemkab.node = "KTM"
    world.pemkab.save()
    world.ktm = make_peer("KTM", tmp_path)
    world.pst = make_peer("PST", tmp_path)
    world.tmp = tmp_path
    return world


def history(report):
    return list(report.events.order_by("seq").values_list("seq", "type", "origin_node", "hash"))


def test_events_get_positions_in_order_once(federated):
    first = federated.submit()
    second = federated.submit()
    assert sequencer.sequence() == ReportEvent.objects.count() == 2
    positions = list(
        ReportEvent.objects.order_by("position").values_list("report_id", "seq", "position")
    )
    assert [p for _, _, p in positions] == list(range(1, len(positions) + 1))
    assert {r for r, _, _ in positions} == {first.pk, second.pk}
    assert sequencer.sequence() == 0
    assert sequencer.head_position() == len(positions)


def test_a_disposition_to_a_hosted_agency_hands_the_report_over(federated):
    report = federated.submit()
    report = actions.dispose_report(
        report, federated.pemkab, unit=federated.dinas_pu, actor=federated.national_admin
    )
    assert report.owner_node == "KTM"
    handoff = report.events.order_by("seq").last()
    assert handoff.type == "handed_over"
    assert handoff.payload == {"from_node": "PST", "to_node": "KTM"}
    with pytest.raises(actions.base.NotOwner):
        actions.add_internal_note(report, "Masih di pusat?", actor=federated.national_admin)
    sequencer.sequence()
    assert Holding.objects.filter(node="KTM", report=report).exists()


def test_the_regional_node_receives_the_same_history_and_state(federated):
    report = federated.submit(is_anonymous=False)
    report = actions.dispose_report(
        report, federated.pemkab, unit=federated.dinas_pu, actor=federated.national_admin
    )
    other = federated.submit(region="64.01")  # Paser: stays with central
    sequencer.sequence()
    batch = roundtrip(outbound.build_batch(federated.ktm, 0))
    expected = history(report)
    assert [item["state"]["uuid"] for item in batch["reports"]] == [str(report.uuid)]
    forget_reports()
    with as_node("KTM", federated.tmp):
        position, stats = inbound.apply_batch(federated.pst, batch)
    assert position == batch["last"] and stats.applied == len(expected)
    copy_ = Report.objects.get(uuid=report.uuid)
    assert history(copy_) == expected
    assert verify_report_chain(copy_) == []
    assert (copy_.owner_node, copy_.status, copy_.agency, copy_.unit) == (
        "KTM",
        "dispositioned",
        federated.pemkab,
        federated.dinas_pu,
    )
    assert copy_.tracking_number == report.tracking_number
    # The new owner's deadline scan looks at it from where new deadlines start.
    assert copy_.next_notice_at == first_notice_at(copy_.status, copy_.next_due_at) is not None
    assert copy_.reporter.name == "Siti Aminah"  # not anonymous: the agency may see it
    assert not Report.objects.filter(uuid=other.uuid).exists()
    assert check() == []  # the regional statistics count it


def test_applying_a_batch_twice_changes_nothing(federated):
    report = actions.dispose_report(
        federated.submit(), federated.pemkab, actor=federated.national_admin
    )
    sequencer.sequence()
    batch = roundtrip(outbound.build_batch(federated.ktm, 0))
    forget_reports()
    with as_node("KTM", federated.tmp):
        inbound.apply_batch(federated.pst, batch)
        position, stats = inbound.apply_batch(federated.pst, batch)
        assert stats.applied == 0 and position == batch["last"]
        # A copy resent from an older cursor is applied as duplicates only.
        federated.pst.refresh_from_db()
        federated.pst.received_position = 0
        federated.pst.save()
        _, stats = inbound.apply_batch(federated.pst, batch)
    assert stats.applied == 0 and stats.duplicates == report.last_event_seq
    assert ReportEvent.objects.filter(report__uuid=report.uuid).count() == report.last_event_seq


def test_a_batch_that_skips_part_of_the_stream_is_sent_back(federated):
    actions.dispose_report(federated.submit(), federated.pemkab, actor=federated.national_admin)
    sequencer.sequence()
    batch = roundtrip(outbound.build_batch(federated.ktm, 0))
    batch["after"] = 3
    with as_node("KTM", federated.tmp), pytest.raises(inbound.CursorMismatch) as error:
        inbound.apply_batch(federated.pst, batch)
    assert error.value.position == 0


def test_missing_events_are_kept_aside_then_filled_by_a_pull(federated):
    report = actions.dispose_report(
        federated.submit(), federated.pemkab, actor=federated.national_admin
    )
    sequencer.sequence()
    batch = roundtrip(outbound.build_batch(federated.ktm, 0))
    full = copy.deepcopy(batch)
    batch["reports"][0]["events"] = batch["reports"][0]["events"][2:]
    forget_reports()
    with as_node("KTM", federated.tmp):
        _, stats = inbound.apply_batch(federated.pst, batch)
        assert stats.kept_aside == report.last_event_seq - 2
        assert not Report.objects.filter(uuid=report.uuid).exists()
        assert PendingEvent.objects.filter(problem="gap").count() == stats.kept_aside
        pulled = inbound.apply_bundle(federated.pst, full)
    assert pulled.applied == report.last_event_seq
    assert not PendingEvent.objects.exists()
    assert verify_report_chain(Report.objects.get(uuid=report.uuid)) == []


def test_an_altered_event_is_refused_and_raised(federated):
    report = actions.dispose_report(
        federated.submit(), federated.pemkab, actor=federated.national_admin
    )
    sequencer.sequence()
    batch = roundtrip(outbound.build_batch(federated.ktm, 0))
    batch["reports"][0]["events"][1]["payload"]["agency_name"] = "Instansi palsu"
    forget_reports()
    with as_node("KTM", federated.tmp):
        _, stats = inbound.apply_batch(federated.pst, batch)
    assert stats.kept_aside == report.last_event_seq - 1
    kept = Report.objects.get(uuid=report.uuid)
    assert kept.last_event_seq == 1  # only the submission, which verified
    alert = SyncAlert.objects.get(kind=AlertKind.BROKEN_CHAIN)
    assert alert.peer == "PST" and alert.report_uuid == report.uuid


def test_a_different_event_at_a_known_place_is_a_fork(federated):
    report = actions.dispose_report(
        federated.submit(), federated.pemkab, actor=federated.national_admin
    )
    sequencer.sequence()
    batch = roundtrip(outbound.build_batch(federated.ktm, 0))
    forked = copy.deepcopy(batch)
    forked["after"], forked["last"] = batch["last"], batch["last"] + 1
    forked["reports"][0]["events"][0]["hash"] = "f" * 64
    forget_reports()
    with as_node("KTM", federated.tmp):
        inbound.apply_batch(federated.pst, batch)
        inbound.apply_batch(federated.pst, forked)
    assert SyncAlert.objects.filter(kind=AlertKind.FORK, report_uuid=report.uuid).exists()
    assert PendingEvent.objects.filter(problem="fork").exists()
    assert verify_report_chain(Report.objects.get(uuid=report.uuid)) == []


def test_an_anonymous_reporter_never_reaches_a_node_of_handling_units(federated):
    report = actions.dispose_report(
        federated.submit(is_anonymous=True),
        federated.pemkab,
        unit=federated.dinas_pu,
        actor=federated.national_admin,
    )
    sequencer.sequence()
    batch = outbound.build_batch(federated.ktm, 0)
    text = str(batch)
    for secret in ("Siti Aminah", "6408041234567890", "081234567890", "siti@example.com"):
        assert secret not in text
    (reporter,) = batch["reporters"].values()
    assert reporter["personal"] is False
    real = str(report.reporter.uuid)
    assert batch["reports"][0]["state"]["reporter"] != real
    # Central holds everyone's identity.
    with as_node("KTM", federated.tmp):
        to_central = outbound.bundle(federated.pst, {report.pk: 1}, echo=True)
    assert to_central["reporters"][real]["name"] == "Siti Aminah"


def test_a_regional_node_cannot_relay_another_nodes_events(federated):
    report = actions.dispose_report(
        federated.submit(), federated.pemkab, actor=federated.national_admin
    )
    sequencer.sequence()
    batch = roundtrip(outbound.build_batch(federated.ktm, 0))
    for event in batch["reports"][0]["events"]:
        event["origin"] = "PSR"
    forget_reports()
    with pytest.raises(inbound.Refused):
        inbound.apply_batch(federated.ktm, batch)  # central receiving from KTM
    assert not Report.objects.filter(uuid=report.uuid).exists()


def test_files_travel_as_metadata_then_bytes_checked_against_their_hash(federated, monkeypatch):
    import hashlib

    from aduan.federation import blobs, client
    from aduan.federation.models import BlobFetch
    from aduan.reports.models import Attachment
    from aduan.workspace.tests.helpers import png

    report = federated.submit(files=[png("lubang.png")])
    report = actions.dispose_report(report, federated.pemkab, actor=federated.national_admin)
    original = Attachment.objects.get(report=report)
    with original.file.open("rb") as handle:
        content = handle.read()
    sequencer.sequence()
    batch = roundtrip(outbound.build_batch(federated.ktm, 0))
    (meta,) = batch["attachments"]
    assert meta["sha256"] == hashlib.sha256(content).hexdigest()
    assert meta["name"] == original.name and meta["visibility"] == original.visibility
    assert "lubang" not in str(meta)  # the sender's file name never travels
    forget_reports()
    with as_node("KTM", federated.tmp):
        inbound.apply_batch(federated.pst, batch)
        copy_ = Attachment.objects.get(uuid=original.uuid)
        assert not copy_.file and BlobFetch.objects.filter(attachment=copy_).exists()

        answers = iter([(200, b"not the same bytes"), (200, content)])
        monkeypatch.setattr(client, "call", lambda *args, **kwargs: next(answers))
        assert blobs.fetch_due(federated.pst) == 0  # wrong bytes: refused, retried later
        copy_.refresh_from_db()
        assert not copy_.file
        BlobFetch.objects.update(next_attempt_at=timezone.now())
        assert blobs.fetch_due(federated.pst) == 1
    copy_.refresh_from_db()
    with copy_.file.open("rb") as handle:
        assert handle.read() == content
    assert not BlobFetch.objects.exists()


def test_a_report_naming_another_new_in_the_same_batch_keeps_the_link(federated):
    original = actions.dispose_report(
        federated.submit(), federated.pemkab, actor=federated.national_admin
    )
    later = actions.dispose_report(
        federated.submit(), federated.pemkab, actor=federated.national_admin
    )
    sequencer.sequence()
    batch = roundtrip(outbound.build_batch(federated.ktm, 0))
    states = {item["state"]["uuid"]: item["state"] for item in batch["reports"]}
    assert set(states) == {str(original.uuid), str(later.uuid)}
    # Both are new at the receiver, inserted together at the end of the batch; the link
    # from one to the other must survive that.
    states[str(later.uuid)]["duplicate_of"] = str(original.uuid)
    forget_reports()
    with as_node("KTM", federated.tmp):
        _, stats = inbound.apply_batch(federated.pst, batch)
    assert stats.applied == original.last_event_seq + later.last_event_seq
    copy_ = Report.objects.get(uuid=later.uuid)
    assert copy_.duplicate_of.uuid == original.uuid
    assert verify_report_chain(copy_) == []
    assert check() == []


@pytest.mark.django_db(transaction=True)
def test_push_sends_the_stream_in_order_building_ahead_and_resumes_where_the_peer_is(
    federated, monkeypatch, settings
):
    """Outside a transaction the next batch is built while the peer applies this one (a
    second connection); a 409 makes the sender continue from the peer's position."""
    settings.FEDERATION_BATCH_SIZE = 2
    for _ in range(4):
        actions.dispose_report(federated.submit(), federated.pemkab, actor=federated.national_admin)
    sequencer.sequence()
    head = sequencer.head_position()
    sent = []

    def fake_call(peer, method, path, body):
        sent.append(
            (body["after"], body["last"], [e["uuid"] for r in body["reports"] for e in r["events"]])
        )
        if len(sent) == 2:
            return 409, {"position": body["after"] - 2 if body["after"] >= 2 else 0}
        return 200, {"position": body["last"]}

    monkeypatch.setattr(outbound.client, "call", fake_call)
    result = outbound.push(federated.ktm, time_budget=30, force=True)
    assert result.error == "" and result.position == head
    federated.ktm.refresh_from_db()
    assert federated.ktm.acked_position == head
    # Each batch starts where the peer stood: after the first, the 409's position.
    assert sent[0][0] == 0
    assert sent[2][0] == max(sent[1][0] - 2, 0)
    for (_after, last, _), (next_after, _, _) in zip(sent[2:], sent[3:], strict=False):
        assert next_after == last
    assert sent[-1][1] == head
    # Every event of the stream reached the peer in a batch it accepted.
    accepted = {u for index, (_, _, uuids) in enumerate(sent) if index != 1 for u in uuids}
    held = set(
        ReportEvent.objects.filter(
            report_id__in=Holding.objects.filter(node="KTM").values("report_id")
        ).values_list("uuid", flat=True)
    )
    assert len(held) >= 4
    assert {str(u) for u in held} <= accepted


def test_new_rows_are_stored_as_bulk_create_would_store_them(federated, monkeypatch):
    """The batch's new reports, events and reporters are inserted in one statement each
    (`rows.insert`, a JSON document on PostgreSQL): every column as Django's bulk_create
    stores it, encrypted personal data included."""
    import time_machine
    from django.forms.models import model_to_dict

    from aduan.accounts.models import Reporter

    report = actions.dispose_report(
        federated.submit(is_anonymous=False, incident_date="2026-03-01"),
        federated.pemkab,
        unit=federated.dinas_pu,
        actor=federated.national_admin,
    )
    sequencer.sequence()
    batch = roundtrip(outbound.build_batch(federated.ktm, 0))

    def stored():
        copy_ = Report.objects.get(uuid=report.uuid)
        events = [model_to_dict(e, exclude=["id", "report"]) for e in copy_.events.order_by("seq")]
        reporter = model_to_dict(copy_.reporter, exclude=["id"])
        return model_to_dict(copy_, exclude=["id", "reporter"]), events, reporter

    def applied(insert):
        forget_reports()
        Reporter.objects.filter(uuid=report.reporter.uuid).delete()
        monkeypatch.setattr(inbound, "insert_rows", insert)
        with as_node("KTM", federated.tmp), time_machine.travel(timezone.now(), tick=False):
            federated.pst.refresh_from_db()
            federated.pst.received_position = 0
            federated.pst.save()
            inbound.apply_batch(federated.pst, batch)
        return stored()

    fast = applied(inbound.insert_rows)
    plain = applied(lambda model, objs, batch_size=1000: model.objects.bulk_create(objs))
    assert fast == plain
    assert fast[2]["name"] == "Siti Aminah" and fast[1][-1]["type"] == "handed_over"
