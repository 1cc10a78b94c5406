import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from aduan.core.models import WorkerHeartbeat

ROOT = Path(__file__).resolve().parents[3]


def test_healthz_reports_the_database_up_and_no_worker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["ok"] is True
    assert body["worker"] == {"ok": False, "last_seen": None}
    assert body["status"] == "degraded"


def test_healthz_reports_a_live_worker(client, db):
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="w1", seen_at=now, started_at=now)
    body = client.get("/healthz").json()
    assert body["worker"]["ok"] is True and body["status"] == "ok"


def test_healthz_reports_a_silent_worker_as_down(client, db, settings):
    old = timezone.now() - timezone.timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE + 5)
    WorkerHeartbeat.objects.create(worker_id="w1", seen_at=old, started_at=old)
    assert client.get("/healthz").json()["worker"]["ok"] is False


def _env(env_overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "DEBUG",
            "PERSONAL_DATA_KEYS",
            "PERSONAL_DATA_LOOKUP_KEY",
            "AUDIT_CHAIN_KEYS",
            "SITE_URL",
        }
    }
    env.update(env_overrides)
    return env


def _start(env_overrides):
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=_env(env_overrides),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_the_default_secret_key():
    result = _start({"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_the_default_encryption_key():
    result = _start({"DEBUG": "false", "SECRET_KEY": "k" * 50})
    assert result.returncode != 0
    assert "PERSONAL_DATA_KEYS" in result.stderr


def _production(**overrides):
    from cryptography.fernet import Fernet

    env = {
        "DEBUG": "false",
        "SECRET_KEY": "a-real-secret-" + "x" * 40,
        "PERSONAL_DATA_KEYS": Fernet.generate_key().decode(),
        "PERSONAL_DATA_LOOKUP_KEY": "lookup-" + "y" * 40,
        "AUDIT_CHAIN_KEYS": "audit-" + "z" * 40,
        "ALLOWED_HOSTS": "aduan.example.go.id",
        "SITE_URL": "https://aduan.example.go.id",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def test_production_starts_with_real_secrets_and_its_address():
    result = _start(_production())
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("site_url", [None, "", "aduan.example.go.id", "ftp://aduan.example.go.id"])
def test_production_refuses_to_start_without_its_public_address(site_url):
    """Links in e-mail and SMS are built on SITE_URL; production has no default for it."""
    result = _start(_production(SITE_URL=site_url))
    assert result.returncode != 0
    assert "SITE_URL must be set to this node's public address" in result.stderr


def test_site_url_drops_a_trailing_slash_so_links_have_one():
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SITE_URL)"],
        cwd=ROOT,
        env=_env(
            {"SITE_URL": "https://aduan.example.go.id/", "DJANGO_SETTINGS_MODULE": "aduan.settings"}
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "https://aduan.example.go.id", result.stderr


def test_the_admin_login_goes_through_our_login_with_lockout_and_second_factor(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/akun/masuk/?next=/admin/"


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"PERSONAL_DATA_KEYS": "garbage"}, "PERSONAL_DATA_KEYS: key 1 is not a Fernet key"),
        ({"PERSONAL_DATA_KEYS": "ZGV2"}, "is not a Fernet key"),
        ({"PERSONAL_DATA_LOOKUP_KEY": "pendek"}, "PERSONAL_DATA_LOOKUP_KEY: every key needs"),
        ({"AUDIT_CHAIN_KEYS": "pendek"}, "AUDIT_CHAIN_KEYS: every key needs"),
        ({"AUDIT_CHAIN_KEYS": None}, "AUDIT_CHAIN_KEYS must be set when DEBUG is off"),
    ],
)
def test_keys_that_cannot_work_stop_the_start_with_a_clear_message(overrides, says):
    result = _start(_production(**overrides))
    assert result.returncode != 0
    assert says in result.stderr


def test_a_malformed_encryption_key_stops_development_too():
    result = _start({"DEBUG": "true", "PERSONAL_DATA_KEYS": "garbage"})
    assert result.returncode != 0 and "bukan kunci Fernet" in result.stderr
