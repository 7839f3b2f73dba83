// Write methods without SQLite: checks a call's arguments against the spec, builds the
// request (path and JSON body), and words the JSON result a write function returns.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "http/transport.hpp"
#include "spec/spec.hpp"
#include "util/sql_value.hpp"

namespace stacklite {

struct WriteRequest {
  std::string method;
  std::string path;        // encoded, below the base URL
  std::string body;        // JSON object, or "" for none
  PathParams path_params;  // name, encoded value
};

// Throws Error starting with the method's signature and naming the argument at fault.
WriteRequest build_write_request(const WriteMethod& method, const std::vector<SqlValue>& args);

// {"ok":true,"status":202}, {"ok":false,"status":409,"message":"..."}, with "url" for a
// method that returns a Location and "body" when the API answered with content. Every
// secret the server echoed is replaced ("[token]") before the message is cut to 500 bytes
// on a character boundary, and in the body and URL too.
std::string write_result(const WriteMethod& method, const HttpResponse& response,
                         const std::vector<std::string>& secrets = {});

// {"ok":true,"dry_run":true,"method":"POST","url":"...","body":{...}}
std::string dry_run_result(const WriteRequest& request, const std::string& url);

}  // namespace stacklite
