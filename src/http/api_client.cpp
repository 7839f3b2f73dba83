// The API client: one configured origin, its headers and token, redirects that never carry
// the token off-origin, retries of reads, rate limits, conditional GETs, the error formatter.
#include "http/api_client.hpp"

#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <thread>

#include "util/status_line.hpp"

namespace stacklite {

std::string Endpoint::token(std::string* variable) const {
  if (!token_env.empty()) {
    if (variable) *variable = token_env;
    const char* v = std::getenv(token_env.c_str());
    return v ? std::string(v) : std::string();
  }
  for (const auto& name : token_envs) {
    const char* v = std::getenv(name.c_str());
    if (variable && variable->empty()) *variable = name;
    if (v && *v) {
      if (variable) *variable = name;
      return std::string(v);
    }
  }
  return std::string();
}

std::string Endpoint::token_sources() const {
  if (!token_env.empty()) return token_env;
  std::string out;
  for (const auto& name : token_envs) out += (out.empty() ? "" : " or ") + name;
  return out;
}

std::string Endpoint::missing_token_hint(long status, std::string_view path) const {
  if (!token().empty() || token_sources().empty()) return std::string();
  if (status == 401) return " (no token was sent: set " + token_sources() + ")";
  if (status == 404 && path.find("/repos/") != std::string_view::npos)
    return " (no token was sent: if the repository is private, set " + token_sources() + ")";
  return std::string();
}

std::string Endpoint::error_hint(long status) const {
  for (const auto& [code, hint] : error_hints)
    if (code == status) return " (" + hint + ")";
  return std::string();
}

ApiClient::ApiClient(Endpoint endpoint, std::shared_ptr<const ClientSettings> settings,
                     std::unique_ptr<HttpTransport> transport)
    : endpoint_(std::move(endpoint)),
      settings_(std::move(settings)),
      transport_(std::move(transport)),
      jitter_(std::random_device{}()) {
  if (!transport_) transport_ = make_curl_transport(settings_->pool);
}

std::string ApiClient::url_for(std::string_view path_and_query) const {
  return endpoint_.base_url + std::string(path_and_query);
}

bool ApiClient::same_origin(std::string_view url) const {
  auto parsed = parse_url(url);
  return parsed && parsed->origin() == endpoint_.base.origin();
}

std::string ApiClient::display_path(std::string_view url) const {
  auto parsed = parse_url(url);
  if (!parsed) return std::string(url.substr(0, url.find('?')));
  std::string path = parsed->path;
  if (parsed->origin() != endpoint_.base.origin()) return parsed->origin() + path;
  const std::string& prefix = endpoint_.base.path;
  if (!prefix.empty() && starts_with(path, prefix) && (path.size() == prefix.size() || path[prefix.size()] == '/'))
    path = path.substr(prefix.size());
  return path.empty() ? "/" : path;
}

std::string ApiClient::describe_failure(std::string_view method, const std::string& url,
                                        const HttpResponse& response) const {
  return describe_http_failure(method, display_path(url), response,
                               secret_values(endpoint_.secret_envs, endpoint_.token()));
}

std::string ApiClient::explain_failure(std::string_view method, const std::string& url,
                                       const HttpResponse& response) const {
  return describe_failure(method, url, response) + endpoint_.error_hint(response.status) +
         endpoint_.missing_token_hint(response.status, display_path(url));
}

std::string ApiClient::request_error(std::string_view method, std::string_view url, std::string_view what) const {
  return format_request_error(method, display_path(url), what);
}

std::string ApiClient::token_for(const std::string& url) const {
  if (endpoint_.auth_header.empty() || !same_origin(url)) return std::string();
  return endpoint_.token();
}

void ApiClient::perform_once(const std::string& method, const std::string& url, const std::string& body,
                             const std::string& token, const std::string& if_none_match, HttpResponse& response) {
  HttpRequest req;
  req.method = method;
  req.url = url;
  req.body = body;
  req.fresh_connection = method != "GET";
  req.headers.push_back("User-Agent: " + settings_->user_agent);
  for (const auto& [name, value] : endpoint_.headers) req.headers.push_back(name + ": " + value);
  // token_for() gives the token only for the configured origin.
  if (!token.empty()) {
    std::string variable;
    endpoint_.token(&variable);
    auto parsed = parse_url(url);
    // Over plain http anyone on the path reads the token; only loopback stays on this machine.
    if (parsed && parsed->scheme == "http" && !is_loopback_host(parsed->host))
      throw Error(request_error(method, url,
                                "refusing to send the token (" + variable + ") unencrypted over http:// to " +
                                    parsed->host + ": use an https:// base URL, or send no token to this host (unset " +
                                    variable + ", or give the table token_env= naming a variable that is not set)"));
    for (char c : token)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
        throw Error(request_error(method, url,
                                  "the token in " + variable +
                                      " contains a control character (a line break?), which could add a header: set it "
                                      "without one"));
    req.headers.push_back(endpoint_.auth_header + ": " + endpoint_.auth_prefix + token);
  }
  // The cache keeps only well-formed entity-tags; checked again here, since any control
  // character in a header value could end the line and start another header.
  if (!if_none_match.empty() && is_valid_entity_tag(if_none_match))
    req.headers.push_back("If-None-Match: " + if_none_match);
  if (!body.empty()) req.headers.push_back("Content-Type: application/json");
  TransportLimits limits;
  limits.connect_timeout_ms = std::min(settings_->connect_timeout_ms, settings_->timeout_ms);
  limits.stall_timeout_ms = settings_->timeout_ms;
  limits.total_timeout_ms = kDeadlineTimeouts * settings_->timeout_ms;
  limits.interrupted = settings_->interrupted;
  check_interrupt();
  if (settings_->stats) {
    ++settings_->stats->requests;
    if (method != "GET") ++settings_->stats->writes;
  }
  transport_->perform(req, limits, response);
  if (settings_->stats && response.status == 304) ++settings_->stats->not_modified;
  if (settings_->rate_limits && same_origin(url))
    if (auto state = RateLimitState::from(response)) settings_->rate_limits->record(endpoint_.base_url, *state);
}

namespace {

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool is_retryable_status(long status) { return status == 500 || status == 502 || status == 503 || status == 504; }

std::string resolve_location(const std::string& current, std::string_view location) {
  if (parse_url(location)) return std::string(location);
  auto base = parse_url(current);
  if (!base) return std::string(location);
  if (!location.empty() && location.front() == '/') return base->origin() + std::string(location);
  std::string dir = base->path.substr(0, base->path.rfind('/') + 1);
  return base->origin() + dir + std::string(location);
}

// The wait before retry number `attempt` (from 0): base_ms doubled per retry, plus up to
// half again of random jitter so that many clients do not retry in step.
long backoff_ms(long base_ms, long attempt, std::minstd_rand& rng) {
  long delay = base_ms << std::min(attempt, 10L);
  long jitter = delay > 1 ? static_cast<long>(rng() % static_cast<unsigned long>(delay / 2 + 1)) : 0;
  return delay + jitter;
}

// Whether a 200 is fit to be served again on a 304: JSON (by its type, when given) that
// opens like a document. That it also closes was checked as it arrived (every 200 is, before
// it goes anywhere), so the page is not scanned twice; a body broken in transit already
// failed in the transport.
bool looks_like_whole_json(const HttpResponse& response) {
  if (auto type = response.header("content-type"); type && to_lower(*type).find("json") == std::string::npos)
    return false;
  std::string_view body = trim(response.body.view());
  return body.size() >= 2 && (body.front() == '{' || body.front() == '[');
}

// A 304 answers a conditional GET: the remembered response stands, with the headers the
// 304 sent (fresh rate-limit headers) taking precedence.
void revive(const ResponseCache::Entry& cached, HttpResponse& response) {
  std::vector<std::pair<std::string, std::string>> headers = response.headers;
  for (const auto& header : cached.headers) {
    bool fresh = false;
    for (const auto& h : response.headers) fresh |= h.first == header.first;
    if (!fresh) headers.push_back(header);
  }
  response.status = 200;
  response.headers = std::move(headers);
  response.body.assign(cached.body.view());
}

}  // namespace

bool ApiClient::wait_for_rate_limit(const std::string& method, const std::string& url, const HttpResponse& response,
                                    Attempts& attempts) {
  RateLimitHit hit = classify_rate_limit(response);
  if (hit.kind == RateLimitHit::Kind::None) return false;
  const long max_wait_s = settings_->max_wait_s;
  const bool retries_left = attempts.retries < settings_->max_retries;
  const std::string request = method + " " + display_path(url);  // for the wait notice
  long wait_ms = 0;
  std::string why;
  if (hit.kind == RateLimitHit::Kind::Primary) {
    // Nothing helps before the reset: wait for it (and a second more for clock skew) when near.
    const RateLimitState& s = hit.state;
    why = "primary rate limit: 0" + (s.limit >= 0 ? " of " + std::to_string(s.limit) : std::string()) +
          " requests left" + (s.resource.empty() ? std::string() : " for " + s.resource);
    auto now = std::chrono::system_clock::now();
    const int64_t now_s = std::chrono::system_clock::to_time_t(now);
    // Judged in whole seconds first: a reset far in the future (up to INT64_MAX) must not
    // overflow on its way to milliseconds.
    const int64_t until_reset_s = s.reset > now_s ? s.reset - now_s : 0;
    if (s.reset >= 0 && until_reset_s > max_wait_s) {
      wait_ms = max_wait_s * 1000 + 1;
    } else {
      auto due = s.reset >= 0 ? std::chrono::system_clock::time_point(std::chrono::seconds(s.reset + 1))
                              : now + std::chrono::seconds(60);
      wait_ms = std::max<long>(0, std::chrono::ceil<std::chrono::milliseconds>(due - now).count());
    }
    if (s.reset >= 0)
      why += "; it resets at " + format_epoch_utc(s.reset) + ", in " + std::to_string(until_reset_s) + " s";
    else
      why += "; no reset time was sent";
    if (wait_ms > max_wait_s * 1000) {
      wait_ms = -1;
      why += ", beyond max_wait_s (" + std::to_string(max_wait_s) + ")";
      // Unauthenticated requests have the smallest budget (60 an hour on GitHub).
      if (endpoint_.token().empty() && !endpoint_.token_sources().empty())
        why += "; no token was sent: set " + endpoint_.token_sources() + " for a larger budget";
    }
  } else {
    // Secondary limit: Retry-After, else a minute; each further wait in this request doubles.
    long wait_s = hit.retry_after_s >= 0 ? hit.retry_after_s : 60;
    if (attempts.secondary_wait_s > 0) wait_s = std::max(wait_s, attempts.secondary_wait_s * 2);
    if (wait_s > max_wait_s) {
      why = "secondary rate limit: the wait would be " + std::to_string(wait_s) + " s" +
            (hit.retry_after_s >= 0 && attempts.secondary_wait_s == 0 ? " (Retry-After)" : std::string()) +
            ", beyond max_wait_s (" + std::to_string(max_wait_s) + ")";
      wait_ms = -1;
    } else {
      why = "secondary rate limit";
      attempts.secondary_wait_s = std::max(wait_s, 1L);
      wait_ms = wait_s * 1000;
    }
  }
  if (wait_ms >= 0 && !retries_left)
    why += "; no retries left (max_retries = " + std::to_string(settings_->max_retries) + ")";
  if (wait_ms < 0 || !retries_left) throw Error(describe_failure(method, url, response) + " (" + why + ")");
  if (isatty(2))
    print_stderr_line("stacklite: " + request + ": " + why + "; waiting " + std::to_string((wait_ms + 999) / 1000) +
                      " s");
  ++attempts.retries;
  if (hit.kind == RateLimitHit::Kind::Secondary && secondary_limit_hook_) secondary_limit_hook_(wait_ms);
  pause(wait_ms);
  return true;
}

void ApiClient::check_interrupt() const {
  if (settings_->interrupted && settings_->interrupted()) throw Interrupted();
}

void ApiClient::pause(long ms) const {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max(0L, ms));
  while (true) {
    check_interrupt();
    auto left = until - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) return;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(kInterruptCheckMs)));
  }
}

void ApiClient::get(const std::string& start_url, HttpResponse& response) {
  std::string url = start_url;
  int redirects = 0;
  Attempts attempts;
  ResponseCache* cache = settings_->cache ? settings_->response_cache.get() : nullptr;
  const size_t cache_bytes = static_cast<size_t>(settings_->cache_max_mb) << 20;
  while (true) {
    std::string token = token_for(url);
    std::string key = cache ? cache->key(url, token) : std::string();
    std::shared_ptr<const ResponseCache::Entry> cached = cache ? cache->find(key) : nullptr;
    try {
      perform_once("GET", url, std::string(), token, cached ? cached->etag : std::string(), response);
    } catch (const TransportError& e) {
      // A body over the page cap would be as large the next time: not asked for again.
      if (e.kind() != TransportError::Kind::TooLarge && attempts.retries < settings_->max_retries) {
        pause(backoff_ms(settings_->retry_base_ms, attempts.retries++, jitter_));
        continue;
      }
      throw Error(request_error(
          "GET", url,
          e.what() + (attempts.retries ? " (after " + std::to_string(attempts.retries) + " retries)" : std::string())));
    }
    if (response.status == 304 && cached) {
      revive(*cached, response);
      return;
    }
    if (is_retryable_status(response.status) && attempts.retries < settings_->max_retries) {
      long wait = backoff_ms(settings_->retry_base_ms, attempts.retries++, jitter_);
      // A 503 may say when to come back; honour it when that is within max_wait_s.
      if (auto after = response.header("retry-after"))
        if (auto s = parse_int64(trim(*after)); s && *s >= 0 && *s <= settings_->max_wait_s)
          wait = std::max(wait, static_cast<long>(*s) * 1000);
      pause(wait);
      continue;
    }
    // A 200 whose JSON stops short although its transfer completed (a proxy or server cut
    // it off under a matching Content-Length): retried like a truncated transfer, before
    // any of its rows is returned.
    if (response.status == 200 && !json_closes(response.body.view())) {
      if (attempts.retries < settings_->max_retries) {
        pause(backoff_ms(settings_->retry_base_ms, attempts.retries++, jitter_));
        continue;
      }
      if (cache) cache->forget(key);
      throw Error(request_error(
          "GET", url,
          "malformed response: the JSON ends before its document closes (the server sent a 200 "
          "whose body was cut short)" +
              (attempts.retries ? " (after " + std::to_string(attempts.retries) + " retries)" : std::string())));
    }
    if (wait_for_rate_limit("GET", url, response, attempts)) continue;
    if (is_redirect(response.status)) {
      auto location = response.header("location");
      if (!location) return;
      if (++redirects > 5) throw Error(request_error("GET", start_url, "more than 5 redirects"));
      url = resolve_location(url, *location);
      if (!parse_url(url)) throw Error(request_error("GET", start_url, "redirect to a non-http URL"));
      continue;
    }
    // Remembers a whole JSON 200 with an ETag; any other answer forgets what this URL had,
    // so a 304 can never bring back an error or a damaged body.
    if (cache) {
      if (response.status == 200 && looks_like_whole_json(response))
        cache->store(key, response, cache_bytes);
      else
        cache->forget(key);
    }
    return;
  }
}

void ApiClient::send(const std::string& method, const std::string& url, const std::string& body,
                     HttpResponse& response) {
  Attempts attempts;
  while (true) {
    try {
      perform_once(method, url, body, token_for(url), std::string(), response);
    } catch (const TransportError& e) {
      if (e.kind() == TransportError::Kind::NotSent && attempts.retries < settings_->max_retries) {
        pause(backoff_ms(settings_->retry_base_ms, attempts.retries++, jitter_));
        continue;
      }
      throw Error(request_error(method, url,
                                e.what() + (e.kind() == TransportError::Kind::NotSent
                                                ? std::string()
                                                : std::string("; the request may have reached the server, so it was "
                                                              "not repeated"))));
    }
    // A rate-limited write was refused, so sending it again after the wait is safe.
    if (wait_for_rate_limit(method, url, response, attempts)) continue;
    return;
  }
}

const char* http_reason(long status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "HTTP error";
  }
}

std::vector<std::string> secret_values(const std::vector<std::string>& variables, const std::string& extra) {
  std::vector<std::string> secrets;
  for (const auto& n : variables)
    if (const char* v = std::getenv(n.c_str())) secrets.emplace_back(v);
  if (!extra.empty()) secrets.push_back(extra);
  // Longest first, so that a token containing another is replaced whole.
  std::sort(secrets.begin(), secrets.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  return secrets;
}

std::string format_request_error(std::string_view method, std::string_view display_path, std::string_view what) {
  std::string out;
  out.reserve(method.size() + display_path.size() + what.size() + 3);
  return out.append(method).append(" ").append(display_path).append(": ").append(what);
}

std::string describe_http_failure(std::string_view method, std::string_view display_path, const HttpResponse& response,
                                  const std::vector<std::string>& secrets) {
  std::string msg =
      format_request_error(method, display_path, std::to_string(response.status) + " " + http_reason(response.status));
  // GitHub-style error bodies carry {"message": ...}; anything else is summarised, not echoed.
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view message;
  if (!parser.parse(response.body.data(), response.body.size(), false).get(root) && !root["message"].get(message) &&
      !message.empty()) {
    msg += ": " + message_excerpt(message, secrets, 500);
  } else if (response.body.size() > 0) {
    msg += " (response body is not a JSON error object)";
  }
  return msg;
}

}  // namespace stacklite
