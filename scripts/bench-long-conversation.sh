#!/usr/bin/env bash
# Measures, in Chromium, opening a 2,000-message conversation and scrolling to its start (loading the earlier
# pages), at full speed and with the CPU throttled 4x: time to hydrate, pages, and every long task over 50 ms.
# Needs the release build (scripts/test.sh makes it). Numbers go into docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
PORT=${PORT:-3110}
MESSAGES=${MESSAGES:-2000}
RUN_DIR=$(mktemp -d)
# The release wasm is what is measured; the server may be another build (TALLY_BIN_DIR=target/debug).
BIN=${TALLY_BIN_DIR:-target/release}
trap 'kill "${server:-}" 2>/dev/null || true; rm -rf "$RUN_DIR"' EXIT

conversation=$("$BIN/tally-bench" seed-long-read --database-url "sqlite://$RUN_DIR/tally.db?mode=rwc" \
  --messages "$MESSAGES" | tail -1)
LEPTOS_OUTPUT_NAME=tally LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD LEPTOS_HASH_FILES=true LEPTOS_HASH_FILE_NAME="$PWD/target/release/hash.txt" \
LEPTOS_SITE_ADDR="127.0.0.1:$PORT" DATA_DIR="$RUN_DIR" IP_REQUESTS_PER_SECOND=1000 \
  "$BIN/tally" > "$RUN_DIR/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

echo "# long conversation in Chromium: $(date -u +%F), $MESSAGES messages, $(nproc) cores, $(chromium --version 2>/dev/null)"
BASE_URL="http://127.0.0.1:$PORT" CONVERSATION_ID="$conversation" RESULT_FILE="$RUN_DIR/result.json" \
  npx playwright test -c end2end/bench.config.ts
cat "$RUN_DIR/result.json"
