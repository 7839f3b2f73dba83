// Fault injection: misbehaviours a test queues for the next matching requests (an error
// status, a reset, a stall, a cut-off body, a replaced body, extra headers). The loopback
// server applies them as a layer around whichever fake's handlers answer the request.
#pragma once

#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace httplib {
struct Response;
}

namespace stacklite::testserver {

// A misbehaviour for the next matching requests (see FakeGitHub::inject).
struct Fault {
  enum class Kind {
    Status,    // answer http_status with response_body instead of handling the request
    Reset,     // close the connection without any response (a TCP reset)
    Stall,     // wait stall_for, then answer normally
    Truncate,  // answer normally but send only half the body under the full Content-Length
    Body,      // answer normally, then replace status and body
  };
  Kind kind = Kind::Status;
  int http_status = 0;
  std::string response_body;
  std::chrono::milliseconds stall_for{0};
  // Added to or replacing the response's headers, e.g. retry-after, x-ratelimit-remaining;
  // a name given more than once is sent on that many lines.
  std::vector<std::pair<std::string, std::string>> extra_headers;
  std::string only_method;  // "" for any request, else only requests with this method

  // A body starting with '<' is sent as text/html, anything else as JSON.
  static Fault status(int code, std::string body = "");
  static Fault reset();
  static Fault stall(std::chrono::milliseconds how_long);
  static Fault truncate();
  static Fault body(std::string body, int status = 200);
  Fault& with_header(std::string name, std::string value);
  Fault& for_method(std::string method);  // e.g. "DELETE": reads of the same path pass
};

// The queued faults of one server; rules apply in the order they were injected.
class FaultQueue {
 public:
  // The next `count` requests whose target (path?query, as received) contains
  // path_contains get the fault.
  void inject(Fault fault, int count, std::string path_contains);
  void clear();
  // The fault for this request, if any, counting it against its rule.
  bool take(const std::string& method, const std::string& target, Fault& out);

 private:
  struct Rule {
    Fault fault;
    int remaining;
    std::string path_contains;
  };
  std::mutex mutex_;
  std::deque<Rule> rules_;
};

// Replaces status and body; a body starting with '<' goes out as HTML, as from a proxy.
void set_fault_body(httplib::Response& res, int status, const std::string& body);
// After the handlers answered: extra headers, a replaced body, or a body cut short.
void apply_fault_after(const Fault& fault, httplib::Response& res);

}  // namespace stacklite::testserver
