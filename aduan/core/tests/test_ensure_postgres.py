"""`make postgres` (scripts/ensure_postgres.sh) creates the suite's role, and leaves the
password of a role that already exists as it is."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
ROLE = "aduan_ops_probe"


def as_superuser(sql: str) -> str:
    result = subprocess.run(  # noqa: S603 - fixed commands
        [
            shutil.which("su"),
            "postgres",
            "-c",
            f'psql -d postgres -v ON_ERROR_STOP=1 -qtAc "{sql}"',
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.postgres
@pytest.mark.skipif(os.geteuid() != 0, reason="creates a role through the postgres account")
def test_an_existing_roles_password_is_not_reset():
    as_superuser(f"DROP ROLE IF EXISTS {ROLE}")
    as_superuser(f"CREATE ROLE {ROLE} LOGIN PASSWORD 'kept-as-it-was'")
    before = as_superuser(f"SELECT rolpassword FROM pg_authid WHERE rolname = '{ROLE}'")
    try:
        subprocess.run(  # noqa: S603 - our own script
            [
                shutil.which("bash"),
                str(ROOT / "scripts" / "ensure_postgres.sh"),
                f"postgres://{ROLE}:another@127.0.0.1:5432/postgres",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        after = as_superuser(
            f"SELECT rolpassword, rolcreatedb FROM pg_authid WHERE rolname = '{ROLE}'"
        )
        assert after.split("|") == [before, "t"]
    finally:
        as_superuser(f"DROP ROLE IF EXISTS {ROLE}")
