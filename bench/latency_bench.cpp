// One stacklite measurement for scripts/bench.sh: runs a query against GITHUB_API_URL at a
// given max_concurrency and prints wall time, time to the first row, peak memory and what
// the rows add up to (so runs can be checked against the other tools' answers).
// Usage: latency_bench CONCURRENCY "SQL returning one text column per row"
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench_support.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: latency_bench CONCURRENCY SQL\n");
    return 2;
  }
  sqlite3* db = stacklite::bench::open_with_stacklite();
  if (!db) return 1;
  char* err = nullptr;
  std::string config = "SELECT stacklite_config('max_concurrency', " + std::string(argv[1]) + ")";
  if (sqlite3_exec(db, config.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "%s\n", err);
    return 1;
  }
  sqlite3_stmt* stmt = nullptr;
  auto start = std::chrono::steady_clock::now();
  if (sqlite3_prepare_v2(db, argv[2], -1, &stmt, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "%s\n", sqlite3_errmsg(db));
    return 1;
  }
  double first_row = -1;
  long long rows = 0, chars = 0;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (first_row < 0) first_row = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ++rows;
    chars += sqlite3_column_bytes(stmt, 0);
  }
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (rc != SQLITE_DONE) {
    std::fprintf(stderr, "query failed: %s\n", sqlite3_errmsg(db));
    return 1;
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  std::printf("wall_s=%.3f first_row_s=%.3f peak_rss_mib=%.1f rows=%lld name_chars=%lld\n", wall, first_row,
              stacklite::bench::peak_rss_kib() / 1024.0, rows, chars);
  return 0;
}
