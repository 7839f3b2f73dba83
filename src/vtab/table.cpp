// The generic spec-driven virtual table: one SQLite module per bundled resource name, and
// one for user-written specs; every table is driven by its provider spec alone.
//
//   SELECT id, status FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo';
//   CREATE VIRTUAL TABLE ghes_runs USING workflow_runs(base_url='https://ghe/api/v3', token_env='GHES_TOKEN');
//   CREATE VIRTUAL TABLE sh_runs USING workflow_runs(provider='shithub', base_url='https://forge/api/v1');
//   CREATE VIRTUAL TABLE wf USING stacklite(spec='my_spec.json', resource='workflows');
//
// xBestIndex hands planning to choose_plan() (vtab/plan.cpp): idxNum is the read method,
// idxStr the plan as EXPLAIN QUERY PLAN shows it, e.g.
//   list_workflow_runs_for_repo(owner=?1,repo=?2,branch=?3) limit=?4 exact columns=0x...
// (argv order: path parameters first, then query parameters in spec order, then time
// bounds the method cannot send, checked on each row, then LIMIT/OFFSET). xFilter decodes
// it, a ReadRequestGenerator (vtab/request.cpp) turns it and the argv values into requests, and
// a Scan (vtab/scan.cpp) streams their pages, decoded by json/page_decoder.cpp.
#include "vtab/table.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/api_client.hpp"
#include "util/text.hpp"
#include "vtab/plan.hpp"
#include "vtab/progress.hpp"
#include "vtab/request.hpp"
#include "vtab/scan.hpp"
#include "vtab/write_functions.hpp"

namespace stacklite {

namespace {

constexpr unsigned int kJsonSubtype = 'J';  // SQLite's JSON functions read such text as JSON

// What a module was registered for: a bundled resource name (workflow_runs, ...), whose
// provider a table may choose, or none for the `stacklite` module that reads a spec file.
struct ModuleAux {
  std::shared_ptr<ConnectionContext> ctx;
  std::string resource_name;  // "" for the user-spec module
};

struct Table {
  sqlite3_vtab base;  // first: SQLite casts between the two
  sqlite3* db = nullptr;
  std::shared_ptr<ConnectionContext> ctx;
  std::shared_ptr<const ProviderSpec> own_spec;  // a user-written spec this table loaded
  const ProviderSpec* provider = nullptr;
  const ResourceSpec* resource = nullptr;
  std::string name;
  std::unique_ptr<ApiClient> client;
  // DELETE names rows by rowid (the key column) only; the inputs that produced each row
  // (owner, repo) are remembered when SQLite reads its rowid while a write is under way
  // (between xBegin and xCommit/xRollback), and forgotten when it ends.
  bool writing = false;
  std::unique_ptr<DeleteRows> delete_rows;  // when the resource has a DELETE method
  // Write functions called with one of this table's columns first, bound to its client.
  std::map<std::string, std::unique_ptr<WriteBinding>> write_bindings;
  // The options that choose the host, token variable or spec file, when they come from a
  // database file rather than a CREATE VIRTUAL TABLE of this connection (check_stored_options).
  std::string stored_options;
};

struct Cursor {
  sqlite3_vtab_cursor base;  // first
  Table* table;
  std::unique_ptr<ProgressLine> progress;  // made when the statement opens the table
  std::unique_ptr<Scan> scan;              // declared after progress: gone before the line is erased
  bool eof = true;
  sqlite3_int64 rowid = 0;
  // The inner table of a join is filtered again for each outer row: its line counts on.
  int64_t pages_before = 0, rows_before = 0;
  int scans = 0;
  std::map<std::string, bool> parents_known;  // see Scan::parents_known: for the statement
};

// Whatever goes back to SQLite (a row, the end, an error), the progress line is gone by
// then: the shell prints rows and errors on the terminal the line is drawn on.
struct ErasedOnReturn {
  ProgressLine& line;
  ~ErasedOnReturn() { line.erase(); }
};

// While the scan waits for a response: draws the progress line when it is due.
void show_progress(Cursor* c, std::chrono::milliseconds waited) {
  if (!c->progress->due(waited)) return;
  Scan::Progress p = c->scan->progress();
  ProgressCounts counts;
  counts.pages = c->pages_before + p.pages;
  counts.rows = c->rows_before + p.rows;
  if (c->scans == 1) {  // totals of one scan only: a join's inner listings are not known ahead
    counts.pages_expected = p.pages_expected;
    counts.rows_expected = p.rows_expected;
  }
  Table* t = c->table;
  if (auto rl = t->ctx->client_settings->rate_limits->find(t->client->endpoint().base_url)) {
    counts.rate_remaining = rl->remaining;
    counts.rate_limit = rl->limit;
  }
  c->progress->draw(counts);
}

std::string scrubbed(const Table* t, std::string message) {
  return without_secrets(std::move(message), t && t->client ? t->client->endpoint().token() : std::string());
}

int fail(Table* t, const std::string& message) {
  sqlite3_free(t->base.zErrMsg);
  t->base.zErrMsg = sqlite3_mprintf("%s", scrubbed(t, t->name + ": " + message).c_str());
  return SQLITE_ERROR;
}

std::string write_refusal(const ResourceSpec& res) {
  return std::string("only SELECT") + (res.sql_delete_method() ? " and DELETE are" : " is") +
         " supported: INSERT and UPDATE have no API method behind them";
}

// The statement's verb: INSERT, REPLACE, UPDATE, DELETE, SELECT, ... (upper case), after
// comments and a WITH clause; "" when the text does not say.
std::string statement_verb(std::string_view sql) {
  size_t i = 0;
  auto skip_space = [&] {
    while (i < sql.size()) {
      if (std::isspace(static_cast<unsigned char>(sql[i]))) {
        ++i;
      } else if (sql.compare(i, 2, "--") == 0) {
        size_t end = sql.find('\n', i);
        i = end == std::string_view::npos ? sql.size() : end + 1;
      } else if (sql.compare(i, 2, "/*") == 0) {
        size_t end = sql.find("*/", i + 2);
        i = end == std::string_view::npos ? sql.size() : end + 2;
      } else {
        break;
      }
    }
  };
  auto is_quote = [](char c) { return c == '\'' || c == '"' || c == '`' || c == '['; };
  auto skip_quoted = [&] {  // at an opening quote: moves past its closing one ('' and "" escape)
    char close = sql[i] == '[' ? ']' : sql[i];
    for (++i; i < sql.size(); ++i) {
      if (sql[i] != close) continue;
      if (close != ']' && i + 1 < sql.size() && sql[i + 1] == close) {
        ++i;
        continue;
      }
      break;
    }
    ++i;
  };
  // One token: a word (upper case), a quoted name or string, a parenthesized group, or one
  // character.
  auto token = [&]() -> std::string {
    skip_space();
    if (i >= sql.size()) return "";
    char c = sql[i];
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      size_t start = i;
      while (i < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[i])) || sql[i] == '_' || sql[i] == '$'))
        ++i;
      std::string word(sql.substr(start, i - start));
      for (char& ch : word) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      return word;
    }
    if (is_quote(c)) {
      skip_quoted();
      return "name";
    }
    if (c == '(') {
      int depth = 0;
      while (i < sql.size()) {
        skip_space();
        if (i >= sql.size()) break;
        char d = sql[i];
        if (is_quote(d)) {
          skip_quoted();
          continue;
        }
        ++i;
        if (d == '(') ++depth;
        if (d == ')' && --depth == 0) break;
      }
      return "()";
    }
    ++i;
    return std::string(1, c);
  };
  std::string verb = token();
  if (verb != "WITH") return verb;
  std::string next = token();
  if (next == "RECURSIVE") next = token();
  while (true) {  // next is a common table's name
    next = token();
    if (next == "()") next = token();  // its column names
    if (next != "AS") return "";
    next = token();
    if (next == "NOT") next = token();
    if (next == "MATERIALIZED") next = token();
    if (next != "()") return "";
    next = token();
    if (next != ",") return next;
    next = token();
  }
}

std::string unquote(std::string_view v) {
  v = trim(v);
  if (v.size() >= 2 && (v.front() == '\'' || v.front() == '"') && v.back() == v.front()) {
    char q = v.front();
    std::string out;
    for (size_t i = 1; i + 1 < v.size(); ++i) {
      out += v[i];
      if (v[i] == q && i + 2 < v.size() && v[i + 1] == q) ++i;  // '' stands for '
    }
    return out;
  }
  return std::string(v);
}

std::string declare_schema(const ResourceSpec& res) {
  std::string sql = "CREATE TABLE x(";
  for (size_t i = 0; i < res.columns.size(); ++i) {
    const ColumnSpec& c = res.columns[i];
    sql += (i ? ", " : "") + std::string("\"") + c.name + "\" " + c.sql_type() + (c.hidden ? " HIDDEN" : "");
  }
  return sql + ")";
}

std::string provider_names() {
  std::string out;
  for (const auto& p : bundled_providers()) out += (out.empty() ? "" : ", ") + p.name;
  return out;
}

std::string resource_names(const ProviderSpec& provider) {
  std::string out;
  for (const auto& r : provider.resources) out += (out.empty() ? "" : ", ") + r.name;
  return out;
}

std::string read_file(const std::string& path) {
  // Only a regular file: a FIFO or a device named by a stored table must not block or
  // stream forever when SQLite connects it.
  struct stat info;
  if (::stat(path.c_str(), &info) != 0)
    throw Error("cannot read spec file " + quote_for_message(path) + ": " + std::strerror(errno));
  if (!S_ISREG(info.st_mode)) throw Error("spec file " + quote_for_message(path) + " is not a regular file");
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw Error("cannot read spec file " + quote_for_message(path) + ": " + std::strerror(errno));
  std::string text;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
    text.append(buf, n);
    if (text.size() > (16u << 20)) {
      std::fclose(f);
      throw Error("spec file " + quote_for_message(path) + " is larger than 16 MiB");
    }
  }
  std::fclose(f);
  return text;
}

// Picks the provider and resource a new table serves, from its module and options.
void choose_spec(Table& t, const ModuleAux& aux, std::map<std::string, std::string>& options) {
  auto take = [&](const char* key) {
    auto it = options.find(key);
    if (it == options.end()) return std::string();
    std::string v = it->second;
    options.erase(it);
    return v;
  };
  std::string provider = take("provider"), spec_path = take("spec"), resource = take("resource");
  if (!aux.resource_name.empty()) {
    if (!spec_path.empty() || !resource.empty())
      throw Error(
          "spec= and resource= belong to the stacklite module: CREATE VIRTUAL TABLE t USING "
          "stacklite(spec='my_spec.json', resource='name')");
    t.provider = provider.empty() ? default_bundled_provider(aux.resource_name) : bundled_provider(provider);
    if (!t.provider) {
      std::vector<std::string> names;
      for (const auto& p : bundled_providers()) names.push_back(p.name);
      throw Error("unknown provider " + quote_for_message(provider) + did_you_mean(provider, names) +
                  "; valid providers: " + provider_names());
    }
    t.resource = t.provider->resource(aux.resource_name);
    if (!t.resource) throw Error("provider '" + provider + "' has no resource '" + aux.resource_name + "'");
    return;
  }
  if (!provider.empty())
    throw Error(
        "provider= selects a bundled provider for a bundled table (e.g. USING workflow_runs(provider='shithub', "
        "base_url='...')); the stacklite module reads spec='file.json' instead");
  if (spec_path.empty())
    throw Error(
        "spec='path/to/spec.json' is required: CREATE VIRTUAL TABLE t USING stacklite(spec='my_spec.json', "
        "resource='name' [, base_url='...', token_env='NAME'])");
  t.own_spec = std::make_shared<const ProviderSpec>(load_provider_spec(read_file(spec_path), spec_path));
  t.provider = t.own_spec.get();
  if (resource.empty()) {
    if (t.provider->resources.size() != 1) {
      throw Error("resource='name' is required: the spec declares " + resource_names(*t.provider));
    }
    t.resource = &t.provider->resources.front();
  } else {
    t.resource = t.provider->resource(resource);
    if (!t.resource) {
      throw Error("spec " + quote_for_message(spec_path) + " has no resource " + quote_for_message(resource) +
                  "; it declares " + resource_names(*t.provider));
    }
  }
}

// True while a CREATE VIRTUAL TABLE statement of this connection that spells out every
// one of these module arguments is running: SQLite calls xCreate from that statement's
// step, while a table stored in a file is connected when some statement is prepared. (The
// bundled modules must use one function for both, or they would not be eponymous.)
bool created_by_running_statement(sqlite3* db, int argc, const char* const* argv) {
  for (sqlite3_stmt* s = sqlite3_next_stmt(db, nullptr); s; s = sqlite3_next_stmt(db, s)) {
    const char* sql = sqlite3_stmt_busy(s) ? sqlite3_sql(s) : nullptr;
    if (!sql || statement_verb(sql) != "CREATE") continue;
    bool spelled_out = true;  // SQLite hands each module argument over as its exact text
    for (int i = 3; i < argc && spelled_out; ++i) spelled_out = std::strstr(sql, argv[i]) != nullptr;
    if (spelled_out) return true;
  }
  return false;
}

// The options that choose where requests go or which variable is the token, as given.
std::string destination_options(const std::map<std::string, std::string>& options) {
  std::string out;
  for (const char* key : {"spec", "base_url", "token_env"})
    if (auto it = options.find(key); it != options.end())
      out += (out.empty() ? "" : ", ") + std::string(key) + "=" + quote_for_message(it->second);
  return out;
}

int connect_table(sqlite3* db, void* paux, int argc, const char* const* argv, sqlite3_vtab** out, char** err,
                  bool creating) {
  auto* aux = static_cast<ModuleAux*>(paux);
  std::string table_name = argc > 2 ? argv[2] : aux->resource_name;
  try {
    std::map<std::string, std::string> options;
    for (int i = 3; i < argc; ++i) {
      std::string_view arg = argv[i];
      size_t eq = arg.find('=');
      std::string key = eq == std::string_view::npos ? std::string(trim(arg)) : std::string(trim(arg.substr(0, eq)));
      std::string value = eq == std::string_view::npos ? std::string() : unquote(arg.substr(eq + 1));
      if (options.count(key)) throw Error("option " + quote_for_message(key) + " is given twice");
      options[key] = value;
    }
    auto table = std::make_unique<Table>();
    table->base = {};
    table->db = db;
    table->ctx = aux->ctx;
    table->name = table_name;
    if (std::string chosen = destination_options(options); !chosen.empty()) {
      std::string key = std::string(argv[1]) + '\x1f' + table_name;
      for (int i = 3; i < argc; ++i) key += std::string("\x1f") + argv[i];
      if (creating)
        aux->ctx->created_tables.insert(key);
      else if (!aux->ctx->created_tables.count(key))
        table->stored_options = chosen;
    }
    choose_spec(*table, *aux, options);
    std::string base_url, token_env;
    for (const auto& [key, value] : options) {
      if (key == "base_url") {
        base_url = value;
      } else if (key == "token_env") {
        if (value.empty()) throw Error("token_env must name an environment variable, e.g. token_env='GHES_TOKEN'");
        token_env = value;
      } else {
        std::vector<std::string> valid = aux->resource_name.empty()
                                             ? std::vector<std::string>{"spec", "resource", "base_url", "token_env"}
                                             : std::vector<std::string>{"provider", "base_url", "token_env"};
        std::string list;
        for (const auto& v : valid) list += (list.empty() ? "" : ", ") + v;
        throw Error("unknown option " + quote_for_message(key) + did_you_mean(key, valid) + "; valid options: " + list);
      }
    }
    int rc = sqlite3_declare_vtab(db, declare_schema(*table->resource).c_str());
    if (rc != SQLITE_OK) throw Error(std::string("cannot declare the table: ") + sqlite3_errmsg(db));
    sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
    if (const WriteMethod* del = table->resource->sql_delete_method())
      table->delete_rows = std::make_unique<DeleteRows>(*del);
    table->client =
        std::make_unique<ApiClient>(resolve_endpoint(*table->provider, base_url, token_env), aux->ctx->client_settings);
    // A user-written spec's write methods become SQL functions too (bound to this table's
    // host when called with one of its columns first, see x_find_function).
    if (table->own_spec)
      register_write_functions(db, aux->ctx, *table->own_spec, table->own_spec, table->stored_options);
    *out = &table.release()->base;
    return SQLITE_OK;
  } catch (const std::exception& e) {
    *err = sqlite3_mprintf("%s", scrubbed(nullptr, table_name + ": " + e.what()).c_str());
    return SQLITE_ERROR;
  }
}

int x_connect(sqlite3* db, void* paux, int argc, const char* const* argv, sqlite3_vtab** out, char** err) {
  bool bundled = !static_cast<ModuleAux*>(paux)->resource_name.empty();
  return connect_table(db, paux, argc, argv, out, err, bundled && created_by_running_statement(db, argc, argv));
}

// The stacklite module is created explicitly (a distinct xCreate keeps it from being
// eponymous: `SELECT * FROM stacklite` would have no spec).
int x_create_user_table(sqlite3* db, void* paux, int argc, const char* const* argv, sqlite3_vtab** out, char** err) {
  return connect_table(db, paux, argc, argv, out, err, true);
}

int x_disconnect(sqlite3_vtab* vtab) {
  delete reinterpret_cast<Table*>(vtab);
  return SQLITE_OK;
}

Op op_of(unsigned char op) {
  switch (op) {
    case SQLITE_INDEX_CONSTRAINT_EQ:
      return Op::Eq;
    case SQLITE_INDEX_CONSTRAINT_GT:
      return Op::Gt;
    case SQLITE_INDEX_CONSTRAINT_GE:
      return Op::Ge;
    case SQLITE_INDEX_CONSTRAINT_LT:
      return Op::Lt;
    case SQLITE_INDEX_CONSTRAINT_LE:
      return Op::Le;
    case SQLITE_INDEX_CONSTRAINT_LIMIT:
      return Op::Limit;
    case SQLITE_INDEX_CONSTRAINT_OFFSET:
      return Op::Offset;
    default:
      return Op::Other;
  }
}

int x_best_index(sqlite3_vtab* vtab, sqlite3_index_info* info) {
  auto* t = reinterpret_cast<Table*>(vtab);
  try {
    // An UPDATE of a virtual table asks for every column: colUsed has all 64 bits set, also
    // those past the table's last column, which no SELECT or DELETE can set (a spec has at
    // most 63 columns, so every table has such a bit). So an UPDATE is refused here, while it
    // is planned, before any request.
    size_t ncols = t->resource->columns.size();
    if (ncols < 64 && (info->colUsed >> ncols) != 0) return fail(t, write_refusal(*t->resource));
    std::vector<ConstraintInfo> cs(info->nConstraint);
    for (int i = 0; i < info->nConstraint; ++i) {
      const auto& c = info->aConstraint[i];
      cs[i].op = op_of(c.op);
      cs[i].column = (cs[i].op == Op::Limit || cs[i].op == Op::Offset) ? -1 : c.iColumn;
      // The rowid is the key column (a run's id): `rowid IN (...)` reads runs by id.
      if (cs[i].column == -1 && cs[i].op != Op::Limit && cs[i].op != Op::Offset) cs[i].column = t->resource->key_column;
      // A text comparison under another collation than BINARY (`= 'MAIN' COLLATE NOCASE`)
      // means more than the API's exact match: SQLite checks it. Only an input column
      // (owner, repo: a row reports the value given) still feeds its parameter.
      if (cs[i].column >= 0 && static_cast<size_t>(cs[i].column) < t->resource->columns.size() &&
          cs[i].op != Op::Other) {
        const ColumnSpec& col = t->resource->columns[static_cast<size_t>(cs[i].column)];
        const char* collation = sqlite3_vtab_collation(info, i);
        if (col.type == ColumnType::Text && !col.input && collation && sqlite3_stricmp(collation, "BINARY") != 0)
          cs[i].op = Op::Other;
      }
      cs[i].usable = c.usable != 0;
      cs[i].is_in = cs[i].op == Op::Eq && cs[i].usable && sqlite3_vtab_in(info, i, -1);
    }
    std::vector<OrderTerm> order_by;
    for (int i = 0; i < info->nOrderBy; ++i)
      order_by.push_back({info->aOrderBy[i].iColumn, info->aOrderBy[i].desc != 0});
    PlanChoice pc = choose_plan(*t->resource, cs, info->colUsed, order_by);
    if (pc.unusable) return SQLITE_CONSTRAINT;
    for (int i = 0; i < info->nConstraint; ++i) {
      info->aConstraintUsage[i].argvIndex = pc.argv_index[i];
      info->aConstraintUsage[i].omit = pc.omit[i] ? 1 : 0;
      // An IN list the plan fans out arrives whole in xFilter's argv (sqlite3_vtab_in_first).
      if (pc.argv_index[i] > 0 && pc.plan.args[pc.argv_index[i] - 1].in_list) sqlite3_vtab_in(info, i, 1);
    }
    info->orderByConsumed = pc.order_consumed ? 1 : 0;
    info->idxNum = pc.plan.method;
    info->idxStr = sqlite3_mprintf("%s", pc.plan.encode(*t->resource).c_str());
    info->needToFreeIdxStr = 1;
    info->estimatedCost = pc.cost;
    info->estimatedRows = pc.rows;
    if (pc.one_row) info->idxFlags |= SQLITE_INDEX_SCAN_UNIQUE;
    return SQLITE_OK;
  } catch (const std::exception& e) {
    return fail(t, e.what());
  }
}

int x_open(sqlite3_vtab* vtab, sqlite3_vtab_cursor** out) {
  auto* c = new (std::nothrow) Cursor();
  if (!c) return SQLITE_NOMEM;
  c->table = reinterpret_cast<Table*>(vtab);
  try {
    const long mode = c->table->ctx->progress;
    c->progress = std::make_unique<ProgressLine>(c->table->name, mode == 1 || (mode < 0 && ::isatty(STDERR_FILENO)));
  } catch (const std::exception&) {
    delete c;
    return SQLITE_NOMEM;
  }
  *out = &c->base;
  return SQLITE_OK;
}

int x_close(sqlite3_vtab_cursor* cur) {
  delete reinterpret_cast<Cursor*>(cur);
  return SQLITE_OK;
}

int x_filter(sqlite3_vtab_cursor* cur, int, const char* idx_str, int argc, sqlite3_value** argv) {
  auto* c = reinterpret_cast<Cursor*>(cur);
  Table* t = c->table;
  if (c->scan) {
    Scan::Progress done = c->scan->progress();
    c->pages_before += done.pages;
    c->rows_before += done.rows;
  }
  c->scan.reset();
  c->eof = true;
  c->rowid = 0;
  ErasedOnReturn erased_on_return{*c->progress};
  try {
    check_stored_options(*t->ctx, t->stored_options);
    const ResourceSpec& res = *t->resource;
    Plan plan = Plan::decode(res, idx_str ? idx_str : "");
    if (plan.method < 0) return fail(t, missing_inputs_message(res));
    if (static_cast<size_t>(argc) != plan.args.size())
      return fail(t, "internal error: argument count does not match the plan");
    std::vector<std::vector<SqlValue>> values(argc);
    for (int i = 0; i < argc; ++i) {
      if (plan.args[i].in_list) {
        sqlite3_value* v = nullptr;
        for (int rc = sqlite3_vtab_in_first(argv[i], &v); rc == SQLITE_OK && v; rc = sqlite3_vtab_in_next(argv[i], &v))
          values[i].push_back(sql_value_of(v));
      } else {
        values[i].push_back(sql_value_of(argv[i]));
      }
    }
    c->scan = std::make_unique<Scan>(*t->client, res, plan, ReadRequestGenerator(res, plan, std::move(values)),
                                     &t->ctx->writes);
    ++c->scans;
    c->scan->on_wait = [c](std::chrono::milliseconds waited) { show_progress(c, waited); };
    c->scan->set_label(t->name);
    c->scan->parents_known = &c->parents_known;
    c->scan->before_message = [c] { c->progress->erase(); };
    c->eof = !c->scan->next();
    c->rowid = 1;
    return SQLITE_OK;
  } catch (const Interrupted&) {
    return SQLITE_INTERRUPT;  // SQLite's own "interrupted"
  } catch (const std::exception& e) {
    return fail(t, e.what());
  }
}

int x_next(sqlite3_vtab_cursor* cur) {
  auto* c = reinterpret_cast<Cursor*>(cur);
  ErasedOnReturn erased_on_return{*c->progress};
  try {
    c->eof = !c->scan->next();
    ++c->rowid;
    return SQLITE_OK;
  } catch (const Interrupted&) {
    c->eof = true;
    return SQLITE_INTERRUPT;
  } catch (const std::exception& e) {
    c->eof = true;
    return fail(c->table, e.what());
  }
}

int x_eof(sqlite3_vtab_cursor* cur) { return reinterpret_cast<Cursor*>(cur)->eof ? 1 : 0; }

// One value of the current row for SQLite.
void column_value(Cursor* c, sqlite3_context* ctx, int column) {
  const ResourceSpec& res = *c->table->resource;
  if (column < 0 || static_cast<size_t>(column) >= res.columns.size() || !c->scan) return;
  const ColumnSpec& spec = res.columns[column];
  if (spec.input) {
    const auto& given = c->scan->target().inputs[column];
    if (given) {
      result_sql_value(ctx, *given);
      return;
    }
  }
  const Row& row = c->scan->row();
  if (static_cast<size_t>(column) >= row.cells.size()) return;
  const Cell& cell = row.cells[column];
  switch (cell.kind) {
    case Cell::Kind::Null:
      sqlite3_result_null(ctx);
      break;
    case Cell::Kind::Int:
      sqlite3_result_int64(ctx, cell.i);
      break;
    case Cell::Kind::Real:
      sqlite3_result_double(ctx, cell.d);
      break;
    case Cell::Kind::Text:
      sqlite3_result_text(ctx, cell.text.data(), static_cast<int>(cell.text.size()), SQLITE_TRANSIENT);
      if (spec.type == ColumnType::Json) sqlite3_result_subtype(ctx, kJsonSubtype);
      break;
  }
}

int x_column(sqlite3_vtab_cursor* cur, sqlite3_context* ctx, int column) {
  auto* c = reinterpret_cast<Cursor*>(cur);
  try {
    column_value(c, ctx, column);
    return SQLITE_OK;
  } catch (const std::exception& e) {
    return fail(c->table, e.what());
  }
}

int x_rowid(sqlite3_vtab_cursor* cur, sqlite3_int64* rowid) {
  auto* c = reinterpret_cast<Cursor*>(cur);
  Table* t = c->table;
  const ResourceSpec& res = *t->resource;
  *rowid = c->rowid;
  if (res.key_column < 0 || !c->scan) return SQLITE_OK;
  const Cell& key = c->scan->row().cells[res.key_column];
  if (key.kind != Cell::Kind::Int) return SQLITE_OK;
  *rowid = key.i;
  try {
    if (t->delete_rows && t->writing) t->delete_rows->remember(key.i, c->scan->target().inputs);
    return SQLITE_OK;
  } catch (const std::exception& e) {
    return fail(t, e.what());
  }
}

// DELETE: one API call per row SQLite selected. INSERT and UPDATE have no API behind them.
int x_update(sqlite3_vtab* vtab, int argc, sqlite3_value** argv, sqlite3_int64*) {
  auto* t = reinterpret_cast<Table*>(vtab);
  const ResourceSpec& res = *t->resource;
  const WriteMethod* del = res.sql_delete_method();
  if (argc != 1 || sqlite3_value_type(argv[0]) == SQLITE_NULL) return fail(t, write_refusal(res));
  if (!del) return fail(t, "the table is read-only: its provider has no method that deletes a row");
  int64_t rowid = sqlite3_value_int64(argv[0]);
  try {
    check_stored_options(*t->ctx, t->stored_options);
    auto arguments = t->delete_rows->arguments(rowid, res.key_column);
    if (!arguments) {
      std::string inputs;
      for (const auto& [arg, column] : del->sql_delete)
        if (column != res.key_column) inputs += (inputs.empty() ? "" : " and ") + res.columns[column].name;
      return fail(t, "cannot tell which row rowid " + std::to_string(rowid) + " is; delete with a WHERE clause on " +
                         (inputs.empty() ? res.columns[res.key_column].name : inputs));
    }
    WriteRequest request = build_write_request(*del, *arguments);
    HttpResponse response;
    std::optional<std::string> dry = perform_write(*t->ctx, *t->client, request, response);
    if (dry) {
      std::fprintf(stderr, "%s: dry run: %s\n", t->name.c_str(), dry->c_str());
      return SQLITE_OK;
    }
    // A row that is already gone is what DELETE wanted.
    if (is_success(response.status) || response.status == 404) return SQLITE_OK;
    return fail(t, t->client->describe_failure(request.method, t->client->url_for(request.path), response) +
                       " (rows deleted before this one stay deleted: remote deletes cannot be rolled back)");
  } catch (const Interrupted&) {
    return SQLITE_INTERRUPT;
  } catch (const std::exception& e) {
    return fail(t, e.what());
  }
}

// `cancel_workflow_run(owner, repo, id)` over this table's rows: the write goes to the
// table's own host and token, or fails if its provider has no such method.
int x_find_function(sqlite3_vtab* vtab, int, const char* name, void (**func)(sqlite3_context*, int, sqlite3_value**),
                    void** arg) {
  auto* t = reinterpret_cast<Table*>(vtab);
  try {
    if (!t->ctx->write_functions.count(to_lower(name))) return 0;
    auto& binding = t->write_bindings[name];
    if (!binding) {
      const WriteMethod* method = nullptr;
      for (const auto& r : t->provider->resources)
        for (const auto& m : r.write_methods)
          if (iequals(m.name, name)) method = &m;
      binding = std::make_unique<WriteBinding>(
          WriteBinding{t->ctx, t->own_spec, t->provider, method, t->client.get(), t->name, name, t->stored_options});
    }
    *func = call_write;
    *arg = binding.get();
    return 1;
  } catch (const std::exception&) {
    // Out of memory: the call fails rather than fall back to the default host's function.
    *func = [](sqlite3_context* context, int, sqlite3_value**) { sqlite3_result_error_nomem(context); };
    *arg = nullptr;
    return 1;
  }
}

// INSERT has no planning step on the table it writes: the first call it makes is this one,
// as the statement starts and before any read (INSERT ... SELECT reads only after it). The
// statement writing is the one busy statement that is not read-only; when its text starts
// with INSERT or REPLACE it is refused here, before any request. (UPDATE is refused while
// planned, in x_best_index; if several writing statements are busy at once, the INSERT is
// refused by x_update instead.)
int x_begin(sqlite3_vtab* vtab) {
  auto* t = reinterpret_cast<Table*>(vtab);
  try {
    sqlite3_stmt* writer = nullptr;
    int writers = 0;
    for (sqlite3_stmt* s = sqlite3_next_stmt(t->db, nullptr); s; s = sqlite3_next_stmt(t->db, s))
      if (sqlite3_stmt_busy(s) && !sqlite3_stmt_readonly(s)) {
        writer = s;
        ++writers;
      }
    if (writers == 1) {
      const char* sql = sqlite3_sql(writer);
      std::string verb = sql ? statement_verb(sql) : "";
      if (verb == "INSERT" || verb == "REPLACE") return fail(t, write_refusal(*t->resource));
    }
    t->writing = true;
    return SQLITE_OK;
  } catch (const std::exception& e) {
    return fail(t, e.what());
  }
}
int x_sync(sqlite3_vtab*) { return SQLITE_OK; }
int x_end(sqlite3_vtab* vtab) {
  auto* t = reinterpret_cast<Table*>(vtab);
  t->writing = false;
  if (t->delete_rows) t->delete_rows->clear();
  return SQLITE_OK;
}

sqlite3_module make_module() {
  sqlite3_module m = {};
  m.iVersion = 3;
  m.xCreate = x_connect;
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
  m.xUpdate = x_update;
  m.xBegin = x_begin;
  m.xFindFunction = x_find_function;
  m.xSync = x_sync;
  m.xCommit = x_end;
  m.xRollback = x_end;
  return m;
}

const sqlite3_module kModule = make_module();
const sqlite3_module kUserModule = [] {
  sqlite3_module m = make_module();
  m.xCreate = x_create_user_table;
  return m;
}();

void release_aux(void* p) { delete static_cast<ModuleAux*>(p); }

}  // namespace

int register_resource_module(sqlite3* db, std::shared_ptr<ConnectionContext> ctx, const std::string& resource_name) {
  return sqlite3_create_module_v2(db, resource_name.c_str(), &kModule, new ModuleAux{std::move(ctx), resource_name},
                                  release_aux);
}

int register_user_spec_module(sqlite3* db, std::shared_ptr<ConnectionContext> ctx) {
  return sqlite3_create_module_v2(db, "stacklite", &kUserModule, new ModuleAux{std::move(ctx), ""}, release_aux);
}

}  // namespace stacklite
