"""The API's per-request checks: the rate limit is one atomic upsert in the database,
and a known key is checked without a query."""

import threading

import pytest
from django.db import close_old_connections, connection

from aduan.api import keys
from aduan.api.models import RateCounter
from aduan.api.tasks import purge_rate_counters
from aduan.core.scheduler import periodic_tasks

pytestmark = pytest.mark.django_db


def test_each_request_counts_once_in_its_bucket_and_minute(monkeypatch):
    monkeypatch.setattr(keys.time, "time", lambda: 60 * 1000 + 30.0)
    decisions = [keys.check_rate_bucket("b1", 2) for _ in range(3)]
    assert [(d.allowed, d.remaining) for d in decisions] == [(True, 1), (True, 0), (False, 0)]
    assert decisions[0].retry_after == 30
    assert keys.check_rate_bucket("b2", 2).remaining == 1  # another bucket, its own count
    assert RateCounter.objects.get(bucket="b1", minute=1000).used == 3
    # The next minute starts again from zero.
    monkeypatch.setattr(keys.time, "time", lambda: 60 * 1001 + 1.0)
    assert keys.check_rate_bucket("b1", 2).allowed


def test_the_worker_deletes_counters_of_past_minutes(monkeypatch):
    for minute in (998, 999, 1000):
        RateCounter.objects.create(bucket="b", minute=minute, used=5)
    monkeypatch.setattr(keys.time, "time", lambda: 60 * 1000 + 5.0)
    assert purge_rate_counters in periodic_tasks()
    assert purge_rate_counters.call() == {"deleted": 1}
    assert sorted(RateCounter.objects.values_list("minute", flat=True)) == [999, 1000]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_requests_never_share_a_count(monkeypatch):
    monkeypatch.setattr(keys.time, "time", lambda: 60 * 2000 + 1.0)  # one minute for all
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL; covered by the PostgreSQL run")
    seen, errors = [], []
    barrier = threading.Barrier(8)

    def run():
        try:
            barrier.wait()
            for _ in range(25):
                seen.append(keys.check_rate_bucket("busy", 10_000).remaining)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(seen) == list(range(10_000 - 200, 10_000))
    assert sum(RateCounter.objects.filter(bucket="busy").values_list("used", flat=True)) == 200


def test_a_key_is_looked_up_once_and_forgotten_when_revoked(world):
    from django.test.utils import CaptureQueriesContext

    issued = keys.issue_key("Cache")
    assert keys.authenticate(issued.secret) is not None  # lookup + last_used_at
    with CaptureQueriesContext(connection) as queries:
        assert keys.authenticate(issued.secret).pk == issued.key.pk
    assert len(queries) == 0
    keys.revoke(issued.key)
    assert keys.authenticate(issued.secret) is None


def test_a_key_revoked_in_the_admin_is_refused_at_once(world):
    from django.utils import timezone

    issued = keys.issue_key("Admin")
    assert keys.authenticate(issued.secret) is not None
    key = issued.key
    key.revoked_at = timezone.now()
    key.save()
    assert keys.authenticate(issued.secret) is None
