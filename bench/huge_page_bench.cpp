// Huge-page benchmark: one run whose display_title is N MiB, served by a minimal loopback
// HTTP server in a forked child (its memory is not counted), read through the extension as
// `SELECT length(display_title) ...`. Prints the outcome and this process's peak memory, so
// the page cap and the copies a huge cell costs can be measured.
// Usage: huge_page_bench [MiB ...]   (default: 1 31 250); each size runs in a fresh process.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench_support.hpp"

namespace {

using namespace stacklite::bench;

bool send_all(int fd, const char* p, size_t n) {
  while (n) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Answers every request with {"id":1,"display_title":"xxx…"} (mib MiB of x), written in
// chunks so the server never holds the page.
[[noreturn]] void serve(int listener, size_t mib) {
  const std::string head = "{\"id\":1,\"display_title\":\"", tail = "\"}";
  const size_t title = mib << 20;
  std::string chunk(1 << 16, 'x');
  for (;;) {
    int fd = ::accept(listener, nullptr, nullptr);
    if (fd < 0) continue;
    char buf[4096];
    std::string request;
    while (request.find("\r\n\r\n") == std::string::npos) {
      ssize_t r = ::recv(fd, buf, sizeof buf, 0);
      if (r <= 0) break;
      request.append(buf, static_cast<size_t>(r));
    }
    std::string response =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
        std::to_string(head.size() + title + tail.size()) + "\r\n\r\n" + head;
    bool ok = send_all(fd, response.data(), response.size());
    for (size_t left = title; ok && left;) {
      size_t n = left < chunk.size() ? left : chunk.size();
      ok = send_all(fd, chunk.data(), n);
      left -= n;
    }
    if (ok) send_all(fd, tail.data(), tail.size());
    ::close(fd);
  }
}

int measure(size_t mib) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener, 8) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    return 1;
  pid_t server = ::fork();
  if (server == 0) serve(listener, mib);
  ::close(listener);
  std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  point_at(url);
  sqlite3* db = open_with_stacklite();
  if (!db) {
    ::kill(server, SIGKILL);
    ::waitpid(server, nullptr, 0);
    return 1;
  }
  sqlite3_exec(db, "SELECT stacklite_config('max_retries', 0), stacklite_config('cache', 0)", nullptr, nullptr,
               nullptr);
  long before = peak_rss_kib();
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT length(display_title) FROM workflow_runs WHERE owner = 'b' AND repo = 'r' AND id = 1",
                     -1, &stmt, nullptr);
  std::string outcome;
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW)
    outcome = "length=" + std::to_string(sqlite3_column_int64(stmt, 0));
  else
    outcome = std::string("error=\"") + sqlite3_errmsg(db) + "\"";
  sqlite3_finalize(stmt);
  long peak = peak_rss_kib();
  std::printf("page_mib=%zu %s rss_before_kib=%ld peak_rss_kib=%ld growth_kib=%ld\n", mib, outcome.c_str(), before,
              peak, peak - before);
  std::fflush(stdout);
  sqlite3_close(db);
  ::kill(server, SIGKILL);
  ::waitpid(server, nullptr, 0);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--one") == 0) return measure(std::strtoul(argv[2], nullptr, 10));
  std::vector<std::vector<std::string>> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back({argv[i]});
  if (sizes.empty()) sizes = {{"1"}, {"31"}, {"250"}};
  return each_in_own_process(sizes) ? 1 : 0;
}
