// What the extension serves, as rows: the tables, columns and write functions of provider
// specs, for stacklite_tables, stacklite_columns and stacklite_functions and the README.
#pragma once

#include <string>
#include <vector>

#include "spec/spec.hpp"
#include "util/sql_value.hpp"

namespace stacklite {

struct CatalogColumn {
  std::string name;
  const char* sql_type;  // "TEXT" or "INTEGER"
  bool json = false;     // JSON text: results carry SQLite's JSON subtype
};

// A small table: its declared columns and every row.
struct Catalog {
  std::vector<CatalogColumn> columns;
  std::vector<std::vector<SqlValue>> rows;
};

// provider, table_name, description, required, read_methods (JSON), supports_delete,
// write_functions, example
Catalog tables_catalog(const std::vector<ProviderSpec>& providers);
// provider, table_name, cid, column_name, type, hidden, input, required, api_param,
// operators, description, pushdown (JSON)
Catalog columns_catalog(const std::vector<ProviderSpec>& providers);
// provider, table_name, function_name, signature, http_method, path, serves_delete, description
Catalog functions_catalog(const std::vector<ProviderSpec>& providers);

}  // namespace stacklite
