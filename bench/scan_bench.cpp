// Scan benchmark: lists N synthetic runs from the loopback demo server (a separate
// process) and prints rows, wall time and this process's peak memory, with the response
// cache off (pure streaming) and on (the default, bounded by cache_max_mb).
// Usage: scan_bench [N ...]   (default: 1000 10000); each measurement runs in a fresh process.
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_support.hpp"

namespace {

using namespace stacklite::bench;

int measure(int n, bool cache) {
  DemoServer server({"--synthetic", std::to_string(n), "--owner", "bench", "--repo", "runs"});
  if (server.url().empty()) return 1;
  point_at(server.url());
  sqlite3* db = open_with_stacklite();
  if (!db) return 1;
  if (!cache) sqlite3_exec(db, "SELECT stacklite_config('cache', 0)", nullptr, nullptr, nullptr);
  long before = current_rss_kib();
  const char* sql =
      "SELECT count(*), sum(length(name)), sum(length(actor)), count(DISTINCT head_branch), "
      "sum(conclusion = 'failure') FROM workflow_runs WHERE owner = 'bench' AND repo = 'runs'";
  sqlite3_stmt* stmt = nullptr;
  auto start = std::chrono::steady_clock::now();
  sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
  long long rows = -1;
  if (sqlite3_step(stmt) == SQLITE_ROW)
    rows = sqlite3_column_int64(stmt, 0);
  else
    std::fprintf(stderr, "query failed: %s\n", sqlite3_errmsg(db));
  sqlite3_finalize(stmt);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  long peak = peak_rss_kib();
  std::printf(
      "runs=%-7d cache=%-3s rows=%-7lld seconds=%.3f rows_per_s=%.0f rss_before_kib=%ld peak_rss_kib=%ld "
      "growth_kib=%ld\n",
      n, cache ? "on" : "off", rows, seconds, rows / seconds, before, peak, peak - before);
  sqlite3_close(db);
  return rows == n ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--one") return measure(std::atoi(argv[2]), std::string(argv[3]) == "on");
  std::vector<std::string> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(argv[i]);
  if (sizes.empty()) sizes = {"1000", "10000"};
  std::vector<std::vector<std::string>> runs;
  for (const char* cache : {"off", "on"})
    for (const auto& size : sizes) runs.push_back({size, cache});
  return each_in_own_process(runs) ? 1 : 0;
}
