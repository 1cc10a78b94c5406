"""The keys `make run` serves with: made once into the data folder, readable by their
owner only, never printed, never rewritten; settings take them from there only when
ENV_FILE names the file, and then start with DEBUG off."""

import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def make_keys(data_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(ROOT / "scripts" / "local_keys.py"), str(data_dir)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )


def read_env(path: Path) -> dict:
    return dict(
        line.split("=", 1)
        for line in path.read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )


def test_the_keys_are_made_once_private_and_never_printed(tmp_path):
    first = make_keys(tmp_path)
    env_file = tmp_path / "local.env"
    keys = read_env(env_file)

    assert set(keys) >= {
        "SECRET_KEY",
        "PERSONAL_DATA_KEYS",
        "PERSONAL_DATA_LOOKUP_KEY",
        "AUDIT_CHAIN_KEYS",
        "NODE_KEY_FILE",
    }
    for path in (env_file, tmp_path / "node_key.pem"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keys["NODE_KEY_FILE"] == str((tmp_path / "node_key.pem").resolve())
    assert all(value not in first.stdout + first.stderr for value in keys.values())
    # Run again: nothing is rewritten (a new key would make the data unreadable).
    second = make_keys(tmp_path)
    assert read_env(env_file) == keys
    assert second.stdout == ""


def test_a_database_made_with_the_development_keys_is_moved_aside(tmp_path):
    (tmp_path / "aduan.sqlite3").write_bytes(b"old")
    (tmp_path / "aduan.sqlite3-wal").write_bytes(b"wal")

    make_keys(tmp_path)

    assert not (tmp_path / "aduan.sqlite3").exists()
    [aside] = tmp_path.glob("before-local-keys-*")
    assert (aside / "aduan.sqlite3").read_bytes() == b"old"
    assert (aside / "aduan.sqlite3-wal").read_bytes() == b"wal"


def settings_in(env: dict) -> str:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SECRET_KEY, s.PERSONAL_DATA_KEYS[0], s.AUDIT_CHAIN_KEYS[0], "
        "s.SESSION_COOKIE_SECURE, 'whitenoise.middleware.WhiteNoiseMiddleware' in s.MIDDLEWARE)"
    )
    result = subprocess.run(  # noqa: S603 - our own settings
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_settings_read_the_keys_only_when_env_file_names_them(tmp_path):
    make_keys(tmp_path)
    keys = read_env(tmp_path / "local.env")
    base = {
        k: v for k, v in os.environ.items() if k not in keys and k not in ("DEBUG", "ENV_FILE")
    } | {
        "DJANGO_SETTINGS_MODULE": "aduan.settings",
        "DATA_DIR": str(tmp_path),
        "DEBUG": "false",
        "SITE_URL": "http://127.0.0.1:8000",
        "SECURE_COOKIES": "false",
    }

    debug, secret, personal, audit, secure, whitenoise = settings_in(
        base | {"ENV_FILE": str(tmp_path / "local.env")}
    )
    assert (debug, secret, personal, audit) == (
        "False",
        keys["SECRET_KEY"],
        keys["PERSONAL_DATA_KEYS"],
        keys["AUDIT_CHAIN_KEYS"],
    )
    # Plain HTTP on 127.0.0.1 (make run): cookies not limited to HTTPS; static files served.
    assert (secure, whitenoise) == ("False", "True")
    # Without ENV_FILE the file is not read, and DEBUG off refuses to start without keys.
    refused = subprocess.run(  # noqa: S603 - our own settings
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
    )
    assert refused.returncode != 0
    assert "SECRET_KEY must be set" in refused.stderr
