// Loopback servers that misbehave below HTTP, where no HTTP library would let a test go:
// a listener that never accepts, one that trickles a body forever, one that answers with
// exact bytes. And the fixture the fault and hostile-server tests share: one repository of
// 250 runs on the GitHub fake, with the rows a listing of it must return.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "harness.hpp"

namespace stacklite::testing {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The repository every test of OneRepositoryTest lists, and the queries over it.
constexpr const char* kRepo = "owner = 'octo-org' AND repo = 'octo-repo'";
inline const std::string kRows =
    std::string("SELECT id, head_branch, status, conclusion FROM workflow_runs WHERE ") + kRepo;
inline const std::string kCount = std::string("SELECT count(*) FROM workflow_runs WHERE ") + kRepo;
inline const std::string kListPath = "/repos/octo-org/octo-repo/actions/runs";

// One repository of 250 runs (three pages of 100) and a connection to it.
class OneRepositoryTest : public RepositoryTest<250> {
 protected:
  // What kRows must return: every run once, newest first.
  Rows expected_rows() {
    Rows rows;
    for (const WorkflowRun& r : server_->snapshot().runs_for("octo-org", "octo-repo"))
      rows.push_back({std::to_string(r.id), r.head_branch, r.status, r.conclusion.empty() ? "NULL" : r.conclusion});
    return rows;
  }
  // How many requests had `query_part` in their path and query.
  size_t requests_to(const std::string& query_part) {
    size_t n = 0;
    for (const auto& r : api_requests()) n += (r.path + "?" + r.query).find(query_part) != std::string::npos;
    return n;
  }
};

// A socket listening on 127.0.0.1 at a port of the kernel's choosing.
class LoopbackListener {
 public:
  explicit LoopbackListener(int backlog) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    addr_.sin_family = AF_INET;
    addr_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr_;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr_), len) != 0 || listen(fd_, backlog) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr_), &len) != 0)
      throw std::runtime_error("cannot listen on loopback");
  }
  ~LoopbackListener() { close(fd_); }
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(ntohs(addr_.sin_port)); }
  int fd() const { return fd_; }
  const sockaddr_in& address() const { return addr_; }

 private:
  int fd_ = -1;
  sockaddr_in addr_{};
};

// Accepts connections on its own thread and hands each to `serve_one` (which closes it);
// `stopping()` tells a long handler when the server is being destroyed.
class AcceptLoop {
 public:
  explicit AcceptLoop(std::function<void(int connection)> serve_one) : serve_one_(std::move(serve_one)) {
    thread_ = std::thread([this] {
      while (!stop_) {
        pollfd p{listener_.fd(), POLLIN, 0};
        if (poll(&p, 1, 50) <= 0) continue;
        int c = accept(listener_.fd(), nullptr, nullptr);
        if (c >= 0) serve_one_(c);
      }
    });
  }
  ~AcceptLoop() {
    stop_ = true;
    thread_.join();
  }
  std::string url() const { return listener_.url(); }
  bool stopping() const { return stop_; }

  // Reads one request's head (up to the blank line) from `c`.
  static std::string read_head(int c) {
    char buf[4096];
    std::string request;
    while (request.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = recv(c, buf, sizeof buf, 0);
      if (n <= 0) break;
      request.append(buf, static_cast<size_t>(n));
    }
    return request;
  }

 private:
  LoopbackListener listener_{8};
  std::function<void(int)> serve_one_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// A loopback listener that never accepts, with its queue already full: connecting hangs.
class BlackHole {
 public:
  BlackHole() : listener_(0) {
    for (int i = 0; i < 3; ++i) {
      int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      connect(c, reinterpret_cast<const sockaddr*>(&listener_.address()), sizeof(sockaddr_in));
      fillers_.push_back(c);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ~BlackHole() {
    for (int c : fillers_) close(c);
  }
  std::string url() const { return listener_.url(); }

 private:
  LoopbackListener listener_;
  std::vector<int> fillers_;
};

// Answers every request with a 200 promising a large body and then sends one byte of it
// every `interval`: it never stalls, and never finishes.
class TrickleServer {
 public:
  explicit TrickleServer(std::chrono::milliseconds interval)
      : interval_(interval), loop_([this](int c) { trickle(c); }) {}
  std::string url() const { return loop_.url(); }
  int requests() const { return requests_; }

 private:
  void trickle(int c) {
    ++requests_;
    AcceptLoop::read_head(c);
    std::string head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n[";
    bool ok = send(c, head.data(), head.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(head.size());
    while (ok && !loop_.stopping()) {
      std::this_thread::sleep_for(interval_);
      ok = send(c, " ", 1, MSG_NOSIGNAL) == 1;
    }
    close(c);
  }
  std::chrono::milliseconds interval_;
  std::atomic<int> requests_{0};
  AcceptLoop loop_;  // last: its thread starts once the members it uses exist
};

// Answers each request (one per connection) with the exact bytes `respond` returns, so a
// test can send what no HTTP library would: a bare CR in a header. Keeps every request's
// raw bytes.
class RawServer {
 public:
  explicit RawServer(std::function<std::string(const std::string& request)> respond)
      : respond_(std::move(respond)), loop_([this](int c) { answer(c); }) {}
  std::string url() const { return loop_.url(); }
  std::vector<std::string> requests() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }

 private:
  void answer(int c) {
    std::string request = AcceptLoop::read_head(c);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      requests_.push_back(request);
    }
    std::string response = respond_(request);
    send(c, response.data(), response.size(), MSG_NOSIGNAL);
    close(c);
  }
  std::function<std::string(const std::string&)> respond_;
  mutable std::mutex mutex_;
  std::vector<std::string> requests_;
  AcceptLoop loop_;  // last: its thread starts once the members it uses exist
};

}  // namespace stacklite::testing
