"""Nodes as real processes: each with its own database, web server (gunicorn), worker and
signing key, talking to its peers through fault-injecting proxies."""

import gzip
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pg_admin_url(base: str) -> str:
    return base.rsplit("/", 1)[0] + "/postgres"


@dataclass
class Node:
    node_id: str
    role: str
    engine: str  # "sqlite" | "postgres"
    workdir: Path
    pg_base: str = "postgres://aduan:aduan@127.0.0.1:5432/aduan"
    port: int = field(default_factory=free_port)
    processes: dict = field(default_factory=dict)

    @property
    def data_dir(self) -> Path:
        return self.workdir / self.node_id.lower()

    @property
    def database_url(self) -> str:
        if self.engine == "sqlite":
            return f"sqlite:///{self.data_dir / 'aduan.sqlite3'}"
        return self.pg_base.rsplit("/", 1)[0] + f"/harness_{self.node_id.lower()}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "NODE"))}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "aduan.settings",
                "DATA_DIR": str(self.data_dir),
                "DATABASE_URL": self.database_url,
                "NODE_ID": self.node_id,
                "NODE_ROLE": self.role,
                "SITE_URL": self.url,
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "DEBUG": "true",
                "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
                "SMS_BACKEND": "aduan.notifications.sms.LocmemSMSBackend",
                "LOG_LEVEL": "WARNING",
                "WORKER_SCHEDULE_SECONDS": "5",
                "FEDERATION_MAX_BACKOFF": "4",
                # A worker killed by the harness hands over its federation loop quickly.
                "FEDERATION_LEASE_SECONDS": "4",
                "FEDERATION_RECONCILE_SECONDS": "20",
                "FEDERATION_STUCK_MINUTES": "60",
                "PYTHONPATH": str(ROOT),
            }
        )
        return env

    def manage(self, *args, check=True, capture=True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [PYTHON, str(ROOT / "manage.py"), *args],
            env=self.env(),
            cwd=ROOT,
            capture_output=capture,
            text=True,
            timeout=900,
        )
        if check and result.returncode != 0:
            raise RuntimeError(
                f"{self.node_id}: manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result

    def python(self, module: str, *args, check=True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [PYTHON, "-m", module, *args],
            env=self.env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if check and result.returncode != 0:
            raise RuntimeError(
                f"{self.node_id}: {module} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result

    # -- database ---------------------------------------------------------------------

    def query(self, sql: str) -> tuple:
        """One row of a read-only query on the node's database."""
        if self.engine == "sqlite":
            import sqlite3

            with sqlite3.connect(self.data_dir / "aduan.sqlite3", timeout=30) as conn:
                return conn.execute(sql).fetchone()
        with psycopg.connect(self.database_url.replace("postgres://", "postgresql://")) as conn:
            return conn.execute(sql).fetchone()

    def create_database(self, template: "Template") -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.engine == "sqlite":
            shutil.copy(template.sqlite_path, self.data_dir / "aduan.sqlite3")
            return
        name = self.database_url.rsplit("/", 1)[1]
        with psycopg.connect(pg_admin_url(self.pg_base), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template.pg_name}"')

    # -- processes ----------------------------------------------------------------------

    def _spawn(self, name: str, argv: list[str]) -> None:
        log = open(self.data_dir / f"{name}.log", "a")  # noqa: SIM115 - owned by the child
        self.processes[name] = subprocess.Popen(
            argv,
            env=self.env(),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_server(self) -> None:
        self._spawn(
            "server",
            [
                PYTHON,
                "-m",
                "gunicorn",
                "aduan.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--threads",
                "4",
                "--timeout",
                "120",
            ],
        )

    def start_worker(self) -> None:
        self._spawn("worker", [PYTHON, str(ROOT / "manage.py"), "run_worker", "--interval", "0.3"])

    def start_load(self, *args: str) -> None:
        self._spawn("load", [PYTHON, "-m", "harness.load", *args])

    def kill(self, name: str) -> None:
        process = self.processes.get(name)
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop(self, name: str) -> None:
        process = self.processes.get(name)
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill(name)

    def alive(self, name: str) -> bool:
        process = self.processes.get(name)
        return process is not None and process.poll() is None

    def wait_until_up(self, timeout: float = 60) -> None:
        import http.client
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/federation/v1/hello", timeout=2):
                    return
            except (OSError, http.client.HTTPException):  # not up, or cut off while starting
                time.sleep(0.3)
        raise RuntimeError(f"{self.node_id} did not start: see {self.data_dir / 'server.log'}")

    def fingerprint(self) -> str:
        return self.manage("node_key", "--fingerprint").stdout.strip()


@dataclass
class Template:
    """A migrated database with the regions loaded, copied for each node."""

    workdir: Path
    pg_base: str
    sqlite_path: Path = None
    pg_name: str = "harness_template"

    def regions(self) -> Path:
        """The published region files cut down to East Kalimantan (province 64), which is
        all the harness's agencies cover: the nodes load in seconds."""
        source = ROOT / "aduan" / "regions" / "data" / "idn-area-data-4.0.1"
        target = self.workdir / "regions-64"
        target.mkdir(parents=True, exist_ok=True)
        for stem in ("provinces", "regencies", "districts", "villages"):
            with gzip.open(source / f"{stem}.csv.gz", "rt") as handle:
                lines = handle.read().splitlines()
            kept = [lines[0]] + [line for line in lines[1:] if line.startswith("64")]
            (target / f"{stem}.csv").write_text("\n".join(kept) + "\n")
        return target

    def build(self, engines: set[str]) -> None:
        """Migrate and load the regions once per engine, both engines at the same time."""
        regions = str(self.regions())
        steps = [["migrate", "--noinput"], ["load_regions", "--skip-geo", "--path", regions]]
        runs = []
        if "sqlite" in engines:
            node = Node("TPL", "central", "sqlite", self.workdir, self.pg_base)
            node.data_dir.mkdir(parents=True, exist_ok=True)
            runs.append(node.env())
            self.sqlite_path = node.data_dir / "aduan.sqlite3"
        if "postgres" in engines:
            with psycopg.connect(pg_admin_url(self.pg_base), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{self.pg_name}"')
            node = Node("TPG", "central", "postgres", self.workdir, self.pg_base)
            node.data_dir.mkdir(parents=True, exist_ok=True)
            url = self.pg_base.rsplit("/", 1)[0] + f"/{self.pg_name}"
            runs.append(node.env() | {"DATABASE_URL": url})
        script = " && ".join(f"{PYTHON} {ROOT / 'manage.py'} {' '.join(step)}" for step in steps)
        children = [
            subprocess.Popen(
                ["/bin/sh", "-c", script], env=env, cwd=ROOT, stdout=subprocess.DEVNULL
            )
            for env in runs
        ]
        if any(child.wait() != 0 for child in children):
            raise RuntimeError("building the template databases failed")


@dataclass
class Link:
    """A proxy carrying one node's requests to another."""

    source: Node
    target: Node
    workdir: Path
    seed: int
    port: int = field(default_factory=free_port)
    process: subprocess.Popen = None

    @property
    def control(self) -> Path:
        return self.workdir / f"link-{self.source.node_id}-{self.target.node_id}.json"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.set(faults=False)
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "harness.proxy",
                "--listen",
                str(self.port),
                "--target",
                f"127.0.0.1:{self.target.port}",
                "--seed",
                str(self.seed),
                "--control",
                str(self.control),
                "--log",
                str(self.workdir / f"link-{self.source.node_id}-{self.target.node_id}.log"),
            ],
            cwd=ROOT,
            start_new_session=True,
        )

    def set(self, *, faults: bool, cut_until: float = 0.0) -> None:
        tmp = self.control.with_suffix(".tmp")
        tmp.write_text(json.dumps({"faults": faults, "cut_until": cut_until}))
        os.replace(tmp, self.control)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
