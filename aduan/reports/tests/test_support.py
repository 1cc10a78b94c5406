"""Support ("Saya juga mengalami"): one per verified contact and report, counted on the
report, an event of its public history, and no personal data anywhere."""

import pytest
from django.db import IntegrityError, transaction

from aduan.accounts.crypto import lookup_hash
from aduan.reports import actions as a
from aduan.reports.actors import PUBLIC
from aduan.reports.errors import DomainError, InvalidInput, NotAllowed
from aduan.reports.events import verify_report_chain
from aduan.reports.models import EventType, Report, ReportSupport, Status, Visibility


def support(report, contact="tetangga@example.com", actor=PUBLIC):
    return a.support_report(report, a.supporter_key(report, contact), actor=actor)


def test_a_support_is_counted_and_recorded_as_a_public_event_without_identity(world):
    report = world.report_in("in_progress")
    before = report.status
    support(report)
    support(report, "+6281234500001", actor=world.outsider)

    report.refresh_from_db()
    assert report.support_count == 2
    assert report.status == before
    events = list(report.events.filter(type=EventType.SUPPORTED).order_by("seq"))
    assert [e.payload for e in events] == [{"count": 1}, {"count": 2}]
    for event in events:
        assert event.visibility == Visibility.PUBLIC
        # Not even a signed-in supporter's account is recorded.
        assert event.actor_role == "public" and event.actor_id is None
    assert verify_report_chain(report) == []


def test_one_support_per_contact_and_report(world):
    report = world.report_in("dispositioned")
    support(report, "Tetangga@Example.com ")
    events = report.events.count()
    with pytest.raises(a.AlreadySupported) as refused:
        support(report, "tetangga@example.com")
    assert refused.value.status_code == 409
    assert "sudah mendukung" in refused.value.message_id
    report.refresh_from_db()
    assert report.support_count == 1
    assert report.events.count() == events
    # The same contact may support another report.
    other = world.report_in("dispositioned")
    support(other, "tetangga@example.com")


def test_the_database_refuses_a_second_row_for_the_same_supporter(world):
    report = world.report_in("dispositioned")
    support(report)
    row = ReportSupport.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportSupport.objects.create(report=report, supporter=row.supporter, at=row.at)


def test_only_a_keyed_hash_of_the_contact_is_stored_and_it_differs_per_report(world):
    first, second = world.report_in("in_progress"), world.report_in("in_progress")
    key = a.supporter_key(first, "tetangga@example.com")
    assert key == a.supporter_key(first, " TETANGGA@example.com")
    assert key != a.supporter_key(second, "tetangga@example.com")
    # Never the reporters' look-up hash, so supports cannot be joined to reporters.
    assert key != lookup_hash("tetangga@example.com")
    support(first)
    row = ReportSupport.objects.get()
    assert row.supporter == key
    assert "tetangga" not in str(row) and key not in str(row)
    assert "tetangga" not in str(first.events.get(type=EventType.SUPPORTED).payload)


@pytest.mark.parametrize(
    ("status", "extra"),
    [
        ("submitted", {}),
        ("on_hold", {}),  # held before disposition: never published
        ("closed", {}),
        ("archived", {}),
        ("withdrawn", {}),
        ("in_progress", {"is_confidential": True}),
    ],
)
def test_only_a_published_report_still_being_handled_can_be_supported(world, status, extra):
    report = world.report_in(status, **extra)
    with pytest.raises(DomainError):
        support(report)
    assert Report.objects.get(pk=report.pk).support_count == 0
    assert not ReportSupport.objects.exists()


def test_a_report_on_hold_after_disposition_can_be_supported(world):
    report = a.put_on_hold(world.report_in("dispositioned"), "Foto?", actor=world.officer)
    assert report.status == Status.ON_HOLD
    assert support(report).support_count == 1


def test_the_reporter_and_staff_do_not_support(world):
    report = world.report_in("in_progress")
    for who in (world.citizen, world.officer, world.national_admin, world.supervisor):
        with pytest.raises(NotAllowed):
            support(report, actor=who)
    assert not ReportSupport.objects.exists()


def test_a_malformed_supporter_key_is_refused(world):
    report = world.report_in("in_progress")
    for key in ("", "tetangga@example.com", "g" * 64, None):
        with pytest.raises(InvalidInput):
            a.support_report(report, key, actor=PUBLIC)
