"""Federation: replication between two nodes on this machine, over HTTP, each node a real
server with its own PostgreSQL database and signing key.

    .venv/bin/python bench/federation.py [--events 1000000] [--lag-seconds 60] [--rate 50]
                                         [--intake-seconds 30] [--name federation]
    .venv/bin/python bench/federation.py --skip catchup --skip lag --split [--intake-rounds 6]

Two nodes are built from one template database (migrated, every region, the demo
organisation, the generator's provincial governments and reporter pool), so both know the
same agencies, accounts and reporters from the start: a regional node "KTM" and the central
node "PST", paired with their fingerprints as an operator would.

1. **Catch-up and throughput.** While KTM's link is down (no worker runs), the report
   generator writes a backlog of about `--events` events on KTM (reports submitted at
   KTM, owned by it; every one must reach central). The sequencer gives them their stream
   positions (timed on its own: in service it runs continuously, as events are written).
   Then KTM pushes its whole stream to PST, batch after batch over signed HTTP, each batch
   applied at PST in one transaction with every hash chain checked: the time from the
   first batch to the last acknowledgement is the catch-up time, events per second the
   replication throughput. Afterwards both nodes' histories are compared (count and a
   digest over every event's hash).
2. **Lag.** Both workers run (KTM's federation thread pushes continuously); citizens submit
   reports to KTM's REST API (gunicorn with 4 workers, as in phase 3) at a steady `--rate`
   per second (open loop: a slow answer does not slow the load). A reader polls PST's database every 20 ms; a report's lag is
   the time from KTM's 201 answer to the report's first sight at PST.
3. **Cost to intake.** KTM's intake over gunicorn (4 workers, concurrency 16, as in
   bench/intake.py) with federation off (worker with `--no-federation`) and on (the worker
   pushing to PST, PST applying), alternated off/on/off/on in the same run.

Everything runs on this machine (two cores): in phases 2 and 3 the receiving node competes
for the same CPU as the sender, which a deployment on two servers would not do. With
`--split`, phase 3 models that deployment instead: each node gets a PostgreSQL server of
its own (a throwaway cluster, initdb, with the settings of the machine's server) and a core
of its own — KTM's intake server, worker and database on core 0, PST's server, worker and
database on core 1, with the load generator (the citizens' phones) — so that what
federation costs the intake is only the sending node's own work.
Results: bench/results/<name>.json, tables in docs/FEDERATION.md.
"""

import argparse
import http.client
import json
import os
import queue
import random
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import psycopg  # noqa: E402
from common import ms, percentile, write_result  # noqa: E402

from harness.cluster import Node, pg_admin_url  # noqa: E402

PG_BASE = os.environ.get("BENCH_PG_BASE", "postgres://aduan:aduan@127.0.0.1:5432") + "/aduan"
# Databases are <prefix>_template, <prefix>_ktm and <prefix>_pst (--db-prefix).
DB_PREFIX = "fedbench"
EVENTS_PER_REPORT = 4.4  # what the generator writes on average (bench/results/generate.log)


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)


class BenchNode(Node):
    """A harness node with the production-like benchmark settings (DEBUG off)."""

    def env(self) -> dict:
        return super().env() | {
            # The production defaults, not the harness's hurried ones (reconciliation
            # every 20 s, backoff capped at 4 s).
            "FEDERATION_RECONCILE_SECONDS": "900",
            "FEDERATION_MAX_BACKOFF": "300",
            "WORKER_SCHEDULE_SECONDS": "60",
            "DJANGO_SETTINGS_MODULE": "bench_settings",
            "PYTHONPATH": f"{ROOT}:{ROOT / 'bench'}",
            "DATABASE_URL": self.database_url,
            "LOG_LEVEL": "WARNING",
        }

    database: str = ""  # the database's name; fedbench_<node> unless set

    @property
    def database_url(self) -> str:
        name = self.database or f"{DB_PREFIX}_{self.node_id.lower()}"
        return self.pg_base.rsplit("/", 1)[0] + f"/{name}"

    def dsn(self) -> str:
        return self.database_url.replace("postgres://", "postgresql://")

    def shell(self, code: str) -> str:
        return self.manage("shell", "-c", code).stdout.strip()


def build_template(workdir: Path, fresh: bool) -> None:
    TEMPLATE = f"{DB_PREFIX}_template"
    with psycopg.connect(pg_admin_url(PG_BASE), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [TEMPLATE]).fetchone()
        if not exists or fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{TEMPLATE}"')
    node = BenchNode("TPL", "central", "postgres", workdir, PG_BASE)
    node.database = TEMPLATE
    node.data_dir.mkdir(parents=True, exist_ok=True)
    if exists and not fresh:
        node.manage("migrate", "--noinput", "-v", "0")  # the code may have moved on
        say(f"template {TEMPLATE} reused (migrated)")
        return
    started = time.monotonic()
    for step in (
        ["migrate", "--noinput", "-v", "0"],
        ["createcachetable"],
        ["load_regions"],
        ["seed_categories"],
        ["seed_demo", "--count", "0", "--force"],
    ):
        say("template: manage.py " + " ".join(step))
        node.manage(*step)
    # The generator's provincial governments and reporter pool, made once here so that
    # both nodes start with the same ones (the generator would otherwise create them on
    # the node it runs on only).
    node.shell(
        "from aduan.devdata.management.commands.generate_reports import Command\n"
        "c = Command(); c._check_prerequisites(); w = c._world(7)"
    )
    say(f"template built in {time.monotonic() - started:.0f} s")


class PinnedServer:
    """A throwaway PostgreSQL server bound to one core (`taskset`: the postmaster and every
    process it forks, backends and autovacuum included), on its own port, with the
    settings of the machine's server that matter for this benchmark."""

    COPIED = ("shared_buffers", "fsync", "synchronous_commit", "autovacuum", "max_wal_size")

    def __init__(self, name: str, cpu: str, workdir: Path):
        from harness.pgcluster import free_port, postgres_bin

        self.bin = postgres_bin()
        if self.bin is None:
            raise RuntimeError("--split needs the PostgreSQL server binaries (postgresql)")
        self.name, self.cpu, self.port = name, cpu, free_port()
        self.base = workdir / f"pg_{name}"
        self.base.mkdir(parents=True, exist_ok=True)
        os.chmod(self.base, 0o700)
        if os.geteuid() == 0:
            import pwd

            entry = pwd.getpwnam("postgres")
            os.chown(workdir, entry.pw_uid, entry.pw_gid)
            os.chown(self.base, entry.pw_uid, entry.pw_gid)

    def _run(self, *argv: str) -> None:
        import subprocess

        from harness.pgcluster import as_server_user

        subprocess.run(  # noqa: S603 - local server tools
            list(argv), **as_server_user(), capture_output=True, text=True, check=True, timeout=300
        )

    def start(self) -> None:
        with psycopg.connect(pg_admin_url(PG_BASE), autocommit=True) as conn:
            settings = {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in self.COPIED}
        data = self.base / "data"
        self._run(
            str(self.bin / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        with open(data / "postgresql.conf", "a") as conf:
            conf.write("".join(f"{k} = '{v}'\n" for k, v in settings.items()))
            conf.write("max_connections = 100\ntimezone = 'UTC'\n")
        self._run(
            "taskset", "-c", self.cpu, str(self.bin / "pg_ctl"), "-D", str(data), "-w",
            "-l", str(self.base / "server.log"), "-o",
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1", "start",
        )  # fmt: skip
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute("CREATE ROLE aduan LOGIN SUPERUSER PASSWORD 'aduan'")

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def pg_base(self) -> str:
        return f"postgres://aduan:aduan@127.0.0.1:{self.port}/aduan"

    def load(self, database: str, dump: Path) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
        self._run(
            str(self.bin / "pg_restore"), "-h", "127.0.0.1", "-p", str(self.port),
            "-U", "postgres", "-d", database, "--no-owner", str(dump),
        )  # fmt: skip

    def stop(self) -> None:
        import subprocess

        from harness.pgcluster import as_server_user

        subprocess.run(  # noqa: S603
            [str(self.bin / "pg_ctl"), "-D", str(self.base / "data"), "-m", "fast", "stop"],
            **as_server_user(),
            capture_output=True,
        )


def make_split_nodes(workdir: Path) -> tuple[BenchNode, BenchNode, list[PinnedServer]]:
    """KTM and PST, each on a PostgreSQL server of its own bound to its core, both
    databases restored from the template."""
    import subprocess

    from harness.pgcluster import postgres_bin

    dump = workdir / "template.dump"
    subprocess.run(  # noqa: S603
        [
            str(postgres_bin() / "pg_dump"), "-h", "127.0.0.1", "-U", "postgres",
            "-Fc", "-f", str(dump), f"{DB_PREFIX}_template",
        ],
        check=True,
    )  # fmt: skip
    os.chmod(dump, 0o644)
    servers = []
    nodes = []
    for node_id, role, cpu in (("KTM", "regional", "0"), ("PST", "central", "1")):
        server = PinnedServer(node_id.lower(), cpu, workdir)
        server.start()
        servers.append(server)
        node = BenchNode(node_id, role, "postgres", workdir, server.pg_base)
        node.database = f"{DB_PREFIX}_split_{node_id.lower()}"
        node.data_dir.mkdir(parents=True, exist_ok=True)
        server.load(node.database, dump)
        nodes.append(node)
    say(
        "split: "
        + ", ".join(
            f"{n.node_id} on core {s.cpu}, PostgreSQL :{s.port}"
            for n, s in zip(nodes, servers, strict=True)
        )
    )
    return (*_pair(*nodes), servers)


def make_nodes(workdir: Path) -> tuple[BenchNode, BenchNode]:
    ktm = BenchNode("KTM", "regional", "postgres", workdir, PG_BASE)
    pst = BenchNode("PST", "central", "postgres", workdir, PG_BASE)
    with psycopg.connect(pg_admin_url(PG_BASE), autocommit=True) as conn:
        for node in (ktm, pst):
            node.data_dir.mkdir(parents=True, exist_ok=True)
            name = node.database_url.rsplit("/", 1)[1]
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{DB_PREFIX}_template"')
    return _pair(ktm, pst)


def _pair(ktm: BenchNode, pst: BenchNode) -> tuple[BenchNode, BenchNode]:
    """Start both nodes' servers and pair them as an operator would."""
    for node in (ktm, pst):
        if not (node.data_dir / "node_key.pem").exists():
            node.manage("node_key", "--generate")
        node.start_server()
    for node in (ktm, pst):
        node.wait_until_up()
    prints = {node.node_id: node.fingerprint() for node in (ktm, pst)}
    ktm.manage("pair_node", pst.url, "--fingerprint", prints["PST"])
    pst.manage("pair_node", ktm.url, "--fingerprint", prints["KTM"])
    ktm.manage("sync_now", "--reference")
    say(f"nodes up and paired: KTM :{ktm.port}, PST :{pst.port}")
    return ktm, pst


PUSH_LOOP = """
import json, time
from aduan.federation import outbound, sequencer
from aduan.federation.models import Peer
peer = Peer.objects.get(node_id="PST")
head = sequencer.head_position()
started = time.monotonic()
events = batches = errors = 0
progress = []
last_note = started
while peer.acked_position < head:
    result = outbound.push(peer, time_budget=10.0, force=True)
    events += result.events
    batches += result.batches
    if result.error:
        errors += 1
        time.sleep(0.5)
    now = time.monotonic()
    if now - last_note >= 30:
        last_note = now
        progress.append([round(now - started, 1), events])
        print("progress", round(now - started), events, flush=True)
seconds = time.monotonic() - started
print("RESULT " + json.dumps({"events": events, "batches": batches, "errors": errors,
    "seconds": round(seconds, 2), "head": head, "progress": progress}))
"""

SEQUENCE_ALL = """
import json, time
from aduan.federation import sequencer
started = time.monotonic()
given = 0
while True:
    step = sequencer.sequence()
    given += step
    if step == 0:
        break
print("RESULT " + json.dumps({"events": given, "seconds": round(time.monotonic() - started, 2)}))
"""


def result_of(output: str) -> dict:
    for line in output.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    raise RuntimeError(f"no result in:\n{output}")


def digest(node: BenchNode) -> tuple[int, str]:
    """Count and digest of the KTM-appended events a node holds (by event uuid order)."""
    with psycopg.connect(node.dsn()) as conn:
        return conn.execute(
            "SELECT count(*), md5(string_agg(hash, '' ORDER BY uuid))"
            " FROM reports_reportevent WHERE origin_node = 'KTM'"
        ).fetchone()


def catch_up(ktm: BenchNode, pst: BenchNode, events: int) -> dict:
    reports = max(1, round(events / EVENTS_PER_REPORT))
    say(f"backlog: generating {reports} reports at KTM (link down, no worker)")
    started = time.monotonic()
    ktm.manage("generate_reports", "--count", str(reports), "--seed", "11")
    generated = time.monotonic() - started
    say(f"generated in {generated:.0f} s; sequencing")
    sequenced = result_of(ktm.shell(SEQUENCE_ALL))
    say(f"sequenced {sequenced['events']} events in {sequenced['seconds']} s; pushing to PST")
    pushed = result_of(ktm.shell(PUSH_LOOP))
    per_second = pushed["events"] / pushed["seconds"] if pushed["seconds"] else 0
    say(
        f"caught up: {pushed['events']} events in {pushed['seconds']} s = {per_second:.0f}/s"
        f" ({pushed['batches']} batches, {pushed['errors']} errors)"
    )
    ktm_digest, pst_digest = digest(ktm), digest(pst)
    # Central gives what it received its places in its own stream (its worker would have
    # done so all along; it did not run here).
    pst_sequenced = result_of(pst.shell(SEQUENCE_ALL))
    # Both sides compare histories once a day by recomputing every chain (the worker's
    # first round would do it now): done here, timed, so the lag phase measures the
    # steady state.
    deep = {}
    for node in (ktm, pst):
        say(f"deep reconciliation at {node.node_id}")
        started = time.monotonic()
        node.manage("sync_now", "--reconcile", "--deep")
        deep[node.node_id] = round(time.monotonic() - started, 1)
    return {
        "reports_generated": reports,
        "generate_seconds": round(generated, 1),
        "sequence": sequenced,
        "push": pushed,
        "events_per_second": round(per_second, 1),
        "catch_up_minutes": round(pushed["seconds"] / 60, 2),
        "central_sequence": pst_sequenced,
        "deep_reconcile_seconds": deep,
        "identical_at_both": ktm_digest == pst_digest,
        "ktm_events": ktm_digest[0],
        "pst_events": pst_digest[0],
        "targets": {"events_per_second": 2000, "catch_up_minutes_per_million": 10},
    }


def issue_api_key(node: BenchNode) -> str:
    return node.shell(
        "from aduan.api.keys import issue_key\n"
        "print(issue_key('bench federation', rate_limit_per_minute=10**9).secret)"
    ).splitlines()[-1]


def payloads(node: BenchNode, n: int = 2000) -> list[bytes]:
    """Submissions spread over the country like real traffic (bench/intake.py's)."""
    code = (
        f"import json\nimport intake\nprint(json.dumps([b.decode() for b in intake.bodies({n})]))"
    )
    return [p.encode() for p in json.loads(node.shell(code).splitlines()[-1])]


def submit(port: int, secret: str, body: bytes) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(
            "POST",
            "/api/v1/reports",
            body=body,
            headers={"Content-Type": "application/json", "X-API-Key": secret},
        )
        response = conn.getresponse()
        data = response.read()
        if response.status != 201:
            raise RuntimeError(f"HTTP {response.status}: {data[:200]!r}")
        return json.loads(data)["tracking_number"]
    finally:
        conn.close()


def intake_port(node: BenchNode) -> int:
    """A port for KTM's production-like gunicorn beside its federation server."""
    return node.port + 1000 if node.port < 64000 else node.port - 1000


def lag(ktm: BenchNode, pst: BenchNode, seconds: float, rate: float, bodies) -> dict:
    """Open-loop submissions at `rate`/s to KTM (its production-like gunicorn, 4 workers,
    as in the intake phase); lag until each report is seen at PST."""
    import intake  # bench/intake.py: Django set up against KTM (see main)

    secret = issue_api_key(ktm)
    port = intake_port(ktm)
    os.environ.update(ktm.env())
    server = intake.start_gunicorn(port, 4)
    ktm.start_worker()
    pst.start_worker()
    time.sleep(3)
    answered: dict[str, float] = {}
    seen: dict[str, float] = {}
    errors: list[str] = []
    lock = threading.Lock()
    todo: queue.Queue = queue.Queue()
    done = threading.Event()

    def sender():
        rng = random.Random(threading.get_ident())
        while True:
            item = todo.get()
            if item is None:
                return
            try:
                number = submit(port, secret, rng.choice(bodies))
                with lock:
                    answered[number] = time.monotonic()
            except (OSError, RuntimeError, KeyError, ValueError) as exc:
                with lock:
                    errors.append(str(exc)[:200])

    def reader():
        with psycopg.connect(pst.dsn(), autocommit=True) as conn:
            last_id = conn.execute("SELECT coalesce(max(id), 0) FROM reports_report").fetchone()[0]
            while not done.is_set():
                rows = conn.execute(
                    "SELECT id, tracking_number FROM reports_report WHERE id > %s ORDER BY id",
                    [last_id],
                ).fetchall()
                now = time.monotonic()
                for pk, number in rows:
                    seen.setdefault(number, now)
                    last_id = max(last_id, pk)
                time.sleep(0.02)

    senders = [threading.Thread(target=sender, daemon=True) for _ in range(12)]
    watcher = threading.Thread(target=reader, daemon=True)
    watcher.start()
    for thread in senders:
        thread.start()
    started = time.monotonic()
    total = int(seconds * rate)
    for i in range(total):
        # Open loop: the i-th submission leaves at its planned time, whatever the answers.
        delay = started + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        todo.put(i)
    for _ in senders:
        todo.put(None)
    for thread in senders:
        thread.join(timeout=120)
    offered = time.monotonic() - started
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not set(answered) <= set(seen):
        time.sleep(0.2)
    done.set()
    watcher.join(timeout=10)
    lags = [seen[n] - t for n, t in answered.items() if n in seen]
    ktm.stop("worker")
    pst.stop("worker")
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)
    return {
        "rate_offered_per_second": rate,
        "seconds": round(offered, 1),
        "submitted": len(answered),
        "errors": len(errors),
        "error_samples": errors[:3],
        "reached_central": len(lags),
        "lag_p50_ms": ms(percentile(lags, 50)),
        "lag_p95_ms": ms(percentile(lags, 95)),
        "lag_max_ms": ms(max(lags)) if lags else None,
        "poll_interval_ms": 20,
    }


def _tree(pid: int) -> list[int]:
    """A process and its descendants (gunicorn's master and workers)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            children = []
        todo.extend(int(c) for c in children)
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes and their threads so far (from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / tick


def backends(database: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving `database` (found by its
    process title, "postgres: <user> <database> ..."; the server runs on this machine)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres: ") and f" {database} " in title:
            found[int(entry.name)] = cpu_seconds([int(entry.name)])
    return found


def backend_cpu_since(database: str, before: dict[int, float]) -> float:
    """CPU used since `before` by the backends of `database` alive now (a backend that
    ended meanwhile is not counted: the figure is a lower bound)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in backends(database).items())


def wait_for_worker(node: BenchNode, spawned: float, timeout: float = 90) -> None:
    """Until the worker started at `spawned` has written its heartbeat (Django loaded, its
    first loop done), and two seconds more: its start-up is not counted in a phase."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT 1 FROM core_workerheartbeat WHERE started_at >= to_timestamp(%s)",
                [spawned - 1],
            ).fetchone()
            if row:
                break
            time.sleep(0.3)
    time.sleep(2)


def requests_from(node: BenchNode, peer: str) -> int:
    """How many signed requests `node` has accepted from `peer` (the nonces it keeps; the
    worker purges them only after twice the replay window, ten minutes)."""
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        return conn.execute(
            "SELECT coalesce(max(id), 0) FROM federation_seennonce WHERE node = %s", [peer]
        ).fetchone()[0]


def _node_processes(node: BenchNode) -> list[int]:
    """A node's server and worker processes, with their children."""
    return [pid for name in ("server", "worker") for pid in _tree(node.processes[name].pid)]


def pin(pids: list[int], cpus: str) -> None:
    """Bind every thread of these processes to `cpus` ("0", "1", "0,1"): taskset -a."""
    import subprocess

    for pid in pids:
        subprocess.run(  # noqa: S603 - a fixed local command
            ["taskset", "-a", "-p", "-c", cpus, str(pid)],  # noqa: S607
            capture_output=True,
        )


def intake_cost(
    ktm: BenchNode,
    pst: BenchNode,
    seconds: float,
    rounds: int,
    bodies,
    pinned: bool = False,
    split: bool = False,
) -> dict:
    """KTM's intake with federation off and on, alternated; the same load as intake.py.

    With `pinned`, each round also runs both modes with the intake server (and the load
    generator) bound to core 0 and everything replication runs (KTM's worker and its
    federation server, PST's server and worker) bound to core 1: the cost when the
    replication work does not take the intake server's CPU. PostgreSQL is not bound (one
    server for both nodes' databases, as on this machine).

    With `split` (nodes from `make_split_nodes`), every phase runs with KTM's intake
    server and worker on core 0, beside KTM's own PostgreSQL server, and PST's server and
    worker and the load generator on core 1, beside PST's: two servers, as deployed."""
    import intake  # bench/intake.py: Django set up against KTM (see main)

    secret = issue_api_key(ktm)
    port = intake_port(ktm)
    os.environ.update(ktm.env())
    server = intake.start_gunicorn(port, 4)
    modes = ["off", "on"] + (["off_pinned", "on_pinned"] if pinned else [])
    phases: dict[str, list[dict]] = {mode: [] for mode in modes}
    everything = "0,1" if (os.cpu_count() or 1) > 1 else "0"
    try:
        pst.start_worker()
        intake.app_phase(port, secret, bodies, 4, 3)  # warm-up
        for _ in range(rounds):
            for mode in modes:
                spawned = time.time()
                if mode.startswith("off"):
                    ktm._spawn(
                        "worker",
                        [
                            sys.executable,
                            str(ROOT / "manage.py"),
                            "run_worker",
                            "--interval",
                            "0.3",
                            "--no-federation",
                        ],
                    )
                else:
                    ktm.start_worker()
                web = _tree(server.pid) + [os.getpid()]
                replication = _node_processes(ktm) + _node_processes(pst)
                if split:
                    pin(_tree(server.pid) + _node_processes(ktm), "0")
                    pin(_node_processes(pst) + [os.getpid()], "1")
                elif mode.endswith("pinned"):
                    pin(web, "0")
                    pin(replication, "1")
                else:
                    pin(web + replication, everything)
                wait_for_worker(ktm, spawned)
                say(f"intake with federation {mode}: {seconds:.0f} s at concurrency 16")

                def pst_cpu(name):
                    return cpu_seconds(_tree(pst.processes[name].pid))

                web_cpu = cpu_seconds(web)
                ktm_worker_cpu = cpu_seconds(_tree(ktm.processes["worker"].pid))
                pst_server_cpu, pst_worker_cpu = pst_cpu("server"), pst_cpu("worker")
                databases = {
                    node.node_id: node.database_url.rsplit("/", 1)[1] for node in (ktm, pst)
                }
                db_before = {key: backends(name) for key, name in databases.items()}
                requests_before = requests_from(pst, "KTM")
                phase = intake.app_phase(port, secret, bodies, 16, seconds)
                done = max(phase["completed"], 1)
                # Signed requests KTM made to PST in the phase (each leaves a nonce).
                phase["requests_to_pst"] = requests_from(pst, "KTM") - requests_before

                def per_report(value, done=done):
                    return round(value / done * 1000, 2)

                # CPU per accepted report: the intake server (and the load generator),
                # KTM's worker (notifications; and federation when on), PST's server and
                # worker, and the PostgreSQL backends of each node's database.
                phase["cpu_ms_per_report"] = {
                    "intake_server_and_load": per_report(cpu_seconds(web) - web_cpu),
                    "ktm_worker": per_report(
                        cpu_seconds(_tree(ktm.processes["worker"].pid)) - ktm_worker_cpu
                    ),
                    "pst_server": per_report(pst_cpu("server") - pst_server_cpu),
                    "pst_worker": per_report(pst_cpu("worker") - pst_worker_cpu),
                    "ktm_database": per_report(
                        backend_cpu_since(databases["KTM"], db_before["KTM"])
                    ),
                    "pst_database": per_report(
                        backend_cpu_since(databases["PST"], db_before["PST"])
                    ),
                }
                ktm.stop("worker")
                say(
                    f"  {phase['per_second']}/s, p50 {phase['p50_ms']} ms, errors {phase['errors']},"
                    f" CPU ms/report {phase['cpu_ms_per_report']}"
                )
                phases[mode].append(phase)
        pst.stop("worker")
    finally:
        if not split:
            pin([os.getpid()], everything)
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    def mean(mode):
        values = [p["per_second"] for p in phases[mode]]
        return sum(values) / len(values)

    def cost(off_mode, on_mode):
        # Each round's on phase against the off phase run just before it.
        pairs = zip(phases[off_mode], phases[on_mode], strict=True)
        ratios = [(off["per_second"] - on["per_second"]) / off["per_second"] for off, on in pairs]
        return {
            "off_per_second": round(mean(off_mode), 1),
            "on_per_second": round(mean(on_mode), 1),
            "cost_percent": round((mean(off_mode) - mean(on_mode)) / mean(off_mode) * 100, 1),
            "cost_percent_per_round": [round(r * 100, 1) for r in ratios],
        }

    result = {
        "concurrency": 16,
        "gunicorn_workers": 4,
        "phases": phases,
        "target_cost_percent": 10,
        "split": split,
        "split_cores" if split else "shared_cores": cost("off", "on"),
    }
    main_cost = result["split_cores" if split else "shared_cores"]
    result |= {k: v for k, v in main_cost.items() if k != "cost_percent_per_round"}
    if pinned:
        result["pinned"] = cost("off_pinned", "on_pinned")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--lag-seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--intake-seconds", type=float, default=30)
    parser.add_argument("--intake-rounds", type=int, default=2)
    parser.add_argument("--workdir", help="keys and logs (default: a new temporary folder)")
    parser.add_argument("--fresh-template", action="store_true")
    parser.add_argument("--skip", action="append", default=[], choices=["catchup", "lag", "intake"])
    parser.add_argument("--name", default="federation")
    parser.add_argument(
        "--pin",
        action="store_true",
        help="intake phase: also run each mode with the intake server on core 0 and the "
        "replication processes on core 1 (taskset)",
    )
    parser.add_argument(
        "--split",
        action="store_true",
        help="intake phase only: each node on a PostgreSQL server of its own and a core of "
        "its own (KTM core 0, PST and the load generator core 1), as on two servers",
    )
    parser.add_argument(
        "--db-prefix",
        default="fedbench",
        help="database names <prefix>_template, <prefix>_ktm, <prefix>_pst",
    )
    args = parser.parse_args()
    global DB_PREFIX
    DB_PREFIX = args.db_prefix
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="aduan-fedbench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    build_template(workdir, args.fresh_template)
    servers: list[PinnedServer] = []
    if args.split:
        if set(args.skip) != {"catchup", "lag"}:
            parser.error("--split measures the intake phase only: add --skip catchup --skip lag")
        ktm, pst, servers = make_split_nodes(workdir)
    else:
        ktm, pst = make_nodes(workdir)
    # Django in this process reads KTM's database (bench/intake.py's helpers need it).
    os.environ.update(ktm.env())
    result: dict = {"events_requested": args.events}
    try:
        bodies = payloads(ktm)
        if "catchup" not in args.skip:
            result["catch_up"] = catch_up(ktm, pst, args.events)
        if "lag" not in args.skip:
            result["lag"] = lag(ktm, pst, args.lag_seconds, args.rate, bodies)
            say(f"lag: {json.dumps(result['lag'])}")
        if "intake" not in args.skip:
            result["intake"] = intake_cost(
                ktm,
                pst,
                args.intake_seconds,
                args.intake_rounds,
                bodies,
                pinned=args.pin,
                split=args.split,
            )
            say(f"intake cost: {result['intake']['cost_percent']} %")
            if args.pin:
                say(f"intake cost, pinned: {result['intake']['pinned']['cost_percent']} %")
    finally:
        for node in (ktm, pst):
            for name in list(node.processes):
                node.stop(name)
        for server in servers:
            server.stop()
    path = write_result(args.name, result)
    say(f"-> {path}")


if __name__ == "__main__":
    main()
