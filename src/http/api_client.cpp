// The API client: one configured origin, its headers and token, redirects that never
// carry the token off-origin, retries of idempotent reads, and the one error formatter.
#include "http/api_client.hpp"

#include <simdjson.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <thread>

namespace stacklite {

Endpoint Endpoint::resolve(const ProviderSpec& provider, const std::string& base_url_option,
                           const std::string& token_env_option) {
  Endpoint e;
  e.provider = &provider;
  std::string base = base_url_option;
  if (base.empty() && !provider.base_url_env.empty()) {
    const char* env = std::getenv(provider.base_url_env.c_str());
    if (env && *env) base = env;
  }
  if (base.empty()) base = provider.base_url;
  if (base.empty())
    throw Error("provider '" + provider.name + "' has no default base URL: give one, e.g. base_url='https://HOST/api/v1'");
  while (!base.empty() && base.back() == '/') base.pop_back();
  auto parsed = parse_url(base);
  if (!parsed || !parsed->query.empty())
    throw Error("base URL " + quote_for_message(base) +
                " is not an http(s) URL without a query; expected e.g. https://api.github.com or "
                "https://ghe.example.com/api/v3" +
                (base_url_option.empty() && !provider.base_url_env.empty() ? " (check " + provider.base_url_env + ")" : ""));
  if (parsed->path == "/") parsed->path.clear();
  e.base_url = base;
  e.base = *parsed;
  e.token_env = token_env_option;
  return e;
}

std::string Endpoint::token() const {
  if (!token_env.empty()) {
    const char* v = std::getenv(token_env.c_str());
    return v ? std::string(v) : std::string();
  }
  if (provider)
    for (const auto& name : provider->token_envs) {
      const char* v = std::getenv(name.c_str());
      if (v && *v) return std::string(v);
    }
  return std::string();
}

std::string Endpoint::token_source() const {
  if (!token_env.empty()) return token_env;
  std::string out;
  if (provider)
    for (const auto& name : provider->token_envs) out += (out.empty() ? "" : " or ") + name;
  return out;
}

ApiClient::ApiClient(Endpoint endpoint, std::shared_ptr<const ClientSettings> settings,
                     std::unique_ptr<HttpTransport> transport)
    : endpoint_(std::move(endpoint)), settings_(std::move(settings)), transport_(std::move(transport)) {}

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
  if (!prefix.empty() && starts_with(path, prefix) &&
      (path.size() == prefix.size() || path[prefix.size()] == '/'))
    path = path.substr(prefix.size());
  return path.empty() ? "/" : path;
}

void ApiClient::perform_once(const std::string& method, const std::string& url, const std::string& body,
                             HttpResponse& response) {
  HttpRequest req;
  req.method = method;
  req.url = url;
  req.body = body;
  req.fresh_connection = method != "GET";
  req.headers.push_back("User-Agent: " + settings_->user_agent);
  if (endpoint_.provider)
    for (const auto& [name, value] : endpoint_.provider->headers) req.headers.push_back(name + ": " + value);
  // The token goes to the configured origin and nowhere else.
  if (same_origin(url) && endpoint_.provider && !endpoint_.provider->auth_header.empty()) {
    std::string token = endpoint_.token();
    if (!token.empty()) req.headers.push_back(endpoint_.provider->auth_header + ": " + endpoint_.provider->auth_prefix + token);
  }
  if (!body.empty()) req.headers.push_back("Content-Type: application/json");
  TransportLimits limits;
  limits.connect_timeout_ms = std::min(settings_->connect_timeout_ms, settings_->timeout_ms);
  limits.stall_timeout_ms = settings_->timeout_ms;
  ++requests_sent_;
  transport_->perform(req, limits, response);
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
  std::string origin = base->scheme + "://" + base->host + ":" + std::to_string(base->port);
  if (!location.empty() && location.front() == '/') return origin + std::string(location);
  std::string dir = base->path.substr(0, base->path.rfind('/') + 1);
  return origin + dir + std::string(location);
}

void backoff_sleep(long base_ms, int attempt) {
  static thread_local std::minstd_rand rng(std::random_device{}());
  long delay = base_ms << std::min(attempt, 10);
  long jitter = delay > 1 ? static_cast<long>(rng() % static_cast<unsigned long>(delay / 2 + 1)) : 0;
  std::this_thread::sleep_for(std::chrono::milliseconds(delay + jitter));
}

}  // namespace

void ApiClient::get(const std::string& start_url, HttpResponse& response) {
  std::string url = start_url;
  int redirects = 0;
  int attempt = 0;
  while (true) {
    try {
      perform_once("GET", url, std::string(), response);
    } catch (const TransportError& e) {
      if (attempt < settings_->max_retries) {
        backoff_sleep(settings_->retry_base_ms, attempt++);
        continue;
      }
      throw Error("GET " + display_path(url) + ": " + e.what() +
                  (attempt ? " (after " + std::to_string(attempt) + " retries)" : ""));
    }
    if (is_retryable_status(response.status) && attempt < settings_->max_retries) {
      backoff_sleep(settings_->retry_base_ms, attempt++);
      continue;
    }
    if (is_redirect(response.status)) {
      auto location = response.header("location");
      if (!location) return;
      if (++redirects > 5) throw Error("GET " + display_path(start_url) + ": more than 5 redirects");
      url = resolve_location(url, *location);
      if (!parse_url(url)) throw Error("GET " + display_path(start_url) + ": redirect to a non-http URL");
      continue;
    }
    return;
  }
}

namespace {

// Seconds the server asked us to wait before trying a write again, or -1 when it did not.
long requested_wait_s(const HttpResponse& response) {
  bool secondary = false;
  if (response.status == 403) {
    std::string body = to_lower(response.body.view().substr(0, 2000));
    secondary = body.find("secondary rate limit") != std::string::npos;
  }
  if (response.status != 429 && !secondary) return -1;
  if (auto after = response.header("retry-after"))
    if (auto seconds = parse_int64(trim(*after)); seconds && *seconds >= 0) return static_cast<long>(*seconds);
  return 60;
}

}  // namespace

void ApiClient::send(const std::string& method, const std::string& url, const std::string& body, HttpResponse& response) {
  int attempt = 0;
  while (true) {
    try {
      perform_once(method, url, body, response);
    } catch (const TransportError& e) {
      if (e.kind() == TransportError::Kind::NotSent && attempt < settings_->max_retries) {
        backoff_sleep(settings_->retry_base_ms, attempt++);
        continue;
      }
      throw Error(method + " " + display_path(url) + ": " + e.what() +
                  (e.kind() == TransportError::Kind::NotSent
                       ? std::string()
                       : std::string("; the request may have reached the server, so it was not repeated")));
    }
    long wait_s = requested_wait_s(response);
    if (wait_s >= 0 && wait_s <= settings_->max_wait_s && attempt < settings_->max_retries) {
      ++attempt;
      std::this_thread::sleep_for(std::chrono::seconds(wait_s));
      continue;
    }
    return;
  }
}

const char* http_reason(long status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "HTTP error";
  }
}

std::string describe_http_failure(std::string_view method, std::string_view display_path, const HttpResponse& response) {
  std::string msg = std::string(method) + " " + std::string(display_path) + ": " + std::to_string(response.status) +
                    " " + http_reason(response.status);
  // GitHub-style error bodies carry {"message": ...}; anything else is summarised, not echoed.
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view message;
  if (!parser.parse(response.body.data(), response.body.size(), false).get(root) &&
      !root["message"].get(message) && !message.empty()) {
    msg += ": " + std::string(message.substr(0, 500));
  } else if (response.body.size() > 0) {
    msg += " (response body is not a JSON error object)";
  }
  return msg;
}

}  // namespace stacklite
