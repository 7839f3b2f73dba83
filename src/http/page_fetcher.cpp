// Concurrent GETs handed back in order: a queue of URLs fetched up to max_concurrency at a
// time over the connection's pool, each with every guarantee of ApiClient::get.
#include "http/page_fetcher.hpp"

#include <algorithm>

namespace stacklite {

PageFetcher::PageFetcher(const ApiClient& client)
    : prototype_(client),
      interrupted_(client.settings()->interrupted),
      limit_(std::clamp(client.settings()->max_concurrency, 1L, kMaxConcurrency)) {}

PageFetcher::~PageFetcher() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& w : workers_)
      if (w->current) w->cancel = true;
    queue_.clear();
    stopping_ = true;
  }
  work_cv_.notify_all();
  for (auto& w : workers_)
    if (w->thread.joinable()) w->thread.join();
}

void PageFetcher::submit(std::string url) {
  auto entry = std::make_shared<Entry>();
  entry->url = std::move(url);
  std::lock_guard<std::mutex> lock(mutex_);
  queue_.push_back(std::move(entry));
  start_workers_locked();
  work_cv_.notify_all();
}

size_t PageFetcher::queued() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.size();
}

const std::string& PageFetcher::front_url() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.front()->url;  // the URL never changes once submitted
}

const HttpResponse* PageFetcher::back_response(bool& failed) const {
  failed = false;
  std::lock_guard<std::mutex> lock(mutex_);
  if (queue_.empty() || queue_.back()->state != Entry::State::Done) return nullptr;
  if (queue_.back()->error) {
    failed = true;
    return nullptr;
  }
  return &queue_.back()->response;
}

long PageFetcher::concurrency() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return limit_;
}

void PageFetcher::take(HttpResponse& response, const std::function<void()>& while_waiting) {
  std::shared_ptr<Entry> entry;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (queue_.empty()) throw Error("internal error: no request to take a response from");
    entry = queue_.front();
    while (entry->state != Entry::State::Done) {
      if (while_waiting) {
        lock.unlock();
        while_waiting();
        lock.lock();
        if (entry->state == Entry::State::Done) break;
      }
      done_cv_.wait_for(lock, std::chrono::milliseconds(kInterruptCheckMs));
      if (entry->state == Entry::State::Done) break;
      // Asked here, on the statement's own thread: the check may use the connection.
      bool interrupted = false;
      try {
        interrupted = interrupted_ && interrupted_();
      } catch (...) {
      }
      if (interrupted) {
        lock.unlock();
        clear();
        throw Interrupted();
      }
    }
    queue_.pop_front();
    checking_ = true;
  }
  if (entry->error) std::rethrow_exception(entry->error);
  std::swap(response, entry->response);
}

void PageFetcher::proceed() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    checking_ = false;
    start_workers_locked();
  }
  work_cv_.notify_all();  // the window moved on
}

void PageFetcher::clear() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& w : workers_)
      if (w->current && !w->cancel) {
        w->cancel = true;
        ++abandoned_running_;
      }
    queue_.clear();
    checking_ = false;
  }
  work_cv_.notify_all();
}

std::shared_ptr<PageFetcher::Entry> PageFetcher::startable(long* count) const {
  if (count) *count = 0;
  if (checking_) return nullptr;
  long held = abandoned_running_;
  for (const auto& e : queue_) held += e->state != Entry::State::Pending;
  if (held >= limit_) return nullptr;
  std::shared_ptr<Entry> first;
  const size_t window = static_cast<size_t>(limit_);
  for (size_t i = 0; i < queue_.size() && i < window && held < limit_; ++i) {
    if (queue_[i]->state != Entry::State::Pending) continue;
    if (!first) first = queue_[i];
    if (!count) break;
    ++*count;
    ++held;
  }
  return first;
}

void PageFetcher::start_workers_locked() {
  // As many workers as requests may run now: those running and those that may start.
  long ready = 0;
  startable(&ready);
  long running = abandoned_running_;
  for (const auto& e : queue_) running += e->state == Entry::State::Running;
  while (!stopping_ && static_cast<long>(workers_.size()) < std::min(kMaxConcurrency, running + ready))
    spawn_worker_locked();
}

void PageFetcher::spawn_worker_locked() {
  auto worker = std::make_unique<Worker>();
  Worker* w = worker.get();
  // Each worker sends with a client of its own (a transport, i.e. an easy handle, on the
  // shared pool); it listens to its own cancel flag only: the statement's interrupt check
  // may use the database connection, which only the statement's thread may touch.
  auto settings = std::make_shared<ClientSettings>(*prototype_.settings());
  settings->interrupted = [w] { return w->cancel.load(); };
  w->client = std::make_unique<ApiClient>(prototype_.endpoint(), std::move(settings));
  w->client->on_secondary_limit([this](long wait_ms) {
    std::lock_guard<std::mutex> lock(mutex_);
    limit_ = std::max(1L, limit_ / 2);
    paused_until_ = std::max(paused_until_, std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms));
  });
  workers_.push_back(std::move(worker));
  w->thread = std::thread([this, w] { work(*w); });
}

void PageFetcher::work(Worker& w) {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    std::shared_ptr<Entry> entry;
    while (true) {
      if (stopping_) return;
      if (std::chrono::steady_clock::now() < paused_until_) {
        // Another request met a secondary rate limit: nothing new starts before its wait ends.
        work_cv_.wait_until(lock, paused_until_);
        continue;
      }
      entry = startable();
      if (entry) break;
      work_cv_.wait(lock);
    }
    entry->state = Entry::State::Running;
    w.current = entry;
    lock.unlock();
    try {
      w.client->get(entry->url, entry->response);
    } catch (...) {
      entry->error = std::current_exception();
    }
    lock.lock();
    entry->state = Entry::State::Done;
    if (w.cancel) --abandoned_running_;
    w.cancel = false;
    w.current.reset();
    start_workers_locked();
    done_cv_.notify_all();
    work_cv_.notify_all();
  }
}

}  // namespace stacklite
