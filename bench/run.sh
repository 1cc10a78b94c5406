#!/usr/bin/env bash
# Run the benchmarks. Usage: bench/run.sh full|ci [intake]
#   full: aduan_bench with >= 1,000,000 reports (generated once, reused), intake 3 rounds of
#         30 s each for the app, the bare Django reference and the psycopg floor at
#         concurrency 16, 200 timed requests per page, 10,000 requests for memory.
#   ci:   aduan_bench_ci rebuilt from scratch with 20,000 reports, short runs (a few minutes).
#   intake: only the setup and the intake benchmark.
# BENCH_DB names another database than aduan_bench / aduan_bench_ci (e.g. when several
# people share the machine).
# Results: bench/results/*.json; tables: docs/PERFORMANCE.md. Traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE="${1:-ci}"
ONLY="${2:-}"
PY=.venv/bin/python
BASE="${BENCH_PG_BASE:-postgres://aduan:aduan@127.0.0.1:5432}"

if [ "$MODE" = "ci" ]; then
  DB=aduan_bench_ci; COUNT=20000; SECONDS_INTAKE=10; REQUESTS=30; MEM_REQUESTS=1000
  WORKER_SECONDS=15; SUFFIX=_ci; FRESH=1; FED_EVENTS=20000; FED_SECONDS=15
else
  DB=aduan_bench; COUNT=1000000; SECONDS_INTAKE=30; REQUESTS=200; MEM_REQUESTS=10000
  WORKER_SECONDS=60; SUFFIX=; FRESH=0; FED_EVENTS=1000000; FED_SECONDS=60
fi
DB="${BENCH_DB:-$DB}"
export DATABASE_URL="$BASE/$DB"
export PYTHONPATH="$PWD/bench${PYTHONPATH:+:$PYTHONPATH}"

if [ "$FRESH" = 1 ]; then
  psql "$BASE/postgres" -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
fi
if ! psql "$DATABASE_URL" -tAc "SELECT 1" >/dev/null 2>&1; then
  psql "$BASE/postgres" -qc "CREATE DATABASE $DB"
fi
echo "== setup ($DB)"
$PY manage.py migrate --noinput -v 0
DJANGO_SETTINGS_MODULE=bench_settings $PY manage.py createcachetable
HAVE=$(psql "$DATABASE_URL" -tAc "SELECT count(*) FROM reports_report")
if [ "$HAVE" -lt "$COUNT" ]; then
  $PY manage.py load_regions
  $PY manage.py seed_categories
  $PY manage.py seed_demo
  HAVE=$(psql "$DATABASE_URL" -tAc "SELECT count(*) FROM reports_report")
  echo "== generate_reports --count $((COUNT - HAVE))"
  /usr/bin/time -f "generate: %e s wall, %M KB max RSS" \
    $PY manage.py generate_reports --count $((COUNT - HAVE)) --seed 7 \
    2>&1 | tee "bench/results/generate$SUFFIX.log"
fi
if [ "$ONLY" = intake ]; then
  echo "== intake (app, bare Django, psycopg floor; interleaved rounds)"
  $PY bench/intake.py --seconds $SECONDS_INTAKE --rounds 3 --concurrency 16 --name "intake$SUFFIX"
  exit 0
fi
echo "== reads"
$PY bench/reads.py --requests $REQUESTS --warmup 5 --name "reads$SUFFIX"
echo "== search"
$PY bench/search.py --requests $((REQUESTS / 4)) --warmup 5 --name "search$SUFFIX"
echo "== intake (app, bare Django, psycopg floor; interleaved rounds)"
$PY bench/intake.py --seconds $SECONDS_INTAKE --rounds 3 --concurrency 16 --name "intake$SUFFIX"
echo "== memory"
$PY bench/memory.py --requests $MEM_REQUESTS --worker-seconds $WORKER_SECONDS --name "memory$SUFFIX"
echo "== federation (two nodes, their own databases fedbench_*)"
$PY bench/federation.py --events $FED_EVENTS --lag-seconds $FED_SECONDS \
  --intake-seconds $((FED_SECONDS / 2)) --name "federation$SUFFIX"
echo "== summary"
$PY bench/summary.py "$SUFFIX"
