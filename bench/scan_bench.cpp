// Scan benchmark: lists N synthetic runs from the loopback demo server (a separate
// process) and prints rows, wall time and this process's peak memory, with the response
// cache off (pure streaming) and on (the default, bounded by cache_max_mb).
// Usage: scan_bench [N ...]   (default: 1000 10000); each measurement runs in a fresh process.
#include <signal.h>
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
#include <vector>

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

int measure(int n, bool cache) {
  // Start the server with n runs and read its base URL.
  int out[2], in[2];
  if (pipe(out) != 0 || pipe(in) != 0) return 1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  posix_spawn_file_actions_addclose(&actions, in[1]);
  std::string count = std::to_string(n);
  const char* argv[] = {
      STACKLITE_DEMO_SERVER, "--synthetic", count.c_str(), "--owner", "bench", "--repo", "runs", nullptr};
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
  close(in[1]);  // the server exits when its stdin closes
  int status = 0;
  waitpid(server, &status, 0);
  return rows == n ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--one") return measure(std::atoi(argv[2]), std::string(argv[3]) == "on");
  std::vector<std::string> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(argv[i]);
  if (sizes.empty()) sizes = {"1000", "10000"};
  int failures = 0;
  for (const char* cache : {"off", "on"}) {
    for (const auto& size : sizes) {
      // A fresh process per measurement, so each peak is its own.
      const char* child_argv[] = {"/proc/self/exe", "--one", size.c_str(), cache, nullptr};
      pid_t pid = 0;
      if (posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, const_cast<char**>(child_argv), environ) != 0) return 1;
      int status = 0;
      waitpid(pid, &status, 0);
      failures += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
  }
  return failures ? 1 : 0;
}
