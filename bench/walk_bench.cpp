// Listing walk benchmark: how many requests a listing costs when it pages by number (a
// stable listing), when it walks by date (a statement that writes to the runs it lists; a
// busy repository), and past the unfiltered pagination limit. Prints counts; asserts nothing.
// Usage: walk_bench [N]   (default 5000 runs; the huge case lists 45,000 past a 40,000 limit)
#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench_support.hpp"
#include "fake_github.hpp"

namespace {

using stacklite::testserver::FakeGitHub;
using stacklite::testserver::Options;

struct Counts {
  long long rows = -1;
  long gets = 0, writes = 0;
};

Counts run(FakeGitHub& server, const std::string& sql) {
  stacklite::bench::point_at(server.base_url());
  Counts c;
  sqlite3* db = stacklite::bench::open_with_stacklite();
  if (!db) return c;
  sqlite3_exec(db, "SELECT stacklite_config('write_interval_ms', 0)", nullptr, nullptr, nullptr);
  server.clear_requests();
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
  if (stmt && sqlite3_step(stmt) == SQLITE_ROW)
    c.rows = sqlite3_column_int64(stmt, 0);
  else
    std::fprintf(stderr, "query failed: %s\n", sqlite3_errmsg(db));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  for (const auto& r : server.requests()) (r.method == "GET" ? c.gets : c.writes)++;
  return c;
}

void report(const char* scenario, const char* walk, int runs, const Counts& c) {
  std::printf("%-38s walk=%-5s runs=%-6d rows=%-6lld get_requests=%-4ld writes=%-5ld pages_of_100=%lld\n", scenario,
              walk, runs, c.rows, c.gets, c.writes, (c.rows + 99) / 100);
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 5000;
  const std::string from = " FROM workflow_runs WHERE owner = 'bench' AND repo = 'runs'";
  {
    FakeGitHub server(stacklite::testserver::synthetic_dataset("bench", "runs", n));
    report("full listing", "page", n, run(server, "SELECT count(*)" + from));
    report("filtered listing (event = push)", "page", n, run(server, "SELECT count(*)" + from + " AND event = 'push'"));
  }
  {
    // A write to each run that leaves the listing as it was: the same listing, keyed.
    FakeGitHub server(stacklite::testserver::synthetic_dataset("bench", "runs", n));
    report("full listing, each run's logs deleted", "keyed", n,
           run(server, "SELECT count(delete_workflow_run_logs(owner, repo, id))" + from));
  }
  {
    FakeGitHub server(stacklite::testserver::synthetic_dataset("bench", "runs", n));
    report("delete over own listing (push)", "keyed", n,
           run(server, "SELECT count(delete_workflow_run(owner, repo, id))" + from + " AND event = 'push'"));
  }
  {
    FakeGitHub server(stacklite::testserver::synthetic_dataset("bench", "runs", n));
    report("re-run over own listing (failure)", "keyed", n,
           run(server, "SELECT count(re_run_workflow(owner, repo, id))" + from + " AND conclusion = 'failure'"));
  }
  {
    Options busy;
    busy.busy = {"bench", "runs", 3, 3, 1};
    FakeGitHub server(stacklite::testserver::synthetic_dataset("bench", "runs", n), busy);
    report("busy repository (+3/-3 per request)", "keyed", n, run(server, "SELECT count(*)" + from));
  }
  {
    Options huge;
    huge.unfiltered_page_limit = 40000;
    const int big = 45000;
    FakeGitHub server(stacklite::testserver::synthetic_dataset("bench", "runs", big), huge);
    report("huge repository (limit 40,000)", "page", big,
           run(server, "SELECT count(*)" + from + " AND exclude_pull_requests = 1"));
  }
  return 0;
}
