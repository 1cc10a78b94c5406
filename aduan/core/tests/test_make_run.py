"""`make run` serves on PORT with its worker and the e-mail listener (MAIL_PORT), and the
links in e-mail and SMS must point there.

The recipe runs here with a stand-in for the virtualenv's python that records, for every
command, its arguments and the SITE_URL it was given, so the test sees exactly what the web
process and the worker would build their links on, without serving anything.
"""

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

RECORDING_PYTHON = """#!/bin/sh
log="$(dirname "$0")/calls.log"
echo "SITE_URL=$SITE_URL $*" >> "$log"
case "$*" in
  # The server stays up until the worker started beside it has recorded itself.
  *runserver*) i=0; until { grep -q run_worker "$log" && grep -q run_mail_listener "$log"; } \
      || [ $i -ge 200 ]; do sleep 0.05; i=$((i+1)); done ;;
esac
"""


def test_make_run_gives_the_web_process_and_the_worker_the_address_it_serves(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    python = bin_dir / "python"
    python.write_text(RECORDING_PYTHON)
    python.chmod(0o755)
    (bin_dir / ".installed").touch()  # newer than the requirements: nothing to install
    # A SITE_URL left in the shell from another setup must not win over the served port.
    env = {
        **os.environ,
        "SITE_URL": "http://127.0.0.1:8000",
        "PORT": "9123",
        "MAIL_PORT": "9125",
    }

    result = subprocess.run(  # noqa: S603 - our own Makefile, with a path we made
        [shutil.which("make"), "--no-print-directory", "run", f"BIN={bin_dir}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    calls = (bin_dir / "calls.log").read_text().splitlines()
    served = [c for c in calls if "manage.py runserver" in c]
    worker = [c for c in calls if "manage.py run_worker" in c]
    assert served == ["SITE_URL=http://127.0.0.1:9123 manage.py runserver 127.0.0.1:9123"]
    assert worker == ["SITE_URL=http://127.0.0.1:9123 manage.py run_worker"]
    # The e-mail channel's SMTP listener runs beside them, on MAIL_PORT.
    listener = [c for c in calls if "manage.py run_mail_listener" in c]
    assert listener == ["SITE_URL=http://127.0.0.1:9123 manage.py run_mail_listener --port 9125"]
    assert "http://127.0.0.1:9123/" in result.stdout
