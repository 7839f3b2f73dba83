// The generic spec-driven virtual table: one SQLite module per bundled resource name, and
// one for user-written specs; every table is driven by its provider spec alone.
#pragma once

#include "spec/spec.hpp"
#include "vtab/settings.hpp"

namespace stacklite {

// A module named after a bundled resource (workflow_runs, workflow_jobs): eponymous with
// its default provider (the spec marked "default"), and creatable with provider=, base_url=, token_env=.
int register_resource_module(sqlite3* db, std::shared_ptr<ConnectionContext> ctx, const std::string& resource_name);

// The `stacklite` module: CREATE VIRTUAL TABLE t USING stacklite(spec='file.json', resource='name').
int register_user_spec_module(sqlite3* db, std::shared_ptr<ConnectionContext> ctx);

}  // namespace stacklite
