#!/usr/bin/env bash
# Private, throwaway PostgreSQL 15 cluster for the test suite.
#
#   bash scripts/pg-test-cluster.sh start          # install (if root), init, start; prints the URL
#   bash scripts/pg-test-cluster.sh stop [--clean] # fast shutdown; --clean also deletes the cluster dir
#   bash scripts/pg-test-cluster.sh status         # exit 0 if running
#   bash scripts/pg-test-cluster.sh url            # print the test database URL
#
# This is NOT Debian's "main" cluster: it lives in its own directory
# (default /tmp/trustone-pg-<port>), listens on 127.0.0.1 only, uses trust
# authentication, and runs with fsync=off. Never use it for real data.
#
# Environment:
#   TRUSTONE_PG_PORT  port to listen on (default 54329)
#   TRUSTONE_PG_DIR   cluster directory (default /tmp/trustone-pg-<port>)
#   TRUSTONE_PG_BIN   PostgreSQL bin directory (default /usr/lib/postgresql/15/bin)
#
# Only the URL is written to stdout (by `start` and `url`); progress goes to
# stderr, so `URL=$(bash scripts/pg-test-cluster.sh start)` works.
set -euo pipefail

PG_PORT="${TRUSTONE_PG_PORT:-54329}"
PG_DIR="${TRUSTONE_PG_DIR:-/tmp/trustone-pg-${PG_PORT}}"
PG_BIN="${TRUSTONE_PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_APT_PACKAGE="postgresql-15"
APP_ROLE="trustone"
APP_PASSWORD="throwaway-test-cluster-only"  # not a placeholder: `trustone serve` refuses those
APP_DB="trustone_test"

case "$PG_DIR" in
    /*) ;;
    *) PG_DIR="$(pwd)/$PG_DIR" ;;
esac
DATA_DIR="$PG_DIR/data"
SOCKET_DIR="$PG_DIR"
LOG_FILE="$PG_DIR/postgres.log"

log() { printf 'pg-test-cluster: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

url() {
    printf 'postgresql://%s:%s@127.0.0.1:%s/%s\n' "$APP_ROLE" "$APP_PASSWORD" "$PG_PORT" "$APP_DB"
}

# Run a command as the cluster owner. PostgreSQL refuses to run as root, so
# as root we switch to the `postgres` system user; otherwise we run as
# ourselves. `cd /` avoids "could not change directory" noise when the
# caller's working directory is not readable by postgres.
as_owner() {
    if is_root; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

ensure_binaries() {
    if [ -x "$PG_BIN/initdb" ]; then
        return 0
    fi
    if is_root; then
        command -v apt-get >/dev/null 2>&1 \
            || die "$PG_BIN/initdb is missing and apt-get is not available; install PostgreSQL 15 server binaries and set TRUSTONE_PG_BIN"
        log "PostgreSQL 15 not found; installing $PG_APT_PACKAGE with apt-get (this takes a minute)"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2 </dev/null \
            || die "apt-get update failed"
        apt-get install -y -qq --no-install-recommends "$PG_APT_PACKAGE" >&2 </dev/null \
            || die "apt-get install $PG_APT_PACKAGE failed"
        [ -x "$PG_BIN/initdb" ] || die "$PG_APT_PACKAGE installed but $PG_BIN/initdb is still missing"
        return 0
    fi
    # Not root: fall back to a PostgreSQL on PATH (e.g. Homebrew), if any.
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        PG_BIN="$(dirname "$(command -v initdb)")"
        log "using PostgreSQL binaries from $PG_BIN (not $PG_APT_PACKAGE)"
        return 0
    fi
    cat >&2 <<EOF
pg-test-cluster: ERROR: PostgreSQL 15 server binaries not found ($PG_BIN/initdb is missing).
  Install them first, for example on Debian/Ubuntu:
      sudo apt-get update && sudo apt-get install -y $PG_APT_PACKAGE
  or run this script as root (it then installs $PG_APT_PACKAGE itself),
  or set TRUSTONE_PG_BIN to a directory containing initdb, pg_ctl and postgres,
  or set TRUSTONE_TEST_POSTGRES_URL to an existing test database and skip this script.
EOF
    exit 1
}

ensure_owner_user() {
    is_root || return 0
    if ! getent passwd postgres >/dev/null 2>&1; then
        log "creating system user 'postgres'"
        useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres \
            || die "could not create system user 'postgres'"
    fi
}

is_running() {
    [ -f "$DATA_DIR/PG_VERSION" ] || return 1
    [ -x "$PG_BIN/pg_ctl" ] || return 1
    as_owner "$PG_BIN/pg_ctl" status -D "$DATA_DIR" >/dev/null 2>&1
}

init_cluster() {
    if [ -f "$DATA_DIR/PG_VERSION" ]; then
        return 0
    fi
    # Socket path must fit in sun_path (107 bytes).
    local sock="$SOCKET_DIR/.s.PGSQL.$PG_PORT"
    [ "${#sock}" -lt 100 ] || die "socket path $sock is too long; choose a shorter TRUSTONE_PG_DIR"

    log "initialising throwaway cluster in $PG_DIR"
    rm -rf "$DATA_DIR"
    mkdir -p "$PG_DIR"
    if is_root; then
        chown postgres: "$PG_DIR"
        # postgres must be able to traverse every parent of the cluster dir.
        runuser -u postgres -- test -x "$PG_DIR" \
            || die "user 'postgres' cannot access $PG_DIR (a parent directory is not traversable); choose another TRUSTONE_PG_DIR"
    fi
    chmod 700 "$PG_DIR"

    if ! as_owner "$PG_BIN/initdb" -D "$DATA_DIR" -U postgres \
            --auth=trust --encoding=UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1; then
        cat "$PG_DIR/initdb.log" >&2 || true
        die "initdb failed"
    fi

    cat >>"$DATA_DIR/postgresql.conf" <<EOF

# --- trustone throwaway test cluster (scripts/pg-test-cluster.sh) ---
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$SOCKET_DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
logging_collector = off
EOF
}

start_server() {
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT (log: $LOG_FILE)"
    if ! as_owner "$PG_BIN/pg_ctl" start -D "$DATA_DIR" -l "$LOG_FILE" -w -t 60 >/dev/null; then
        log "pg_ctl start failed; last lines of $LOG_FILE:"
        tail -n 30 "$LOG_FILE" >&2 2>/dev/null || true
        die "could not start PostgreSQL (is port $PG_PORT already in use? set TRUSTONE_PG_PORT)"
    fi
}

superuser_psql() {
    as_owner "$PG_BIN/psql" -X -q -w -v ON_ERROR_STOP=1 \
        -h "$SOCKET_DIR" -p "$PG_PORT" -U postgres "$@"
}

ensure_role_and_db() {
    superuser_psql -d postgres >/dev/null <<EOF
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$APP_ROLE') THEN
        CREATE ROLE $APP_ROLE LOGIN PASSWORD '$APP_PASSWORD'
            NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
    ELSE
        ALTER ROLE $APP_ROLE LOGIN PASSWORD '$APP_PASSWORD'
            NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
    END IF;
    -- The test fixtures' own role: it copies the demo store from a template database for each
    -- test that asks for it (tests/demo_store.py), so it may create databases, for the application's
    -- role (a member of it); the application's role stays without CREATEDB, as in production.
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_ROLE}_fixtures') THEN
        CREATE ROLE ${APP_ROLE}_fixtures LOGIN PASSWORD '$APP_PASSWORD'
            NOSUPERUSER CREATEDB NOCREATEROLE NOREPLICATION;
    END IF;
    GRANT $APP_ROLE TO ${APP_ROLE}_fixtures;
END
\$\$;
SELECT 'CREATE DATABASE $APP_DB OWNER $APP_ROLE ENCODING ''UTF8'' TEMPLATE template0'
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$APP_DB')
\gexec
ALTER DATABASE $APP_DB OWNER TO $APP_ROLE;
EOF
    # Check the application role can actually connect over TCP.
    "$PG_BIN/psql" -X -q -w -v ON_ERROR_STOP=1 "$(url)" -c 'SELECT 1' >/dev/null \
        || die "role $APP_ROLE cannot connect to $(url)"
}

cmd_start() {
    ensure_binaries
    ensure_owner_user
    if is_running; then
        log "already running in $PG_DIR"
    else
        init_cluster
        start_server
    fi
    ensure_role_and_db
    log "OK"
    url
}

cmd_stop() {
    local clean=0
    case "${1:-}" in
        --clean) clean=1 ;;
        "") ;;
        *) die "unknown option for stop: $1 (expected --clean)" ;;
    esac
    if is_running; then
        log "stopping PostgreSQL in $PG_DIR"
        as_owner "$PG_BIN/pg_ctl" stop -D "$DATA_DIR" -m fast -w -t 60 >/dev/null \
            || die "pg_ctl stop failed"
    else
        log "not running ($PG_DIR)"
    fi
    if [ "$clean" -eq 1 ] && [ -d "$PG_DIR" ]; then
        log "removing $PG_DIR"
        rm -rf "$PG_DIR"
    fi
}

cmd_status() {
    if is_running; then
        log "running in $PG_DIR on 127.0.0.1:$PG_PORT"
        return 0
    fi
    log "not running ($PG_DIR)"
    return 1
}

usage() {
    echo "usage: $0 {start|stop [--clean]|status|url}" >&2
    exit 2
}

[ $# -ge 1 ] || usage
cmd="$1"
shift
case "$cmd" in
    start) [ $# -eq 0 ] || usage; cmd_start ;;
    stop) [ $# -le 1 ] || usage; cmd_stop "$@" ;;
    status) [ $# -eq 0 ] || usage; cmd_status ;;
    url) [ $# -eq 0 ] || usage; url ;;
    *) usage ;;
esac
