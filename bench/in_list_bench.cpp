// IN-list benchmark: `id IN (N ids) LIMIT 1` and `owner IN (K) AND repo IN (K) LIMIT 1`
// against the loopback demo server (a separate process); prints rows, wall time and this
// process's peak memory, which must not grow with the number of targets the lists make.
// "plain" runs the same id list against an ordinary table: what SQLite alone holds for it.
// Usage: in_list_bench [N_IDS [K_PAIRS]]   (default: 100000 1000); each in a fresh process.
#include <spawn.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

extern char** environ;

namespace {

long peak_rss_kib() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

long current_rss_kib() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  long pages = 0, resident = 0;
  if (f) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

long long first_value(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  long long v = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
    v = sqlite3_column_int64(stmt, 0);
  else
    std::fprintf(stderr, "query failed: %s\n", sqlite3_errmsg(db));
  sqlite3_finalize(stmt);
  return v;
}

// kind "ids": id IN (n ids), the smallest of them a real run; "pairs": owner IN (n) AND
// repo IN (n), the first pair real. Either way LIMIT 1 needs one request.
int measure(const std::string& kind, long n) {
  int out[2], in[2];
  if (pipe(out) != 0 || pipe(in) != 0) return 1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  posix_spawn_file_actions_addclose(&actions, in[1]);
  const char* argv[] = {STACKLITE_DEMO_SERVER, "--synthetic", "20", "--owner", "bench", "--repo", "runs", nullptr};
  pid_t server = 0;
  if (posix_spawn(&server, STACKLITE_DEMO_SERVER, &actions, nullptr, const_cast<char**>(argv), environ) != 0) return 1;
  close(out[1]);
  close(in[0]);
  char url[256] = {0};
  ssize_t got = read(out[0], url, sizeof url - 1);
  if (got <= 0) return 1;
  url[strcspn(url, "\n")] = 0;
  setenv("GITHUB_API_URL", url, 1);
  unsetenv("GITHUB_TOKEN");
  unsetenv("GH_TOKEN");

  sqlite3* db = nullptr;
  sqlite3_open(":memory:", &db);
  sqlite3_enable_load_extension(db, 1);
  char* err = nullptr;
  if (sqlite3_load_extension(db, STACKLITE_EXTENSION_PATH, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "load failed: %s\n", err);
    return 1;
  }
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
  long long id = first_value(db, sql.c_str());
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  long peak = peak_rss_kib();
  std::printf(
      "%-5s n=%-7ld targets=%-8lld row_id_ok=%d seconds=%.3f rss_before_kib=%ld peak_rss_kib=%ld growth_kib=%ld\n",
      kind.c_str(), n, kind != "pairs" ? static_cast<long long>(n) : static_cast<long long>(n) * n,
      id == real_id || (kind == "pairs" && id > 0), seconds, before, peak, peak - before);
  sqlite3_close(db);
  close(in[1]);  // the server exits when its stdin closes
  int status = 0;
  waitpid(server, &status, 0);
  return id > 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--one") return measure(argv[2], std::atol(argv[3]));
  std::string ids = argc > 1 ? argv[1] : "100000", pairs = argc > 2 ? argv[2] : "1000";
  int failures = 0;
  for (const auto& [kind, n] : {std::pair<const char*, std::string>{"plain", ids}, {"ids", ids}, {"pairs", pairs}}) {
    // A fresh process per measurement, so each peak is its own.
    const char* child_argv[] = {"/proc/self/exe", "--one", kind, n.c_str(), nullptr};
    pid_t pid = 0;
    if (posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, const_cast<char**>(child_argv), environ) != 0) return 1;
    int status = 0;
    waitpid(pid, &status, 0);
    failures += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  return failures ? 1 : 0;
}
