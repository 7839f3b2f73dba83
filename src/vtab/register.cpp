// Registers everything the extension serves on one connection: the tables of the bundled
// specs, the stacklite module for user specs, the write functions and the stacklite_* functions.
#include "vtab/register.hpp"

#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "spec/spec.hpp"
#include "vtab/describe.hpp"
#include "vtab/functions.hpp"
#include "vtab/settings.hpp"
#include "vtab/table.hpp"
#include "vtab/write_functions.hpp"

namespace stacklite {

namespace {

// The context of each connection the extension is registered on. A second load on the same
// connection finds it alive and changes nothing: registering again would hand new tables
// and functions fresh default settings (dry_run back to 0) while existing tables kept the
// old ones. The entry expires when SQLite closes the connection and drops every
// registration (each holds a reference), so a new connection at the same address starts
// fresh.
std::mutex registry_mutex;
std::map<sqlite3*, std::weak_ptr<ConnectionContext>> registry;

}  // namespace

int register_extension(sqlite3* db, char** err) {
  try {
    std::lock_guard<std::mutex> lock(registry_mutex);
    for (auto it = registry.begin(); it != registry.end();)
      it = it->second.expired() ? registry.erase(it) : std::next(it);
    if (registry.count(db)) return SQLITE_OK;
    auto ctx = std::make_shared<ConnectionContext>();
    ctx->builtin_functions = sql_function_names(db);
    int rc = register_info_functions(db);
    if (rc == SQLITE_OK) rc = register_config_function(db, ctx);
    if (rc == SQLITE_OK) rc = register_describe_tables(db);
    // Each bundled resource name is a module, serving its default provider unless a table
    // gives provider=; every bundled provider's write methods are SQL functions.
    std::set<std::string> names;
    for (const auto& provider : bundled_providers())
      for (const auto& resource : provider.resources) names.insert(resource.name);
    for (const auto& name : names)
      if (rc == SQLITE_OK) rc = register_resource_module(db, ctx, name);
    if (rc == SQLITE_OK) rc = register_user_spec_module(db, ctx);
    if (rc == SQLITE_OK)
      for (const auto& provider : bundled_providers()) register_write_functions(db, ctx, provider);
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

}  // namespace stacklite
