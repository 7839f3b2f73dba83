// SQLite's extension API for every translation unit of the loadable module except the
// entry point, which owns the sqlite3_api pointer (extension/stacklite_ext.cpp).
#pragma once

#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3

#include <string>

namespace stacklite {

// Copies a message into memory SQLite will free, with any token removed.
char* sqlite_message(const std::string& message);

}  // namespace stacklite
