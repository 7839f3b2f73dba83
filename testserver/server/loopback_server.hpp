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
  // throws std::runtime_error naming `name` when the port cannot be bound.
  LoopbackServer(const std::string& name, int port, int threads);
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

  // Waits for how_long, or less when the server is stopping.
  void pause(std::chrono::milliseconds how_long);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  FaultQueue faults_;
  std::atomic<int> connections_{0};
};

}  // namespace stacklite::testserver
