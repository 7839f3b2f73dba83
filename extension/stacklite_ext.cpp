// The extension's only C entry point: `.load ./build/stacklite` calls sqlite3_stacklite_init,
// which registers one virtual table per bundled resource and the stacklite_* functions.
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "methods/sql_functions.hpp"
#include "spec/spec.hpp"
#include "vtab/describe.hpp"
#include "vtab/functions.hpp"
#include "vtab/settings.hpp"
#include "vtab/table.hpp"

namespace {

// The context of each connection the extension is registered on. A second load on the same
// connection finds it alive and changes nothing: registering again would hand new tables
// and functions fresh default settings (dry_run back to 0) while existing tables kept the
// old ones. The entry expires when SQLite closes the connection and drops every
// registration (each holds a reference), so a new connection at the same address starts
// fresh.
std::mutex registry_mutex;
std::map<sqlite3*, std::weak_ptr<stacklite::ConnectionContext>> registry;

int register_all(sqlite3* db, char** err) {
  try {
    std::lock_guard<std::mutex> lock(registry_mutex);
    for (auto it = registry.begin(); it != registry.end();)
      it = it->second.expired() ? registry.erase(it) : std::next(it);
    if (registry.count(db)) return SQLITE_OK;
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
    if (rc != SQLITE_OK) {
      *err = sqlite3_mprintf("stacklite: registration failed: %s", sqlite3_errmsg(db));
      return rc;
    }
    registry[db] = ctx;
    return SQLITE_OK;
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
