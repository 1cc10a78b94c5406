"""Deferred statistics upkeep (`STATS_UPKEEP = "deferred"`, production's default): each
change is one delta row written in the action's transaction, folded into the aggregates
by the worker. The figures are exact once folded, a crash at any point loses nothing and
counts nothing twice, and the pages show up to when they are complete."""

import datetime as dt
import io
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django_tasks_db.management.commands import db_worker

from aduan.core.management.commands import run_worker
from aduan.reports import actions as a
from aduan.stats import deltas, maintenance
from aduan.stats.models import DailyFlow, ReportCube, StatsDelta, StatsFold
from conftest import aware

from .lifecycle import Walk
from .test_aggregates import assert_equal_to_recount, cube_counts

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _deferred(settings):
    settings.STATS_UPKEEP = "deferred"


def test_an_action_writes_one_delta_and_the_tables_change_only_when_folded(world):
    with time_machine.travel(aware(2026, 3, 2, 10), tick=False):
        report = world.submit(region="64.08.04.1001")
    assert StatsDelta.objects.count() == 1
    assert not ReportCube.objects.exists()
    # Pending deltas count as stored: the check proves exactness before any fold.
    assert maintenance.check() == []

    with time_machine.travel(aware(2026, 3, 2, 10, 0), tick=False):
        result = deltas.fold()
    assert (result.deltas, StatsDelta.objects.count()) == (1, 0)
    row = ReportCube.objects.get()
    assert (row.month, row.district_code, row.status, row.reports) == (
        dt.date(2026, 3, 1),
        "64.08.04",
        "submitted",
        1,
    )
    assert DailyFlow.objects.get().received == 1
    assert_equal_to_recount()
    assert report.pk


def test_folding_twice_adds_nothing_twice(world):
    world.report_in("dispositioned")
    deltas.fold()
    before = sorted(ReportCube.objects.values_list("status", "reports"))
    assert deltas.fold().deltas == 0
    assert sorted(ReportCube.objects.values_list("status", "reports")) == before
    assert_equal_to_recount()


@pytest.mark.parametrize("seed", range(3))
def test_a_random_lifecycle_walk_is_exact_once_folded_also_between_folds(world, seed):
    walk = Walk(world, seed).run(steps=50)
    assert walk.done >= 8
    assert StatsDelta.objects.exists()
    assert maintenance.check() == []  # tables + pending deltas
    deltas.fold(batch=7)  # several batches, each its own transaction
    assert not StatsDelta.objects.exists()
    assert_equal_to_recount()
    # More changes on top of folded figures, folded again.
    walk.run(steps=30, start=aware(2027, 6, 1))
    assert maintenance.check() == []
    deltas.fold()
    assert_equal_to_recount()


def test_a_rolled_back_action_leaves_no_delta(world):
    report = world.report_in("dispositioned")
    deltas.fold()
    with pytest.raises(RuntimeError), transaction.atomic():
        a.acknowledge_report(report, actor=world.officer)
        raise RuntimeError("rollback")
    assert not StatsDelta.objects.exists()
    assert cube_counts("status") == Counter({("dispositioned",): 1})
    assert_equal_to_recount()


def test_a_fold_that_dies_after_taking_its_deltas_loses_none_of_them(world):
    world.report_in("in_progress")
    world.submit()
    waiting = StatsDelta.objects.count()
    assert waiting >= 2

    def crash(taken):
        assert taken == waiting
        raise SystemExit("worker killed between taking and adding")

    with pytest.raises(SystemExit):
        deltas.fold(_between=crash)
    # The deletion rolled back with the fold: every delta is still there, nothing added.
    assert StatsDelta.objects.count() == waiting
    assert not ReportCube.objects.exists()
    assert maintenance.check() == []
    deltas.fold()
    assert not StatsDelta.objects.exists()
    assert_equal_to_recount()


def test_a_crash_between_two_batches_keeps_the_first_and_the_rest(world):
    for _ in range(3):
        world.submit()
    calls = []

    def crash_on_second(taken):
        calls.append(taken)
        if len(calls) == 2:
            raise SystemExit("killed in the second batch")

    with pytest.raises(SystemExit):
        deltas.fold(batch=1, _between=crash_on_second)
    # The first batch committed (its delta gone, its change in the tables), the second not.
    assert StatsDelta.objects.count() == 2
    assert ReportCube.objects.get().reports == 1
    assert maintenance.check() == []
    deltas.fold()
    assert ReportCube.objects.get().reports == 3
    assert_equal_to_recount()


def test_rebuild_takes_the_pending_deltas_into_the_recount_without_counting_them_twice(world):
    world.report_in("dispositioned")
    deltas.fold()
    world.submit()
    assert StatsDelta.objects.exists()
    maintenance.rebuild()
    assert not StatsDelta.objects.exists()
    assert deltas.fold().deltas == 0
    assert_equal_to_recount()


def test_check_stats_counts_pending_deltas_and_can_fold_them(world):
    world.submit()
    out = io.StringIO()
    call_command("check_stats", stdout=out)
    assert "1 delta" in out.getvalue()
    out = io.StringIO()
    call_command("check_stats", "--fold", stdout=out)
    assert "0 delta" in out.getvalue()
    assert not StatsDelta.objects.exists()


def test_the_worker_folds_what_is_pending(world):
    world.report_in("dispositioned")
    # Closing connections between tasks would close the test's own transaction.
    with (
        mock.patch.object(db_worker, "close_old_connections", lambda: None),
        mock.patch.object(run_worker, "close_old_connections", lambda: None),
    ):
        call_command("run_worker", "--once", "--no-federation")
    assert not StatsDelta.objects.exists()
    assert_equal_to_recount()


def test_the_pages_say_up_to_when_the_figures_are_complete(world, client, settings):
    # Submitted at 10:00:00 WITA (09:00:00 WIB), folded 0.8 s later: the page's figures
    # are complete to the fold's start, within a second of the change.
    with time_machine.travel(aware(2026, 5, 4, 10), tick=False):
        world.submit()
    fold_time = aware(2026, 5, 4, 10) + dt.timedelta(seconds=0.8)
    with time_machine.travel(fold_time, tick=False):
        result = deltas.fold()
    assert result.as_of == fold_time
    assert StatsFold.objects.get().as_of == fold_time
    assert fold_time - aware(2026, 5, 4, 10) <= dt.timedelta(seconds=1)
    with time_machine.travel(fold_time + dt.timedelta(seconds=5), tick=False):
        page = client.get("/statistik/?dari=2026-05&sampai=2026-05")
    assert page.status_code == 200
    assert "Data hingga 09:00:00 WIB" in page.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with time_machine.travel(fold_time + dt.timedelta(seconds=5), tick=False):
        page = client.get("/statistik/?dari=2026-05&sampai=2026-05")
    assert "Data as of 09:00:00 WIB" in page.content.decode()


def test_as_of_stays_at_the_last_complete_fold_while_deltas_wait(world):
    with time_machine.travel(aware(2026, 5, 4, 10), tick=False):
        deltas.fold()
    with time_machine.travel(aware(2026, 5, 4, 10, 5), tick=False):
        world.submit()
    # Not folded yet: the figures are still complete only to 10:00 WITA.
    assert deltas.complete_as_of() == aware(2026, 5, 4, 10)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_of_a_fold_loses_and_doubles_nothing(world):
    """A real process folding on PostgreSQL is killed (SIGKILL) after its DELETE and
    before its commit; the server rolls its transaction back and the next fold is exact."""
    if connection.vendor != "postgresql":
        pytest.skip("a second process needs a shared database; covered by the PostgreSQL run")
    world.report_in("in_progress")
    world.submit()
    waiting = StatsDelta.objects.count()
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    code = (
        "import django, sys, time; django.setup()\n"
        "from django.conf import settings; settings.STATS_UPKEEP = 'deferred'\n"
        "from aduan.stats import deltas\n"
        "def hold(n):\n"
        "    print('taken', n, flush=True); time.sleep(60)\n"
        "deltas.fold(_between=hold)\n"
    )
    env = os.environ | {
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "aduan.settings",
        "DEBUG": "1",
    }
    proc = subprocess.Popen(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        line = proc.stdout.readline()
        assert line.split() == ["taken", str(waiting)], line
        # Meanwhile the deltas are deleted in the folding transaction, not yet committed.
        assert StatsDelta.objects.count() == waiting
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert StatsDelta.objects.count() == waiting
    assert not ReportCube.objects.exists()
    assert maintenance.check() == []
    assert deltas.fold().deltas == waiting
    assert_equal_to_recount()
