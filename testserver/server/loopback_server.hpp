// The HTTP host under every fake: binds 127.0.0.1, runs the worker threads, records each
// request, applies injected faults around the fake's handlers, and stops promptly.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "server/exchange.hpp"
#include "server/fault.hpp"
#include "server/recorded_request.hpp"

namespace stacklite::testserver {

class LoopbackServer {
 public:
  struct Handlers {
    std::function<void(Exchange&)> answer;  // routes and answers the request
    // Headers every answer carries, injected error statuses included (rate limits, ETag);
    // may be empty.
    std::function<void(Exchange&)> finish;
  };

  // Bound to 127.0.0.1:port (0: an ephemeral port) when the constructor returns;
  // throws std::runtime_error naming `name` when the port cannot be bound. threads:
  // connections served at once (each kept-alive connection holds one); latency: how long
  // every request waits before it is answered, as over a network.
  LoopbackServer(const std::string& name, int port, int threads,
                 std::chrono::milliseconds latency = std::chrono::milliseconds(0));
  // Stops promptly: interrupts pauses and drops idle keep-alive connections.
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  // Starts answering; returns once the server accepts connections.
  void start(Handlers handlers);

  int port() const { return port_; }
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<RecordedRequest> requests() const;
  void clear_requests();
  FaultQueue& faults() { return faults_; }
  int connections_accepted() const { return connections_.load(); }
  int max_in_flight() const { return most_in_flight_.load(); }  // the most requests handled at once

  // Waits for how_long, or less when the server is stopping.
  void pause(std::chrono::milliseconds how_long);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  FaultQueue faults_;
  std::atomic<int> connections_{0};
  std::chrono::milliseconds latency_;
  std::atomic<int> in_flight_{0}, most_in_flight_{0};
};

}  // namespace stacklite::testserver
