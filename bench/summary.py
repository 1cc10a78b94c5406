"""Print the results of one benchmark run as Markdown tables (for docs/PERFORMANCE.md).

.venv/bin/python bench/summary.py [_ci]
"""

import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def load(name):
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def ok(flag):
    return "yes" if flag else "**no**"


def main():
    suffix = sys.argv[1] if len(sys.argv) > 1 else ""
    reads, intake, memory = load(f"reads{suffix}"), load(f"intake{suffix}"), load(f"memory{suffix}")
    if reads:
        m = reads["machine"]
        print(
            f"Machine: {m['nproc']} cores ({m['cpu']}), {m['memory_mb']} MB, "
            f"PostgreSQL {m['postgresql']}, Python {m['python']}; {reads['date'][:16]} UTC; "
            f"{reads['reports']:,} reports.\n"
        )
        print("| page | p50 ms | p95 ms | queries | target p95 | met |")
        print("|---|---:|---:|---:|---:|---|")
        for key, r in reads["pages"].items():
            print(
                f"| {key} `{r['url']}` | {r.get('p50_ms')} | {r.get('p95_ms')} | "
                f"{r.get('queries')} | {r['target_p95_ms']} | {ok(r['meets_target'])} |"
            )
        print()
    if intake:
        a, f = intake["app"], intake["floor"]
        print("| intake | reports/s | p50 ms | p99 ms | errors | load generator CPU |")
        print("|---|---:|---:|---:|---:|---:|")
        for label, x in (("app (HTTP, gunicorn)", a), ("floor (psycopg)", f)):
            print(
                f"| {label} | {x['per_second']} | {x['p50_ms']} | {x['p99_ms']} | "
                f"{x['errors']} | {x['load_generator_cpu_share_of_2_cores']:.0%} |"
            )
        print(
            f"\napp/floor = {intake['app_over_floor']} (target ≥ 0.2); "
            f"app ≥ 500/s: {ok(a['per_second'] >= 500)}\n"
        )
    if memory:
        if "web" in memory:
            w = memory["web"]
            print(
                f"Web workers after {w['requests']} requests: max RSS {w['max_rss_mb_after']} MB "
                f"(start {max(w['rss_mb_at_start'].values())} MB; target ≤ 200 MB)."
            )
        if "worker" in memory:
            w = memory["worker"]
            print(
                f"run_worker after {w['jobs_run']} jobs: RSS {w['rss_mb_final']} MB "
                f"(peak {w['rss_mb_peak']} MB)."
            )
        for key in ("export_values_list_csv", "export_stats_csv"):
            e = memory.get(key)
            if e and "error" not in e:
                print(
                    f"{key}: {e['rows']:,} rows in {e['seconds']} s, peak RSS {e['peak_rss_mb']} MB."
                )
            elif e:
                print(f"{key}: failed: {e['error'][-200:]}")


if __name__ == "__main__":
    main()
