// A growable byte buffer that always keeps kPadding spare bytes past its end, so a
// response body can be parsed in place by simdjson without a padded copy.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace stacklite {

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
    std::unique_ptr<char[]> next(new char[grown + kPadding]);
    if (size_) std::memcpy(next.get(), data_.get(), size_);
    data_ = std::move(next);
    capacity_ = grown;
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
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace stacklite
