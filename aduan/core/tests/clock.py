"""The clock of the whole test run (a pytest plugin, loaded by the root conftest.py).

A test that needs a date states it (time_machine.travel). To prove that no test leans on
the day it happens to run, `pytest --clock=2027-03-10T09:00+08:00` moves the clock of the
whole process to that instant before collection; it keeps ticking from there, and tests
that travel themselves nest inside it. The header of every run (and, under -q, the summary
of a red one) names the instant the run started at, so a failure that depends on the day
can be replayed with the same option.
"""

import datetime as dt

import pytest
import time_machine

_travel = pytest.StashKey[time_machine.travel]()
_started_at = pytest.StashKey[dt.datetime]()


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        metavar="INSTANT",
        help="run as if the suite started at this ISO 8601 instant with a UTC offset "
        "(e.g. 2027-03-10T09:00+08:00); the clock keeps ticking from there",
    )


def parse_clock(value: str) -> dt.datetime:
    try:
        instant = dt.datetime.fromisoformat(value)
    except ValueError:
        raise pytest.UsageError(f"--clock={value}: not an ISO 8601 date-time") from None
    if instant.tzinfo is None:
        raise pytest.UsageError(
            f"--clock={value}: give a UTC offset (e.g. +08:00) so the instant is unambiguous"
        )
    return instant


def pytest_configure(config):
    value = config.getoption("clock")
    if value:
        travel = time_machine.travel(parse_clock(value), tick=True)
        travel.start()
        config.stash[_travel] = travel
    # Read after travelling: the instant this run starts at, moved or not.
    config.stash[_started_at] = dt.datetime.now(dt.UTC).replace(microsecond=0)


def pytest_unconfigure(config):
    travel = config.stash.get(_travel, None)
    if travel is not None:
        travel.stop()
        del config.stash[_travel]


def pytest_report_header(config):
    started = config.stash[_started_at].isoformat()
    how = "moved by --clock" if config.getoption("clock") else "system"
    return f"clock: {how}, run started at {started} (replay with --clock={started})"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    # Also under -q, which hides the header: a red run says which instant to replay.
    if terminalreporter.stats.get("failed") or terminalreporter.stats.get("error"):
        terminalreporter.write_line(pytest_report_header(config))
