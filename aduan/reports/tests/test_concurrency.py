"""Two staff acting on the same report at the same moment, with real concurrent
transactions on PostgreSQL: exactly one succeeds and the history has no duplicate."""

import threading

import pytest
from django.db import close_old_connections, connection

from aduan.reports import actions as a
from aduan.reports.errors import DomainError

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL; covered by the PostgreSQL run")


def race(*calls):
    """Start every call at the same instant in its own thread and connection."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            outcomes[i] = call()
        except Exception as exc:  # noqa: BLE001 - collected for the assertions
            outcomes[i] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def test_two_admins_disposing_at_once_yield_one_disposition(world):
    report = world.submit()
    outcomes = race(
        lambda: a.dispose_report(
            report, world.pemkab, unit=world.dinas_pu, actor=world.national_admin
        ),
        lambda: a.dispose_report(report, world.pemkab, unit=world.dlh, actor=world.national_admin),
    )
    successes = [o for o in outcomes if not isinstance(o, Exception)]
    failures = [o for o in outcomes if isinstance(o, Exception)]
    assert len(successes) == 1 and len(failures) == 1
    assert isinstance(failures[0], DomainError)
    report.refresh_from_db()
    assert report.events.filter(type="dispositioned").count() == 1
    assert report.unit == successes[0].unit
    seqs = list(report.events.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def test_archive_and_dispose_racing_leave_one_consistent_outcome(world):
    report = world.submit()
    outcomes = race(
        lambda: a.archive_report(report, "spam", actor=world.national_admin),
        lambda: a.dispose_report(report, world.pemkab, actor=world.national_admin),
    )
    assert sum(not isinstance(o, Exception) for o in outcomes) == 1
    report.refresh_from_db()
    assert report.status in {"archived", "dispositioned"}
    assert report.events.filter(type__in=["archived", "dispositioned"]).count() == 1


def test_many_notes_at_once_get_distinct_sequence_numbers(world):
    report = world.submit()
    outcomes = race(
        *[
            (lambda i=i: a.add_internal_note(report, f"Catatan {i}", actor=world.national_admin))
            for i in range(6)
        ]
    )
    assert not [o for o in outcomes if isinstance(o, Exception)]
    report.refresh_from_db()
    seqs = list(report.events.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 8))
    from django.core.management import call_command

    call_command("verify_audit_chain")


def test_an_officer_and_the_reporter_acting_at_once_stay_consistent(world):
    report = world.report_in("responded")
    outcomes = race(
        lambda: a.accept_response(report, actor=world.citizen),
        lambda: a.reporter_reply(report, "Masih rusak.", actor=world.citizen),
    )
    assert sum(not isinstance(o, Exception) for o in outcomes) == 1
    report.refresh_from_db()
    assert report.status in {"closed", "in_progress"}


def test_two_workers_scanning_at_once_escalate_once(world):
    import datetime as dt

    from aduan.notifications.models import Notification
    from aduan.reports.sla import scan_deadlines

    report = world.report_in("dispositioned")
    later = report.first_response_due_at + dt.timedelta(days=1)
    outcomes = race(lambda: scan_deadlines(later), lambda: scan_deadlines(later))
    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert sum(o.escalations for o in outcomes) == 1
    assert sum(o.overdue for o in outcomes) == 1
    assert [o.errors for o in outcomes] == [[], []]
    assert report.events.filter(type="escalated").count() == 1
    assert report.events.filter(type="overdue").count() == 1
    assert Notification.objects.filter(report=report, template="deadline_escalation").count() == 1
    seqs = list(report.events.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
