#!/usr/bin/env bash
# Runs every check and test: formatting, lints for both targets, unit and integration tests, the release build,
# and the browser suite in Chromium against the built app and a mock model upstream.
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_BROWSER=1 scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
step() { printf '\n\033[1;34m== %s\033[0m\n' "$*"; }

step "format"
cargo fmt --all -- --check

step "lint (server)"
cargo clippy --all-targets --features ssr -- -D warnings

step "build without the offline model (feature embedded-model off)"
cargo check --no-default-features --features ssr --bins

step "lint (browser)"
cargo clippy --lib --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings

step "unit and integration tests"
cargo test --features ssr

step "release build"
cargo leptos build --release
cargo build --release --no-default-features --features ssr,embedded-model --bin tally-mock-openai --bin tally-bench

step "browser tests"
end2end/run.sh
