#!/usr/bin/env bash
# Footprint benchmark: release wasm size (raw and gzip), first-load transfer in Chromium, cold start to first
# response, and server RSS at idle and after a few streamed answers. Needs the release build that
# scripts/test.sh makes (target/release/tally, target/site, target/release/tally-mock-openai).
# Prints a Markdown table for docs/benchmarks.md. Everything runs on 127.0.0.1 and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

APP_PORT=${APP_PORT:-3200}
MOCK_PORT=${MOCK_PORT:-3901}
RUNS=${RUNS:-5}
RUN_DIR=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$RUN_DIR"; }
trap cleanup EXIT

# Hashed file names (LEPTOS_HASH_FILES): tally.<hash>.wasm and so on; the newest of each kind is this build's.
pkg_file() { ls -t target/site/pkg/tally*."$1" 2>/dev/null | grep -v '\.\(gz\|br\)$' | head -1; }
for f in target/release/tally target/release/tally-mock-openai "$(pkg_file wasm)"; do
  [ -e "$f" ] || { echo "missing $f: run scripts/test.sh (or cargo leptos build --release) first" >&2; exit 1; }
done

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
now_ns() { date +%s%N; }

target/release/tally-mock-openai --addr "127.0.0.1:$MOCK_PORT" --first-token-delay-ms 50 --token-delay-ms 5 \
  > "$RUN_DIR/mock.log" 2>&1 &
pids+=($!)

start_server() {
  LEPTOS_OUTPUT_NAME=tally LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD LEPTOS_HASH_FILES=true \
  LEPTOS_SITE_ADDR="127.0.0.1:$APP_PORT" DATA_DIR="$1" RUST_LOG=warn \
  PROVIDERS=mock PROVIDER_MOCK_BASE_URL="http://127.0.0.1:$MOCK_PORT/v1" PROVIDER_MOCK_API_KEY=bench-key \
  PROVIDER_MOCK_MODELS=mock-model GUEST_MESSAGES_PER_MINUTE=1000 GUEST_MESSAGES_PER_DAY=100000 GUEST_TOKENS_PER_DAY=1000000000 IP_REQUESTS_PER_SECOND=1000 \
    target/release/tally > "$RUN_DIR/server.log" 2>&1 &
  server=$!
}

# Cold start: process spawn to the first 200 of the chat page (fresh database each run, so migrations included).
cold=()
for i in $(seq 1 "$RUNS"); do
  t0=$(now_ns)
  start_server "$RUN_DIR/data-$i"
  until curl -fs -o /dev/null "http://127.0.0.1:$APP_PORT/"; do sleep 0.005; done
  t1=$(now_ns)
  cold+=($(( (t1 - t0) / 1000000 )))
  kill "$server"; wait "$server" 2>/dev/null || true
done
cold_sorted=$(printf '%s\n' "${cold[@]}" | sort -n | tr '\n' ' ')
cold_median=$(printf '%s\n' "${cold[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')

start_server "$RUN_DIR/data"
pids+=("$server")
until curl -fs -o /dev/null "http://127.0.0.1:$APP_PORT/healthz"; do sleep 0.01; done
curl -fs -o /dev/null "http://127.0.0.1:$APP_PORT/"
sleep 1
idle_rss=$(rss_kb "$server")

# First load as a browser sees it: every byte over the wire until the page is hydrated.
first_load=$(BASE_URL="http://127.0.0.1:$APP_PORT" node end2end/bench/first-load.mjs)

# A few streamed answers, then RSS again.
jar="$RUN_DIR/cookies"
for i in $(seq 1 20); do
  curl -fs -b "$jar" -c "$jar" -H 'content-type: application/json' \
    -d "{\"request\":{\"conversation_id\":null,\"content\":\"Benchmark question $i about deductions\"}}" \
    "http://127.0.0.1:$APP_PORT/api/chat/send" > /dev/null
done
after_rss=$(rss_kb "$server")

wasm=$(pkg_file wasm)
wasm_raw=$(stat -c %s "$wasm")
wasm_gz=$(gzip -9 -c "$wasm" | wc -c)
js_raw=$(stat -c %s "$(pkg_file js)")
css_raw=$(stat -c %s "$(pkg_file css)")

cat <<EOF
| measure | value |
|---|---|
| release wasm, raw | $((wasm_raw / 1024)) KiB ($wasm_raw bytes) |
| release wasm, gzip -9 | $((wasm_gz / 1024)) KiB ($wasm_gz bytes) |
| JS glue / CSS, raw | $((js_raw / 1024)) KiB / $((css_raw / 1024)) KiB |
$first_load
| cold start to first page (median of $RUNS; all, ms) | $cold_median ms ($cold_sorted) |
| server RSS, idle after first page | $((idle_rss / 1024)) MiB ($idle_rss KiB) |
| server RSS after 20 streamed answers | $((after_rss / 1024)) MiB ($after_rss KiB) |
EOF
