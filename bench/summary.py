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
    last_line = None
    if intake:
        print(
            "| intake | reports/s | rounds | p50 ms | p99 ms | errors | web CPU ms/report "
            "| database CPU ms/report | load generator CPU |"
        )
        print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
        kinds = [("app (Aduan, HTTP, gunicorn)", "app")]
        if "app_immediate" in intake:
            kinds.append(("app, statistics upserted in the request", "app_immediate"))
        if "bare" in intake:
            kinds.append(("bare Django view (HTTP, gunicorn)", "bare"))
        kinds.append(("floor (psycopg)", "floor"))
        for label, kind in kinds:
            x = intake[kind]
            rounds = ", ".join(str(r) for r in x.get("per_second_rounds", [x["per_second"]]))
            print(
                f"| {label} | {x['per_second']} | {rounds} | {x['p50_ms']} | {x['p99_ms']} | "
                f"{x['errors']} | {x.get('web_cpu_ms_per_request', '')} | "
                f"{x.get('db_cpu_ms_per_request', '')} | "
                f"{x['load_generator_cpu_share_of_2_cores']:.0%} |"
            )
        a = intake["app"]
        print()
        if "bare" in intake:
            st = intake.get("statistics", {})
            print(
                f"app/bare = {intake['app_over_bare']} (rounds {intake['app_over_bare_rounds']}; "
                f"target ≥ 0.5): {ok((intake['app_over_bare'] or 0) >= 0.5)}; "
                f"app/floor = {intake['app_over_floor']}; "
                f"app ≥ 500/s: {ok(a['per_second'] >= 500)}"
            )
            if st:
                print(
                    f"statistics ({st['upkeep']}): fold CPU {st['fold_process_cpu_seconds']} s, "
                    f"max pending {st['max_pending_deltas']} deltas, 'data hingga' lag ≤ "
                    f"{st['max_as_of_lag_s']} s, recount mismatches {st['check_mismatches']}"
                )
            last_line = (
                f"intake: app {a['per_second']}/s, bare {intake['bare']['per_second']}/s, "
                f"floor {intake['floor']['per_second']}/s, app/bare {intake['app_over_bare']}, "
                f"app/floor {intake['app_over_floor']}"
            )
        else:
            print(
                f"app/floor = {intake['app_over_floor']}; app ≥ 500/s: {ok(a['per_second'] >= 500)}\n"
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

    if last_line:
        # Last, so that `make bench` and `make bench-ci` end with it.
        print(f"\n{last_line}")


if __name__ == "__main__":
    main()
