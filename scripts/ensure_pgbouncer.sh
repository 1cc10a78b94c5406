#!/usr/bin/env bash
# PgBouncer, for the connection-pooling scenario of the PostgreSQL run
# (harness/test_replicas.py, docs/REPLICAS.md). Installed as root with apt-get
# when missing; otherwise say exactly what is missing and fail, since the PostgreSQL run
# needs it.
command -v pgbouncer >/dev/null && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing pgbouncer for the connection-pooling test ..."
  if { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer; } >/dev/null 2>&1; then
    # The package starts its own service on port 6432; the test runs its own instance.
    exit 0
  fi
fi
echo "pgbouncer not found: the PostgreSQL test run needs it (as root: apt-get install pgbouncer)." >&2
exit 1
