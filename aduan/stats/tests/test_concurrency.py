"""Concurrent actions never lose an increment of the aggregates (real concurrent
transactions on PostgreSQL: the upserts of two actions meet on the same rows)."""

import threading

import pytest
from django.db import close_old_connections, connection

from aduan.reports import actions as a
from aduan.stats import maintenance
from aduan.stats.models import ReportCube

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL; covered by the PostgreSQL run")


def together(calls):
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            barrier.wait()
            call()
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors


def test_simultaneous_submissions_all_count_in_the_same_new_row(world):
    # An earlier report creates the tracking-number sequence (its creation is not safe
    # to race) and a closed row, so the six below all try to insert the same new row at once.
    first = world.report_in("closed")
    assert not ReportCube.objects.filter(category_id=world.limbah.pk).exists()
    assert together([lambda: world.submit(category="limbah") for _ in range(6)]) == []
    row = ReportCube.objects.get(category_id=world.limbah.pk)
    assert row.reports == 6
    assert first.pk
    assert maintenance.check() == []


def test_simultaneous_actions_on_reports_of_one_row_move_every_count(world):
    reports = [world.report_in("dispositioned") for _ in range(6)]
    calls = [lambda r=r: a.acknowledge_report(r, actor=world.officer) for r in reports]
    assert together(calls) == []
    counts = dict(ReportCube.objects.filter(reports__gt=0).values_list("status", "reports"))
    assert counts == {"in_progress": 6}
    assert maintenance.check() == []
