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
echo "demo logins: $TRUSTONE_DATA_DIR/demo-logins.json"
exec .venv/bin/trustone serve "$@"
