// Kept mappings: one free list for the process, behind a mutex (bodies are filled by the
// connection pool's thread and released by the statement's).
#include "util/mappings.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <mutex>
#include <new>
#include <vector>

namespace stacklite::mappings {

namespace {

struct Mapping {
  char* p;
  size_t length;
};

class FreeList {
 public:
  // The shortest kept mapping at least `length` long, taken off the list; nullptr if none.
  char* take(size_t& length) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto best = kept_.end();
    for (auto it = kept_.begin(); it != kept_.end(); ++it)
      if (it->length >= length && (best == kept_.end() || it->length < best->length)) best = it;
    if (best == kept_.end()) return nullptr;
    char* p = best->p;
    length = best->length;
    bytes_ -= best->length;
    kept_.erase(best);
    return p;
  }

  bool keep(char* p, size_t length) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (bytes_ + length > kKeptAtMost) return false;
    kept_.push_back({p, length});
    bytes_ += length;
    return true;
  }

  size_t bytes() {
    std::lock_guard<std::mutex> lock(mutex_);
    return bytes_;
  }

 private:
  std::mutex mutex_;
  std::vector<Mapping> kept_;
  size_t bytes_ = 0;
};

// Never destroyed: a body may be released while the process exits.
FreeList& free_list() {
  static FreeList* list = new FreeList;
  return *list;
}

}  // namespace

size_t length_for(size_t bytes) { return std::max<size_t>(1, (bytes + kGranule - 1) / kGranule) * kGranule; }

char* acquire(size_t& length) {
  if (char* p = free_list().take(length)) return p;
  void* p = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  return static_cast<char*>(p);
}

void release(char* p, size_t length) {
  if (!p) return;
  if (!free_list().keep(p, length)) munmap(p, length);
}

size_t kept_bytes() { return free_list().bytes(); }

}  // namespace stacklite::mappings
