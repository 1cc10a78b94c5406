"""A holiday an admin saves in one process reaches every other process: the worker sees it
from its next task on, not a minute later."""

import threading
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection, transaction
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from aduan.core import refcache
from aduan.workdays.calendar import add_working_days, local_date
from aduan.workdays.models import Holiday
from conftest import run_tasks

pytestmark = pytest.mark.django_db

WITA = "Asia/Makassar"
MONDAY_4_MAY_2026 = datetime(2026, 5, 4, 9, tzinfo=ZoneInfo(WITA))


@task()
def five_working_days_after(start: str) -> str:
    """A background task that computes a deadline, as the deadline scan does."""
    deadline = add_working_days(datetime.fromisoformat(start), 5, WITA)
    return local_date(deadline, WITA).isoformat()


@pytest.fixture
def worker_process(monkeypatch):
    """Run code as the worker process: its own local cache and its own version memo."""
    web = refcache._process
    worker = refcache.ProcessCache(LocMemCache("test-worker-process", {}))

    def run(function):
        monkeypatch.setattr(refcache, "_process", worker)
        try:
            return function()
        finally:
            monkeypatch.setattr(refcache, "_process", web)

    yield run
    worker.clear()


def test_a_holiday_saved_by_an_admin_reaches_the_worker_at_its_next_task(worker_process):
    def deadline_task():
        result = five_working_days_after.enqueue(MONDAY_4_MAY_2026.isoformat())
        run_tasks()
        return DBTaskResult.objects.get(id=result.id).return_value

    assert worker_process(deadline_task) == "2026-05-11"

    # The admin, in a web process, declares Tuesday 5 May a holiday.
    Holiday.objects.create(date=date(2026, 5, 5), name="Hari libur tambahan")

    # The worker still holds the old calendar: within the task it was running, nothing
    # changes under its feet ...
    stale = worker_process(lambda: add_working_days(MONDAY_4_MAY_2026, 5, WITA))
    assert local_date(stale, WITA) == date(2026, 5, 11)
    # ... and its next task reads the new version, so it computes with the holiday.
    assert worker_process(deadline_task) == "2026-05-12"


def test_a_deleted_holiday_is_forgotten_by_the_worker_at_its_next_task(worker_process):
    holiday = Holiday.objects.create(date=date(2026, 5, 5), name="Hari libur tambahan")
    seen = worker_process(lambda: add_working_days(MONDAY_4_MAY_2026, 5, WITA))
    assert local_date(seen, WITA) == date(2026, 5, 12)

    holiday.delete()

    assert local_date(add_working_days(MONDAY_4_MAY_2026, 5, WITA), WITA) == date(2026, 5, 11)

    def next_task():
        refcache.refresh()  # what the worker does when it starts a task (task_started)
        return add_working_days(MONDAY_4_MAY_2026, 5, WITA)

    assert local_date(worker_process(next_task), WITA) == date(2026, 5, 11)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_other_processes_see_a_holiday_exactly_when_its_transaction_commits():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL; covered by the PostgreSQL run")
    saved, checked, committed = threading.Event(), threading.Event(), threading.Event()
    seen, errors = [], []

    def next_task_deadline() -> date:
        refcache.refresh()  # what task_started does for each task of the worker
        return local_date(add_working_days(MONDAY_4_MAY_2026, 5, WITA), WITA)

    def worker():
        try:
            seen.append(next_task_deadline())
            saved.wait(10)
            seen.append(next_task_deadline())  # the admin's transaction is still open
            checked.set()
            committed.wait(10)
            seen.append(next_task_deadline())
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
            checked.set()
        finally:
            connection.close()

    def admin():
        try:
            with transaction.atomic():
                Holiday.objects.create(date=date(2026, 5, 5), name="Hari libur tambahan")
                # Inside its own transaction the admin's process sees the holiday at once.
                seen.append(
                    ("admin", local_date(add_working_days(MONDAY_4_MAY_2026, 5, WITA), WITA))
                )
                saved.set()
                checked.wait(10)
            committed.set()
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
            saved.set()
            committed.set()
        finally:
            connection.close()

    worker_thread = threading.Thread(target=worker)
    worker_thread.start()
    while not seen:  # the worker has cached the calendar before the admin starts
        time.sleep(0.01)
    admin_thread = threading.Thread(target=admin)
    admin_thread.start()
    for thread in (worker_thread, admin_thread):
        thread.join(timeout=30)
    assert errors == []
    assert ("admin", date(2026, 5, 12)) in seen
    worker_saw = [day for day in seen if isinstance(day, date)]
    assert worker_saw == [date(2026, 5, 11), date(2026, 5, 11), date(2026, 5, 12)]
