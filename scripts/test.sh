#!/usr/bin/env bash
# The test command: `bash scripts/test.sh [pytest args...]`
#
# On a fresh machine this
#   1. creates .venv (python3 -m venv) and installs the project with its
#      [test] extras (re-installs only when pyproject.toml changed),
#   2. starts a private PostgreSQL 15 test cluster (scripts/pg-test-cluster.sh;
#      installs postgresql-15 with apt-get when run as root) unless
#      TRUSTONE_TEST_POSTGRES_URL is already set, or the cluster is already
#      running,
#   3. installs Debian's chromium for the browser tests when it is missing
#      (as root), and
#   4. runs pytest against SQLite and PostgreSQL with
#      TRUSTONE_REQUIRE_POSTGRES=1 (the suite fails if no PostgreSQL test ran),
#   5. stops the cluster again if this script started it.
#
# Extra arguments go to pytest (default: -q). Environment:
#   PYTHON                      interpreter used to create .venv (default python3)
#   TRUSTONE_TEST_POSTGRES_URL  use this database instead of the private cluster
#   TRUSTONE_REQUIRE_POSTGRES   default 1; set 0 to run a subset with no PostgreSQL test
#   TRUSTONE_TEST_WORKERS       parallel test processes (default: one per core)
#   TRUSTONE_PG_PORT / TRUSTONE_PG_DIR   see scripts/pg-test-cluster.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="$ROOT/.venv"
PG_SCRIPT="$ROOT/scripts/pg-test-cluster.sh"

say() { printf 'test.sh: %s\n' "$*" >&2; }

# --- 1. virtualenv -----------------------------------------------------------
bash "$ROOT/scripts/setup-venv.sh" test

# --- 2. Chromium, for the browser tests (tests/browser/) --------------------------
# Playwright drives Debian's Chromium; its own browser download is not used (and cannot reach out here).
# The Noto fonts draw the follow-up page's Hindi, Tamil and Chinese in the screenshots (best effort:
# without them the glyphs are boxes, and no test fails).
CHROMIUM="${TRUSTONE_CHROMIUM:-/usr/bin/chromium}"
apt_updated=0
apt_install() {  # as root: apt-get install the packages, after one apt-get update
    if [ "$apt_updated" -eq 0 ]; then
        apt-get update -qq </dev/null >&2 || return 1
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" </dev/null >&2
}
as_root_with_apt() { [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; }
if [ ! -x "$CHROMIUM" ]; then
    if as_root_with_apt; then
        say "Chromium not found; installing the Debian package chromium with apt-get (this takes a minute)"
        apt_install chromium || { say "ERROR: apt-get install chromium failed"; exit 1; }
    else
        say "ERROR: $CHROMIUM is missing; install Chromium (Debian: apt-get install chromium) or set TRUSTONE_CHROMIUM"
        exit 1
    fi
fi
if as_root_with_apt && ! dpkg -s fonts-noto-core fonts-noto-cjk >/dev/null 2>&1; then
    say "installing the Debian fonts fonts-noto-core and fonts-noto-cjk for the screenshots"
    apt_install fonts-noto-core fonts-noto-cjk \
        || say "WARNING: the fonts could not be installed; screenshots in Hindi, Tamil and Chinese show boxes"
fi

# --- 3. PostgreSQL -----------------------------------------------------------
started_cluster=0
stop_cluster() {
    if [ "$started_cluster" -eq 1 ]; then
        bash "$PG_SCRIPT" stop || say "WARNING: could not stop the PostgreSQL test cluster"
    fi
}
trap stop_cluster EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -n "${TRUSTONE_TEST_POSTGRES_URL:-}" ]; then
    say "using PostgreSQL from TRUSTONE_TEST_POSTGRES_URL"
else
    if bash "$PG_SCRIPT" status 2>/dev/null; then
        say "PostgreSQL test cluster already running; leaving it running afterwards"
    else
        started_cluster=1
    fi
    TRUSTONE_TEST_POSTGRES_URL="$(bash "$PG_SCRIPT" start)"
fi
export TRUSTONE_TEST_POSTGRES_URL
# The suite fails unless a PostgreSQL test ran. A caller running only a
# subset without store tests (e.g. tests/unit/...) may set it to 0.
export TRUSTONE_REQUIRE_POSTGRES="${TRUSTONE_REQUIRE_POSTGRES:-1}"

# --- 4. pytest ---------------------------------------------------------------
if [ $# -eq 0 ]; then
    set -- -q
fi
# Tests run in parallel, one pytest-xdist worker per core (TRUSTONE_TEST_WORKERS; 1 runs them in this
# process), unless the arguments choose (-n N, or -p no:xdist).
#
# --dist loadfile: the tests of one module run in one worker, in order (a browser journey's tests
# share its demo server: tests/browser/conftest.py; the fault tests' modules share a PostgreSQL
# cluster or a server each). Tried in session 10, with the browser journeys run apart under
# loadfile: --dist load for the rest was slower (a module's fixtures were set up again in each worker
# and at every switch between modules), --dist worksteal took about as long as loadfile (36.5 min in
# all on CI's two cores), so the one run stays. Not loadgroup: pytest-xdist 3.8 names a group by
# setting Item._nodeid, which pytest 9 no longer reads, so its groups were silently ignored.
workers="${TRUSTONE_TEST_WORKERS:-$(nproc 2>/dev/null || echo 1)}"
case " $* " in
    *" -n "*|*" -n"[0-9]*|*"no:xdist"*) ;;
    *) if [ "$workers" -gt 1 ]; then set -- -n "$workers" --dist loadfile "$@"; fi ;;
esac
set +e
# --durations: the slowest tests are named at the end of every run (the suite's time is watched).
"$VENV/bin/python" -m pytest --durations=15 "$@"
rc=$?
set -e

if [ "$rc" -eq 5 ]; then
    say "ERROR: pytest collected no tests (exit code 5); treating that as a failure"
    exit 1
fi
exit "$rc"
