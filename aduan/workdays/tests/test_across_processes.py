"""A holiday an admin saves in one process reaches every other process: the worker sees it
from its next task on, not a minute later."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache.backends.locmem import LocMemCache
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
