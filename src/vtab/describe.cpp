// stacklite_tables, stacklite_columns and stacklite_functions: eponymous read-only tables
// that describe, from the bundled provider specs, everything the extension serves.
//
//   SELECT table_name, required, example FROM stacklite_tables;
//   SELECT column_name, type, api_param, operators, description FROM stacklite_columns
//    WHERE provider = 'github' AND table_name = 'workflow_runs';
//   SELECT signature, http_method, path FROM stacklite_functions;
//
// The rows are built once from the specs compiled into the extension (spec/catalog.cpp),
// so they cannot drift from what the tables do. They send no request and read no file, so
// they are innocuous: usable from views and triggers.
#include "vtab/describe.hpp"

#include <exception>
#include <memory>
#include <new>

#include "spec/catalog.hpp"
#include "vtab/sqlite_api.hpp"

namespace stacklite {

namespace {

constexpr unsigned int kJsonSubtype = 'J';

struct CatalogTable {
  sqlite3_vtab base;  // first
  const Catalog* catalog;
};

struct CatalogCursor {
  sqlite3_vtab_cursor base;  // first
  const Catalog* catalog;
  size_t row = 0;
};

int x_connect(sqlite3* db, void* aux, int, const char* const*, sqlite3_vtab** out, char** err) {
  try {
    const auto* catalog = static_cast<const Catalog*>(aux);
    std::string sql = "CREATE TABLE x(";
    for (size_t i = 0; i < catalog->columns.size(); ++i)
      sql += (i ? ", " : "") + catalog->columns[i].name + " " + catalog->columns[i].sql_type;
    sql += ")";
    int rc = sqlite3_declare_vtab(db, sql.c_str());
    if (rc != SQLITE_OK) return rc;
    sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
    auto* t = new CatalogTable{};
    t->catalog = catalog;
    *out = &t->base;
    return SQLITE_OK;
  } catch (const std::exception& e) {
    *err = sqlite3_mprintf("%s", e.what());
    return SQLITE_ERROR;
  }
}

int x_disconnect(sqlite3_vtab* vtab) {
  delete reinterpret_cast<CatalogTable*>(vtab);
  return SQLITE_OK;
}

int x_best_index(sqlite3_vtab* vtab, sqlite3_index_info* info) {
  info->estimatedRows = static_cast<sqlite3_int64>(reinterpret_cast<CatalogTable*>(vtab)->catalog->rows.size());
  info->estimatedCost = static_cast<double>(info->estimatedRows);
  return SQLITE_OK;
}

int x_open(sqlite3_vtab* vtab, sqlite3_vtab_cursor** out) {
  auto* c = new (std::nothrow) CatalogCursor{};
  if (!c) return SQLITE_NOMEM;
  c->catalog = reinterpret_cast<CatalogTable*>(vtab)->catalog;
  *out = &c->base;
  return SQLITE_OK;
}

int x_close(sqlite3_vtab_cursor* cur) {
  delete reinterpret_cast<CatalogCursor*>(cur);
  return SQLITE_OK;
}

int x_filter(sqlite3_vtab_cursor* cur, int, const char*, int, sqlite3_value**) {
  reinterpret_cast<CatalogCursor*>(cur)->row = 0;
  return SQLITE_OK;
}

int x_next(sqlite3_vtab_cursor* cur) {
  ++reinterpret_cast<CatalogCursor*>(cur)->row;
  return SQLITE_OK;
}

int x_eof(sqlite3_vtab_cursor* cur) {
  auto* c = reinterpret_cast<CatalogCursor*>(cur);
  return c->row >= c->catalog->rows.size() ? 1 : 0;
}

int x_column(sqlite3_vtab_cursor* cur, sqlite3_context* ctx, int column) {
  auto* c = reinterpret_cast<CatalogCursor*>(cur);
  if (column < 0 || static_cast<size_t>(column) >= c->catalog->columns.size()) return SQLITE_OK;
  result_sql_value(ctx, c->catalog->rows[c->row][column]);
  if (c->catalog->columns[column].json) sqlite3_result_subtype(ctx, kJsonSubtype);
  return SQLITE_OK;
}

int x_rowid(sqlite3_vtab_cursor* cur, sqlite3_int64* rowid) {
  *rowid = static_cast<sqlite3_int64>(reinterpret_cast<CatalogCursor*>(cur)->row + 1);
  return SQLITE_OK;
}

sqlite3_module make_module() {
  sqlite3_module m = {};
  m.xCreate = nullptr;  // eponymous only: CREATE VIRTUAL TABLE ... USING stacklite_tables is refused
  m.xConnect = x_connect;
  m.xBestIndex = x_best_index;
  m.xDisconnect = x_disconnect;
  m.xDestroy = x_disconnect;
  m.xOpen = x_open;
  m.xClose = x_close;
  m.xFilter = x_filter;
  m.xNext = x_next;
  m.xEof = x_eof;
  m.xColumn = x_column;
  m.xRowid = x_rowid;
  return m;
}

const sqlite3_module kCatalogModule = make_module();

}  // namespace

int register_describe_tables(sqlite3* db) {
  // Built on first load and kept for the process: the bundled specs never change.
  static Catalog tables = tables_catalog(bundled_providers());
  static Catalog columns = columns_catalog(bundled_providers());
  static Catalog functions = functions_catalog(bundled_providers());
  int rc = sqlite3_create_module_v2(db, "stacklite_tables", &kCatalogModule, &tables, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_create_module_v2(db, "stacklite_columns", &kCatalogModule, &columns, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_create_module_v2(db, "stacklite_functions", &kCatalogModule, &functions, nullptr);
  return rc;
}

}  // namespace stacklite
