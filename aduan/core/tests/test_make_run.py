"""`make run` serves as production does (gunicorn, DEBUG off) on PORT with its worker and
the e-mail listener (MAIL_PORT); `make dev` the same with runserver and DEBUG on. The links
in e-mail and SMS must point where they serve, the keys come from the data folder's
local.env, and stopping make stops everything it started.

The recipes run here with stand-ins for the virtualenv's python and gunicorn that record,
for every command, its arguments and the environment it was given, then stay up like a
server until they are told to stop; the test sees exactly what each process would run
with, without serving anything.
"""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

RECORDING = """#!/bin/sh
log="$(dirname "$0")/calls.log"
echo "$$ SITE_URL=$SITE_URL DEBUG=$DEBUG ENV_FILE=$ENV_FILE $(basename "$0") $*" >> "$log"
case "$*" in
  *run_worker*|*run_mail_listener*|*runserver*|*wsgi*)
    trap 'echo "$$ stopped" >> "$log"; exit 0' TERM INT
    while :; do sleep 0.1; done ;;
esac
"""


def run_make(tmp_path, target: str):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("python", "gunicorn"):
        (bin_dir / name).write_text(RECORDING)
        (bin_dir / name).chmod(0o755)
    (bin_dir / ".installed").touch()  # newer than the requirements: nothing to install
    # A SITE_URL left in the shell from another setup must not win over the served port.
    env = {**os.environ, "SITE_URL": "http://127.0.0.1:8000", "PORT": "9123", "MAIL_PORT": "9125"}
    env.pop("ENV_FILE", None)
    make = subprocess.Popen(  # noqa: S603 - our own Makefile, with a path we made
        [shutil.which("make"), "--no-print-directory", target, f"BIN={bin_dir}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    log = bin_dir / "calls.log"
    served = ("run_worker", "run_mail_listener", "runserver" if target == "dev" else "wsgi")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        text = log.read_text() if log.exists() else ""
        if all(word in text for word in served):
            break
        assert make.poll() is None, make.communicate()
        time.sleep(0.1)
    # Stopping make stops the three processes it started.
    make.send_signal(signal.SIGTERM)
    stdout, stderr = make.communicate(timeout=60)
    lines = log.read_text().splitlines()
    calls = [line.split(" ", 1)[1] for line in lines if not line.endswith(" stopped")]
    long_running = {line.split(" ", 1)[0] for line in lines if any(w in line for w in served)}
    stopped = {line.split(" ", 1)[0] for line in lines if line.endswith(" stopped")}
    return calls, long_running, stopped, stdout


@pytest.fixture
def local_env():
    return str(ROOT / "data" / "local.env")


def test_make_run_serves_with_gunicorn_in_production_mode(tmp_path, local_env):
    calls, started, stopped, stdout = run_make(tmp_path, "run")

    site = "SITE_URL=http://127.0.0.1:9123 DEBUG=false"
    assert [c for c in calls if "wsgi" in c] == [
        f"{site} ENV_FILE={local_env} gunicorn aduan.wsgi -c deploy/gunicorn.conf.py "
        "--bind 127.0.0.1:9123"
    ]
    assert [c for c in calls if "run_worker" in c] == [
        f"{site} ENV_FILE={local_env} python manage.py run_worker"
    ]
    # The e-mail channel's SMTP listener runs beside them, on MAIL_PORT.
    assert [c for c in calls if "run_mail_listener" in c] == [
        f"{site} ENV_FILE={local_env} python manage.py run_mail_listener --port 9125"
    ]
    # The keys are made once into the data folder before anything touches the database,
    # the static files are collected for WhiteNoise, the demo logins are printed.
    names = [c.split(" ", 3)[-1] for c in calls]
    assert names.index("python scripts/local_keys.py data") < names.index(
        "python manage.py migrate --noinput"
    )
    assert "python manage.py collectstatic --noinput --verbosity 0" in names
    assert "python manage.py seed_demo --print-logins" in names
    assert "runserver" not in " ".join(calls)
    assert "http://127.0.0.1:9123/" in stdout
    assert len(started) == 3
    assert stopped == started


def test_make_dev_serves_with_runserver_and_debug_pages(tmp_path, local_env):
    calls, started, stopped, stdout = run_make(tmp_path, "dev")

    site = "SITE_URL=http://127.0.0.1:9123 DEBUG="
    assert [c for c in calls if "runserver" in c] == [
        f"{site} ENV_FILE={local_env} python manage.py runserver 127.0.0.1:9123"
    ]
    assert [c for c in calls if "run_worker" in c] == [
        f"{site} ENV_FILE={local_env} python manage.py run_worker"
    ]
    assert [c for c in calls if "run_mail_listener" in c] == [
        f"{site} ENV_FILE={local_env} python manage.py run_mail_listener --port 9125"
    ]
    assert "gunicorn" not in " ".join(calls)
    assert "http://127.0.0.1:9123/" in stdout
    assert len(started) == 3
    assert stopped == started
