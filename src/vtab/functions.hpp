// Introspection functions: stacklite_version(), stacklite_debug() and, for one connection,
// stacklite_rate_limit() (the rate limits its requests last saw, without a request) and
// stacklite_stats() (the requests it sent).
#pragma once

#include <memory>

#include "vtab/settings.hpp"
#include "vtab/sqlite_api.hpp"

namespace stacklite {

int register_info_functions(sqlite3* db);
int register_rate_limit_function(sqlite3* db, std::shared_ptr<ConnectionContext> ctx);

}  // namespace stacklite
