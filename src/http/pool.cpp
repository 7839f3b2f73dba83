// The connection pool of one database connection: one curl multi handle, driven by one
// thread, through which every read of the connection's tables travels.
#include "http/pool.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>

#include "util/text.hpp"

namespace stacklite {

namespace {

// While transfers run, the driver wakes at least this often, so that curl calls each
// transfer's progress callback (stall checks) at this pace; a waiting caller asks whether to
// abandon its transfer as often.
constexpr long kDriverTickMs = 50;

}  // namespace

HttpPool::HttpPool() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  multi_ = curl_multi_init();
  share_ = curl_share_init();
  if (!multi_ || !share_) {
    if (multi_) curl_multi_cleanup(multi_);
    if (share_) curl_share_cleanup(share_);
    throw Error("could not initialise libcurl's connection pool");
  }
  curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, &HttpPool::lock_share);
  curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, &HttpPool::unlock_share);
  curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
  curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  // Idle connections kept for reuse: enough for the largest max_concurrency.
  curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, 32L);
}

HttpPool::~HttpPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  curl_multi_wakeup(multi_);
  if (driver_.joinable()) driver_.join();
  curl_multi_cleanup(multi_);
  curl_share_cleanup(share_);
}

void HttpPool::lock_share(CURL*, curl_lock_data data, curl_lock_access, void* self) {
  static_cast<HttpPool*>(self)->share_mutex_[data % CURL_LOCK_DATA_LAST].lock();
}

void HttpPool::unlock_share(CURL*, curl_lock_data data, void* self) {
  static_cast<HttpPool*>(self)->share_mutex_[data % CURL_LOCK_DATA_LAST].unlock();
}

CURLcode HttpPool::perform(CURL* easy, const std::function<bool()>& abandon) {
  Transfer transfer{easy};
  std::unique_lock<std::mutex> lock(mutex_);
  if (!driver_.joinable()) driver_ = std::thread([this] { drive(); });
  to_add_.push_back(&transfer);
  curl_multi_wakeup(multi_);
  bool abandoned = false;
  while (!transfer.done) {
    done_cv_.wait_for(lock, std::chrono::milliseconds(kDriverTickMs));
    if (transfer.done || abandoned || !abandon) continue;
    lock.unlock();
    try {
      abandoned = abandon();
    } catch (...) {
      // A check that fails is no reason to stop.
    }
    lock.lock();
    if (abandoned && !transfer.done) {
      to_abandon_.push_back(&transfer);
      curl_multi_wakeup(multi_);  // the driver removes it at once
    }
  }
  // It may have ended on its own before the driver saw it abandoned: the driver must not
  // look at it once this returns.
  to_abandon_.erase(std::remove(to_abandon_.begin(), to_abandon_.end(), &transfer), to_abandon_.end());
  return transfer.result;
}

void HttpPool::drive() {
  int running = 0;
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return;  // only when no caller is left: each holds the pool
      for (Transfer* t : to_add_) {
        curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t);
        if (curl_multi_add_handle(multi_, t->easy) == CURLM_OK) {
          t->added = true;
        } else {
          t->result = CURLE_FAILED_INIT;
          t->done = true;
          done_cv_.notify_all();
        }
      }
      to_add_.clear();
      for (Transfer* t : to_abandon_) {
        if (t->done) continue;
        if (t->added) curl_multi_remove_handle(multi_, t->easy);
        t->result = CURLE_ABORTED_BY_CALLBACK;
        t->done = true;
        done_cv_.notify_all();
      }
      to_abandon_.clear();
    }
    curl_multi_perform(multi_, &running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* easy = msg->easy_handle;
      CURLcode result = msg->data.result;
      Transfer* t = nullptr;
      curl_easy_getinfo(easy, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
      curl_multi_remove_handle(multi_, easy);
      std::lock_guard<std::mutex> lock(mutex_);
      if (t && !t->done) {
        t->result = result;
        t->done = true;
      }
      done_cv_.notify_all();
    }
    curl_multi_poll(multi_, nullptr, 0, running ? kDriverTickMs : 1000, nullptr);
  }
}

}  // namespace stacklite
