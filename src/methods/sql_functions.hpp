// Write methods as SQL: one function per spec write method (cancel_workflow_run, ...),
// and the shared step that sends a write, or describes it in a dry run.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "methods/write_request.hpp"
#include "vtab/settings.hpp"

namespace stacklite {

// Sends the request through `client` after pacing, or in a dry run returns its
// description without sending. Returns nullopt when it was sent (see `response`).
std::optional<std::string> perform_write(ConnectionContext& ctx, ApiClient& client, const WriteRequest& request,
                                         HttpResponse& response);

int register_write_functions(sqlite3* db, std::shared_ptr<ConnectionContext> ctx, const ProviderSpec& provider);

}  // namespace stacklite
