// What every benchmark does besides its own measurement: read this process's memory, start
// the loopback demo server in its own process, point stacklite at a server, open a
// connection with the extension loaded, and run each measurement in a fresh process so each
// peak is its own. Benchmarks print numbers; they assert nothing.
#pragma once

#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern char** environ;

namespace stacklite::bench {

// The most this process has held resident so far, in KiB.
inline long peak_rss_kib() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// What this process holds resident now, in KiB.
inline long current_rss_kib() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  long pages = 0, resident = 0;
  if (f) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

// stacklite's GitHub tables talk to `url` with no token.
inline void point_at(const std::string& url) {
  setenv("GITHUB_API_URL", url.c_str(), 1);
  unsetenv("GITHUB_TOKEN");
  unsetenv("GH_TOKEN");
}

// The demo server (STACKLITE_DEMO_SERVER) in a process of its own, started with `args`; it
// prints its base URL on stdout and exits when its stdin closes, which the destructor does.
class DemoServer {
 public:
  explicit DemoServer(const std::vector<std::string>& args) {
#ifdef STACKLITE_DEMO_SERVER
    int out[2], in[2];
    if (pipe(out) != 0 || pipe(in) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addclose(&actions, in[1]);
    std::vector<char*> argv{const_cast<char*>(STACKLITE_DEMO_SERVER)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    int rc = posix_spawn(&pid_, STACKLITE_DEMO_SERVER, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    close(in[0]);
    stdin_ = in[1];
    if (rc != 0) {
      pid_ = 0;
      close(out[0]);
      return;
    }
    char url[256] = {0};
    ssize_t got = read(out[0], url, sizeof url - 1);
    close(out[0]);
    if (got > 0) url_.assign(url, strcspn(url, "\n"));
#else
    (void)args;
#endif
  }
  ~DemoServer() {
    if (stdin_ >= 0) close(stdin_);
    if (pid_ > 0) waitpid(pid_, nullptr, 0);
  }
  DemoServer(const DemoServer&) = delete;
  DemoServer& operator=(const DemoServer&) = delete;

  // The server's base URL; empty when it did not start.
  const std::string& url() const { return url_; }

 private:
  pid_t pid_ = 0;
  int stdin_ = -1;
  std::string url_;
};

// A fresh in-memory connection with the extension (STACKLITE_EXTENSION_PATH) loaded, or
// nullptr after saying why on stderr.
inline sqlite3* open_with_stacklite() {
  sqlite3* db = nullptr;
  sqlite3_open(":memory:", &db);
  sqlite3_enable_load_extension(db, 1);
  char* err = nullptr;
  if (sqlite3_load_extension(db, STACKLITE_EXTENSION_PATH, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "load failed: %s\n", err ? err : "?");
    sqlite3_free(err);
    sqlite3_close(db);
    return nullptr;
  }
  return db;
}

// The first column of the first row `sql` returns, or -1 after saying why on stderr.
inline long long first_value(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  long long v = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
    v = sqlite3_column_int64(stmt, 0);
  else
    std::fprintf(stderr, "query failed: %s\n", sqlite3_errmsg(db));
  sqlite3_finalize(stmt);
  return v;
}

// Runs this program again as `self --one ARGS...` for each entry of `runs`, one after the
// other, each in a fresh process so each peak is its own; returns how many failed.
inline int each_in_own_process(const std::vector<std::vector<std::string>>& runs) {
  int failures = 0;
  for (const auto& args : runs) {
    std::vector<char*> argv{const_cast<char*>("/proc/self/exe"), const_cast<char*>("--one")};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = 0;
    if (posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, argv.data(), environ) != 0) return failures + 1;
    int status = 0;
    waitpid(pid, &status, 0);
    failures += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  return failures;
}

}  // namespace stacklite::bench
