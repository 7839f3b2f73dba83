// The extension's only C entry point: `.load ./build/stacklite` calls sqlite3_stacklite_init,
// which registers one virtual table per bundled resource and the stacklite_* functions.
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include <exception>
#include <memory>
#include <string>

#include "spec/spec.hpp"
#include "methods/sql_functions.hpp"
#include "vtab/functions.hpp"
#include "vtab/settings.hpp"
#include "vtab/table.hpp"

namespace {

int register_all(sqlite3* db, char** err) {
  try {
    auto ctx = std::make_shared<stacklite::ConnectionContext>();
    int rc = stacklite::register_info_functions(db);
    if (rc == SQLITE_OK) rc = stacklite::register_config_function(db, ctx);
    for (const auto& provider : stacklite::bundled_providers()) {
      if (provider.name != "github") continue;  // the default provider owns the bare names
      for (const auto& resource : provider.resources) {
        if (rc != SQLITE_OK) break;
        rc = stacklite::register_resource_module(db, ctx, provider, resource);
      }
      if (rc == SQLITE_OK) rc = stacklite::register_write_functions(db, ctx, provider);
    }
    if (rc != SQLITE_OK) *err = sqlite3_mprintf("stacklite: registration failed: %s", sqlite3_errmsg(db));
    return rc;
  } catch (const std::exception& e) {
    *err = sqlite3_mprintf("stacklite: %s", e.what());
    return SQLITE_ERROR;
  }
}

}  // namespace

extern "C" {
#ifdef _WIN32
__declspec(dllexport)
#else
__attribute__((visibility("default")))
#endif
int sqlite3_stacklite_init(sqlite3* db, char** err, const sqlite3_api_routines* api) {
  SQLITE_EXTENSION_INIT2(api);
  return register_all(db, err);
}
}
