#!/usr/bin/env bash
# Browser tests: starts the mock model upstream and the release server on loopback ports, runs Playwright in
# Debian's Chromium, and stops both whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN_DIR=end2end/.run
rm -rf "$RUN_DIR" && mkdir -p "$RUN_DIR"
MOCK_PORT=${MOCK_PORT:-3900}
APP_PORT=${APP_PORT:-3100}
# A second server with only the offline model (no provider configured), for the tests of offline tax answers.
OFFLINE_PORT=${OFFLINE_PORT:-3101}
# A third with a guest allowance of 2 questions a day, for the tests of the limits.
LIMITED_PORT=${LIMITED_PORT:-3102}

# The server and mock binaries (scripts/test.sh points this at the ones `cargo test` built), and the list of the
# site's hashed file names that `cargo leptos build --release` writes.
BIN=${TALLY_BIN_DIR:-target/release}
HASH_FILE="$PWD/target/release/hash.txt"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

"$BIN/tally-mock-openai" --addr "127.0.0.1:$MOCK_PORT" --first-token-delay-ms 150 --token-delay-ms 20 \
  --slow-token-delay-ms 250 > "$RUN_DIR/mock.log" 2>&1 &
pids+=($!)

# The first admin, made the way the README makes one (admin.spec.ts signs in as it).
DATA_DIR="$RUN_DIR/data" TALLY_ADMIN_PASSWORD=Admin-Ledger-2026 "$BIN/tally" admin create-user \
  --username e2e_admin --email e2e_admin@example.com --admin > "$RUN_DIR/admin.log" 2>&1

LEPTOS_OUTPUT_NAME=tally LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD LEPTOS_HASH_FILES=true LEPTOS_HASH_FILE_NAME="$HASH_FILE" \
LEPTOS_SITE_ADDR="127.0.0.1:$APP_PORT" DATA_DIR="$RUN_DIR/data" \
PROVIDERS=mock,backup \
PROVIDER_MOCK_BASE_URL="http://127.0.0.1:$MOCK_PORT/v1" PROVIDER_MOCK_API_KEY=e2e-test-key \
PROVIDER_MOCK_MODELS=mock-model,mock-large PROVIDER_MOCK_LABEL=Mock \
PROVIDER_BACKUP_BASE_URL="http://127.0.0.1:$MOCK_PORT/v1" PROVIDER_BACKUP_API_KEY=e2e-test-key \
PROVIDER_BACKUP_MODELS=backup-model PROVIDER_BACKUP_LABEL=Backup \
GUEST_MESSAGES_PER_MINUTE=1000 GUEST_MESSAGES_PER_DAY=100000 GUEST_TOKENS_PER_DAY=1000000000 IP_REQUESTS_PER_SECOND=1000 SIGN_UPS_PER_IP=10000 HUMAN_CHECK_MAX_NUMBER=20000 \
  "$BIN/tally" > "$RUN_DIR/server.log" 2>&1 &
pids+=($!)

LEPTOS_OUTPUT_NAME=tally LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD LEPTOS_HASH_FILES=true LEPTOS_HASH_FILE_NAME="$HASH_FILE" \
LEPTOS_SITE_ADDR="127.0.0.1:$OFFLINE_PORT" DATA_DIR="$RUN_DIR/offline-data" \
LOCAL_MODEL_PATH="$PWD/data/models/SmolLM2-135M-Instruct.Q4_1.gguf" \
GUEST_MESSAGES_PER_MINUTE=1000 GUEST_MESSAGES_PER_DAY=100000 GUEST_TOKENS_PER_DAY=1000000000 IP_REQUESTS_PER_SECOND=1000 SIGN_UPS_PER_IP=10000 HUMAN_CHECK_MAX_NUMBER=20000 \
  "$BIN/tally" > "$RUN_DIR/offline-server.log" 2>&1 &
pids+=($!)

LEPTOS_OUTPUT_NAME=tally LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD LEPTOS_HASH_FILES=true LEPTOS_HASH_FILE_NAME="$HASH_FILE" \
LEPTOS_SITE_ADDR="127.0.0.1:$LIMITED_PORT" DATA_DIR="$RUN_DIR/limited-data" \
PROVIDERS=mock PROVIDER_MOCK_BASE_URL="http://127.0.0.1:$MOCK_PORT/v1" PROVIDER_MOCK_API_KEY=e2e-test-key \
PROVIDER_MOCK_MODELS=mock-model PROVIDER_MOCK_LABEL=Mock \
GUEST_MESSAGES_PER_DAY=2 IP_REQUESTS_PER_SECOND=1000 \
  "$BIN/tally" > "$RUN_DIR/limited-server.log" 2>&1 &
pids+=($!)

for port in "$APP_PORT" "$OFFLINE_PORT" "$LIMITED_PORT"; do
  for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
    sleep 0.1
  done
done
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$APP_PORT/healthz" >/dev/null 2>&1; then break; fi
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$APP_PORT/healthz" >/dev/null || { cat "$RUN_DIR/server.log"; exit 1; }

status=0
BASE_URL="http://127.0.0.1:$APP_PORT" OFFLINE_BASE_URL="http://127.0.0.1:$OFFLINE_PORT" \
LIMITED_BASE_URL="http://127.0.0.1:$LIMITED_PORT" npx playwright test -c end2end/playwright.config.ts "$@" || status=$?
if [ "$status" != 0 ]; then
  echo "--- server log (last 60 lines) ---"; tail -n 60 "$RUN_DIR/server.log"
fi
exit "$status"
