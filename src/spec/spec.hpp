// The provider spec model: providers, resources, columns and read methods, loaded from
// the JSON documents in provider_spec/ and validated so a bad spec names its own fault.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/url.hpp"

namespace stacklite {

enum class ColumnType { Integer, Real, Text, Json, Boolean };

struct ColumnSpec {
  std::string name;
  ColumnType type = ColumnType::Text;
  std::vector<std::string> json_path;  // empty: the column is fed only by its input
  bool hidden = false;
  bool input = false;  // returns the value that produced the row when one was given
  // Every query must constrain it with `=` ("required": true, or derived: see ResourceSpec).
  bool required = false;
  // ISO timestamps in whole seconds ("time": true): a bound on it (`>`, `>=`, `<`, `<=`, `=`)
  // is compared as a point in time by the table, in any form SQLite's date functions write.
  bool time = false;
  std::string description;
  std::string example;
  // SQL type used in the declared schema.
  const char* sql_type() const;
};

enum class ParamStyle { Equals, DateRange, Boolean };

// A path or query parameter and the columns whose constraints may feed it (first usable wins).
struct ParamBinding {
  std::string param;
  std::vector<int> columns;
  ParamStyle style = ParamStyle::Equals;
  bool exact = true;                // the API answers exactly what SQL `=` means, so SQLite drops nothing
  std::vector<std::string> values;  // the values the API takes, when it enumerates them
  // Values the column holds that the API cannot filter on (a conclusion its parameter does
  // not list): not sent, so the listing goes unfiltered by them and SQLite keeps the rows.
  std::vector<std::string> unfiltered_values;
  std::string strip_prefix;  // path parameter: removed from a value that starts with it
};

struct ResultCap {
  int max_results = 0;         // 0: no cap
  std::string continue_param;  // date-range parameter narrowed to go past the cap
  int order_column = -1;       // newest-first column compared against continue_param
  int key_column = -1;         // unique key, to drop rows seen twice at the boundary
};

enum class ResponseKind { Object, List };

struct ReadMethod {
  std::string name;
  std::string path;  // template, e.g. /repos/{owner}/{repo}/actions/runs
  std::vector<PathPiece> pieces;
  std::vector<ParamBinding> path_params;
  std::vector<ParamBinding> query_params;
  ResponseKind response = ResponseKind::List;
  std::string items_key;  // list envelope key; empty: the body is a bare array
  std::string total_key;  // optional total count key in the envelope
  bool not_found_is_empty = false;
  // "no_rows_if_found": a 404 of the listing's first request is no rows when GET of this
  // path (a template of some of the method's own path parameters: the repository) answers
  // 200, and the error it is otherwise. Empty: not asked.
  std::string no_rows_if_found;
  std::vector<PathPiece> no_rows_if_found_pieces;
  // A later read method that answers instead when this method's first request is a 404
  // (GitHub's /orgs/{org}/repos for an owner that is a user); -1: a 404 is what it is.
  int fallback_method = -1;
  int order_column = -1;  // the order the API lists in, when documented (newest first: desc)
  bool order_descending = false;
  bool paginated = false;
  std::string per_page_param;
  int max_per_page = 0;
  ResultCap cap;
};

enum class ArgType { Text, Integer, Boolean, IntegerArray };

// One argument of a write method's SQL function, in call order.
struct WriteArg {
  std::string name;
  ArgType type = ArgType::Text;
  bool in_path = false;              // else a body field
  bool optional = false;             // only trailing arguments may be optional
  std::string body_key;              // body field name (defaults to name)
  std::vector<std::string> allowed;  // accepted values, when restricted
};

// A method that changes state: an SQL function named after it, and possibly DELETE.
struct WriteMethod {
  std::string name;
  std::string description;
  std::string verb;  // POST, DELETE, GET (for a method that answers with a redirect)
  std::string path;
  std::vector<PathPiece> pieces;
  std::vector<std::pair<std::string, std::vector<PathPiece>>> path_if;  // optional arg given -> this path
  std::vector<WriteArg> args;
  bool returns_location = false;  // the result is the Location of a redirect
  // For DELETE FROM <table>: argument name -> column (the key column or an input column).
  std::vector<std::pair<std::string, int>> sql_delete;

  std::string signature() const;  // "cancel_workflow_run(owner, repo, run_id)"
  size_t required_args() const;
};

struct ResourceSpec {
  std::string name;
  std::string description;
  std::vector<ColumnSpec> columns;
  std::vector<ReadMethod> read_methods;  // most specific first
  std::vector<WriteMethod> write_methods;
  int key_column = -1;  // unique per row: the rowid, and what DELETE names a row by

  const WriteMethod* sql_delete_method() const;
  // The required columns, in the order of the last read method's path parameters.
  std::vector<int> required_columns() const;

  int column_index(std::string_view name) const;  // -1 when absent
};

struct ProviderSpec {
  std::string name;
  std::string description;
  bool is_default = false;  // the provider a bundled table name serves when no provider= is given
  std::string source;       // file the spec came from, for messages
  std::string base_url;     // "" when every table must give base_url=
  std::string base_url_env;
  std::vector<std::string> token_envs;
  std::string auth_header;
  std::string auth_prefix;
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::pair<long, std::string>> error_hints;  // HTTP status -> what it means here
  std::vector<ResourceSpec> resources;

  const ResourceSpec* resource(std::string_view name) const;
};

// A column's bit in SQLite's colUsed mask (bit 63 stands for column 63 and up).
inline uint64_t column_bit(int column) { return column >= 63 ? (uint64_t{1} << 63) : (uint64_t{1} << column); }

// Parses and validates a provider spec. Throws Error naming `source`, the resource and
// the field at fault.
ProviderSpec load_provider_spec(std::string_view json, const std::string& source);

// The specs compiled into the extension, parsed once.
const std::vector<ProviderSpec>& bundled_providers();
const ProviderSpec* bundled_provider(std::string_view name);
// The provider `SELECT ... FROM <resource_name>` serves: the bundled provider marked
// "default" when it declares the resource, else the first bundled provider that does.
const ProviderSpec* default_bundled_provider(std::string_view resource_name);

}  // namespace stacklite
