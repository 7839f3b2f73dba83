// IN-list benchmark: `id IN (N ids) LIMIT 1` and `owner IN (K) AND repo IN (K) LIMIT 1`
// against the loopback demo server (a separate process); prints rows, wall time and this
// process's peak memory, which must not grow with the number of targets the lists make.
// "plain" runs the same id list against an ordinary table: what SQLite alone holds for it.
// Usage: in_list_bench [N_IDS [K_PAIRS]]   (default: 100000 1000); each in a fresh process.
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_support.hpp"

namespace {

using namespace stacklite::bench;

// kind "ids": id IN (n ids), the smallest of them a real run; "pairs": owner IN (n) AND
// repo IN (n), the first pair real. Either way LIMIT 1 needs one request.
int measure(const std::string& kind, long n) {
  DemoServer server({"--synthetic", "20", "--owner", "bench", "--repo", "runs"});
  if (server.url().empty()) return 1;
  point_at(server.url());
  sqlite3* db = open_with_stacklite();
  if (!db) return 1;
  long long real_id = first_value(db, "SELECT min(id) FROM workflow_runs WHERE owner = 'bench' AND repo = 'runs'");
  std::string sql;
  if (kind == "ids" || kind == "plain") {
    // "plain": the same list against an ordinary table, for what SQLite itself holds.
    if (kind == "plain")
      sqlite3_exec(db, ("CREATE TABLE plain(id); INSERT INTO plain VALUES (" + std::to_string(real_id) + ")").c_str(),
                   nullptr, nullptr, nullptr);
    sql = std::string(kind == "ids" ? "SELECT id FROM workflow_runs WHERE owner = 'bench' AND repo = 'runs'"
                                    : "SELECT id FROM plain WHERE 1") +
          " AND id IN (" + std::to_string(real_id);
    for (long i = 1; i < n; ++i) sql += "," + std::to_string(real_id + 1000000000LL + i);
    sql += ") LIMIT 1";
  } else {
    std::string owners = "'bench'", repos = "'runs'";
    for (long i = 1; i < n; ++i) {
      owners += ",'zz-owner-" + std::to_string(i) + "'";
      repos += ",'zz-repo-" + std::to_string(i) + "'";
    }
    sql = "SELECT id FROM workflow_runs WHERE owner IN (" + owners + ") AND repo IN (" + repos + ") LIMIT 1";
  }
  long before = current_rss_kib();
  auto start = std::chrono::steady_clock::now();
  long long id = first_value(db, sql);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  long peak = peak_rss_kib();
  std::printf(
      "%-5s n=%-7ld targets=%-8lld row_id_ok=%d seconds=%.3f rss_before_kib=%ld peak_rss_kib=%ld growth_kib=%ld\n",
      kind.c_str(), n, kind != "pairs" ? static_cast<long long>(n) : static_cast<long long>(n) * n,
      id == real_id || (kind == "pairs" && id > 0), seconds, before, peak, peak - before);
  sqlite3_close(db);
  return id > 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--one") return measure(argv[2], std::atol(argv[3]));
  std::string ids = argc > 1 ? argv[1] : "100000", pairs = argc > 2 ? argv[2] : "1000";
  return each_in_own_process({{"plain", ids}, {"ids", ids}, {"pairs", pairs}}) ? 1 : 0;
}
