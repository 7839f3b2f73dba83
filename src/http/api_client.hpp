// The API client: one configured origin, its headers and token, redirects that never carry
// the token off-origin, retries of reads, rate limits, conditional GETs, the error formatter.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "http/pool.hpp"
#include "http/rate_limit.hpp"
#include "http/response_cache.hpp"
#include "http/transport.hpp"
#include "http/url.hpp"

namespace stacklite {

// Four reads in flight: see README "Performance" for why (GitHub asks for serial requests,
// and limits concurrent requests and points per minute).
constexpr long kDefaultMaxConcurrency = 4;
constexpr long kMaxConcurrency = 16;

// What a connection's requests cost, for stacklite_stats(): every HTTP request sent (each
// retry, redirect and rate-limited attempt is one), and how many of the GETs a 304 answered
// (conditional requests the primary rate limit does not count). Shared by the clients of
// one connection, the page fetcher's workers included.
struct RequestStats {
  std::atomic<int64_t> requests{0};
  std::atomic<int64_t> not_modified{0};
  std::atomic<int64_t> writes{0};   // requests other than GET
  std::atomic<int64_t> skipped{0};  // targets left out as missing (on_missing 'skip')
};

// Connection-wide knobs (stacklite_config), read at each request, and the state every
// client of one connection shares: the rate limits seen and the response cache.
struct ClientSettings {
  long timeout_ms = kDefaultTimeoutMs;  // no data for this long fails a request; 4x this is its deadline
  long connect_timeout_ms = kDefaultConnectTimeoutMs;
  long max_retries = 3;      // per request: retries after failures and waits on rate limits
  long retry_base_ms = 500;  // first backoff; doubles per retry, with jitter
  long max_wait_s = 60;      // longest wait for a rate limit (Retry-After, reset) before giving up
  long cache = 1;            // 1: GETs are conditional (If-None-Match) on remembered responses
  long cache_max_mb = 8;     // the response cache's bound: memory stays flat however long the scan
  std::string user_agent = std::string("stacklite/") + STACKLITE_VERSION;
  // Reads of one statement in flight at once (pages of a listing, listings of an IN list);
  // halved for the rest of a statement by each secondary rate limit.
  long max_concurrency = kDefaultMaxConcurrency;
  // What a scan does when the first request for one of its targets (a repository of a
  // fan-out) answers 404 or 403, not for a rate limit: false fails the statement
  // (on_missing 'error'), true skips the target with a line on stderr ('skip').
  bool skip_missing = false;
  // Whether the statement now running was interrupted (sqlite3_interrupt). Set by the
  // SQLite layer, so this one stays free of SQLite; asked during transfers and waits.
  std::function<bool()> interrupted;

  std::shared_ptr<RateLimitBook> rate_limits = std::make_shared<RateLimitBook>();
  std::shared_ptr<ResponseCache> response_cache = std::make_shared<ResponseCache>();
  std::shared_ptr<HttpPool> pool = std::make_shared<HttpPool>();
  std::shared_ptr<RequestStats> stats = std::make_shared<RequestStats>();
};

// Where requests go and as whom: plain data, which resolve_endpoint (spec/endpoint.hpp)
// fills from a provider spec and a table's options.
struct Endpoint {
  std::string base_url;  // no trailing slash, e.g. https://api.github.com or https://ghe/api/v3
  ParsedUrl base;
  std::string token_env;                // a table's token_env= ("" = token_envs)
  std::vector<std::string> token_envs;  // otherwise the token is the first of these that is set
  std::string auth_header;              // how the token is sent ("" = never)
  std::string auth_prefix;
  std::vector<std::pair<std::string, std::string>> headers;  // sent with every request
  std::vector<std::pair<long, std::string>> error_hints;     // HTTP status -> what it means here
  // Every variable whose value never appears in a message (all providers' token variables).
  std::vector<std::string> secret_envs;

  // The token now in the environment ("" when none); read per request so it is never cached.
  // `variable`, when given, receives the name of the variable it came from (or would).
  std::string token(std::string* variable = nullptr) const;
  // Where a token is read from, for messages: "GITHUB_TOKEN or GH_TOKEN".
  std::string token_sources() const;
  // For a request sent without a token: after a 401, " (no token was sent: set GITHUB_TOKEN
  // or GH_TOKEN)"; after a 404 of a path in a repository (`/repos/…`), " (no token was sent:
  // if the repository is private, set …)"; "" otherwise (a 404 of an owner's listing means
  // no such owner, with or without a token).
  std::string missing_token_hint(long status, std::string_view path) const;
  // " (hint)" for a status the provider explains, else "".
  std::string error_hint(long status) const;
};

class ApiClient {
 public:
  // Without a transport, reads go over the settings' connection pool.
  ApiClient(Endpoint endpoint, std::shared_ptr<const ClientSettings> settings,
            std::unique_ptr<HttpTransport> transport = nullptr);

  const Endpoint& endpoint() const { return endpoint_; }
  const std::shared_ptr<const ClientSettings>& settings() const { return settings_; }
  // Called (on the requesting thread) before each wait for a secondary rate limit, with the
  // wait in milliseconds: the page fetcher lowers its concurrency.
  void on_secondary_limit(std::function<void(long)> hook) { secondary_limit_hook_ = std::move(hook); }

  // Absolute URL for an API path (already encoded), e.g. "/repos/o/r/actions/runs?x=1".
  std::string url_for(std::string_view path_and_query) const;
  // The part of an absolute URL below the base, without query, for messages.
  std::string display_path(std::string_view url) const;
  bool same_origin(std::string_view url) const;
  // describe_http_failure for a response to `url`, with this client's token kept out.
  std::string describe_failure(std::string_view method, const std::string& url, const HttpResponse& response) const;
  // describe_failure with what the provider and the missing token say about the status.
  std::string explain_failure(std::string_view method, const std::string& url, const HttpResponse& response) const;
  // format_request_error for `url` (absolute, shown below the base URL).
  std::string request_error(std::string_view method, std::string_view url, std::string_view what) const;

  // GET with retries on 5xx, transport failures and timeouts (backoff with jitter), waits
  // on rate limits, and If-None-Match from the connection's response cache (a 304 comes
  // back as the remembered 200). Follows redirects (the token only to the configured
  // origin). Returns any final HTTP status; throws Error when the server cannot be
  // reached after retries or a rate limit cannot be waited out.
  void get(const std::string& url, HttpResponse& response);

  // Sends a write. Never follows redirects, and retries only when the request certainly
  // did not reach the server (no connection) or a rate limit asked to wait (429, secondary
  // or primary limit) for at most max_wait_s. Returns any HTTP status; throws Error when
  // the server could not be reached, the transfer broke (the write may then have been
  // applied), or a rate limit could not be waited out (the write was refused).
  void send(const std::string& method, const std::string& url, const std::string& body, HttpResponse& response);

 private:
  struct Attempts {
    long retries = 0;           // retries and rate-limit waits so far
    long secondary_wait_s = 0;  // the last wait for a secondary limit (waits double)
  };
  // The token this URL may carry: the configured one on the API origin, else none.
  std::string token_for(const std::string& url) const;
  void perform_once(const std::string& method, const std::string& url, const std::string& body,
                    const std::string& token, const std::string& if_none_match, HttpResponse& response);
  // When `response` is rate limited: waits as asked and returns true (send again), or
  // throws Error saying why it gave up. False when the response is not rate limited.
  bool wait_for_rate_limit(const std::string& method, const std::string& url, const HttpResponse& response,
                           Attempts& attempts);
  // Sleeps in slices, throwing Interrupted as soon as the statement is interrupted.
  void pause(long ms) const;
  void check_interrupt() const;

  Endpoint endpoint_;
  std::shared_ptr<const ClientSettings> settings_;
  std::unique_ptr<HttpTransport> transport_;
  // Per client rather than thread_local: the module is loaded with dlopen, where dynamic
  // thread-local storage trips up leak checkers.
  std::minstd_rand jitter_;
  std::function<void(long)> secondary_limit_hook_;
};

// "GET /repos/o/r/actions/runs: <what>": every error about one request starts so.
std::string format_request_error(std::string_view method, std::string_view display_path, std::string_view what);
// "GET /repos/o/r/actions/runs: 404 Not Found: <API message>"; the API message with every
// secret replaced before it is cut to 500 bytes.
std::string describe_http_failure(std::string_view method, std::string_view display_path, const HttpResponse& response,
                                  const std::vector<std::string>& secrets);
// The values the variables hold now (from the environment), and `extra`, longest first.
std::vector<std::string> secret_values(const std::vector<std::string>& variables,
                                       const std::string& extra = std::string());
const char* http_reason(long status);

}  // namespace stacklite
