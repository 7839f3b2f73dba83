#!/usr/bin/env bash
# Builds the fuzz targets in fuzz/ (with clang++) and runs each for a bounded time, starting
# from its committed seed corpus in fuzz/corpus/<target>/ (left unchanged; new inputs go to a
# scratch directory). Usage: scripts/fuzz.sh [seconds per target, default 60]
# A crash stops the script with the fuzzer's report; the input is kept under the build dir.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
build="${STACKLITE_FUZZ_BUILD:-build-fuzz}"
STACKLITE_FUZZ=1 scripts/install-deps.sh
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DSTACKLITE_FUZZ=ON -DSTACKLITE_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target fuzz_page_decoder fuzz_link_header fuzz_spec_loader fuzz_time_value fuzz_message
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

run() {
  local target=$1 dict=$2
  local scratch="$build/fuzz-work/$target" artifacts="$build/fuzz-artifacts/$target/" log="$build/fuzz-$target.log"
  mkdir -p "$scratch" "$artifacts"
  echo "== fuzz_$target: ${seconds}s"
  if ! "$build/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=32768 \
      -dict="fuzz/$dict" -artifact_prefix="$artifacts" -print_final_stats=1 "$scratch" "fuzz/corpus/$target" >"$log" 2>&1; then
    tail -n 80 "$log"
    echo "fuzz_$target failed; the input is kept in $artifacts" >&2
    exit 1
  fi
  grep -E '^#[0-9]+[[:space:]]+DONE|^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$log"
}

run page_decoder json.dict
run link_header link.dict
run spec_loader json.dict
run time_value time.dict
run message json.dict
