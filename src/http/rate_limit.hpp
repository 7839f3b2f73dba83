// Rate limits: the budget the API reports on each response (x-ratelimit-* headers), kept per
// base URL for stacklite_rate_limit(), and what a limited response asks the client to do.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "http/transport.hpp"

namespace stacklite {

// One response's x-ratelimit-* headers; -1 (or "") for a header that was not sent.
struct RateLimitState {
  int64_t limit = -1;
  int64_t remaining = -1;
  int64_t used = -1;
  int64_t reset = -1;  // epoch seconds at which the budget is refilled
  std::string resource;

  // nullopt when the response carries no x-ratelimit-* header at all.
  static std::optional<RateLimitState> from(const HttpResponse& response);
  // {"limit":5000,"remaining":4999,"used":1,"reset":1700000000,"resource":"core"}; null for absent values.
  std::string to_json() const;
};

// The last state seen per base URL. Shared by every client of a connection.
class RateLimitBook {
 public:
  void record(const std::string& base_url, const RateLimitState& state);
  std::optional<RateLimitState> find(const std::string& base_url) const;
  // {"<base url>":{...},...}; {} before any response.
  std::string to_json() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, RateLimitState> by_base_url_;
};

// What a response says about rate limiting.
struct RateLimitHit {
  enum class Kind {
    None,       // not rate limited
    Primary,    // 403/429 with x-ratelimit-remaining: 0: nothing helps before the reset
    Secondary,  // 403/429 saying "secondary rate limit", any 429, or a 403 with Retry-After
  };
  Kind kind = Kind::None;
  long retry_after_s = -1;  // the Retry-After header in seconds, -1 when absent or unreadable
  RateLimitState state;
};

RateLimitHit classify_rate_limit(const HttpResponse& response);

// 2026-01-31T12:00:00Z
std::string format_epoch_utc(int64_t epoch_seconds);

}  // namespace stacklite
