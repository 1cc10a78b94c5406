"""`pytest --clock`: the whole run moves to the instant asked for, keeps ticking, lets tests
travel further, and says in its output which instant to replay."""

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import datetime as dt
import time_machine

WITA = dt.timezone(dt.timedelta(hours=8))

def test_the_run_starts_at_the_instant_asked_for():
    now = dt.datetime.now(WITA)
    assert dt.datetime(2027, 3, 10, 9, tzinfo=WITA) <= now < dt.datetime(2027, 3, 10, 9, 5, tzinfo=WITA)
    assert dt.date.today() == dt.date(2027, 3, 10)

def test_a_test_still_travels_where_it_needs_and_comes_back():
    with time_machine.travel(dt.datetime(2026, 7, 8, 10, tzinfo=WITA), tick=False):
        assert dt.datetime.now(WITA) == dt.datetime(2026, 7, 8, 10, tzinfo=WITA)
    assert dt.datetime.now(WITA).date() == dt.date(2027, 3, 10)
"""


@pytest.fixture
def run(pytester, monkeypatch):
    """Run pytest in a fresh process on the probe, with only the clock plugin (no Django)."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makepyfile(test_probe=PROBE)

    def run(*args):
        return pytester.runpytest_subprocess(
            "-p", "no:django", "-p", "aduan.core.tests.clock", "-p", "no:cacheprovider", *args
        )

    return run


def test_the_whole_run_moves_to_the_clock_and_the_header_says_so(run):
    result = run("--clock=2027-03-10T09:00+08:00")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [
            "clock: moved by --clock, run started at 2027-03-10T01:00:00+00:00 "
            "(replay with --clock=2027-03-10T01:00:00+00:00)"
        ]
    )


def test_without_the_option_the_header_names_the_system_clocks_instant(run):
    result = run()  # the probe's own outcome depends on the day: only the header matters
    result.stdout.fnmatch_lines(["clock: system, run started at *(replay with --clock=*)"])


def test_a_red_run_names_the_instant_to_replay_even_when_quiet(run):
    result = run("-q", "--clock=2027-03-10T23:30+08:00")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["clock: moved by --clock, run started at 2027-03-10T15:30:00+00:00 *"]
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2027-03-10T09:00", "*--clock=2027-03-10T09:00: give a UTC offset*"),
        ("besok", "*--clock=besok: not an ISO 8601 date-time*"),
    ],
)
def test_an_instant_without_an_offset_or_not_a_date_is_refused(run, value, message):
    result = run(f"--clock={value}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])
