// SQLite's extension API for every translation unit of the loadable module except the
// entry point, which owns the sqlite3_api pointer; and values crossing that boundary.
#pragma once

#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3

#include "util/sql_value.hpp"

namespace stacklite {

// A value SQLite passed in (argument or constraint), detached from SQLite.
SqlValue sql_value_of(sqlite3_value* value);
// Sets a function's or column's result.
void result_sql_value(sqlite3_context* context, const SqlValue& value);

}  // namespace stacklite
