// Write methods as SQL: one function per spec write method (cancel_workflow_run, ...),
// and the shared step that sends a write, or describes it in a dry run.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>

#include "methods/write_request.hpp"
#include "vtab/settings.hpp"

namespace stacklite {

// Sends the request through `client` after pacing, or in a dry run returns its
// description without sending. Returns nullopt when it was sent (see `response`).
std::optional<std::string> perform_write(ConnectionContext& ctx, ApiClient& client, const WriteRequest& request,
                                         HttpResponse& response);

// What one write function calls: a provider's method through a client. Globally the
// client is the provider's default endpoint; a table binds its own (xFindFunction), so
// `SELECT cancel_workflow_run(owner, repo, id) FROM ghes_runs` goes to that table's host.
struct WriteBinding {
  std::shared_ptr<ConnectionContext> ctx;
  std::shared_ptr<const ProviderSpec> spec_owner;  // keeps a user-written spec alive (null: bundled)
  const ProviderSpec* provider = nullptr;
  const WriteMethod* method = nullptr;  // nullptr: the provider has no such method
  ApiClient* client = nullptr;          // nullptr: the provider's default endpoint
  std::string table;                    // the binding table, for messages ("" when global)
  std::string function;                 // the SQL function's name
  std::string stored_options;           // the table's, when it came from a database file (check_stored_options)
};

// The SQL function body; its user data is a WriteBinding.
void call_write(sqlite3_context* context, int argc, sqlite3_value** argv);

// Registers one SQL function per write method of the provider (bundled, or a user-written
// spec kept alive by `spec_owner`). A name another provider registered already, or that
// names an SQL function the connection had before the extension was loaded, is an Error
// naming both. A name this provider registered already is left as it is.
void register_write_functions(sqlite3* db, const std::shared_ptr<ConnectionContext>& ctx, const ProviderSpec& provider,
                              std::shared_ptr<const ProviderSpec> spec_owner = nullptr,
                              const std::string& stored_options = std::string());

// The names of the SQL functions the connection has now (pragma_function_list).
std::set<std::string> sql_function_names(sqlite3* db);

}  // namespace stacklite
