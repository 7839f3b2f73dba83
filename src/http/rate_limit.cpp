// Rate limits: the budget the API reports on each response (x-ratelimit-* headers), kept per
// base URL for stacklite_rate_limit(), and what a limited response asks the client to do.
#include "http/rate_limit.hpp"

#include <ctime>

#include "util/text.hpp"

namespace stacklite {

namespace {

int64_t header_int(const HttpResponse& response, std::string_view name, bool& seen) {
  auto value = response.header(name);
  if (!value) return -1;
  seen = true;
  auto parsed = parse_int64(trim(*value));
  return parsed && *parsed >= 0 ? *parsed : -1;
}

void append_number(std::string& out, int64_t value) { out += value < 0 ? "null" : std::to_string(value); }

}  // namespace

std::optional<RateLimitState> RateLimitState::from(const HttpResponse& response) {
  bool seen = false;
  RateLimitState s;
  s.limit = header_int(response, "x-ratelimit-limit", seen);
  s.remaining = header_int(response, "x-ratelimit-remaining", seen);
  s.used = header_int(response, "x-ratelimit-used", seen);
  s.reset = header_int(response, "x-ratelimit-reset", seen);
  if (auto resource = response.header("x-ratelimit-resource")) {
    seen = true;
    s.resource = std::string(trim(*resource).substr(0, 64));
  }
  if (!seen) return std::nullopt;
  return s;
}

std::string RateLimitState::to_json() const {
  std::string out = "{\"limit\":";
  append_number(out, limit);
  out += ",\"remaining\":";
  append_number(out, remaining);
  out += ",\"used\":";
  append_number(out, used);
  out += ",\"reset\":";
  append_number(out, reset);
  out += ",\"resource\":";
  if (resource.empty())
    out += "null";
  else
    append_json_string(out, resource);
  return out + "}";
}

void RateLimitBook::record(const std::string& base_url, const RateLimitState& state) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = by_base_url_.find(base_url);
  // Responses to requests in flight together arrive in any order: one that reports an
  // older state of the same budget (same resource and reset, more left, or an earlier
  // reset) does not replace a newer one.
  if (it != by_base_url_.end() && it->second.resource == state.resource && state.reset >= 0 && it->second.reset >= 0) {
    const RateLimitState& seen = it->second;
    if (state.reset < seen.reset) return;
    if (state.reset == seen.reset && state.remaining >= 0 && seen.remaining >= 0 && state.remaining > seen.remaining)
      return;
  }
  by_base_url_[base_url] = state;
}

std::optional<RateLimitState> RateLimitBook::find(const std::string& base_url) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = by_base_url_.find(base_url);
  if (it == by_base_url_.end()) return std::nullopt;
  return it->second;
}

std::string RateLimitBook::to_json() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out = "{";
  for (const auto& [base, state] : by_base_url_) {
    if (out.size() > 1) out += ",";
    append_json_string(out, base);
    out += ":" + state.to_json();
  }
  return out + "}";
}

RateLimitHit classify_rate_limit(const HttpResponse& response) {
  RateLimitHit hit;
  if (response.status != 403 && response.status != 429) return hit;
  if (auto state = RateLimitState::from(response)) hit.state = *state;
  if (auto after = response.header("retry-after"))
    if (auto seconds = parse_int64(trim(*after)); seconds && *seconds >= 0 && *seconds <= 24 * 3600)
      hit.retry_after_s = static_cast<long>(*seconds);
  // GitHub words its secondary limits in the message: "You have exceeded a secondary rate limit".
  std::string body = to_lower(response.body.view().substr(0, 4000));
  if (body.find("secondary rate limit") != std::string::npos)
    hit.kind = RateLimitHit::Kind::Secondary;
  else if (hit.state.remaining == 0)
    hit.kind = RateLimitHit::Kind::Primary;
  else if (response.status == 429 || hit.retry_after_s >= 0)
    hit.kind = RateLimitHit::Kind::Secondary;
  return hit;
}

std::string format_epoch_utc(int64_t epoch_seconds) {
  std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  // A hostile reset (say INT64_MAX) has no calendar date: shown as the number it is.
  if (!gmtime_r(&t, &tm) || tm.tm_year > 9999 - 1900) return std::to_string(epoch_seconds) + " (epoch seconds)";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace stacklite
