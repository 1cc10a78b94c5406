"""Restore drill (docs/OPERATIONS.md, "Backup and restore"): the database is backed up
the way the operations guide says (SQLite: the online backup API; PostgreSQL: `pg_dump
-Fc`), restored into a fresh database (a new file; `pg_restore` into a new database), and
the restored copy is checked as an operator would: `manage.py verify_audit_chain` passes
with the same keys, every table has the rows it had, and a reporter's identity can be
read back with PERSONAL_DATA_KEYS, and not without them."""

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from aduan.reports import actions as a

ROOT = Path(__file__).resolve().parents[3]
TABLES = (
    "reports_report",
    "reports_reportevent",
    "reports_attachment",
    "accounts_reporter",
    "accounts_user",
    "notifications_notification",
    "agencies_agency",
)

pytestmark = pytest.mark.django_db(transaction=True)


def keys_env(database_url: str, **overrides) -> dict:
    """The environment of a process on the restored database with this node's keys."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "NODE"))}
    return (
        env
        | {
            "DJANGO_SETTINGS_MODULE": "aduan.settings",
            "DATABASE_URL": database_url,
            "SECRET_KEY": settings.SECRET_KEY,
            "PERSONAL_DATA_KEYS": ",".join(settings.PERSONAL_DATA_KEYS),
            "PERSONAL_DATA_LOOKUP_KEY": settings.PERSONAL_DATA_LOOKUP_KEY,
            "AUDIT_CHAIN_KEYS": ",".join(settings.AUDIT_CHAIN_KEYS),
            "LOG_LEVEL": "WARNING",
        }
        | overrides
    )


def run(argv, env) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own commands
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


READ_REPORTER = (
    "import django; django.setup(); "
    "from aduan.reports.models import Report; "
    "print(Report.objects.get(tracking_number='{number}').reporter.email)"
)


def counts(cursor) -> dict:
    result = {}
    for table in TABLES:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - fixed table names
        result[table] = cursor.fetchone()[0]
    return result


def some_history(world):
    """Reports at several steps, with their events, notifications and an attachment."""
    from aduan.portal.tests.conftest import png_upload

    report = world.report_in("in_progress")
    a.add_information(report, "Ini fotonya.", actor=world.citizen, files=[png_upload()])
    world.report_in("responded")
    world.report_in("dispositioned")
    return report


def backup_and_restore(tmp_path) -> str:
    """Back up the live database and restore it into a fresh one; its URL."""
    if connection.vendor == "sqlite":
        target = tmp_path / "restored.sqlite3"
        # The online backup API: a consistent copy while the node keeps writing.
        backup = tmp_path / "backup.sqlite3"
        with sqlite3.connect(backup) as copy:
            connection.ensure_connection()
            connection.connection.backup(copy)
        shutil.copy(backup, target)
        return f"sqlite:///{target}"
    params = connection.settings_dict
    base = f"postgresql://{params['USER']}:{params['PASSWORD']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}"
    dump = tmp_path / "aduan.dump"
    pg_env = os.environ | {"PGPASSWORD": params["PASSWORD"] or ""}
    dumped = subprocess.run(  # noqa: S603 - pg_dump of the test database
        [shutil.which("pg_dump"), "-Fc", "-f", str(dump), f"{base}/{params['NAME']}"],
        env=pg_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert dumped.returncode == 0, dumped.stderr
    restored = f"{params['NAME']}_restored"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{restored}"')
        admin.execute(f'CREATE DATABASE "{restored}"')
    result = subprocess.run(  # noqa: S603 - pg_restore into the fresh database
        [
            shutil.which("pg_restore"),
            "--no-owner",
            "--exit-on-error",
            "-d",
            f"{base}/{restored}",
            str(dump),
        ],
        env=pg_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return f"{base}/{restored}"


def drop_restored(url: str) -> None:
    if url.startswith("postgresql://"):
        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_restored_backup_verifies_and_has_every_row(world, tmp_path):
    report = some_history(world)
    with connection.cursor() as cursor:
        before = counts(cursor)
    assert before["reports_reportevent"] > 4 and before["reports_attachment"] == 1

    url = backup_and_restore(tmp_path)
    try:
        if url.startswith("sqlite"):
            with sqlite3.connect(url.removeprefix("sqlite:///")) as restored:
                after = counts(restored.cursor())
        else:
            with psycopg.connect(url) as restored:
                after = counts(restored.cursor())
        assert after == before

        # The audit chain of every report verifies on the restored copy, with the keys.
        # (Named one by one: on PostgreSQL the tracking-number sequence runs on across
        # the suite's tests, which the whole-database check would report as gaps.)
        from aduan.reports.models import Report

        numbers = list(Report.objects.values_list("tracking_number", flat=True))
        verified = run(
            [sys.executable, "manage.py", "verify_audit_chain", *numbers],
            keys_env(url.replace("postgresql://", "postgres://")),
        )
        assert f"intact for {len(numbers)} reports" in verified.stdout
        assert verified.returncode == 0, verified.stdout + verified.stderr

        # With PERSONAL_DATA_KEYS the reporter's identity comes back...
        code = READ_REPORTER.format(number=report.tracking_number)
        identity = run([sys.executable, "-c", code], keys_env(url))
        assert identity.returncode == 0, identity.stderr
        assert identity.stdout.strip() == report.reporter.email
        # ...and without them (a backup whose keys were lost) it is gone.
        from cryptography.fernet import Fernet

        lost = run(
            [sys.executable, "-c", code],
            keys_env(url, PERSONAL_DATA_KEYS=Fernet.generate_key().decode()),
        )
        assert report.reporter.email not in lost.stdout
    finally:
        drop_restored(url)
