// The connection pool of one database connection: one curl multi handle, driven by one
// thread, through which every read of the connection's tables travels, so that connections,
// TLS sessions and DNS answers are reused across cursors, tables and concurrent requests.
#pragma once

#include <curl/curl.h>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace stacklite {

class HttpPool {
 public:
  HttpPool();
  ~HttpPool();  // stops the driver thread; every transfer has ended by then
  HttpPool(const HttpPool&) = delete;
  HttpPool& operator=(const HttpPool&) = delete;

  // Runs a configured easy handle to completion on the pool and returns its result, as
  // curl_easy_perform would. Several threads may call it at once: their transfers run side
  // by side. The handle's callbacks run on the pool's thread while the caller waits, so
  // they must not call into SQLite (the caller may hold the connection's mutex). `abandon`
  // (may be empty) is asked instead, on the caller's own thread, about every 50 ms: true
  // removes the transfer at once and returns CURLE_ABORTED_BY_CALLBACK, however silent
  // the server is.
  CURLcode perform(CURL* easy, const std::function<bool()>& abandon = nullptr);

  // Attached to each pooled handle: DNS answers and TLS sessions shared by the connection.
  CURLSH* share() const { return share_; }

 private:
  struct Transfer {
    CURL* easy;
    CURLcode result = CURLE_OK;
    bool added = false;  // on the multi handle
    bool done = false;
  };
  void drive();
  static void lock_share(CURL*, curl_lock_data data, curl_lock_access, void* self);
  static void unlock_share(CURL*, curl_lock_data data, void* self);

  CURLM* multi_ = nullptr;
  CURLSH* share_ = nullptr;
  std::mutex share_mutex_[CURL_LOCK_DATA_LAST];

  std::mutex mutex_;
  std::condition_variable done_cv_;
  std::vector<Transfer*> to_add_;      // handed in, not yet on the multi handle
  std::vector<Transfer*> to_abandon_;  // their callers stopped waiting for them
  bool stopping_ = false;
  std::thread driver_;  // started by the first transfer
};

}  // namespace stacklite
