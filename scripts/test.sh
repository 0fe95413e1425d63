#!/usr/bin/env bash
# Runs every check and test: formatting, lints for both targets, unit and integration tests, the release build,
# and the browser suite in Chromium against the built app and a mock model upstream.
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_BROWSER=1 scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
# Each step prints the minutes spent so far, so a slow run shows where its time went.
step() { printf '\n\033[1;34m== %s\033[0m (at %dm%02ds)\n' "$*" $((SECONDS / 60)) $((SECONDS % 60)); }
trap 'printf "\n== finished in %dm%02ds\n" $((SECONDS / 60)) $((SECONDS % 60))' EXIT

step "format"
cargo fmt --all -- --check

step "lint (server)"
cargo clippy --all-targets --features ssr -- -D warnings

step "build without the offline model (feature embedded-model off)"
cargo check --no-default-features --features ssr --bins

step "lint (browser)"
cargo clippy --lib --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings

step "unit and integration tests (SQLite)"
cargo test --features ssr

# The same integration tests against PostgreSQL, each test in a fresh database of its own.
PG_URL=${TALLY_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
pg_hostport=$(printf '%s' "$PG_URL" | sed -E 's#^[a-z]+://([^@/]*@)?([^/:?]+)(:([0-9]+))?.*#\2 \4#')
read -r pg_host pg_port <<<"$pg_hostport"
if (exec 3<>"/dev/tcp/$pg_host/${pg_port:-5432}") 2>/dev/null; then
  step "integration tests (PostgreSQL at $pg_host:${pg_port:-5432})"
  TALLY_TEST_DATABASE=postgres TALLY_TEST_POSTGRES_URL="$PG_URL" cargo test --features ssr --test '*'
else
  printf '\n\033[1;33m== SKIPPED: integration tests on PostgreSQL: nothing listens on %s:%s (set TALLY_TEST_POSTGRES_URL)\033[0m\n' \
    "$pg_host" "${pg_port:-5432}"
fi

step "release build (server, wasm, and the mock and bench tools in the same cargo run)"
# One `cargo build` for all three binaries: same features, same environment, so the dependencies compile once.
# (Driving the suites below with the binaries `cargo test` built would save the 20-odd minutes of the optimised
# server build, but the browser suite then timed out on a page load now and then; see docs/benchmarks.md.)
cargo leptos build --release --precompress \
  --bin-cargo-args=--bin=tally-mock-openai --bin-cargo-args=--bin=tally-bench

step "API clients (the openai package, Schemathesis)"
scripts/api-clients.sh

step "browser tests"
end2end/run.sh
