#!/usr/bin/env bash
# Makes the virtualenv for the differential check (compare.py): PyPI tenforty and policyengine-us, pinned.
# Idempotent: a venv already holding these exact versions is left alone. Not part of the normal build or CI:
# the pinned sample in src/server/tax/calc/oracle_sample.rs keeps the check in `cargo test` without Python.
set -euo pipefail
cd "$(dirname "$0")/../.."

TENFORTY_VERSION=${TENFORTY_VERSION:-2025.12}
POLICYENGINE_US_VERSION=${POLICYENGINE_US_VERSION:-2.68.0}
VENV=${TAX_ORACLE_VENV:-target/tax-oracle-venv}

log() { printf '\033[1;34m[tax-oracle]\033[0m %s\n' "$*"; }

installed() {
  "$VENV/bin/python" - "$TENFORTY_VERSION" "$POLICYENGINE_US_VERSION" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
sys.exit(0 if (version("tenforty"), version("policyengine-us")) == tuple(sys.argv[1:3]) else 1)
PY
}

if [ -x "$VENV/bin/python" ] && installed; then
  log "venv $VENV already has tenforty $TENFORTY_VERSION and policyengine-us $POLICYENGINE_US_VERSION"
  exit 0
fi

command -v python3 >/dev/null || { echo "python3 (3.10 or newer, with venv) is needed" >&2; exit 1; }
log "creating $VENV"
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
log "installing tenforty $TENFORTY_VERSION and policyengine-us $POLICYENGINE_US_VERSION (a few minutes, once)"
"$VENV/bin/python" -m pip install --quiet "tenforty==$TENFORTY_VERSION" "policyengine-us==$POLICYENGINE_US_VERSION"
installed || { echo "the venv does not report the pinned versions" >&2; exit 1; }
log "done"
