// A set of 64-bit ids in one flat open-addressing table (at most 22 bytes per id, 11 at
// rest): what a
// listing remembers so that it returns each row once, however long it runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace stacklite {

class IdSet {
 public:
  // Adds id; false when it was there already.
  bool insert(int64_t id);
  bool contains(int64_t id) const;
  void clear();
  size_t size() const { return size_; }

 private:
  static constexpr int64_t kEmpty = INT64_MIN;  // marks a free slot; the id itself is kept in has_empty_
  size_t slot_of(int64_t id) const;
  void grow();

  std::vector<int64_t> slots_;  // a power of two in size, at most 3/4 full
  size_t size_ = 0;
  bool has_empty_ = false;
};

}  // namespace stacklite
