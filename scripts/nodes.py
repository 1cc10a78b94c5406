"""`make nodes`: a central node and a Kutai Timur regional node on this machine.

Each node gets its own folder under data/nodes/<name>/ (settings in node.env, SQLite
database, signing key, media), its web server and its worker. The first run builds them:
migrations and regions, the demo data on central, pairing (fingerprints read from each
node), Pemerintah Kabupaten Kutai Timur moved to the regional node with its units, staff
and reports (`host_agency` / `import_hosted`). Later runs just start them. Stop with Ctrl-C.

`NODE=pusat` or `NODE=ktm` before any manage.py command runs it against that node."""

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
NODES_DIR = ROOT / "data" / "nodes"
CENTRAL_PORT = int(os.environ.get("PORT", "8000"))
REGION_PORT = int(os.environ.get("REGION_PORT", "8001"))
NODES = {
    "pusat": {"NODE_ID": "PST", "NODE_ROLE": "central", "PORT": CENTRAL_PORT},
    "ktm": {"NODE_ID": "KTM", "NODE_ROLE": "regional", "PORT": REGION_PORT},
}
GOVERNMENT = "Pemerintah Kabupaten Kutai Timur"


def write_env(name: str) -> None:
    spec = NODES[name]
    folder = NODES_DIR / name
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        f"NODE_ID={spec['NODE_ID']}",
        f"NODE_ROLE={spec['NODE_ROLE']}",
        f"SITE_URL=http://127.0.0.1:{spec['PORT']}",
        f"DATA_DIR={folder}",
        f"DATABASE_URL=sqlite:///{folder / 'aduan.sqlite3'}",
        "WORKER_SCHEDULE_SECONDS=20",
    ]
    (folder / "node.env").write_text("\n".join(lines) + "\n")


def manage(name: str, *args: str, capture: bool = False) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SITE_URL", "PORT")}
    env["NODE"] = name
    result = subprocess.run(  # noqa: S603 - fixed local commands
        [PYTHON, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        check=True,
        text=True,
        capture_output=capture,
    )
    return result.stdout.strip() if capture else ""


def start(name: str, processes: list) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SITE_URL", "PORT")}
    env["NODE"] = name
    port = NODES[name]["PORT"]
    log = open(NODES_DIR / name / "processes.log", "a")  # noqa: SIM115 - owned by the children
    for argv in (
        [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        [PYTHON, "manage.py", "run_worker"],
    ):
        processes.append(
            subprocess.Popen(argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        )


def wait_up(port: int) -> None:
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"node on port {port} did not start")


def build() -> None:
    print("== Building the nodes (first run only)", flush=True)
    shutil.rmtree(NODES_DIR, ignore_errors=True)
    for name in NODES:
        write_env(name)
    manage("pusat", "migrate", "--noinput", "-v", "0")
    manage("pusat", "createcachetable")
    manage("pusat", "load_regions")
    # The regional node starts from the same regions (a copy saves loading them twice).
    shutil.copy(NODES_DIR / "pusat" / "aduan.sqlite3", NODES_DIR / "ktm" / "aduan.sqlite3")
    manage("pusat", "seed_categories")
    manage("pusat", "seed_demo")
    processes: list = []
    for name in NODES:
        start(name, processes)
    try:
        for spec in NODES.values():
            wait_up(spec["PORT"])
        central_print = manage("pusat", "node_key", "--fingerprint", capture=True)
        region_print = manage("ktm", "node_key", "--fingerprint", capture=True)
        manage(
            "pusat", "pair_node", f"http://127.0.0.1:{REGION_PORT}", "--fingerprint", region_print
        )
        manage(
            "ktm", "pair_node", f"http://127.0.0.1:{CENTRAL_PORT}", "--fingerprint", central_print
        )
        hosted = NODES_DIR / "hosted-ktm.json"
        manage("pusat", "host_agency", "KTM", GOVERNMENT, "--export", str(hosted), "--commit")
        manage("ktm", "sync_now", "--reference")
        manage("ktm", "import_hosted", str(hosted))
        manage("pusat", "sync_now", "--until-idle", "--reference")
        manage("ktm", "sync_now", "--until-idle")
        (NODES_DIR / ".ready").write_text("ok\n")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait()


def main() -> None:
    if not (NODES_DIR / ".ready").exists():
        build()
    processes: list = []
    for name in NODES:
        start(name, processes)

    def stop(*_):
        for process in processes:
            process.terminate()
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for spec in NODES.values():
        wait_up(spec["PORT"])
    print(
        f"\nPusat (central, PST):        http://127.0.0.1:{CENTRAL_PORT}/\n"
        f"Kutai Timur (regional, KTM): http://127.0.0.1:{REGION_PORT}/\n"
        "Staf Pemkab Kutai Timur masuk di simpul KTM; admin nasional dan pengawas di pusat.\n"
        "Kutai Timur's staff sign in on KTM; national admins and supervisors on central.\n"
        "NODE=pusat|ktm .venv/bin/python manage.py sync_status   # replication state\n",
        flush=True,
    )
    manage("pusat", "seed_demo", "--print-logins")
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
