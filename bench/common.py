"""Shared helpers for the benchmarks: percentiles, machine facts, result files."""

import contextlib
import datetime as dt
import json
import os
import platform
import subprocess
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
BENCH_DB = "postgres://aduan:aduan@127.0.0.1:5432/aduan_bench"


def percentile(values, p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def machine() -> dict:
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    pg = ""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        pg = subprocess.run(  # noqa: S603 - a fixed local command
            ["psql", os.environ.get("DATABASE_URL", BENCH_DB), "-tAc", "SHOW server_version"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "memory_mb": mem_kb // 1024,
        "cpu": model,
        "python": platform.python_version(),
        "postgresql": pg,
        "load_average": os.getloadavg(),
    }


def write_result(name: str, data: dict) -> Path:
    RESULTS.mkdir(exist_ok=True)
    data = {
        "benchmark": name,
        "date": dt.datetime.now(dt.UTC).isoformat(),
        "machine": machine(),
    } | data
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str))
    return path


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")
