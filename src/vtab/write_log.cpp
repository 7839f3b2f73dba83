// The writes a connection has sent, as far as a listing needs to know them: a listing that
// a write of its own statement may have changed stops trusting page numbers (see Scan).
#include "vtab/write_log.hpp"

#include "util/text.hpp"

namespace stacklite {

void WriteLog::record(const std::string& base_url, const PathParams& params) {
  recent_.push_back({++serial_, base_url, params});
  if (recent_.size() > kKept) recent_.pop_front();
}

bool WriteLog::touched_since(uint64_t since, const std::string& base_url, const PathParams& params) const {
  if (since >= serial_) return false;
  if (recent_.empty() || recent_.front().serial > since + 1) return true;  // forgotten writes: assume so
  for (auto it = recent_.rbegin(); it != recent_.rend() && it->serial > since; ++it) {
    if (it->base_url != base_url) continue;
    bool agree = true;
    for (const auto& [name, value] : it->params)
      for (const auto& [listing_name, listing_value] : params)
        if (name == listing_name && to_lower(value) != to_lower(listing_value)) agree = false;
    if (agree) return true;
  }
  return false;
}

}  // namespace stacklite
