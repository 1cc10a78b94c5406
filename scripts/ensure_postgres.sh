#!/usr/bin/env bash
# Ensure a PostgreSQL server is reachable for the test suite, starting the local cluster
# when it is down, and create the role and database named in the URL given as $1.
set -euo pipefail
url="${1:-postgres://aduan:aduan@127.0.0.1:5432/aduan}"
rest="${url#postgres://}"; creds="${rest%@*}"; hostpart="${rest#*@}"
user="${creds%%:*}"; password="${creds#*:}"
hostport="${hostpart%%/*}"; dbname="${hostpart#*/}"
host="${hostport%%:*}"; port="${hostport#*:}"; [ "$port" = "$hostport" ] && port=5432

if ! command -v psql >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "PostgreSQL client/server missing: install the 'postgresql' package (apt-get install postgresql)." >&2
    exit 1
  fi
fi

if ! pg_isready -q -h "$host" -p "$port"; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    version="$(ls /etc/postgresql | sort -V | tail -n 1)"
    echo "Starting PostgreSQL $version ..."
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || pg_ctlcluster "$version" main start
    for _ in $(seq 1 30); do pg_isready -q -h "$host" -p "$port" && break; sleep 1; done
  fi
fi
if ! pg_isready -q -h "$host" -p "$port"; then
  echo "PostgreSQL is not reachable at $host:$port. Start it (pg_ctlcluster <version> main start) or set PG_URL." >&2
  exit 1
fi

# Create the role (allowed to create the test database) and the database, idempotently.
admin_psql() {
  if psql -h "$host" -p "$port" -U postgres -d postgres -tAc "SELECT 1" >/dev/null 2>&1; then
    psql -h "$host" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtAc "$1"
  elif [ "$(id -u)" = 0 ]; then
    su postgres -c "psql -d postgres -v ON_ERROR_STOP=1 -qtAc \"$1\""
  else
    echo "Cannot log in to PostgreSQL as a superuser to create role '$user'. Create it yourself: CREATE ROLE $user LOGIN PASSWORD '...' CREATEDB;" >&2
    exit 1
  fi
}
exists="$(admin_psql "SELECT 1 FROM pg_roles WHERE rolname = '$user'")"
if [ "$exists" != 1 ]; then
  admin_psql "CREATE ROLE \"$user\" LOGIN PASSWORD '$password' CREATEDB"
else
  # An existing role keeps its password: it may be a real installation's, and resetting
  # it to the one in the URL would lock its services out (or open it with a known one).
  # It only gets what the suite needs: to log in and to create the test databases.
  admin_psql "ALTER ROLE \"$user\" LOGIN CREATEDB"
  if ! PGPASSWORD="$password" psql -h "$host" -p "$port" -U "$user" -d postgres -tAc "SELECT 1" >/dev/null 2>&1; then
    echo "Role '$user' exists but does not accept the password in the URL; its password is left as it is. Give the right one in PG_URL, or set it yourself: ALTER ROLE $user PASSWORD '...';" >&2
    exit 1
  fi
fi
if [ "$(admin_psql "SELECT 1 FROM pg_database WHERE datname = '$dbname'")" != 1 ]; then
  admin_psql "CREATE DATABASE \"$dbname\" OWNER \"$user\""
fi
echo "PostgreSQL ready: role $user, database $dbname on $host:$port"
