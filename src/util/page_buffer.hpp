// A growable byte buffer that always keeps kPadding spare bytes past its end, so a
// response body can be parsed in place by simdjson without a padded copy.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <new>
#include <string_view>

#include "util/mappings.hpp"

namespace stacklite {

namespace page_buffer_detail {
struct Release {
  size_t mapped = 0;  // the mapping's length; 0: from the heap
  void operator()(char* p) const {
    if (mapped)
      mappings::release(p, mapped);
    else
      delete[] p;
  }
};
}  // namespace page_buffer_detail

class PageBuffer {
 public:
  static constexpr size_t kPadding = 64;  // >= SIMDJSON_PADDING, checked in the decoder

  void clear() { size_ = 0; }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }                          // usable bytes, padding excluded
  size_t allocated() const { return data_ ? capacity_ + kPadding : 0; }  // padding included
  const char* data() const { return data_ ? data_.get() : ""; }
  std::string_view view() const { return {data(), size_}; }

  void reserve(size_t n) {
    if (n <= capacity_) return;
    size_t grown = capacity_ ? capacity_ * 2 : 16 * 1024;
    if (grown < n) grown = n;
    size_t allocated = grown + kPadding;
    Data next = allocate(allocated);
    if (size_) std::memcpy(next.get(), data_.get(), size_);
    data_ = std::move(next);
    capacity_ = allocated - kPadding;
  }

  void append(const char* bytes, size_t n) {
    reserve(size_ + n > 0 ? size_ + n : 1);
    if (n) std::memcpy(data_.get() + size_, bytes, n);
    size_ += n;
    std::memset(data_.get() + size_, 0, kPadding);
  }

  void assign(std::string_view text) {
    clear();
    append(text.data(), text.size());
  }

 private:
  // A page (about 1.2 MiB for 100 runs) gets a memory mapping of its own, handed on to the
  // next page when this one is done (util/mappings.hpp): from the heap, pages allocated and
  // freed by the threads that fetch them would leave freed memory behind in each thread's
  // arena, so that a long scan's memory crept up. Small bodies come from the heap.
  static constexpr size_t kMapAtLeast = 256 * 1024;
  using Release = page_buffer_detail::Release;
  using Data = std::unique_ptr<char[], Release>;
  // Memory for at least `n` bytes; `n` becomes what was given (a kept mapping may be longer).
  static Data allocate(size_t& n) {
    if (n >= kMapAtLeast) {
      n = mappings::length_for(n);
      return Data(mappings::acquire(n), Release{n});
    }
    return Data(new char[n], Release{});
  }

  Data data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace stacklite
