// libcurl implementation of HttpTransport: one easy handle reused for every request; reads
// run on the connection's pool (kept-alive connections shared by every table and cursor).
#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <mutex>

#include "http/pool.hpp"
#include "http/transport.hpp"
#include "http/url.hpp"

namespace stacklite {

std::optional<std::string_view> HttpResponse::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers)
    if (name == lower_name) return std::string_view(value);
  return std::nullopt;
}

void HttpResponse::add_header_line(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  if (line.empty()) return;
  if (line.front() == ' ' || line.front() == '\t') {
    // Obsolete line folding: the previous field goes on (HTTP says to read the fold as a space).
    std::string_view more = trim(line);
    if (!headers.empty() && !more.empty()) {
      std::string& value = headers.back().second;
      value += value.empty() ? "" : " ";
      value += more;
    }
    return;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return;
  std::string name = to_lower(trim(line.substr(0, colon)));
  std::string_view value = trim(line.substr(colon + 1));
  if (name.empty()) return;
  for (size_t i = 0; i < headers.size(); ++i) {
    if (headers[i].first != name) continue;
    std::string& existing = headers[i].second;
    if (!value.empty()) {
      existing += existing.empty() ? "" : ", ";
      existing += value;
    }
    // Moved last, so that a folded line after this one continues this field.
    std::rotate(headers.begin() + static_cast<long>(i), headers.begin() + static_cast<long>(i) + 1, headers.end());
    return;
  }
  headers.emplace_back(std::move(name), std::string(value));
}

namespace {

// STACKLITE_TEST_RESOLVE="name:port:127.0.0.1[,...]" pins names to loopback addresses for the
// tests (which must never send traffic off the machine). Only 127.0.0.0/8 addresses are
// accepted, so it can only keep traffic on this machine; the token rule goes by the name
// in the URL, never by the address, so it cannot loosen that either.
std::vector<std::string> test_resolve_entries() {
  std::vector<std::string> out;
  const char* env = std::getenv("STACKLITE_TEST_RESOLVE");
  if (!env) return out;
  for (std::string_view entry : split(env, ',')) {
    entry = trim(entry);
    size_t last = entry.rfind(':');
    if (last == std::string_view::npos || entry.find(':') == last) continue;
    if (!is_loopback_host(entry.substr(last + 1)) || entry.substr(last + 1) == "localhost") continue;
    out.emplace_back(entry);
  }
  return out;
}

struct CurlSlist {
  curl_slist* list = nullptr;
  ~CurlSlist() { curl_slist_free_all(list); }
  void add(const std::string& line) {
    curl_slist* next = curl_slist_append(list, line.c_str());
    if (!next) throw Error("out of memory building request headers");
    list = next;
  }
};

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(std::shared_ptr<HttpPool> pool) : pool_(std::move(pool)) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    handle_ = curl_easy_init();
    if (!handle_) throw Error("could not initialise libcurl");
  }
  ~CurlTransport() override { curl_easy_cleanup(handle_); }

  void perform(const HttpRequest& request, const TransportLimits& limits, HttpResponse& response) override {
    response.clear();
    auto start = std::chrono::steady_clock::now();
    const bool pooled = pool_ && !request.fresh_connection;
    // The interrupt check may ask SQLite, which must happen on the statement's own thread:
    // in the pool, curl calls on_progress on the pool's thread (whose blank prepare would
    // wait for the connection's mutex, held by this thread while it waits for the pool), so
    // there the pool asks `abandon` on this thread instead.
    State state{&response, &limits, start, 0, false, false, start, false, !pooled};
    CurlSlist headers;
    for (const auto& h : request.headers) headers.add(h);
    // curl adds "Expect: 100-continue" to larger bodies; the API does not need the round trip.
    headers.add("Expect:");

    CURL* h = handle_;
    curl_easy_reset(h);
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.list);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, limits.connect_timeout_ms);
    if (limits.total_timeout_ms > 0) curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, limits.total_timeout_ms);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &CurlTransport::on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &state);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &CurlTransport::on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &state);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    if (request.fresh_connection) curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
    CurlSlist resolve;
    for (const auto& entry : test_resolve_entries()) resolve.add(entry);
    if (resolve.list) curl_easy_setopt(h, CURLOPT_RESOLVE, resolve.list);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &CurlTransport::on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &state);
    if (request.method == "GET") {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
      if (request.method == "POST" || !request.body.empty()) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.c_str());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
      }
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }

    if (pooled) {
      curl_easy_setopt(h, CURLOPT_SHARE, pool_->share());
      // Over HTTP/2, a request started while a connection is being opened waits to share it.
      if (starts_with(request.url, "https:")) curl_easy_setopt(h, CURLOPT_PIPEWAIT, 1L);
    }
    bool abandoned = false;
    CURLcode rc = pooled ? pool_->perform(h,
                                          [&] {
                                            abandoned = limits.interrupted && limits.interrupted();
                                            return abandoned;
                                          })
                         : curl_easy_perform(h);
    if (rc == CURLE_OK) {
      curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
      return;
    }
    std::string detail = errbuf[0] ? std::string(errbuf) : std::string(curl_easy_strerror(rc));
    if (state.interrupted || abandoned) throw Interrupted();
    if (state.too_large)
      throw TransportError(TransportError::Kind::TooLarge,
                           "response larger than " + std::to_string(limits.max_body_bytes >> 20) + " MiB");
    if (state.stalled)
      throw TransportError(TransportError::Kind::Timeout, "no data from the server for " +
                                                              std::to_string(limits.stall_timeout_ms) +
                                                              " ms (timeout_ms); the server stalled");
    // Nothing was sent when curl issued no request bytes: a write may then be tried again.
    long request_bytes = 0;
    curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &request_bytes);
    switch (rc) {
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_RESOLVE_PROXY:
      case CURLE_COULDNT_CONNECT:
        throw TransportError(TransportError::Kind::NotSent, "cannot connect: " + detail);
      case CURLE_OPERATION_TIMEDOUT:
        if (request_bytes == 0)
          throw TransportError(TransportError::Kind::NotSent,
                               "cannot connect: no connection within " +
                                   std::to_string(std::min(limits.connect_timeout_ms,
                                                           limits.total_timeout_ms > 0 ? limits.total_timeout_ms
                                                                                       : limits.connect_timeout_ms)) +
                                   " ms (connect_timeout_ms)");
        throw TransportError(TransportError::Kind::Timeout,
                             "the response took longer than " + std::to_string(limits.total_timeout_ms) +
                                 " ms in all (the request deadline: " + std::to_string(kDeadlineTimeouts) +
                                 " x timeout_ms); the server is too slow");
      default:
        throw TransportError(TransportError::Kind::Broken, "transfer failed: " + detail);
    }
  }

 private:
  struct State {
    HttpResponse* response;
    const TransportLimits* limits;
    std::chrono::steady_clock::time_point last_data;
    curl_off_t last_bytes;
    bool stalled;
    bool too_large;
    std::chrono::steady_clock::time_point last_interrupt_check;
    bool interrupted;
    bool check_interrupts;  // on_progress runs on the thread that called perform
  };

  static size_t on_body(char* ptr, size_t size, size_t nmemb, void* userdata) {
    auto* state = static_cast<State*>(userdata);
    size_t n = size * nmemb;
    if (state->response->body.size() + n > state->limits->max_body_bytes) {
      state->too_large = true;
      return 0;
    }
    state->response->body.append(ptr, n);
    state->last_data = std::chrono::steady_clock::now();
    return n;
  }

  static size_t on_header(char* ptr, size_t size, size_t nmemb, void* userdata) {
    auto* state = static_cast<State*>(userdata);
    size_t n = size * nmemb;
    std::string_view line(ptr, n);
    state->last_data = std::chrono::steady_clock::now();
    if (starts_with(line, "HTTP/")) {
      // A new response (after 100 Continue): forget the earlier one's headers.
      state->response->headers.clear();
      return n;
    }
    state->response->add_header_line(line);
    // The body's room at once, rather than grown by doubling while it arrives (copies and
    // page faults of about twice a page): the length announced, when within the body limit
    // (a compressed body's decoded size is larger: the rest grows as usual).
    if (line.size() > 15 && to_lower(line.substr(0, 15)) == "content-length:")
      if (auto bytes = parse_int64(trim(line.substr(15)));
          bytes && *bytes > 0 && static_cast<uint64_t>(*bytes) <= state->limits->max_body_bytes)
        state->response->body.reserve(static_cast<size_t>(*bytes));
    return n;
  }

  static int on_progress(void* userdata, curl_off_t, curl_off_t dlnow, curl_off_t, curl_off_t ulnow) {
    auto* state = static_cast<State*>(userdata);
    auto now = std::chrono::steady_clock::now();
    // curl calls this at least about once a second, and often while data flows.
    if (state->check_interrupts && state->limits->interrupted &&
        now - state->last_interrupt_check >= std::chrono::milliseconds(kInterruptCheckMs)) {
      state->last_interrupt_check = now;
      try {
        if (state->limits->interrupted()) {
          state->interrupted = true;
          return 1;  // abort
        }
      } catch (...) {
        // A check that fails is no interrupt: the request goes on.
      }
    }
    curl_off_t bytes = dlnow + ulnow;
    if (bytes != state->last_bytes) {
      state->last_bytes = bytes;
      state->last_data = now;
      return 0;
    }
    auto idle = std::chrono::duration_cast<std::chrono::milliseconds>(now - state->last_data).count();
    if (idle >= state->limits->stall_timeout_ms) {
      state->stalled = true;
      return 1;  // abort
    }
    return 0;
  }

  std::shared_ptr<HttpPool> pool_;  // before handle_: the pool outlives the handle
  CURL* handle_ = nullptr;
};

}  // namespace

std::unique_ptr<HttpTransport> make_curl_transport(std::shared_ptr<HttpPool> pool) {
  return std::make_unique<CurlTransport>(std::move(pool));
}

}  // namespace stacklite
