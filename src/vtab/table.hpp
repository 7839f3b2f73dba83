// The generic spec-driven virtual table: one SQLite module per resource, eponymous and
// creatable with options (base_url, token_env).
#pragma once

#include "spec/spec.hpp"
#include "vtab/settings.hpp"

namespace stacklite {

int register_resource_module(sqlite3* db, std::shared_ptr<ConnectionContext> ctx, const ProviderSpec& provider,
                             const ResourceSpec& resource);

}  // namespace stacklite
