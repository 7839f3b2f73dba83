// The extension's only C entry point: `.load ./build/stacklite` calls sqlite3_stacklite_init,
// which hands the connection to register_extension (src/vtab/register.cpp).
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include "vtab/register.hpp"

extern "C" {
#ifdef _WIN32
__declspec(dllexport)
#else
__attribute__((visibility("default")))
#endif
    int sqlite3_stacklite_init(sqlite3* db, char** err, const sqlite3_api_routines* api) {
  SQLITE_EXTENSION_INIT2(api);
  return stacklite::register_extension(db, err);
}
}
