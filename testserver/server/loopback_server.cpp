// The HTTP host under every fake: cpp-httplib on 127.0.0.1, the request log, the fault
// layer around the fake's handlers, and the socket tricks the library does not offer
// (resetting one connection, dropping idle keep-alive connections on shutdown).
#include "server/loopback_server.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace stacklite::testserver {

namespace {

RecordedRequest record_of(const Exchange& ex) {
  RecordedRequest r;
  r.method = ex.req.method;
  r.path = ex.raw_path;
  r.query = ex.raw_query;
  for (const auto& [k, v] : ex.query) r.params.emplace(k, v);
  for (const auto& [k, v] : ex.req.headers) {
    // The library adds the socket addresses as pseudo-headers; they were not sent.
    if (k == "REMOTE_ADDR" || k == "REMOTE_PORT" || k == "LOCAL_ADDR" || k == "LOCAL_PORT") continue;
    std::string name = k;
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers.emplace(std::move(name), v);
  }
  r.body = ex.req.body;
  r.remote_port = ex.req.remote_port;
  return r;
}

// ---------------------------------------------------------------------------------------
// Connections, located by their ports (the HTTP library does not expose its sockets).

template <class Fn>
void for_each_connection(int local_port, Fn fn) {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return;
  const int dir_fd = dirfd(dir);
  while (dirent* entry = readdir(dir)) {
    if (!std::isdigit(static_cast<unsigned char>(entry->d_name[0]))) continue;
    const int fd = std::atoi(entry->d_name);
    if (fd == dir_fd) continue;
    sockaddr_in self{}, peer{};
    socklen_t len = sizeof self;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&self), &len) != 0 || self.sin_family != AF_INET) continue;
    if (ntohs(self.sin_port) != local_port) continue;
    len = sizeof peer;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0) continue;
    fn(fd, static_cast<int>(ntohs(peer.sin_port)));
  }
  closedir(dir);
}

// Sends a TCP reset and leaves the descriptor pointing at /dev/null, so the library's own
// later writes fail quietly and its close() does not hit a reused descriptor.
void reset_connection(int local_port, int remote_port) {
  for_each_connection(local_port, [&](int fd, int peer_port) {
    if (peer_port != remote_port) return;
    linger abort_on_close{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull < 0) return;
    dup2(devnull, fd);
    close(devnull);
  });
}

// Counts accepted connections: the server hands each one to its task queue.
class CountingThreadPool : public httplib::ThreadPool {
 public:
  CountingThreadPool(size_t n, std::atomic<int>& counter) : ThreadPool(n), counter_(counter) {}
  void enqueue(std::function<void()> fn) override {
    ++counter_;
    ThreadPool::enqueue(std::move(fn));
  }

 private:
  std::atomic<int>& counter_;
};

}  // namespace

// ---------------------------------------------------------------------------------------
// The server

struct LoopbackServer::Impl {
  httplib::Server http;
  std::thread listener;
  Handlers handlers;

  mutable std::mutex log_mutex;
  std::vector<RecordedRequest> log;

  std::mutex stop_mutex;
  std::condition_variable stop_cv;
  bool stopping = false;
};

LoopbackServer::LoopbackServer(const std::string& name, int port, int threads, std::chrono::milliseconds latency)
    : impl_(std::make_unique<Impl>()), latency_(latency) {
  httplib::Server& http = impl_->http;
  const size_t workers = static_cast<size_t>(std::max(1, threads));
  http.new_task_queue = [this, workers] { return new CountingThreadPool(workers, connections_); };
  http.set_keep_alive_max_count(100000);
  http.set_tcp_nodelay(true);  // else small answers wait on delayed ACKs (40 ms)
  if (port > 0)
    port_ = http.bind_to_port("127.0.0.1", port) ? port : -1;
  else
    port_ = http.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error(name + ": cannot bind 127.0.0.1:" + std::to_string(port));
}

void LoopbackServer::start(Handlers handlers) {
  Impl& s = *impl_;
  s.handlers = std::move(handlers);
  // Record, then the fault layer around the fake's handlers.
  auto dispatch = [this](const httplib::Request& req, httplib::Response& res) {
    Impl& s = *impl_;
    Exchange ex(req, res);
    // Counted while the request is handled: how many a client keeps in flight at once.
    struct InFlight {
      std::atomic<int>& count;
      ~InFlight() { --count; }
    } in_flight{in_flight_};
    const int now_in_flight = ++in_flight_;
    for (int seen = most_in_flight_.load();
         now_in_flight > seen && !most_in_flight_.compare_exchange_weak(seen, now_in_flight);) {
    }
    {
      RecordedRequest r = record_of(ex);
      r.in_flight = now_in_flight;
      std::lock_guard<std::mutex> lock(s.log_mutex);
      s.log.push_back(std::move(r));
    }
    if (latency_.count() > 0) pause(latency_);
    Fault fault;
    const bool faulted = faults_.take(req.method, req.target, fault);
    if (faulted && fault.kind == Fault::Kind::Stall) pause(fault.stall_for);
    if (faulted && fault.kind == Fault::Kind::Reset) {
      reset_connection(req.local_port, req.remote_port);
      res.status = 500;
      return;
    }
    if (faulted && fault.kind == Fault::Kind::Status)
      set_fault_body(res, fault.http_status, fault.response_body);
    else
      s.handlers.answer(ex);
    if (s.handlers.finish) s.handlers.finish(ex);
    if (faulted) apply_fault_after(fault, res);
  };
  s.http.Get(".*", dispatch);
  s.http.Post(".*", dispatch);
  s.http.Put(".*", dispatch);
  s.http.Patch(".*", dispatch);
  s.http.Delete(".*", dispatch);
  s.listener = std::thread([&s] { s.http.listen_after_bind(); });
  while (!s.http.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

LoopbackServer::~LoopbackServer() {
  Impl& s = *impl_;
  {
    std::lock_guard<std::mutex> lock(s.stop_mutex);
    s.stopping = true;
  }
  s.stop_cv.notify_all();
  s.http.stop();
  // Idle keep-alive connections hold a worker for up to five seconds; shutting their
  // sockets down wakes the workers so the server stops at once.
  for_each_connection(port_, [](int fd, int) { ::shutdown(fd, SHUT_RDWR); });
  if (s.listener.joinable()) s.listener.join();
}

std::vector<RecordedRequest> LoopbackServer::requests() const {
  std::lock_guard<std::mutex> lock(impl_->log_mutex);
  return impl_->log;
}

void LoopbackServer::clear_requests() {
  std::lock_guard<std::mutex> lock(impl_->log_mutex);
  impl_->log.clear();
}

void LoopbackServer::pause(std::chrono::milliseconds how_long) {
  std::unique_lock<std::mutex> lock(impl_->stop_mutex);
  impl_->stop_cv.wait_for(lock, how_long, [&] { return impl_->stopping; });
}

}  // namespace stacklite::testserver
