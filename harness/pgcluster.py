"""A throwaway PostgreSQL primary, a streaming replica of it and a PgBouncer in front of it,
all on this machine, for the replica and pooling scenarios (docs/REPLICAS.md).

The primary is a fresh cluster (initdb) on its own port, so nothing of the machine's own
PostgreSQL server is changed; the replica is made from it by pg_basebackup -R and streams
from it; PgBouncer runs in transaction mode. Everything lives under one temporary directory
and is removed by `stop()`. PostgreSQL and PgBouncer refuse to run as root: as root the
processes run as the `postgres` user (which the Debian packages create).

    cluster = Cluster.create()          # primary + replica, both streaming
    cluster.load_schema_from(url)       # copy the schema (and reference rows) of a database
    cluster.start_pgbouncer()
    ...
    cluster.stop()
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

DATABASE = "test_aduan_replicas"
ROLE = "aduan"
PASSWORD = "aduan"  # noqa: S105 - a throwaway cluster on 127.0.0.1


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL server's bin directory (Debian's layout)."""
    root = Path("/usr/lib/postgresql")
    versions = sorted(
        (
            p
            for p in root.glob("*/bin")
            if (p / "initdb").exists() and (p / "pg_basebackup").exists()
        ),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    return versions[-1] if versions else None


def missing() -> list[str]:
    """What this machine lacks for the scenarios, as install instructions (empty: nothing)."""
    problems = []
    if postgres_bin() is None:
        problems.append("PostgreSQL server binaries (apt-get install postgresql)")
    if shutil.which("pgbouncer") is None:
        problems.append("PgBouncer (apt-get install pgbouncer)")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            problems.append(
                "a 'postgres' user to run the servers as (the postgresql package makes it)"
            )
    return problems


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def as_server_user() -> dict:
    """subprocess arguments that run a server as `postgres` when we are root."""
    if os.geteuid() != 0:
        return {}
    entry = pwd.getpwnam("postgres")
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


@dataclass
class Cluster:
    base: Path
    bin: Path
    primary_port: int = field(default_factory=free_port)
    replica_port: int = field(default_factory=free_port)
    bouncer_port: int = field(default_factory=free_port)
    bouncer: subprocess.Popen | None = None

    # ---------------------------------------------------------------- set-up and tear-down

    @classmethod
    def create(cls) -> Cluster:
        problems = missing()
        if problems:
            raise RuntimeError("missing for the replica scenarios: " + "; ".join(problems))
        base = Path(tempfile.mkdtemp(prefix="aduan-pgcluster-"))
        os.chmod(base, 0o755)  # noqa: S103 - the servers run as postgres
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(base, entry.pw_uid, entry.pw_gid)
        cluster = cls(base=base, bin=postgres_bin())
        try:
            cluster._start_primary()
            cluster._start_replica()
        except BaseException:
            cluster.stop()
            raise
        return cluster

    def _run(self, *argv: str, check=True) -> subprocess.CompletedProcess:
        return subprocess.run(
            list(argv),
            cwd=self.base,
            **as_server_user(),
            capture_output=True,
            text=True,
            check=check,
            timeout=120,
        )

    def _pg_ctl(self, datadir: str, action: str, *extra: str, check=True):
        return self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.base / datadir), "-w", "-t", "60",
            "-l", str(self.base / f"{datadir}.log"), action, *extra, check=check,
        )  # fmt: skip

    def _server_options(self, port: int) -> str:
        return f"-p {port} -k {self.base} -c listen_addresses=127.0.0.1"

    def _start_primary(self) -> None:
        self._run(
            str(self.bin / "initdb"), "-D", str(self.base / "primary"), "-U", "postgres",
            "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        with open(self.base / "primary" / "postgresql.conf", "a") as conf:
            # Replication (Debian's defaults, stated); speed over durability (a test cluster).
            conf.write(
                "wal_level = replica\nmax_wal_senders = 5\nfsync = off\n"
                "full_page_writes = off\nshared_buffers = 32MB\nmax_connections = 60\n"
                # Not UTC, as on many Indonesian servers: Django then sets the session's
                # time zone itself, which PgBouncer must carry across server connections.
                "timezone = 'Asia/Jakarta'\n"
            )
        self._pg_ctl("primary", "start", "-o", self._server_options(self.primary_port))
        with self.admin(self.primary_port) as conn:
            conn.execute(f"CREATE ROLE {ROLE} LOGIN SUPERUSER PASSWORD '{PASSWORD}'")

    def _start_replica(self) -> None:
        self._run(
            str(self.bin / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.primary_port),
            "-U", "postgres", "-D", str(self.base / "replica"), "-R", "-X", "stream",
            "--checkpoint=fast", "--no-sync",
        )  # fmt: skip
        self.start_replica()

    def start_replica(self) -> None:
        self._pg_ctl("replica", "start", "-o", self._server_options(self.replica_port))
        self.wait_streaming()

    def kill_replica(self) -> None:
        """The replica's server dies (immediate shutdown: no checkpoint, as in a crash)."""
        self._pg_ctl("replica", "stop", "-m", "immediate")

    def wait_streaming(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while True:
            with self.admin(self.primary_port) as conn:
                row = conn.execute(
                    "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"
                ).fetchone()
            if row[0]:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"the replica does not stream; see {self.base}/replica.log")
            time.sleep(0.1)

    def start_pgbouncer(self) -> None:
        (self.base / "userlist.txt").write_text(f'"{ROLE}" "{PASSWORD}"\n"postgres" "{PASSWORD}"\n')
        (self.base / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"* = host=127.0.0.1 port={self.primary_port}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.bouncer_port}\n"
            "unix_socket_dir =\n"
            f"auth_type = md5\nauth_file = {self.base / 'userlist.txt'}\n"
            "admin_users = postgres\n"
            "pool_mode = transaction\n"
            "default_pool_size = 4\nmax_client_conn = 200\n"
            f"logfile = {self.base / 'pgbouncer.log'}\n"
            f"pidfile = {self.base / 'pgbouncer.pid'}\n"
        )
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            for name in ("userlist.txt", "pgbouncer.ini"):
                os.chown(self.base / name, entry.pw_uid, entry.pw_gid)
        self.bouncer = subprocess.Popen(
            ["pgbouncer", str(self.base / "pgbouncer.ini")],
            cwd=self.base,
            **as_server_user(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.bouncer_port), timeout=1):
                    return
            except OSError:
                if self.bouncer.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"PgBouncer did not start; see {self.base}/pgbouncer.log")
                time.sleep(0.1)

    def bouncer_show(self, what: str) -> list[dict]:
        """A SHOW command on PgBouncer's admin console (simple query protocol: psql)."""
        result = subprocess.run(
            [str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.bouncer_port),
             "-U", "postgres", "-d", "pgbouncer", "-X", "-A", "-F", "\t", "-c", f"SHOW {what}"],
            capture_output=True, text=True, timeout=30, env=dict(os.environ, PGPASSWORD=PASSWORD),
        )  # fmt: skip
        if result.returncode:
            raise RuntimeError(f"SHOW {what} on PgBouncer: {result.stderr.strip()}")
        lines = [line for line in result.stdout.splitlines() if "\t" in line]
        header = lines[0].split("\t")
        return [dict(zip(header, line.split("\t"), strict=False)) for line in lines[1:]]

    def stop(self) -> None:
        if self.bouncer is not None and self.bouncer.poll() is None:
            self.bouncer.terminate()
            try:
                self.bouncer.wait(10)
            except subprocess.TimeoutExpired:
                self.bouncer.kill()
        for datadir in ("replica", "primary"):
            if (self.base / datadir / "postmaster.pid").exists():
                self._pg_ctl(datadir, "stop", "-m", "immediate", check=False)
        shutil.rmtree(self.base, ignore_errors=True)

    # ------------------------------------------------------------------------- helpers

    def admin(self, port: int) -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1", port=port, user="postgres", dbname="postgres", autocommit=True
        )

    def url(self, port: int, database: str = DATABASE) -> str:
        return f"postgres://{ROLE}:{PASSWORD}@127.0.0.1:{port}/{database}"

    def load_schema_from(self, settings_dict: dict, database: str = DATABASE) -> None:
        """Copy a database (the schema and the rows its migrations made) into a new database
        on the primary: quicker than migrating from nothing."""
        with self.admin(self.primary_port) as conn:
            conn.execute(f"CREATE DATABASE {database} OWNER {ROLE}")
        env = dict(os.environ, PGPASSWORD=str(settings_dict.get("PASSWORD") or ""))
        dump = subprocess.run(
            [str(self.bin / "pg_dump"), "--no-owner", "--no-privileges",
             "-h", str(settings_dict.get("HOST") or "127.0.0.1"),
             "-p", str(settings_dict.get("PORT") or 5432),
             "-U", str(settings_dict["USER"]), "-d", str(settings_dict["NAME"])],
            capture_output=True, env=env, timeout=120,
        )  # fmt: skip
        if dump.returncode:
            raise RuntimeError(f"pg_dump {settings_dict['NAME']}: {dump.stderr.decode()}")
        restore = subprocess.run(
            [str(self.bin / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
             "-d", self.url(self.primary_port, database)],
            input=dump.stdout, capture_output=True, timeout=120,
        )  # fmt: skip
        if restore.returncode:
            raise RuntimeError(f"restoring into {database}: {restore.stderr.decode()[-2000:]}")
