"""The development app is installed for development and benchmarks, never in production."""

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-real-secret-" + "x" * 40,
    "PERSONAL_DATA_KEYS": Fernet.generate_key().decode(),
    "PERSONAL_DATA_LOOKUP_KEY": "lookup-" + "y" * 40,
    "AUDIT_CHAIN_KEYS": "audit-" + "z" * 40,
    "ALLOWED_HOSTS": "aduan.example.go.id",
    "SITE_URL": "https://aduan.example.go.id",
}


def commands(**env_overrides) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DEVDATA_ENABLED"}}
    env.update(env_overrides)
    result = subprocess.run(
        [sys.executable, "manage.py", "help", "--commands"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_development_has_the_demo_and_the_generator():
    names = commands(DEBUG="true")
    assert "seed_demo" in names and "generate_reports" in names


def test_production_has_neither():
    names = commands(**PRODUCTION)
    assert "seed_demo" not in names and "generate_reports" not in names
    assert "verify_audit_chain" in names


def test_a_production_like_node_may_opt_in():
    names = commands(**PRODUCTION, DEVDATA_ENABLED="true")
    assert "seed_demo" in names
