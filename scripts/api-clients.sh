#!/usr/bin/env bash
# Third-party clients against the release build: the official `openai` Python package streams and non-streams
# against /v1/chat/completions, and Schemathesis checks every /api/v1 route against the OpenAPI document. Both are
# installed from PyPI into a virtualenv of their own (.venv-api), once.
set -euo pipefail
cd "$(dirname "$0")/.."
OPENAI_VERSION=3.60.0
SCHEMATHESIS_VERSION=4.32.5
VENV=.venv-api
RUN_DIR=target/api-clients
MOCK_PORT=${MOCK_PORT:-3950}
APP_PORT=${APP_PORT:-3150}

log() { printf '\033[1;34m[api-clients]\033[0m %s\n' "$*"; }

wanted="openai==$OPENAI_VERSION schemathesis==$SCHEMATHESIS_VERSION"
if [ "$(cat "$VENV/.installed" 2>/dev/null)" != "$wanted" ]; then
  log "installing $wanted into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check $wanted
  echo "$wanted" > "$VENV/.installed"
fi

rm -rf "$RUN_DIR" && mkdir -p "$RUN_DIR"
# The server and mock binaries (scripts/test.sh points this at the ones `cargo test` built), and the list of the
# site's hashed file names that `cargo leptos build --release` writes.
BIN=${TALLY_BIN_DIR:-target/release}
HASH_FILE="$PWD/target/release/hash.txt"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

"$BIN/tally-mock-openai" --addr "127.0.0.1:$MOCK_PORT" --first-token-delay-ms 5 --token-delay-ms 2 \
  > "$RUN_DIR/mock.log" 2>&1 &
pids+=($!)
LEPTOS_OUTPUT_NAME=tally LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD LEPTOS_HASH_FILES=true LEPTOS_HASH_FILE_NAME="$HASH_FILE" \
LEPTOS_SITE_ADDR="127.0.0.1:$APP_PORT" DATA_DIR="$RUN_DIR/data" \
PROVIDERS=mock PROVIDER_MOCK_BASE_URL="http://127.0.0.1:$MOCK_PORT/v1" PROVIDER_MOCK_API_KEY=api-test-key \
PROVIDER_MOCK_MODELS=mock-model PROVIDER_MOCK_LABEL=Mock \
USER_MESSAGES_PER_MINUTE=100000 USER_MESSAGES_PER_DAY=1000000 USER_TOKENS_PER_DAY=1000000000000 \
IP_REQUESTS_PER_SECOND=10000 SIGN_UPS_PER_IP=100000 \
  "$BIN/tally" > "$RUN_DIR/server.log" 2>&1 &
pids+=($!)
base="http://127.0.0.1:$APP_PORT"
for _ in $(seq 1 100); do
  if curl -fsS "$base/healthz" >/dev/null 2>&1; then break; fi
  sleep 0.1
done
curl -fsS "$base/healthz" >/dev/null || { cat "$RUN_DIR/server.log"; exit 1; }

# A user and a key, the way the README's curl session makes them.
token=$(curl -fsS "$base/api/v1/auth/register" -H 'content-type: application/json' \
  -d '{"username":"api_clients","email":"api_clients@example.com","password":"Client-Checks-2026"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
key=$(curl -fsS "$base/api/v1/keys" -H "authorization: Bearer $token" -H 'content-type: application/json' \
  -d '{"name":"openai package"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')

status=0
log "the openai package against /v1/chat/completions"
TALLY_BASE_URL="$base" TALLY_API_KEY="$key" "$VENV/bin/python" tests/python/openai_client.py || status=1

# Every route of the document signed in with an access token: no 5xx, every status and content type documented,
# every body matching its schema. Signing out ends the token's session, so that one route runs last and alone.
# Time-boxed; the seed keeps a run reproducible.
checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
log "Schemathesis against /api/v1/openapi.json (signed in)"
"$VENV/bin/schemathesis" run "$base/api/v1/openapi.json" -H "Authorization: Bearer $token" --checks "$checks" \
  --exclude-path /api/v1/auth/logout --max-examples 15 --max-time 80 --seed 1 --no-color \
  > "$RUN_DIR/schemathesis.log" 2>&1 || status=1
"$VENV/bin/schemathesis" run "$base/api/v1/openapi.json" -H "Authorization: Bearer $token" --checks "$checks" \
  --include-path /api/v1/auth/logout --max-examples 15 --max-time 10 --seed 1 --no-color \
  > "$RUN_DIR/schemathesis-logout.log" 2>&1 || status=1
tail -n 40 "$RUN_DIR/schemathesis.log"
tail -n 8 "$RUN_DIR/schemathesis-logout.log"

if [ "$status" != 0 ]; then
  echo "--- server log (last 60 lines) ---"; tail -n 60 "$RUN_DIR/server.log"
fi
exit "$status"
