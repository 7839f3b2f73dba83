// The connection pool of one database connection: one curl multi handle through which every
// read of the connection's tables travels, driven by one of the threads waiting on it.
#include "http/pool.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>

#include "util/text.hpp"

namespace stacklite {

namespace {

// While transfers run, the driver wakes at least this often, so that curl calls each
// transfer's progress callback (stall and interrupt checks) at this pace, and the callers
// that wait look as often whether they should abandon their transfer.
constexpr long kPoolTickMs = 50;

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
  curl_multi_cleanup(multi_);
  curl_share_cleanup(share_);
}

void HttpPool::lock_share(CURL*, curl_lock_data data, curl_lock_access, void* self) {
  static_cast<HttpPool*>(self)->share_mutex_[data % CURL_LOCK_DATA_LAST].lock();
}

void HttpPool::unlock_share(CURL*, curl_lock_data data, void* self) {
  static_cast<HttpPool*>(self)->share_mutex_[data % CURL_LOCK_DATA_LAST].unlock();
}

bool HttpPool::finish_locked(Transfer& t, CURLcode result) {
  if (t.done) return false;
  t.result = result;
  t.done = true;
  pending_.erase(std::remove(pending_.begin(), pending_.end(), &t), pending_.end());
  return true;
}

CURLcode HttpPool::perform(CURL* easy, const std::function<bool()>& abandon) {
  Transfer transfer{easy};
  std::unique_lock<std::mutex> lock(mutex_);
  pending_.push_back(&transfer);
  bool tell_driver = true;
  while (!transfer.done) {
    if (!driving_) {
      // Nobody drives: this caller does, until its own transfer ends (then another waiting
      // caller takes over). Its response needs no hand-over to reach it.
      drive(transfer, abandon, lock);
      break;
    }
    if (tell_driver) curl_multi_wakeup(multi_);  // the driver adds the transfer (or removes it) at once
    tell_driver = false;
    done_cv_.wait_for(lock, std::chrono::milliseconds(kPoolTickMs));
    if (transfer.done || transfer.abandon || !abandon) continue;
    lock.unlock();
    bool stop = false;
    try {
      stop = abandon();
    } catch (...) {
      // A check that fails is no reason to stop.
    }
    lock.lock();
    if (stop) transfer.abandon = tell_driver = true;  // the driver removes it
  }
  return transfer.result;
}

void HttpPool::drive(Transfer& own, const std::function<bool()>& abandon, std::unique_lock<std::mutex>& lock) {
  driving_ = true;
  while (true) {
    // Under the lock: add what was handed in, remove what was abandoned.
    bool ended = false;
    for (Transfer* t : std::vector<Transfer*>(pending_)) {
      if (t->abandon) {
        if (t->added) curl_multi_remove_handle(multi_, t->easy);
        ended |= finish_locked(*t, CURLE_ABORTED_BY_CALLBACK);
      } else if (!t->added) {
        curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t);
        if (curl_multi_add_handle(multi_, t->easy) == CURLM_OK)
          t->added = true;
        else
          ended |= finish_locked(*t, CURLE_FAILED_INIT);
      }
    }
    if (ended) done_cv_.notify_all();
    if (own.done) break;
    lock.unlock();
    int running = 0;
    curl_multi_perform(multi_, &running);
    int left = 0;
    std::vector<std::pair<Transfer*, CURLcode>> finished;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
      CURLcode result = msg->data.result;
      curl_multi_remove_handle(multi_, msg->easy_handle);
      if (t) finished.emplace_back(t, result);
    }
    if (finished.empty() && !own.done) {
      // Asked on the driver's own thread: the check belongs to its transfer.
      bool stop = false;
      try {
        stop = abandon && abandon();
      } catch (...) {
      }
      if (!stop) {
        curl_multi_poll(multi_, nullptr, 0, kPoolTickMs, nullptr);
      } else {
        lock.lock();
        own.abandon = true;
        continue;
      }
    }
    lock.lock();
    for (auto& [t, result] : finished) finish_locked(*t, result);
    if (!finished.empty()) done_cv_.notify_all();
  }
  driving_ = false;
  // Another caller still waiting takes over.
  if (!pending_.empty()) done_cv_.notify_all();
}

}  // namespace stacklite
