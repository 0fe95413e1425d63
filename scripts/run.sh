#!/usr/bin/env bash
# Installs what is missing, builds the release app and serves it on http://127.0.0.1:3000.
# Settings come from the environment or a .env file (see .env.example); the defaults need nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ -f .env ]; then set -a; . ./.env; set +a; fi
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
exec cargo leptos serve --release --precompress
