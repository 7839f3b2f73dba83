#!/usr/bin/env bash
# The main job: builds the extension, starts the bundled demo server on loopback and runs
# an inventory query through the sqlite3 shell. Pass SQL as the first argument to run your own.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2 --target stacklite stacklite-demo-server >/dev/null

coproc SERVER { exec ./build/stacklite-demo-server; }
trap 'kill "$SERVER_PID" 2>/dev/null || true' EXIT
read -r base_url <&"${SERVER[0]}"
export GITHUB_API_URL="$base_url"
unset GITHUB_TOKEN GH_TOKEN
echo "demo server: $GITHUB_API_URL (bundled data: octo-org/octo-repo and more)" >&2

sql="${1:-$(cat sql_examples/failure_report.sql)}"
printf '%s\n' "$sql" >&2
printf '%s\n' "$sql" | sqlite3 -bail -cmd ".load ./build/stacklite" -cmd ".headers on" -cmd ".mode column" :memory:
