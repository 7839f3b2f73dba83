// A request as the loopback servers received it, kept so tests can assert what the
// extension sent: method, raw path and query, decoded parameters, headers, body.
#pragma once

#include <map>
#include <string>

namespace stacklite::testserver {

struct RecordedRequest {
  std::string method;
  std::string path;                                // as received: still percent-encoded, without the query
  std::string query;                               // as received, without '?'
  std::multimap<std::string, std::string> params;  // decoded query parameters
  // Names lower-cased. The HTTP library percent-decodes header values as it reads them,
  // so "a%20b" is recorded (and checked against required_token) as "a b".
  std::multimap<std::string, std::string> headers;
  std::string body;
  int remote_port = 0;  // the client's port: tells connections apart
  int in_flight = 0;    // requests being handled when this one arrived, itself included

  std::string header(const std::string& lower_name) const;  // first value, "" if absent
  bool has_header(const std::string& lower_name) const;
  std::string param(const std::string& name) const;  // first value, "" if absent
  bool has_param(const std::string& name) const;
};

}  // namespace stacklite::testserver
