// The extension's only C entry point: `.load ./build/stacklite` calls sqlite3_stacklite_init,
// which registers one virtual table per bundled resource and the stacklite_* functions.
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include <exception>
#include <memory>
#include <set>
#include <string>

#include "spec/spec.hpp"
#include "methods/sql_functions.hpp"
#include "vtab/describe.hpp"
#include "vtab/functions.hpp"
#include "vtab/settings.hpp"
#include "vtab/table.hpp"

namespace {

int register_all(sqlite3* db, char** err) {
  try {
    auto ctx = std::make_shared<stacklite::ConnectionContext>();
    int rc = stacklite::register_info_functions(db);
    if (rc == SQLITE_OK) rc = stacklite::register_config_function(db, ctx);
    if (rc == SQLITE_OK) rc = stacklite::register_describe_tables(db);
    // Each bundled resource name is a module; its default provider is github, whose write
    // methods are the SQL functions.
    std::set<std::string> names;
    for (const auto& provider : stacklite::bundled_providers())
      for (const auto& resource : provider.resources) names.insert(resource.name);
    for (const auto& name : names)
      if (rc == SQLITE_OK) rc = stacklite::register_resource_module(db, ctx, name);
    if (rc == SQLITE_OK) rc = stacklite::register_user_spec_module(db, ctx);
    if (const auto* github = stacklite::bundled_provider("github"); github && rc == SQLITE_OK)
      rc = stacklite::register_write_functions(db, ctx, *github);
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
