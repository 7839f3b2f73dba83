// Introspection functions: stacklite_version() and stacklite_debug().
#pragma once

#include "vtab/sqlite_api.hpp"

namespace stacklite {

int register_info_functions(sqlite3* db);

}  // namespace stacklite
