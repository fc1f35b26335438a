#!/usr/bin/env bash
# Create .venv and install the project into it: `bash scripts/setup-venv.sh [extras]`.
# Re-installs only when pyproject.toml (or the Python version, or the extras) changed.
# Used by scripts/demo.sh (no extras) and scripts/test.sh (extras "test").
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
EXTRAS="${1:-}"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv"

say() { printf 'setup-venv: %s\n' "$*" >&2; }

if ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
    command -v "$PYTHON" >/dev/null 2>&1 || { say "ERROR: $PYTHON not found (need Python >= 3.11)"; exit 1; }
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || { say "ERROR: $PYTHON is older than 3.11"; exit 1; }
    say "creating virtualenv $VENV with $("$PYTHON" --version 2>&1)"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV" || {
        say "ERROR: '$PYTHON -m venv' failed (on Debian/Ubuntu system Python: apt-get install python3-venv)"
        exit 1
    }
fi

target="."
[ -n "$EXTRAS" ] && target=".[$EXTRAS]"
stamp="$VENV/.trustone-install-stamp"
want="$("$VENV/bin/python" -c 'import hashlib,sys; print(hashlib.sha256(open("pyproject.toml","rb").read()).hexdigest(), sys.version.split()[0])') $EXTRAS"
if [ ! -f "$stamp" ] || ! grep -qxF "$want" "$stamp"; then
    say "installing the project${EXTRAS:+ with [$EXTRAS]} into .venv"
    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 "$VENV/bin/pip" install -q -e "$target" </dev/null
    printf '%s\n' "$want" >>"$stamp"
fi
