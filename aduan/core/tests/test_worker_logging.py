"""The worker is quiet by default: a line per task would bury what the development
e-mail and SMS backends print (verification codes, links) in the terminal of `make run`.
`--verbose` brings the task log back."""

import logging
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_tasks_db.management.commands import db_worker

from aduan.core.management.commands import run_worker

CONSOLE = {
    "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    "SMS_BACKEND": "aduan.notifications.sms.ConsoleSMSBackend",
}


def work_once(*arguments):
    # Closing connections between tasks would close the test's own transaction.
    with (
        mock.patch.object(db_worker, "close_old_connections", lambda: None),
        mock.patch.object(run_worker, "close_old_connections", lambda: None),
    ):
        call_command("run_worker", "--once", "--no-federation", *arguments)


@pytest.fixture
def info_level():
    """The root logger at INFO, as LOG_LEVEL's default configures it."""
    root = logging.getLogger()
    previous = root.level
    root.setLevel(logging.INFO)
    yield
    root.setLevel(previous)


def task_lines(caplog) -> list[str]:
    """The task runner's routine lines (a failed task is a warning and still shows)."""
    return [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith("django_tasks") and r.levelno < logging.WARNING
    ]


@override_settings(**CONSOLE)
def test_the_worker_logs_no_task_lines_but_the_printed_messages_still_appear(
    world, caplog, capsys, info_level
):
    world.submit()
    with caplog.at_level(logging.NOTSET, logger="django_tasks_db"):
        work_once()
    assert task_lines(caplog) == []
    printed = capsys.readouterr().out
    # The console backends print the reporter's messages (the SMS masked) all the same.
    assert "Subject: Laporan" in printed and "telah diterima" in printed
    assert "[SMS to ...890" in printed and "Laporan Anda diterima" in printed
    # The logger is back as it was once the worker stops.
    assert logging.getLogger().level == logging.INFO


@override_settings(**CONSOLE)
def test_verbose_logs_every_task(world, caplog, capsys, info_level):
    world.submit()
    with caplog.at_level(logging.NOTSET, logger="django_tasks_db"):
        work_once("--verbose")
    assert any("state=SUCCESSFUL" in line for line in task_lines(caplog)), task_lines(caplog)
    assert "[SMS to ...890" in capsys.readouterr().out


def test_warnings_still_reach_the_log(world, caplog, info_level):
    quiet = run_worker.quiet_logging(verbose=False)
    with quiet:
        logging.getLogger("aduan.notifications.service").info("sent")
        logging.getLogger("aduan.notifications.service").warning("attempt 3 failed")
    assert [r.getMessage() for r in caplog.records] == ["attempt 3 failed"]
