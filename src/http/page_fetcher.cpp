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

void PageFetcher::submit(std::string url, uint64_t group, bool lead) {
  auto entry = std::make_shared<Entry>();
  entry->url = std::move(url);
  entry->lead = lead;
  std::lock_guard<std::mutex> lock(mutex_);
  if (group == kLastGroup && !queue_.empty()) group = queue_.back()->group;
  entry->group = group;
  auto at = queue_.end();
  while (at != queue_.begin() && (*std::prev(at))->group > group) --at;
  queue_.insert(at, std::move(entry));
  start_workers_locked();
  work_cv_.notify_all();
}

size_t PageFetcher::queued() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.size();
}

size_t PageFetcher::queued_through(uint64_t group) const {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t n = 0;
  for (const auto& e : queue_) n += e->group <= group;
  return n;
}

size_t PageFetcher::queued_in(uint64_t group) const {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t n = 0;
  for (const auto& e : queue_) n += e->group == group;
  return n;
}

const std::string& PageFetcher::front_url() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.front()->url;  // the URL never changes once submitted
}

uint64_t PageFetcher::front_group() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.front()->group;
}

const HttpResponse* PageFetcher::response_of(const Entry* e, bool& failed) {
  failed = false;
  if (!e || e->state != Entry::State::Done) return nullptr;
  if (e->error) {
    failed = true;
    return nullptr;
  }
  return &e->response;
}

const HttpResponse* PageFetcher::back_response(bool& failed) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return response_of(queue_.empty() ? nullptr : queue_.back().get(), failed);
}

const HttpResponse* PageFetcher::back_response(uint64_t group, bool& failed) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const Entry* newest = nullptr;
  for (const auto& e : queue_)
    if (e->group == group) newest = e.get();
  return response_of(newest, failed);
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

template <class Pred>
void PageFetcher::drop_locked(Pred drop) {
  for (auto& w : workers_)
    if (w->current && !w->cancel && drop(*w->current)) {
      w->cancel = true;
      ++abandoned_running_;
    }
  queue_.erase(std::remove_if(queue_.begin(), queue_.end(), [&](const std::shared_ptr<Entry>& e) { return drop(*e); }),
               queue_.end());
  checking_ = false;
}

void PageFetcher::begin_batch() {
  std::lock_guard<std::mutex> lock(mutex_);
  batching_ = true;
}

void PageFetcher::end_batch() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    batching_ = false;
    start_workers_locked();
  }
  work_cv_.notify_all();
}

void PageFetcher::clear() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    drop_locked([](const Entry&) { return true; });
  }
  work_cv_.notify_all();
}

void PageFetcher::clear_through(uint64_t group) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    drop_locked([group](const Entry& e) { return e.group <= group; });
    start_workers_locked();
  }
  work_cv_.notify_all();
}

std::shared_ptr<PageFetcher::Entry> PageFetcher::startable(long* count) const {
  if (count) *count = 0;
  if (checking_ || batching_) return nullptr;
  // In flight (abandoned ones included) at most limit_; held, answered ones included, at
  // most 2 x limit_; and only among the first limit_ queued, the ones read next.
  long running = abandoned_running_, held = abandoned_running_;
  for (const auto& e : queue_) {
    running += e->state == Entry::State::Running;
    held += e->state != Entry::State::Pending;
  }
  std::shared_ptr<Entry> first;
  std::vector<const Entry*> admitted;  // counted already (they stay pending while counted)
  auto counted = [&](const Entry* e) { return std::find(admitted.begin(), admitted.end(), e) != admitted.end(); };
  // Whether `e` may start too; false once nothing more may. The front (`waited_for`) is held
  // back only by the requests in flight (see below).
  auto admit = [&](const std::shared_ptr<Entry>& e, bool waited_for = false) {
    if (running >= limit_ || (!waited_for && held >= 2 * limit_)) return false;
    if (!first) first = e;
    if (!count) return false;
    ++*count;
    ++running;
    ++held;
    admitted.push_back(e.get());
    return true;
  };
  if (queue_.empty()) return first;
  // The consumer waits for the front; then a lead (what follows it can only be queued once
  // it has answered) while a place stays for the pages read next; then the window in order.
  // The front starts whenever a request may run, however many answers are held: those held
  // belong to later listings, read only after it, so holding it back would wait forever (a
  // listing whose page the table filtered to nothing asks for its next page anew, behind
  // the answers already fetched for the listings after it).
  if (queue_.front()->state == Entry::State::Pending && !admit(queue_.front(), true)) return first;
  for (const auto& e : queue_)
    if (e->lead && e->state == Entry::State::Pending && running < limit_ - 1 && !counted(e.get()) && !admit(e))
      return first;
  // (A later group's answer waiting behind pages queued in front of it takes no place in
  // that window: it is bounded by the 2 x limit_.)
  long window = 0;
  for (size_t i = 0; i < queue_.size(); ++i) {
    const Entry& e = *queue_[i];
    if (e.state == Entry::State::Done && e.group != queue_.front()->group) continue;
    if (++window > limit_) break;
    if (e.state != Entry::State::Pending || counted(&e)) continue;
    if (!admit(queue_[i])) break;
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
