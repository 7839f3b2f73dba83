// A set of 64-bit ids in one flat open-addressing table (at most 22 bytes per id): what a
// listing remembers so that it returns each row once, however long it runs.
#include "util/id_set.hpp"

namespace stacklite {

namespace {

uint64_t mix(int64_t id) {  // splitmix64's finalizer: ids that differ by little spread out
  uint64_t z = static_cast<uint64_t>(id) + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

size_t IdSet::slot_of(int64_t id) const {
  const size_t mask = slots_.size() - 1;
  size_t i = static_cast<size_t>(mix(id)) & mask;
  while (slots_[i] != kEmpty && slots_[i] != id) i = (i + 1) & mask;
  return i;
}

bool IdSet::contains(int64_t id) const {
  if (id == kEmpty) return has_empty_;
  return !slots_.empty() && slots_[slot_of(id)] == id;
}

bool IdSet::insert(int64_t id) {
  if (id == kEmpty) {
    if (has_empty_) return false;
    has_empty_ = true;
    ++size_;
    return true;
  }
  // Up to 3/4 full: about 11 bytes an id at most, 21 just after growing (a listing of
  // 100,000 runs remembers them in 1 MiB); linear probing stays short at that load.
  if ((size_ + 1) * 4 > slots_.size() * 3) grow();
  size_t i = slot_of(id);
  if (slots_[i] == id) return false;
  slots_[i] = id;
  ++size_;
  return true;
}

void IdSet::grow() {
  std::vector<int64_t> old = std::move(slots_);
  slots_.assign(old.empty() ? 256 : old.size() * 2, kEmpty);
  for (int64_t id : old)
    if (id != kEmpty) slots_[slot_of(id)] = id;
}

void IdSet::clear() {
  slots_.clear();
  slots_.shrink_to_fit();
  size_ = 0;
  has_empty_ = false;
}

}  // namespace stacklite
