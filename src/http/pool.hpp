// The connection pool of one database connection: one curl multi handle through which every
// read of the connection's tables travels, so that connections, TLS sessions and DNS answers
// are reused across cursors, tables and concurrent requests. The multi handle is driven by
// one of the threads waiting for a transfer (never by a thread of its own), so a response
// reaches the thread that asked for it without a hand-over when that thread drives.
#pragma once

#include <curl/curl.h>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace stacklite {

class HttpPool {
 public:
  HttpPool();
  ~HttpPool();  // every transfer has ended by then: each caller holds the pool
  HttpPool(const HttpPool&) = delete;
  HttpPool& operator=(const HttpPool&) = delete;

  // Runs a configured easy handle to completion on the pool and returns its result, as
  // curl_easy_perform would. Several threads may call it at once: their transfers run side
  // by side, driven by one of the callers, so the handle's callbacks may run on another
  // caller's thread. `abandon` (may be empty) is asked on the caller's own thread about
  // every 50 ms: true removes the transfer at once and returns
  // CURLE_ABORTED_BY_CALLBACK, however silent the server is.
  CURLcode perform(CURL* easy, const std::function<bool()>& abandon = nullptr);

  // Attached to each pooled handle: DNS answers and TLS sessions shared by the connection.
  CURLSH* share() const { return share_; }

 private:
  struct Transfer {
    CURL* easy;
    CURLcode result = CURLE_OK;
    bool added = false;    // on the multi handle
    bool abandon = false;  // to be removed by the driver
    bool done = false;
  };
  // Drives the multi handle until `own` is done. Called with the lock held, returns with it.
  void drive(Transfer& own, const std::function<bool()>& abandon, std::unique_lock<std::mutex>& lock);
  // Ends a transfer with `result` (under the lock); false when it had ended already.
  bool finish_locked(Transfer& t, CURLcode result);
  static void lock_share(CURL*, curl_lock_data data, curl_lock_access, void* self);
  static void unlock_share(CURL*, curl_lock_data data, void* self);

  CURLM* multi_ = nullptr;
  CURLSH* share_ = nullptr;
  std::mutex share_mutex_[CURL_LOCK_DATA_LAST];

  std::mutex mutex_;
  std::condition_variable done_cv_;  // a transfer ended, or the multi handle needs a driver
  std::vector<Transfer*> pending_;   // handed in and not yet done (added or not)
  bool driving_ = false;             // a caller drives the multi handle
};

}  // namespace stacklite
