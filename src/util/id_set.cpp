// The compressed id set: a small hash table for the newest ids, sorted delta-encoded runs for
// the rest.
#include "util/id_set.hpp"

#include <algorithm>

namespace stacklite {

namespace {

uint64_t mix(int64_t id) {  // splitmix64's finalizer: ids that differ by little spread out
  uint64_t z = static_cast<uint64_t>(id) + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void put_varint(std::vector<uint8_t>& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<uint8_t>(v));
}

uint64_t get_varint(const uint8_t*& p) {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    uint8_t b = *p++;
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
}

// b - a for a < b, without signed overflow.
uint64_t distance(int64_t a, int64_t b) { return static_cast<uint64_t>(b) - static_cast<uint64_t>(a); }
int64_t advance(int64_t a, uint64_t d) { return static_cast<int64_t>(static_cast<uint64_t>(a) + d); }

}  // namespace

void IdSet::Run::push(int64_t id) {
  if (count % kBlock == 0) {
    firsts.push_back(id);
    offsets.push_back(static_cast<uint32_t>(bytes.size()));
  } else {
    put_varint(bytes, distance(last, id));
  }
  last = id;
  ++count;
}

bool IdSet::Run::contains(int64_t id) const {
  if (count == 0 || id < firsts.front() || id > last) return false;
  size_t block = static_cast<size_t>(std::upper_bound(firsts.begin(), firsts.end(), id) - firsts.begin()) - 1;
  int64_t current = firsts[block];
  if (current == id) return true;
  size_t in_block = std::min(kBlock, count - block * kBlock);
  const uint8_t* p = bytes.data() + offsets[block];
  for (size_t i = 1; i < in_block; ++i) {
    current = advance(current, get_varint(p));
    if (current >= id) return current == id;
  }
  return false;
}

// Reads a run's ids in order.
class IdSet::RunReader {
 public:
  explicit RunReader(const Run& run) : run_(run) {}
  bool done() const { return next_ == run_.count; }
  int64_t peek() {
    if (!loaded_) {
      if (next_ % kBlock == 0) {
        current_ = run_.firsts[next_ / kBlock];
        p_ = run_.bytes.data() + run_.offsets[next_ / kBlock];
      } else {
        current_ = advance(current_, get_varint(p_));
      }
      loaded_ = true;
    }
    return current_;
  }
  void pop() {
    peek();
    ++next_;
    loaded_ = false;
  }

 private:
  const Run& run_;
  size_t next_ = 0;
  bool loaded_ = false;
  int64_t current_ = 0;
  const uint8_t* p_ = nullptr;
};

bool IdSet::recent_contains(int64_t id) const {
  if (recent_slots_.empty()) return false;
  const size_t mask = recent_slots_.size() - 1;
  for (size_t i = static_cast<size_t>(mix(id)) & mask;; i = (i + 1) & mask) {
    if (!(recent_used_[i / 64] >> (i % 64) & 1)) return false;
    if (recent_slots_[i] == id) return true;
  }
}

void IdSet::recent_add(int64_t id) {
  if ((recent_size_ + 1) * 2 > recent_slots_.size()) {
    std::vector<int64_t> old_slots = std::move(recent_slots_);
    std::vector<uint64_t> old_used = std::move(recent_used_);
    size_t slots = old_slots.empty() ? 64 : old_slots.size() * 2;
    recent_slots_.assign(slots, 0);
    recent_used_.assign((slots + 63) / 64, 0);
    recent_size_ = 0;
    for (size_t i = 0; i < old_slots.size(); ++i)
      if (old_used[i / 64] >> (i % 64) & 1) recent_add(old_slots[i]);
  }
  const size_t mask = recent_slots_.size() - 1;
  size_t i = static_cast<size_t>(mix(id)) & mask;
  while (recent_used_[i / 64] >> (i % 64) & 1) i = (i + 1) & mask;
  recent_slots_[i] = id;
  recent_used_[i / 64] |= uint64_t{1} << (i % 64);
  ++recent_size_;
}

bool IdSet::contains(int64_t id) const {
  if (recent_contains(id)) return true;
  for (const Run& run : runs_)
    if (run.contains(id)) return true;
  return false;
}

bool IdSet::insert(int64_t id) {
  if (contains(id)) return false;
  recent_add(id);
  ++size_;
  if (recent_size_ >= kRecentAtMost) seal();
  return true;
}

// The hash table's ids become a run; the table starts small again.
void IdSet::seal() {
  std::vector<int64_t> ids;
  ids.reserve(recent_size_);
  for (size_t i = 0; i < recent_slots_.size(); ++i)
    if (recent_used_[i / 64] >> (i % 64) & 1) ids.push_back(recent_slots_[i]);
  std::sort(ids.begin(), ids.end());
  Run run;
  for (int64_t id : ids) run.push(id);
  run.firsts.shrink_to_fit();
  run.offsets.shrink_to_fit();
  run.bytes.shrink_to_fit();
  runs_.push_back(std::move(run));
  recent_slots_.clear();
  recent_slots_.shrink_to_fit();
  recent_used_.clear();
  recent_used_.shrink_to_fit();
  recent_size_ = 0;
  if (runs_.size() > kRunsAtMost) merge_runs();
}

// Every run merged into one, read and written a block at a time (no id list in between).
void IdSet::merge_runs() {
  std::vector<RunReader> readers;
  readers.reserve(runs_.size());
  for (const Run& run : runs_) readers.emplace_back(run);
  Run merged;
  while (true) {
    RunReader* least = nullptr;
    for (RunReader& reader : readers)
      if (!reader.done() && (!least || reader.peek() < least->peek())) least = &reader;
    if (!least) break;
    merged.push(least->peek());
    least->pop();
  }
  merged.firsts.shrink_to_fit();
  merged.offsets.shrink_to_fit();
  merged.bytes.shrink_to_fit();
  runs_.clear();
  runs_.push_back(std::move(merged));
}

void IdSet::clear() {
  recent_slots_ = {};
  recent_used_ = {};
  recent_size_ = 0;
  runs_ = {};
  size_ = 0;
}

size_t IdSet::memory() const {
  size_t n = recent_slots_.capacity() * sizeof(int64_t) + recent_used_.capacity() * sizeof(uint64_t);
  for (const Run& run : runs_)
    n += run.firsts.capacity() * sizeof(int64_t) + run.offsets.capacity() * sizeof(uint32_t) + run.bytes.capacity();
  return n + runs_.capacity() * sizeof(Run);
}

}  // namespace stacklite
