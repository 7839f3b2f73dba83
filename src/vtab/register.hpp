// Registers everything the extension serves on one connection: the tables of the bundled
// specs, the stacklite module for user specs, the write functions and the stacklite_* functions.
#pragma once

#include "vtab/sqlite_api.hpp"

namespace stacklite {

// Registers once per connection (a second load changes nothing). On failure sets *err
// (sqlite3_mprintf) and returns the SQLite error code.
int register_extension(sqlite3* db, char** err);

}  // namespace stacklite
