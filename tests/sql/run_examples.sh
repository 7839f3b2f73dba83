#!/usr/bin/env bash
# Runs every sql_examples/*.sql through the sqlite3 shell, each against a fresh demo server
# (some examples change its data), and compares the output with the .expected file beside it.
# The output is stdout and stderr (where a dry run's DELETE prints what it would send), with
# the server's address, which changes each run, written as $GITHUB_API_URL.
# Usage: run_examples.sh EXTENSION DEMO_SERVER EXAMPLES_DIR  (UPDATE=1 rewrites .expected)
set -euo pipefail
extension="$1" server="$2" dir="$3"
unset GITHUB_TOKEN GH_TOKEN
passed=0 failed=0
for sql in "$dir"/*.sql; do
  expected="${sql%.sql}.expected"
  coproc SERVER { exec "$server"; }
  read -r base_url <&"${SERVER[0]}"
  # From the examples' directory: an example may .read a saved report (reports/...).
  actual=$(cd "$dir" && GITHUB_API_URL="$base_url" sqlite3 -bail -cmd ".load ${extension%.so}" -cmd ".headers on" \
             -cmd ".mode column" :memory: < "$sql" 2>&1) || true
  actual=${actual//"$base_url"/'$GITHUB_API_URL'}
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
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
