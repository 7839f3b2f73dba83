// The HTTP transport interface and its curl implementation: one request in, one whole
// response out. Retries, redirects, auth and error wording live a layer up (api_client).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/page_buffer.hpp"
#include "util/text.hpp"

namespace stacklite {

struct HttpRequest {
  std::string method = "GET";
  std::string url;                   // absolute
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  // A new connection: curl silently re-sends a request whose reused connection died
  // before answering, which must never happen to a write.
  bool fresh_connection = false;
};

struct HttpResponse {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  PageBuffer body;

  // The field's value; a field sent on several lines comes as one comma-separated list.
  std::optional<std::string_view> header(std::string_view lower_name) const;
  // Adds one received header line ("Name: value", line ending optional). A repeated field
  // is combined with the earlier value, comma-separated, as HTTP defines (several Link lines
  // are one list); a line that starts with a space or tab continues the previous field.
  void add_header_line(std::string_view line);
  void clear() {
    status = 0;
    headers.clear();
    body.clear();
  }
};

// Whether an HTTP status is a success (2xx): reads and writes judge responses by this.
inline bool is_success(long status) { return status >= 200 && status <= 299; }

// Defaults of stacklite_config's timeout_ms and connect_timeout_ms.
constexpr long kDefaultTimeoutMs = 30000;
constexpr long kDefaultConnectTimeoutMs = 10000;

// The overall deadline of one request, in multiples of timeout_ms: a server that trickles a
// byte now and then never stalls, but cannot hold a request longer than this.
constexpr long kDeadlineTimeouts = 4;

struct TransportLimits {
  long connect_timeout_ms = kDefaultConnectTimeoutMs;
  long stall_timeout_ms = kDefaultTimeoutMs;                      // no bytes for this long ends the request
  long total_timeout_ms = kDeadlineTimeouts * kDefaultTimeoutMs;  // however steadily bytes trickle in; 0: none
  size_t max_body_bytes = 32u << 20;                              // decoded bytes; real pages of 100 runs are ~1.2 MiB
  // Asked about every 50 ms while the request runs: true aborts it with Interrupted.
  std::function<bool()> interrupted;
};

// How often a transfer or a wait looks for an interrupt.
constexpr long kInterruptCheckMs = 50;

// The statement was interrupted (sqlite3_interrupt), or the request is no longer wanted:
// not a failure, never retried.
class Interrupted : public Error {
 public:
  Interrupted() : Error("interrupted") {}
};

// A failure below HTTP: nothing or only part of a response arrived.
class TransportError : public Error {
 public:
  // NotSent: the request certainly never left (no connection); Timeout: a stall or the
  // overall deadline; Broken: the transfer failed part way; TooLarge: the body went past the
  // page cap (asking again would bring the same body).
  enum class Kind { NotSent, Timeout, Broken, TooLarge };
  TransportError(Kind kind, const std::string& what) : Error(what), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Performs one request (no redirects followed). Throws TransportError, or Interrupted.
  virtual void perform(const HttpRequest& request, const TransportLimits& limits, HttpResponse& response) = 0;
};

class HttpPool;

// libcurl implementation. With a pool, reads travel over the pool's connections (shared with
// every other transport of the pool, and run side by side when called from several
// threads); without one, or for a request that needs a fresh connection (a write), the
// transport keeps connections of its own.
std::unique_ptr<HttpTransport> make_curl_transport(std::shared_ptr<HttpPool> pool = nullptr);

}  // namespace stacklite
