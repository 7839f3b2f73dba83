// The writes a connection has sent, as far as a listing needs to know them: a listing that
// a write of its own statement may have changed stops trusting page numbers (see Scan).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "http/url.hpp"

namespace stacklite {

class WriteLog {
 public:
  // Records a write about to be sent to base_url with these path parameters.
  void record(const std::string& base_url, const PathParams& params);
  // Writes recorded so far: a listing notes this when it begins.
  uint64_t serial() const { return serial_; }
  // Whether a write recorded after `since` went to base_url with path parameters that agree
  // with `params` on every name both have (values compared case-insensitively, as GitHub
  // compares owners and repositories). True as well when the writes since then are more
  // than the log keeps, since it cannot tell.
  bool touched_since(uint64_t since, const std::string& base_url, const PathParams& params) const;

 private:
  struct Entry {
    uint64_t serial;
    std::string base_url;
    PathParams params;
  };
  static constexpr size_t kKept = 4096;  // bounded: a long clean-up does not grow it
  uint64_t serial_ = 0;
  std::deque<Entry> recent_;
};

}  // namespace stacklite
