// One request and its response as they pass through a fake's handlers: the raw path and
// query as received, the decoded query parameters in their order, and ways to answer.
#pragma once

#include <httplib.h>

#include <string>
#include <utility>
#include <vector>

namespace stacklite::testserver {

using QueryList = std::vector<std::pair<std::string, std::string>>;

inline constexpr char kJsonType[] = "application/json; charset=utf-8";

struct Exchange {
  const httplib::Request& req;
  httplib::Response& res;
  std::string raw_path;   // as received, without the query
  std::string raw_query;  // as received, without '?'
  QueryList query;        // decoded, in the order received

  Exchange(const httplib::Request& request, httplib::Response& response);

  std::string param(const char* name) const;  // first value, "" if absent
  bool has_param(const char* name) const;
  bool is_read() const { return req.method == "GET" || req.method == "HEAD"; }

  void json(int status, std::string body) {
    res.status = status;
    res.set_content(std::move(body), kJsonType);
  }
  void empty(int status) {
    res.status = status;
    res.set_header("Content-Type", kJsonType);
  }
};

// "a=1&b=x%20y" -> {{"a","1"},{"b","x y"}}; '+' is a space, as in forms.
QueryList parse_query(const std::string& raw);
// One path segment, percent-decoded ('+' stays '+').
std::string decode_path_segment(const std::string& raw);

}  // namespace stacklite::testserver
