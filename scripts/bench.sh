#!/usr/bin/env bash
# The latency benchmark: stacklite against the wire (curl) and the peers users write
# (Octokit's paginate, a Python urllib + json loop), listing GitHub-sized runs from the
# loopback demo server with a per-request latency injected. Prints one table per latency.
#
# Usage: scripts/bench.sh [--quick]   (--quick: 0 and 50 ms only, no 100,000-run memory row)
# Needs: the Release build (made here), curl, python3, node and npm (Octokit is installed
# from npm into build/bench-node on first use; it is used by this benchmark only).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${STACKLITE_BUILD:-$root/build}
quick=0
[[ "${1:-}" == "--quick" ]] && quick=1
latencies=(0 50 300)
((quick)) && latencies=(0 50)
runs=10000
default_concurrency=$(awk '/constexpr long kDefaultMaxConcurrency/ {gsub(";", "", $NF); print $NF}' "$root/src/http/api_client.hpp")

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target stacklite stacklite-demo-server latency_bench >/dev/null

node_dir=$build/bench-node
if [[ ! -d $node_dir/node_modules/@octokit/plugin-paginate-rest ]]; then
  mkdir -p "$node_dir"
  (cd "$node_dir" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund @octokit/core@6 @octokit/plugin-paginate-rest@11 >/dev/null)
fi
cp "$root/bench/peers/octokit_paginate.mjs" "$node_dir/"

server_pid=
server_in=
stop_server() {
  if [[ -n $server_pid ]]; then
    exec {server_in}>&-
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}
trap stop_server EXIT

# start_server LATENCY_MS ARGS...: sets $url; the server stops when its stdin closes.
start_server() {
  local latency=$1
  shift
  local fifo_dir
  fifo_dir=$(mktemp -d)
  mkfifo "$fifo_dir/in" "$fifo_dir/out"
  "$build/stacklite-demo-server" --latency-ms "$latency" --threads 48 "$@" <"$fifo_dir/in" >"$fifo_dir/out" &
  server_pid=$!
  exec {server_in}>"$fifo_dir/in"
  read -r url <"$fifo_dir/out"
  rm -rf "$fifo_dir"
}

# Peak RSS (MiB) of a command, from /usr/bin/time-less /proc accounting: GNU time if present.
peak_of() {
  local out
  out=$( { /usr/bin/time -f 'peak_kib=%M' "$@" >/tmp/stacklite-bench.$$ ; } 2>&1 | grep peak_kib= | tail -1)
  cat /tmp/stacklite-bench.$$
  rm -f /tmp/stacklite-bench.$$
  echo "${out/peak_kib=/peak_rss_kib=}"
}

field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2" | head -1; }

# curl_floor N_URLS_FILE PARALLEL(0 = serial): the pages downloaded, nothing parsed.
curl_floor() {
  local list=$1 parallel=$2 args=()
  ((parallel > 0)) && args=(--parallel --parallel-immediate --parallel-max "$parallel")
  local start end
  start=$(date +%s.%N)
  curl -s --no-progress-meter --compressed -H 'User-Agent: bench' -H 'Accept: application/vnd.github+json' "${args[@]}" -K "$list"
  end=$(date +%s.%N)
  echo "wall_s=$(echo "$end - $start" | bc)"
}

# page_list URL OWNER REPO PAGES FILE: a curl config with every page URL of a listing.
page_list() {
  local base=$1 owner=$2 repo=$3 pages=$4 file=$5
  for ((p = 1; p <= pages; p++)); do
    echo "url = \"$base/repos/$owner/$repo/actions/runs?per_page=100&page=$p\""
    echo "output = /dev/null"
  done >>"$file"
}

row() { printf '%-38s %9s %13s %14s %9s\n' "$@"; }

list_sql="SELECT name FROM workflow_runs WHERE owner = 'bench' AND repo = 'runs'"
printf '\n10,000 GitHub-sized runs (about 12 KB each, 100 a page: 100 pages); default max_concurrency = %s\n' "$default_concurrency"
declare -A wall
for latency in "${latencies[@]}"; do
  start_server "$latency" --synthetic "$runs" --owner bench --repo runs
  export GITHUB_API_URL=$url
  unset GITHUB_TOKEN GH_TOKEN
  list=$(mktemp)
  page_list "$url" bench runs $(((runs + 99) / 100)) "$list"
  printf '\n== latency %s ms per request ==\n' "$latency"
  row "tool" "wall s" "first row s" "peak RSS MiB" "rows"
  for c in 1 "$default_concurrency"; do
    out=$("$build/bench/latency_bench" "$c" "$list_sql")
    wall["$latency,s$c"]=$(field wall_s "$out")
    row "stacklite max_concurrency=$c" "$(field wall_s "$out")" "$(field first_row_s "$out")" "$(field peak_rss_mib "$out")" "$(field rows "$out")"
  done
  out=$(curl_floor "$list" 0)
  wall["$latency,curl1"]=$(field wall_s "$out")
  row "curl, serial (floor)" "$(field wall_s "$out")" "" "" ""
  out=$(curl_floor "$list" "$default_concurrency")
  wall["$latency,curl$default_concurrency"]=$(field wall_s "$out")
  row "curl --parallel-max $default_concurrency (floor)" "$(field wall_s "$out")" "" "" ""
  out=$(peak_of node "$node_dir/octokit_paginate.mjs" "$url" bench runs)
  wall["$latency,octokit"]=$(field wall_s "$out")
  row "Octokit paginate" "$(field wall_s "$out")" "$(field first_row_s "$out")" "$(awk "BEGIN{printf \"%.1f\", $(field peak_rss_kib "$out")/1024}")" "$(field rows "$out")"
  out=$(peak_of python3 "$root/bench/peers/urllib_loop.py" "$url" bench runs)
  wall["$latency,python"]=$(field wall_s "$out")
  row "Python urllib + json" "$(field wall_s "$out")" "$(field first_row_s "$out")" "$(awk "BEGIN{printf \"%.1f\", $(field peak_rss_kib "$out")/1024}")" "$(field rows "$out")"
  rm -f "$list"
  stop_server
  d=$default_concurrency
  awk -v s="${wall[$latency,s$d]}" -v s1="${wall[$latency,s1]}" -v c1="${wall[$latency,curl1]}" -v cp="${wall[$latency,curl$d]}" \
      -v o="${wall[$latency,octokit]}" -v p="${wall[$latency,python]}" -v lat="$latency" -v d="$d" 'BEGIN {
    printf "ratios: stacklite(c=%d)/curl parallel %.2f, stacklite(c=1)/curl serial %.2f, Octokit/stacklite %.1fx, Python/stacklite %.1fx", d, s/cp, s1/c1, o/s, p/s
    if (lat > 0) printf ", stacklite(c=1)/(pages x latency) %.2f", s1/(100*lat/1000)
    printf "\n" }'
done

# The inventory: 20 repositories x 500 runs through one IN list.
latency=300
((quick)) && latency=50
start_server "$latency" --synthetic 500 --repos 20 --owner bench --repo repo
export GITHUB_API_URL=$url
in_list=$(for i in $(seq 1 20); do printf "'repo-%d'," "$i"; done)
inventory_sql="SELECT name FROM workflow_runs WHERE owner = 'bench' AND repo IN (${in_list%,})"
list=$(mktemp)
for i in $(seq 1 20); do page_list "$url" bench "repo-$i" 5 "$list"; done
printf '\n== inventory: 20 repositories x 500 runs through repo IN (...), latency %s ms ==\n' "$latency"
row "tool" "wall s" "first row s" "peak RSS MiB" "rows"
for c in 1 "$default_concurrency"; do
  out=$("$build/bench/latency_bench" "$c" "$inventory_sql")
  row "stacklite max_concurrency=$c" "$(field wall_s "$out")" "$(field first_row_s "$out")" "$(field peak_rss_mib "$out")" "$(field rows "$out")"
  inv_s=$(field wall_s "$out")
done
out=$(curl_floor "$list" "$default_concurrency")
row "curl --parallel-max $default_concurrency (floor)" "$(field wall_s "$out")" "" "" ""
awk -v s="$inv_s" -v c="$(field wall_s "$out")" 'BEGIN { printf "ratio: stacklite/curl parallel %.2f\n", s/c }'
rm -f "$list"
# The same organization as a report writes it: its repositories from the repositories table,
# as an IN (SELECT ...) list and as a join (one scan per repository).
printf '\n== organization report: the 20 repositories from the repositories table, latency %s ms ==\n' "$latency"
row "form (max_concurrency=$default_concurrency)" "wall s" "first row s" "peak RSS MiB" "rows"
org_in_sql="SELECT name FROM workflow_runs WHERE owner = 'bench' AND repo IN (SELECT name FROM repositories WHERE owner = 'bench')"
org_join_sql="SELECT w.name FROM repositories r JOIN workflow_runs w ON w.owner = r.owner_login AND w.repo = r.name WHERE r.owner = 'bench'"
for form in in join; do
  sql=$org_in_sql
  [[ $form == join ]] && sql=$org_join_sql
  out=$("$build/bench/latency_bench" "$default_concurrency" "$sql")
  label="IN (SELECT name FROM repositories)"
  [[ $form == join ]] && label="repositories JOIN workflow_runs"
  row "$label" "$(field wall_s "$out")" "$(field first_row_s "$out")" "$(field peak_rss_mib "$out")" "$(field rows "$out")"
done
stop_server

# Memory against the number of runs, at 0 ms and the default concurrency.
printf '\n== peak RSS against the number of runs (0 ms, max_concurrency=%s) ==\n' "$default_concurrency"
row "runs" "wall s" "first row s" "peak RSS MiB" "rows"
sizes=(1000 10000 100000)
((quick)) && sizes=(1000 10000)
for n in "${sizes[@]}"; do
  start_server 0 --synthetic "$n" --owner bench --repo runs
  export GITHUB_API_URL=$url
  out=$("$build/bench/latency_bench" "$default_concurrency" "$list_sql")
  row "$n" "$(field wall_s "$out")" "$(field first_row_s "$out")" "$(field peak_rss_mib "$out")" "$(field rows "$out")"
  stop_server
done
