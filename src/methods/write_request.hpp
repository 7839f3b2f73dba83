// Write methods without SQLite: checks a call's arguments against the spec, builds the
// request (path and JSON body), and words the JSON result a write function returns.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
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

// DELETE FROM a table: SQLite hands xUpdate nothing but the rowid (the key column) of each
// row to delete, so the table remembers, when SQLite takes a row's rowid during a write,
// the inputs that produced the row (owner, repo): the delete method's other arguments.
class DeleteRows {
 public:
  explicit DeleteRows(const WriteMethod& method) : method_(method) {}
  // Remembers the row with this key; `inputs` per column of the resource (the values given
  // for its input columns).
  void remember(int64_t key, const std::vector<std::optional<SqlValue>>& inputs);
  // The delete method's arguments for the row with this key, in the method's order;
  // nullopt when no such row was remembered.
  std::optional<std::vector<SqlValue>> arguments(int64_t key, int key_column) const;
  void clear() { rows_.clear(); }

 private:
  const WriteMethod& method_;
  std::unordered_map<int64_t, std::vector<SqlValue>> rows_;  // key -> values of method_.sql_delete, in order
};

// {"ok":true,"status":202}, {"ok":false,"status":409,"message":"..."}, with "url" for a
// method that returns a Location and "body" when the API answered with content. Every
// secret the server echoed is replaced ("[token]") before the message is cut to 500 bytes
// on a character boundary, and in the body and URL too.
std::string write_result(const WriteMethod& method, const HttpResponse& response,
                         const std::vector<std::string>& secrets = {});

// {"ok":true,"dry_run":true,"method":"POST","url":"...","body":{...}}
std::string dry_run_result(const WriteRequest& request, const std::string& url);

}  // namespace stacklite
