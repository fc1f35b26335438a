#!/usr/bin/env bash
# Run the system on its embedded default: `bash scripts/demo.sh [--port N]`.
# Sets up .venv, loads the demo data into SQLite under $TRUSTONE_DATA_DIR (default ./var),
# prints where the demo logins are, and serves on http://127.0.0.1:8000 (or --port N).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup-venv.sh

export TRUSTONE_DATA_DIR="${TRUSTONE_DATA_DIR:-$ROOT/var}"
.venv/bin/trustone init
.venv/bin/trustone demo
port=8000
args=("$@")
for i in "${!args[@]}"; do
    case "${args[$i]}" in
        --port) port="${args[$((i + 1))]:-8000}" ;;
        --port=*) port="${args[$i]#--port=}" ;;
    esac
done
echo
echo "demo logins: $TRUSTONE_DATA_DIR/demo-logins.json (each role's: .venv/bin/trustone demo-login ROLE)"
echo "Open http://127.0.0.1:$port/ in a browser and log in as the demo company:"
.venv/bin/trustone demo-login company | sed 's/^/    /'
echo "(the secretariat and the auditor also need a code: .venv/bin/trustone demo-login secretariat)"
echo
exec .venv/bin/trustone serve "$@"
