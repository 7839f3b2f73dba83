// The API client: one configured origin, its headers and token, redirects that never
// carry the token off-origin, retries of idempotent reads, and the one error formatter.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "http/transport.hpp"
#include "http/url.hpp"
#include "spec/spec.hpp"

namespace stacklite {

// Connection-wide knobs (stacklite_config); read at each request.
struct ClientSettings {
  long timeout_ms = 30000;
  long connect_timeout_ms = 10000;
  long max_retries = 3;
  long retry_base_ms = 500;  // first backoff; doubles per retry, with jitter
  long max_wait_s = 60;      // longest wait the server may ask for (Retry-After) before we give up
  std::string user_agent = std::string("stacklite/") + STACKLITE_VERSION;
};

// Where requests go and as whom.
struct Endpoint {
  std::string base_url;  // no trailing slash, e.g. https://api.github.com or https://ghe/api/v3
  ParsedUrl base;
  std::string token_env;  // environment variable holding the token ("" = provider defaults)
  const ProviderSpec* provider = nullptr;

  // Resolves base_url (an option, else the provider's env var, else its default).
  static Endpoint resolve(const ProviderSpec& provider, const std::string& base_url_option, const std::string& token_env_option);
  // The token now in the environment ("" when none); read per request so it is never cached.
  std::string token() const;
  // Names the variable(s) the token comes from, for messages.
  std::string token_source() const;
};

class ApiClient {
 public:
  ApiClient(Endpoint endpoint, std::shared_ptr<const ClientSettings> settings,
            std::unique_ptr<HttpTransport> transport = make_curl_transport());

  const Endpoint& endpoint() const { return endpoint_; }

  // Absolute URL for an API path (already encoded), e.g. "/repos/o/r/actions/runs?x=1".
  std::string url_for(std::string_view path_and_query) const;
  // The part of an absolute URL below the base, without query, for messages.
  std::string display_path(std::string_view url) const;
  bool same_origin(std::string_view url) const;

  // GET with retries on 5xx and transport failures; follows redirects (the token only
  // to the configured origin). Returns any final HTTP status; throws Error when the
  // server cannot be reached after retries.
  void get(const std::string& url, HttpResponse& response);

  // Sends a write. Never follows redirects, and retries only when the request certainly
  // did not reach the server (no connection) or the server asked to wait (429, secondary
  // rate limit) for at most max_wait_s. Returns any HTTP status; throws Error when the
  // server could not be reached or the transfer broke (it may then have been applied).
  void send(const std::string& method, const std::string& url, const std::string& body, HttpResponse& response);

  long connections_opened() const { return transport_->connections_opened(); }
  long requests_sent() const { return requests_sent_; }

 private:
  void perform_once(const std::string& method, const std::string& url, const std::string& body,
                    HttpResponse& response);

  Endpoint endpoint_;
  std::shared_ptr<const ClientSettings> settings_;
  std::unique_ptr<HttpTransport> transport_;
  long requests_sent_ = 0;
};

// "GET /repos/o/r/actions/runs: 404 Not Found: <API message>"
std::string describe_http_failure(std::string_view method, std::string_view display_path, const HttpResponse& response);
const char* http_reason(long status);

}  // namespace stacklite
