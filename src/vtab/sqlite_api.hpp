// SQLite's extension API for every translation unit of the loadable module except the
// entry point, which owns the sqlite3_api pointer; and values crossing that boundary.
#pragma once

#include <sqlite3ext.h>

#include <exception>
#include <new>
SQLITE_EXTENSION_INIT3

#include "util/sql_value.hpp"

namespace stacklite {

// A value SQLite passed in (argument or constraint), detached from SQLite.
SqlValue sql_value_of(sqlite3_value* value);
// Sets a function's or column's result.
void result_sql_value(sqlite3_context* context, const SqlValue& value);

// Runs an SQL function's body so that no C++ exception reaches SQLite: it becomes the
// function's error (out of memory as SQLITE_NOMEM).
template <typename Body>
void guarded_call(sqlite3_context* context, Body&& body) {
  try {
    body();
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(context);
  } catch (const std::exception& e) {
    sqlite3_result_error(context, e.what(), -1);
  }
}

}  // namespace stacklite
