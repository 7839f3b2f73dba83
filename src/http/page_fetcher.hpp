// Concurrent GETs handed back in order: a queue of URLs fetched up to max_concurrency at a
// time over the connection's pool, each with every guarantee of ApiClient::get.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/api_client.hpp"

namespace stacklite {

// One statement's reads. The consumer (the thread that runs SQLite) submits URLs and takes
// the responses in the order it reads them. Each request belongs to a group (a listing: the
// scan's target number); a request is queued after every request of its group and of the
// groups before it, so a listing's later pages, once known, go before the next listing's
// first page fetched ahead. Up to `concurrency` requests run at once: the oldest queued
// first, then a lead (a request submitted as one: the next listing's first page, which the
// requests after it depend on) while another place stays free, the others in queue order,
// only among the first `concurrency` queued. A request already answered that later pages of an earlier group
// were queued in front of stays held, so at most 2 x `concurrency` responses are held (in
// flight or waiting to be taken) besides the one the consumer reads, and at most
// `concurrency` while one group is fetched. A secondary rate limit halves the
// concurrency for the rest of the fetcher's life (never below 1), and no new request starts
// until its wait is over.
//
// Only the consumer calls the public methods.
class PageFetcher {
 public:
  // Requests go out as `client` would send them (endpoint, token, settings as they are now:
  // a later stacklite_config() does not change a statement under way).
  explicit PageFetcher(const ApiClient& client);
  ~PageFetcher();  // abandons what is queued and waits for the workers (promptly: they are told)
  PageFetcher(const PageFetcher&) = delete;
  PageFetcher& operator=(const PageFetcher&) = delete;

  static constexpr uint64_t kLastGroup = UINT64_MAX;
  // Queues `url` after every request of groups up to `group` (by default: last); a lead
  // starts before the others queued.
  void submit(std::string url, uint64_t group = kLastGroup, bool lead = false);
  size_t queued() const;                        // submitted and not yet taken
  size_t queued_through(uint64_t group) const;  // ... of groups up to `group`
  size_t queued_in(uint64_t group) const;       // ... of `group`
  const std::string& front_url() const;         // the oldest queued URL; only when queued() > 0
  uint64_t front_group() const;                 // its group; only when queued() > 0
  // The newest queued request's response (of `group`, when given) once it has arrived
  // whole with a 2xx-or-other status (nullptr while it is pending or when the group has
  // none queued; `failed` set when it ended in an error). Valid until the next call of
  // take(), clear() or clear_through().
  const HttpResponse* back_response(bool& failed) const;
  const HttpResponse* back_response(uint64_t group, bool& failed) const;
  // Waits for the oldest queued request and moves its response into `response`; rethrows
  // the Error it ended in. Throws Interrupted when the statement is interrupted meanwhile.
  // No further request starts until proceed(): the consumer first checks the response,
  // so that a listing that ends in an error sends nothing after it. While it waits,
  // `while_waiting` (when given) is called on the consumer's thread before the first wait
  // and then about every kInterruptCheckMs.
  void take(HttpResponse& response, const std::function<void()>& while_waiting = nullptr);
  void proceed();
  // Between these, submitted requests wait: the ones queued together start by the rules
  // above as one (a lead queued after pages of its listing still goes first).
  void begin_batch();
  void end_batch();
  // Abandons every queued request (those in flight are told to stop).
  void clear();
  // Abandons the queued requests of groups up to `group`, keeping those of later groups.
  void clear_through(uint64_t group);

  long concurrency() const;

 private:
  struct Entry {
    std::string url;
    uint64_t group = 0;
    bool lead = false;
    enum class State { Pending, Running, Done } state = State::Pending;
    HttpResponse response;
    std::exception_ptr error;
  };
  struct Worker {
    std::unique_ptr<ApiClient> client;
    std::atomic<bool> cancel{false};
    std::shared_ptr<Entry> current;  // under mutex_
    std::thread thread;
  };

  void work(Worker& worker);
  static const HttpResponse* response_of(const Entry* e, bool& failed);
  // Drops the queued entries for which `drop` holds (those in flight are told to stop).
  template <class Pred>
  void drop_locked(Pred drop);
  // The oldest pending entry that may start now, or null; `count`, when given, receives how
  // many may start now. Under mutex_.
  std::shared_ptr<Entry> startable(long* count = nullptr) const;
  // Starts workers until there is one for each request that is running or may start.
  void start_workers_locked();
  void spawn_worker_locked();

  const ApiClient& prototype_;
  std::function<bool()> interrupted_;  // the statement's interrupt check (may be empty)

  mutable std::mutex mutex_;
  std::condition_variable work_cv_;  // workers wait for something startable
  std::condition_variable done_cv_;  // the consumer waits for the front entry
  std::deque<std::shared_ptr<Entry>> queue_;
  long limit_;
  long abandoned_running_ = 0;  // cleared entries still in flight: they count against the limit
  std::chrono::steady_clock::time_point paused_until_{};
  bool stopping_ = false;
  bool checking_ = false;  // between take() and proceed()
  bool batching_ = false;  // between begin_batch() and end_batch()
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace stacklite
