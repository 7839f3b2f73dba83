#!/usr/bin/env bash
# Runs every sql_examples/*.sql through the sqlite3 shell against the demo server and
# compares the output with the .expected file beside it.
# Usage: run_examples.sh EXTENSION DEMO_SERVER EXAMPLES_DIR  (UPDATE=1 rewrites .expected)
set -euo pipefail
extension="$1" server="$2" dir="$3"
coproc SERVER { exec "$server"; }
trap 'kill "$SERVER_PID" 2>/dev/null || true' EXIT
read -r base_url <&"${SERVER[0]}"
export GITHUB_API_URL="$base_url"
unset GITHUB_TOKEN GH_TOKEN
passed=0 failed=0
for sql in "$dir"/*.sql; do
  expected="${sql%.sql}.expected"
  actual=$(sqlite3 -bail -cmd ".load ${extension%.so}" -cmd ".headers on" -cmd ".mode column" :memory: < "$sql" 2>&1) || true
  if [[ "${UPDATE:-0}" == 1 ]]; then printf '%s\n' "$actual" > "$expected"; fi
  if [[ -f "$expected" ]] && diff -u "$expected" <(printf '%s\n' "$actual"); then
    passed=$((passed + 1))
  else
    echo "FAILED: $sql"
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
