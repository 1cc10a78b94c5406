"""Run a cluster of three nodes under faults and check that nothing was lost.

    python -m harness.run --seed 7 --duration 60 --rate 8
    python -m harness.run --seed 7 --duration 600 --rate 15 --workdir /tmp/harness-big

Central (PST, PostgreSQL), Kutai Timur (KTM, PostgreSQL) and Paser (PSR, SQLite), each with
its gunicorn, worker and load (citizens and staff acting through `perform`), joined through
fault-injecting proxies (dropped requests and answers, duplicates, delays, late replays,
cut links), while processes are killed with SIGKILL and restarted. After healing, every
report must be on central and on the nodes that should hold it with the very same history,
no chain broken, no command pending or applied twice, no submission lost. Prints the seed
first so a failure can be replayed."""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from .cluster import Link, Node, Template, pg_admin_url

NODES = (
    ("PST", "central", "postgres"),
    ("KTM", "regional", "postgres"),
    ("PSR", "regional", "sqlite"),
)


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class Harness:
    def __init__(self, args):
        self.args = args
        self.random = random.Random(args.seed)
        self.workdir = Path(args.workdir or tempfile.mkdtemp(prefix="aduan-harness-"))
        if self.workdir.exists() and args.workdir:
            shutil.rmtree(self.workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        pg = args.pg_url
        self.nodes = {
            node_id: Node(node_id, role, engine, self.workdir, pg)
            for node_id, role, engine in NODES
        }
        self.central = self.nodes["PST"]
        self.links: dict[tuple[str, str], Link] = {}
        self.events: list[str] = []
        self.backup: Path | None = None
        self.restored: set[str] = set()

    # -- building the cluster ------------------------------------------------------------

    def build(self):
        say(f"harness seed {self.args.seed}, workdir {self.workdir}")
        Template(self.workdir, self.args.pg_url).build({n.engine for n in self.nodes.values()})
        for node in self.nodes.values():
            node.create_database(
                Template(
                    self.workdir,
                    self.args.pg_url,
                    sqlite_path=self.workdir / "tpl" / "aduan.sqlite3",
                )
            )
        self.central.python("harness.setup_node", "central")
        for node in self.nodes.values():
            node.start_server()
        for node in self.nodes.values():
            node.wait_until_up()
        for index, (a, b) in enumerate(
            [("PST", "KTM"), ("KTM", "PST"), ("PST", "PSR"), ("PSR", "PST")]
        ):
            link = Link(self.nodes[a], self.nodes[b], self.workdir, self.args.seed * 10 + index)
            link.start()
            self.links[(a, b)] = link
        time.sleep(0.5)
        prints = dict(
            zip(self.nodes, self.in_parallel(lambda node: node.fingerprint()), strict=True)
        )

        def pair(node: Node):
            for (a, b), link in self.links.items():
                if a == node.node_id:
                    node.manage("pair_node", link.url, "--fingerprint", prints[b])

        self.in_parallel(pair)

        def take_over(node: Node):
            if node.role == "regional":
                node.manage("sync_now", "--reference")
                node.python("harness.setup_node", "regional")

        self.in_parallel(take_over)
        self.central.manage("sync_now", "--reference")
        say(
            "cluster built: "
            + ", ".join(f"{n.node_id} {n.engine} :{n.port}" for n in self.nodes.values())
        )

    def start(self):
        for node in self.nodes.values():
            node.start_worker()
            self._start_load(node)

    def _start_load(self, node: Node):
        node.start_load(
            "--seed",
            str(self.args.seed),
            "--duration",
            str(max(1.0, self.load_deadline - time.monotonic())),
            "--rate",
            str(self.args.rate),
            "--log",
            str(self.workdir / f"load-{node.node_id}.jsonl"),
        )

    # -- chaos -----------------------------------------------------------------------------

    def chaos(self):
        self.load_deadline = time.monotonic() + self.args.duration
        self.start()
        for link in self.links.values():
            link.set(faults=True)
        restarts: list[tuple[float, Node, str]] = []
        backup_at = time.monotonic() + self.args.duration / 3
        while time.monotonic() < self.load_deadline:
            if self.args.restore and self.backup is None and time.monotonic() >= backup_at:
                self.take_backup()
            time.sleep(self.random.uniform(1.0, 4.0))
            now = time.monotonic()
            for due, node, name in list(restarts):
                if now >= due:
                    self._restart(node, name)
                    restarts.remove((due, node, name))
            if not self.args.kills and not self.args.cuts:
                continue
            roll = self.random.random()
            if self.args.kills and roll < 0.5:
                node = self.random.choice(list(self.nodes.values()))
                name = self.random.choice(["server", "worker", "worker", "load"])
                if node.alive(name):
                    node.kill(name)
                    self.events.append(f"kill -9 {node.node_id} {name}")
                    say(f"kill -9 {node.node_id} {name}")
                    restarts.append((now + self.random.uniform(0.5, 4.0), node, name))
            elif self.args.cuts:
                link = self.random.choice(list(self.links.values()))
                seconds = self.random.uniform(3, 10)
                link.set(faults=True, cut_until=time.time() + seconds)
                self.events.append(
                    f"cut {link.source.node_id}->{link.target.node_id} {seconds:.0f}s"
                )
                say(f"cut {link.source.node_id}->{link.target.node_id} for {seconds:.0f} s")
        for _, node, name in restarts:
            self._restart(node, name)

    def _restart(self, node: Node, name: str):
        if name == "server":
            node.start_server()
        elif name == "worker":
            node.start_worker()
        elif name == "load" and time.monotonic() < self.load_deadline - 1:
            self._start_load(node)

    # -- scenarios after healing ------------------------------------------------------------

    def take_backup(self):
        """Yesterday's backup of Kutai Timur, taken while everything runs."""
        node = self.nodes["KTM"]
        self.backup = self.workdir / "ktm-backup.dump"
        subprocess.run(
            ["pg_dump", "-Fc", "-f", str(self.backup), node.database_url],
            check=True,
            capture_output=True,
        )
        self.events.append("backup KTM")
        say("backup of KTM taken")

    def restore(self) -> dict:
        """KTM is restored from that backup, recovers from its peers, and works again."""
        node = self.nodes["KTM"]
        for name in ("load", "worker", "server"):
            node.kill(name)
        name = node.database_url.rsplit("/", 1)[1]
        with psycopg.connect(pg_admin_url(node.pg_base), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        subprocess.run(
            ["pg_restore", "--no-owner", "-d", node.database_url, str(self.backup)],
            check=True,
            capture_output=True,
        )
        kept = node.query("SELECT count(*) FROM reports_reportevent")[0]
        self.restored.add(node.node_id)
        recovery = node.manage("recover_from_peers", check=False)
        node.start_server()
        node.start_worker()
        node.wait_until_up()
        say(
            f"KTM restored from its backup ({kept} events), recover_from_peers: "
            f"{'ok' if recovery.returncode == 0 else recovery.stderr[-300:]}"
        )
        # New work everywhere after the restore.
        self.load_deadline = time.monotonic() + 10
        for each in self.nodes.values():
            self._start_load(each)
        time.sleep(10)
        for each in self.nodes.values():
            each.stop("load")
        return {"events_in_backup": kept, "recovered": recovery.returncode == 0}

    def tamper(self, dumps: dict) -> dict:
        """An insider edits history on a regional node; central must notice."""
        central = dumps["PST"]["reports"]

        def held_by(node_id):
            return next(
                r["tracking_number"]
                for key, r in sorted(central.items())
                if node_id in r["holders"] and key in dumps[node_id]["reports"]
            )

        psr, ktm = self.nodes["PSR"], self.nodes["KTM"]
        in_place = psr.python("harness.tamper", "in-place", held_by("PSR")).stdout.strip()
        local_check = psr.manage("verify_audit_chain", check=False)
        rehashed = ktm.python("harness.tamper", "rehash", held_by("KTM")).stdout.strip()
        self.central.manage("sync_now", "--reconcile", "--deep", check=False)
        alerts = json.loads(self.central.python("harness.dump").stdout)["alerts"]
        return {
            "edited_in_place_on_PSR": in_place,
            "rehashed_on_KTM": rehashed,
            "PSR_own_check_failed": local_check.returncode != 0,
            "in_place_detected_by_central": any(in_place in detail for _, _, detail in alerts),
            "rehash_detected_by_central": any(rehashed in detail for _, _, detail in alerts),
            "central_alerts": [a[:2] for a in alerts],
        }

    def heal(self):
        for node in self.nodes.values():
            node.stop("load")
        for link in self.links.values():
            link.set(faults=False)
        for node in self.nodes.values():
            if not node.alive("server"):
                node.start_server()
            if not node.alive("worker"):
                node.start_worker()
        for node in self.nodes.values():
            node.wait_until_up()
        say("healed: faults off, every process running")

    # -- convergence and checks ------------------------------------------------------------

    def settled(self) -> bool:
        """Nothing left to send, deliver, fetch or fill on any node (read straight from
        the databases: quicker than asking each node)."""
        for node in self.nodes.values():
            counts = node.query(
                "SELECT"
                " (SELECT count(*) FROM reports_reportevent WHERE position IS NULL),"
                " (SELECT count(*) FROM federation_peer p WHERE p.acked_position <"
                "   (SELECT coalesce(max(last_position), 0) FROM federation_streamstate)),"
                " (SELECT count(*) FROM federation_message WHERE status = 'pending'),"
                " (SELECT count(*) FROM federation_pendingevent),"
                " (SELECT count(*) FROM federation_blobfetch)"
            )
            if any(counts):
                return False
        return True

    def in_parallel(self, call) -> list:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(len(self.nodes)) as pool:
            return list(pool.map(call, self.nodes.values()))

    def converge(self) -> float:
        started = time.monotonic()
        deadline = started + self.args.settle_timeout
        while time.monotonic() < deadline:
            if self.settled():
                # One reconciliation each way so that anything the streams missed is found.
                self.in_parallel(
                    lambda node: node.manage("sync_now", "--until-idle", "--reconcile", check=False)
                )
                if self.settled():
                    return time.monotonic() - started
            time.sleep(1)
        raise AssertionError(f"the cluster did not settle within {self.args.settle_timeout} s")

    def dumps(self) -> dict[str, dict]:
        results = self.in_parallel(lambda node: json.loads(node.python("harness.dump").stdout))
        return {dump["node"]: dump for dump in results}

    def check(self, dumps: dict) -> dict:
        problems: list[str] = []
        central = dumps["PST"]["reports"]
        for node_id, dump in dumps.items():
            if dump["broken_chains"]:
                problems.append(f"{node_id}: broken chains {dump['broken_chains'][:5]}")
            if dump["pending_events"]:
                problems.append(f"{node_id}: {dump['pending_events']} events still kept aside")
            bad = [a for a in dump["alerts"] if a[0] in ("fork", "broken_chain", "refused")]
            if bad:
                problems.append(f"{node_id}: alerts {bad[:5]}")
            for key, report in dump["reports"].items():
                if key not in central:
                    problems.append(f"{node_id}: {report['tracking_number']} missing at central")
                elif report["events"] != central[key]["events"]:
                    problems.append(f"{node_id}: {report['tracking_number']} history differs")
        for key, report in central.items():
            for holder in report["holders"]:
                theirs = dumps.get(holder, {}).get("reports", {})
                if holder != "PST" and key not in theirs:
                    problems.append(f"{holder}: {report['tracking_number']} missing")
            owner = report["owner"]
            if owner in dumps and dumps[owner]["reports"].get(key, {}).get("owner") != owner:
                problems.append(f"{report['tracking_number']}: owners disagree")
        files = 0
        for key, attachment in dumps["PST"]["attachments"].items():
            files += 1
            for node_id, dump in dumps.items():
                theirs = dump["attachments"].get(key)
                if theirs is not None and theirs["stored"] != attachment["sha256"]:
                    problems.append(f"{node_id}: attachment {key} not stored or not verified")
        for node_id, dump in dumps.items():
            missing = set(dump["attachments"]) - set(dumps["PST"]["attachments"])
            if missing:
                problems.append(f"{node_id}: attachments missing at central {sorted(missing)[:3]}")
        commands = {"applied": 0, "refused": 0}
        for node_id, dump in dumps.items():
            for key, message in dump["messages"].items():
                if message["status"] == "pending":
                    problems.append(f"{node_id}: message {key} still pending")
                    continue
                target = dumps.get(message["target"], {})
                recorded = target.get("applied_messages", {}).get(key)
                in_history = key in target.get("commands_in_history", {})
                if recorded is None and message["status"] == "applied" and in_history:
                    recorded = "applied"  # its record was lost with a restore; events say it
                if (
                    recorded is None
                    and (message["status"] == "refused" or message["kind"] == "notice")
                    and not in_history
                    and message["target"] in self.restored
                ):
                    # A refusal or a notice leaves nothing in the history: its record went
                    # with the restore, and the node that sent it has the answer.
                    recorded = message["status"]
                if recorded != message["status"]:
                    problems.append(
                        f"{node_id}: message {key} outcome differs at {message['target']}"
                    )
                if message["status"] == "refused" and in_history:
                    problems.append(f"{node_id}: refused message {key} left events behind")
                if message["kind"] == "command":
                    commands[message["status"]] += 1
        submitted = 0
        numbers = {r["tracking_number"] for r in central.values()}
        for node_id in self.nodes:
            path = self.workdir / f"load-{node_id}.jsonl"
            if not path.exists():
                continue
            for line in path.read_text().splitlines():
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # a line cut by kill -9
                if entry["op"] == "submit":
                    submitted += 1
                    if entry["report"] not in numbers:
                        problems.append(f"submitted {entry['report']} lost")
        events = sum(len(r["events"]) for r in central.values())
        return {
            "reports": len(central),
            "events": events,
            "submitted_logged": submitted,
            "commands": commands,
            "attachments": files,
            "per_node": {n: len(d["reports"]) for n, d in dumps.items()},
            "faults": self.fault_counts(),
            "chaos": self.events,
            "problems": problems[:50],
            "problem_count": len(problems),
        }

    def fault_counts(self) -> dict:
        counts: dict[str, int] = {}
        for path in self.workdir.glob("link-*.log"):
            for line in path.read_text().splitlines():
                try:
                    kind = json.loads(line)["event"]
                except (ValueError, KeyError):
                    continue
                counts[kind] = counts.get(kind, 0) + 1
        return counts

    def shutdown(self):
        for node in self.nodes.values():
            for name in ("load", "worker", "server"):
                node.kill(name)
        for link in self.links.values():
            link.stop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=int(os.environ.get("HARNESS_SEED", "7")))
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--rate", type=float, default=8)
    parser.add_argument("--settle-timeout", type=float, default=240)
    parser.add_argument("--workdir")
    parser.add_argument(
        "--pg-url", default=os.environ.get("PG_URL", "postgres://aduan:aduan@127.0.0.1:5432/aduan")
    )
    parser.add_argument("--no-kills", dest="kills", action="store_false")
    parser.add_argument("--no-cuts", dest="cuts", action="store_false")
    parser.add_argument("--json", help="write the result here")
    parser.add_argument(
        "--no-restore",
        dest="restore",
        action="store_false",
        help="skip restoring KTM from a backup taken during the run",
    )
    parser.add_argument(
        "--no-tamper",
        dest="tamper",
        action="store_false",
        help="skip editing history by hand at the end",
    )
    args = parser.parse_args(argv)
    harness = Harness(args)
    try:
        harness.build()
        harness.chaos()
        harness.heal()
        settle = harness.converge()
        result = harness.check(harness.dumps()) | {
            "settle_seconds": round(settle, 1),
            "seed": args.seed,
        }
        if args.restore and harness.backup is not None and not result["problem_count"]:
            restored = harness.restore()
            settle = harness.converge()
            after = harness.check(harness.dumps())
            restored |= {
                "settle_seconds": round(settle, 1),
                "reports": after["reports"],
                "per_node": after["per_node"],
                "problems": after["problems"],
            }
            result["restore"] = restored
            result["problem_count"] += after["problem_count"]
        if args.tamper and not result["problem_count"]:
            result["tamper"] = tampered = harness.tamper(harness.dumps())
            for claim in (
                "PSR_own_check_failed",
                "in_place_detected_by_central",
                "rehash_detected_by_central",
            ):
                if not tampered[claim]:
                    result["problems"].append(f"tamper: not {claim}")
                    result["problem_count"] += 1
    finally:
        harness.shutdown()
    say(json.dumps({k: v for k, v in result.items() if k != "chaos"}, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 1 if result["problem_count"] else 0


if __name__ == "__main__":
    sys.exit(main())
