// stacklite_tables, stacklite_columns and stacklite_functions: eponymous read-only tables
// that describe, from the bundled provider specs, everything the extension serves.
#pragma once

#include "vtab/sqlite_api.hpp"

namespace stacklite {

int register_describe_tables(sqlite3* db);

}  // namespace stacklite
