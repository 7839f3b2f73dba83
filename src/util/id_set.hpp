// A set of 64-bit ids, compressed: what a listing remembers so that it returns each row once,
// however long it runs. Ids arrive in small hash table; every 4,096 they are sorted and
// stored as differences from one id to the next in a few bytes each (ids of one listing lie
// close together: 1 to 5 bytes an id, against 8 to 21 in a hash table), and the sorted runs
// are merged when there are more than a few. 100,000 ids take well under 1 MiB.
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
  // Bytes held (for tests and benchmarks).
  size_t memory() const;

 private:
  // Sorted ids, in blocks of kBlock: each block's first id whole, the rest as varint
  // differences from the id before.
  struct Run {
    std::vector<int64_t> firsts;    // the first id of each block
    std::vector<uint32_t> offsets;  // where each block's differences start in `bytes`
    std::vector<uint8_t> bytes;
    int64_t last = 0;  // the largest id
    size_t count = 0;

    void push(int64_t id);  // id > every id pushed before
    bool contains(int64_t id) const;
  };
  class RunReader;

  bool recent_contains(int64_t id) const;
  void recent_add(int64_t id);
  void seal();
  void merge_runs();

  static constexpr size_t kBlock = 64;
  static constexpr size_t kRecentAtMost = 4096;  // ids kept in the hash table before sealing
  static constexpr size_t kRunsAtMost = 6;       // runs kept before they are merged into one

  std::vector<int64_t> recent_slots_;  // open addressing; a power of two, at most half full
  std::vector<uint64_t> recent_used_;  // one bit per slot: any id, INT64_MIN included, is a value
  size_t recent_size_ = 0;
  std::vector<Run> runs_;
  size_t size_ = 0;
};

}  // namespace stacklite
