// The provider spec model: providers, resources, columns and read methods, loaded from
// the JSON documents in provider_spec/ and validated so a bad spec names its own fault.
#include "spec/spec.hpp"

#include <simdjson.h>

#include <algorithm>
#include <mutex>
#include <set>

#include "spec/bundled_specs.hpp"
#include "util/text.hpp"

namespace stacklite {

const char* ColumnSpec::sql_type() const {
  switch (type) {
    case ColumnType::Integer:
    case ColumnType::Boolean:
      return "INTEGER";
    case ColumnType::Real:
      return "REAL";
    case ColumnType::Text:
    case ColumnType::Json:
      return "TEXT";
  }
  return "TEXT";
}

int ResourceSpec::column_index(std::string_view wanted) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i].name == wanted) return static_cast<int>(i);
  return -1;
}

std::string WriteMethod::signature() const {
  std::string out = name + "(";
  size_t i = 0;
  for (const auto& a : args) {
    out += (i ? ", " : "") + std::string(a.optional ? "[" : "") + a.name + (a.optional ? "]" : "");
    ++i;
  }
  return out + ")";
}

size_t WriteMethod::required_args() const {
  size_t n = 0;
  for (const auto& a : args) n += a.optional ? 0 : 1;
  return n;
}

const WriteMethod* ResourceSpec::sql_delete_method() const {
  for (const auto& m : write_methods)
    if (!m.sql_delete.empty()) return &m;
  return nullptr;
}

std::vector<int> ResourceSpec::required_columns() const {
  std::vector<int> out;
  if (read_methods.empty()) return out;
  for (const auto& p : read_methods.back().path_params)
    for (int c : p.columns)
      if (columns[c].required) {
        out.push_back(c);
        break;
      }
  return out;
}

const ResourceSpec* ProviderSpec::resource(std::string_view wanted) const {
  for (const auto& r : resources)
    if (r.name == wanted) return &r;
  return nullptr;
}

namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// Reads one spec document, remembering where it is so each complaint can say
// "<file>: resource 'x': columns[3].type: expected one of ...".
class SpecReader {
 public:
  explicit SpecReader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    std::string msg = "spec " + source_ + ": ";
    if (!resource_.empty()) msg += "resource '" + resource_ + "': ";
    msg += where + ": " + what;
    throw Error(msg);
  }

  void set_resource(std::string name) { resource_ = std::move(name); }

  object as_object(element el, const std::string& where) const {
    object obj;
    if (el.get(obj)) fail(where, "expected a JSON object");
    return obj;
  }

  bool has(object obj, std::string_view key) const {
    element el;
    return !obj.at_key(key).get(el);
  }

  element required(object obj, std::string_view key, const std::string& where) const {
    element el;
    if (obj.at_key(key).get(el)) fail(where.empty() ? std::string(key) : where + "." + std::string(key), "is required");
    return el;
  }

  std::string string_at(object obj, std::string_view key, const std::string& where, bool is_required,
                        std::string fallback = "") const {
    element el;
    if (obj.at_key(key).get(el)) {
      if (is_required) fail(join(where, key), "is required (a string)");
      return fallback;
    }
    std::string_view sv;
    if (el.get(sv)) fail(join(where, key), "expected a string");
    return std::string(sv);
  }

  bool bool_at(object obj, std::string_view key, const std::string& where, bool fallback) const {
    element el;
    if (obj.at_key(key).get(el)) return fallback;
    bool b;
    if (el.get(b)) fail(join(where, key), "expected true or false");
    return b;
  }

  int64_t int_at(object obj, std::string_view key, const std::string& where, int64_t fallback) const {
    element el;
    if (obj.at_key(key).get(el)) return fallback;
    int64_t v;
    if (el.get(v)) fail(join(where, key), "expected an integer");
    return v;
  }

  // A string or an array of strings.
  std::vector<std::string> strings_at(element el, const std::string& where) const {
    std::vector<std::string> out;
    std::string_view sv;
    if (!el.get(sv)) {
      out.emplace_back(sv);
      return out;
    }
    simdjson::dom::array arr;
    if (el.get(arr)) fail(where, "expected a string or an array of strings");
    for (element item : arr) {
      if (item.get(sv)) fail(where, "expected a string or an array of strings");
      out.emplace_back(sv);
    }
    if (out.empty()) fail(where, "must not be empty");
    return out;
  }

  static std::string join(const std::string& where, std::string_view key) {
    return where.empty() ? std::string(key) : where + "." + std::string(key);
  }

 private:
  std::string source_;
  std::string resource_;
};

ColumnType parse_column_type(const SpecReader& r, const std::string& value, const std::string& where) {
  if (value == "INTEGER") return ColumnType::Integer;
  if (value == "REAL") return ColumnType::Real;
  if (value == "TEXT") return ColumnType::Text;
  if (value == "JSON") return ColumnType::Json;
  if (value == "BOOLEAN") return ColumnType::Boolean;
  r.fail(where, "unknown type " + quote_for_message(value) + "; expected INTEGER, REAL, TEXT, JSON or BOOLEAN");
}

bool valid_identifier(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return !(name[0] >= '0' && name[0] <= '9');
}

std::vector<int> column_refs(const SpecReader& r, const ResourceSpec& res, element el, const std::string& where) {
  std::vector<int> out;
  for (const auto& name : r.strings_at(el, where)) {
    int idx = res.column_index(name);
    if (idx < 0) r.fail(where, "names column " + quote_for_message(name) + ", which the resource does not declare");
    out.push_back(idx);
  }
  return out;
}

ParamBinding parse_query_param(const SpecReader& r, const ResourceSpec& res, element el, const std::string& where) {
  object obj = r.as_object(el, where);
  ParamBinding b;
  b.param = r.string_at(obj, "name", where, true);
  b.columns = column_refs(r, res, r.required(obj, "column", where), where + ".column");
  std::string style = r.string_at(obj, "style", where, false, "equals");
  if (style == "equals")
    b.style = ParamStyle::Equals;
  else if (style == "date_range")
    b.style = ParamStyle::DateRange;
  else if (style == "boolean")
    b.style = ParamStyle::Boolean;
  else
    r.fail(where + ".style", "unknown style " + quote_for_message(style) + "; expected equals, date_range or boolean");
  b.exact = r.bool_at(obj, "exact", where, true);
  element values;
  if (!obj.at_key("values").get(values)) {
    if (b.style != ParamStyle::Equals) r.fail(where + ".values", "only an equals parameter takes a list of values");
    simdjson::dom::array arr;
    if (values.get(arr)) r.fail(where + ".values", "expected an array of strings");
    std::set<std::string> seen;
    for (element v : arr) {
      std::string_view sv;
      if (v.get(sv) || sv.empty()) r.fail(where + ".values", "expected an array of non-empty strings");
      if (!seen.insert(std::string(sv)).second) r.fail(where + ".values", "lists " + quote_for_message(sv) + " twice");
      b.values.emplace_back(sv);
    }
    if (b.values.empty()) r.fail(where + ".values", "must not be empty (leave it out when any value goes)");
  }
  element unfiltered;
  if (!obj.at_key("unfiltered_values").get(unfiltered)) {
    if (b.values.empty())
      r.fail(where + ".unfiltered_values", "goes with values: it names values beyond those the API takes");
    if (b.exact)
      r.fail(where + ".unfiltered_values",
             "needs \"exact\": false, so that SQLite keeps checking the rows of an unfiltered listing");
    b.unfiltered_values = r.strings_at(unfiltered, where + ".unfiltered_values");
    for (const auto& v : b.unfiltered_values)
      if (std::find(b.values.begin(), b.values.end(), v) != b.values.end())
        r.fail(where + ".unfiltered_values",
               "lists " + quote_for_message(v) + ", which values lists as taken by the API");
  }
  return b;
}

std::vector<PathPiece> parse_path_template(const SpecReader& r, const std::string& path, const std::string& where) {
  if (path.empty() || path[0] != '/') r.fail(where, "must start with '/'");
  std::vector<PathPiece> pieces;
  size_t pos = 0;
  while (pos < path.size()) {
    size_t open = path.find('{', pos);
    if (open == std::string::npos) {
      pieces.push_back({false, path.substr(pos)});
      break;
    }
    if (open > pos) pieces.push_back({false, path.substr(pos, open - pos)});
    size_t close = path.find('}', open);
    if (close == std::string::npos) r.fail(where, "has an unclosed '{'");
    std::string name = path.substr(open + 1, close - open - 1);
    if (!valid_identifier(name)) r.fail(where, "has a bad parameter name " + quote_for_message(name));
    pieces.push_back({true, name});
    pos = close + 1;
  }
  return pieces;
}

ReadMethod parse_read_method(const SpecReader& r, const ResourceSpec& res, element el, const std::string& where,
                             const object* shared, std::string& fallback_name) {
  object obj = r.as_object(el, where);
  // "shared": "name" takes query_params, response, order, pagination and result_cap, where
  // the method gives none of its own, from the resource's shared entry of that name.
  object set;
  bool has_set = false;
  std::string set_name = r.string_at(obj, "shared", where, false);
  if (!set_name.empty()) {
    element found;
    if (!shared || shared->at_key(set_name).get(found))
      r.fail(where + ".shared", "names no entry of the resource's \"shared\": " + quote_for_message(set_name));
    set = r.as_object(found, "shared." + set_name);
    has_set = true;
  }
  // The method's own field, else its shared entry's; `at` says where it was found.
  auto field = [&](const char* key, element& out, std::string& at) {
    if (!obj.at_key(key).get(out)) {
      at = where + "." + key;
      return true;
    }
    if (has_set && !set.at_key(key).get(out)) {
      at = "shared." + set_name + "." + key;
      return true;
    }
    return false;
  };
  ReadMethod m;
  m.name = r.string_at(obj, "name", where, true);
  m.path = r.string_at(obj, "path", where, true);
  m.pieces = parse_path_template(r, m.path, where + ".path");

  std::set<std::string> template_params;
  for (const auto& p : m.pieces)
    if (p.is_param) template_params.insert(p.text);
  element path_params;
  std::set<std::string> bound;
  if (!obj.at_key("path_params").get(path_params)) {
    object pp = r.as_object(path_params, where + ".path_params");
    for (auto [key, value] : pp) {
      std::string wk = where + ".path_params." + std::string(key);
      if (!template_params.count(std::string(key)))
        r.fail(wk, "is not a parameter of the path " + quote_for_message(m.path));
      ParamBinding b;
      b.param = std::string(key);
      object form;
      if (!value.get(form)) {
        // {"columns": [...], "strip_prefix": ".github/workflows/"}
        b.columns = column_refs(r, res, r.required(form, "columns", wk), wk + ".columns");
        b.strip_prefix = r.string_at(form, "strip_prefix", wk, false);
      } else {
        b.columns = column_refs(r, res, value, wk);
      }
      m.path_params.push_back(std::move(b));
      bound.insert(std::string(key));
    }
  }
  for (const auto& p : template_params)
    if (!bound.count(p)) r.fail(where + ".path_params", "has no column for the path parameter '" + p + "'");

  element query;
  std::string qw;
  if (field("query_params", query, qw)) {
    simdjson::dom::array arr;
    if (query.get(arr)) r.fail(qw, "expected an array");
    size_t i = 0;
    for (element q : arr) m.query_params.push_back(parse_query_param(r, res, q, qw + "[" + std::to_string(i++) + "]"));
  }

  element response_el;
  std::string rw;
  if (!field("response", response_el, rw)) r.fail(where + ".response", "is required");
  object response = r.as_object(response_el, rw);
  std::string kind = r.string_at(response, "kind", rw, true);
  if (kind == "object")
    m.response = ResponseKind::Object;
  else if (kind == "list")
    m.response = ResponseKind::List;
  else
    r.fail(rw + ".kind", "expected \"object\" or \"list\", got " + quote_for_message(kind));
  m.items_key = r.string_at(response, "items", rw, false);
  m.total_key = r.string_at(response, "total", rw, false);
  std::string not_found = r.string_at(response, "not_found", rw, false, "error");
  if (not_found == "no_rows")
    m.not_found_is_empty = true;
  else if (not_found != "error")
    r.fail(rw + ".not_found", "expected \"error\" or \"no_rows\"");
  m.no_rows_if_found = r.string_at(obj, "no_rows_if_found", where, false);
  if (!m.no_rows_if_found.empty()) {
    const std::string nw = where + ".no_rows_if_found";
    m.no_rows_if_found_pieces = parse_path_template(r, m.no_rows_if_found, nw);
    for (const auto& p : m.no_rows_if_found_pieces)
      if (p.is_param && !template_params.count(p.text))
        r.fail(nw, "uses '" + p.text + "', which is not a parameter of the path " + quote_for_message(m.path));
    if (m.not_found_is_empty) r.fail(nw, "cannot go with \"not_found\": \"no_rows\" (a 404 is no rows already)");
  }
  fallback_name = r.string_at(obj, "on_not_found", where, false);
  if (!fallback_name.empty() && !m.no_rows_if_found.empty())
    r.fail(where + ".on_not_found", "cannot go with \"no_rows_if_found\" (a 404 is either no rows or a fallback)");
  if (!fallback_name.empty() && m.not_found_is_empty)
    r.fail(where + ".on_not_found",
           "cannot go with \"not_found\": \"no_rows\" (a 404 is either no rows or a fallback)");

  element order;
  std::string ow;
  if (field("order", order, ow)) {
    object o = r.as_object(order, ow);
    std::string column = r.string_at(o, "column", ow, true);
    m.order_column = res.column_index(column);
    if (m.order_column < 0) r.fail(ow + ".column", "names no column: " + quote_for_message(column));
    std::string direction = r.string_at(o, "direction", ow, false, "asc");
    if (direction != "asc" && direction != "desc") r.fail(ow + ".direction", "expected \"asc\" or \"desc\"");
    m.order_descending = direction == "desc";
  }

  element pagination;
  std::string pw;
  if (field("pagination", pagination, pw)) {
    object p = r.as_object(pagination, pw);
    std::string pkind = r.string_at(p, "kind", pw, true);
    if (pkind != "link") r.fail(pw + ".kind", "expected \"link\" (follow the Link header's rel=\"next\")");
    if (m.response != ResponseKind::List) r.fail(pw, "only a list response can be paginated");
    m.paginated = true;
    m.per_page_param = r.string_at(p, "per_page_param", pw, false);
    m.max_per_page = static_cast<int>(r.int_at(p, "max_per_page", pw, 100));
    if (m.max_per_page < 1) r.fail(pw + ".max_per_page", "must be at least 1");
  }

  element cap;
  std::string cw;
  if (field("result_cap", cap, cw)) {
    object c = r.as_object(cap, cw);
    m.cap.max_results = static_cast<int>(r.int_at(c, "max_results", cw, 0));
    if (m.cap.max_results < 1) r.fail(cw + ".max_results", "must be a positive integer");
    m.cap.continue_param = r.string_at(c, "continue_param", cw, true);
    bool found = false;
    for (const auto& q : m.query_params)
      if (q.param == m.cap.continue_param && q.style == ParamStyle::DateRange) found = true;
    if (!found) r.fail(cw + ".continue_param", "must name a date_range query parameter of this method");
    std::string order = r.string_at(c, "order_column", cw, true);
    std::string key = r.string_at(c, "key_column", cw, true);
    m.cap.order_column = res.column_index(order);
    m.cap.key_column = res.column_index(key);
    if (m.cap.order_column < 0) r.fail(cw + ".order_column", "names no column: " + quote_for_message(order));
    if (m.cap.key_column < 0) r.fail(cw + ".key_column", "names no column: " + quote_for_message(key));
  }
  return m;
}

// The columns a method's parameters take (path: each parameter's; query: with its style
// and exactness), which its fallback must take alike to answer the same query.
std::set<int> path_columns(const ReadMethod& m) {
  std::set<int> out;
  for (const auto& p : m.path_params) out.insert(p.columns.begin(), p.columns.end());
  return out;
}

const ParamBinding* query_param_taking(const ReadMethod& m, int column) {
  for (const auto& q : m.query_params)
    if (std::find(q.columns.begin(), q.columns.end(), column) != q.columns.end()) return &q;
  return nullptr;
}

// on_not_found: a later method (so fallbacks cannot loop) that takes the same path columns
// and every query column this one takes, in the same style and as exactly, so that it
// answers the very query the plan chose this method for.
void link_fallback(const SpecReader& r, ResourceSpec& res, size_t k, const std::string& name) {
  const std::string where = "read_methods[" + std::to_string(k) + "].on_not_found";
  int target = -1;
  for (size_t j = 0; j < res.read_methods.size(); ++j)
    if (res.read_methods[j].name == name) target = static_cast<int>(j);
  if (target < 0) r.fail(where, "names no read method: " + quote_for_message(name));
  if (static_cast<size_t>(target) <= k)
    r.fail(where, "names " + quote_for_message(name) + ", which is not after this method; name a later one");
  const ReadMethod& m = res.read_methods[k];
  const ReadMethod& f = res.read_methods[target];
  if (f.response != m.response) r.fail(where, quote_for_message(name) + " answers another kind of response");
  if (path_columns(f) != path_columns(m))
    r.fail(where, quote_for_message(name) + "'s path parameters take other columns than this method's");
  for (const auto& q : m.query_params)
    for (int c : q.columns) {
      const ParamBinding* fq = query_param_taking(f, c);
      if (!fq || fq->style != q.style || fq->exact != q.exact)
        r.fail(where, quote_for_message(name) + " cannot send " + res.columns[c].name + " as this method does (" +
                          q.param + "=)");
    }
  res.read_methods[k].fallback_method = target;
}

WriteMethod parse_write_method(const SpecReader& r, const ResourceSpec& res, element el, const std::string& where) {
  object obj = r.as_object(el, where);
  WriteMethod m;
  m.name = r.string_at(obj, "name", where, true);
  if (!valid_identifier(m.name)) r.fail(where + ".name", "must be an SQL identifier (letters, digits, _)");
  m.description = r.string_at(obj, "description", where, false);
  m.verb = r.string_at(obj, "verb", where, true);
  if (m.verb != "POST" && m.verb != "DELETE" && m.verb != "GET" && m.verb != "PUT" && m.verb != "PATCH")
    r.fail(where + ".verb", "expected POST, PUT, PATCH, DELETE or GET, got " + quote_for_message(m.verb));
  m.path = r.string_at(obj, "path", where, true);
  m.pieces = parse_path_template(r, m.path, where + ".path");
  std::string result = r.string_at(obj, "result", where, false, "status");
  if (result == "location")
    m.returns_location = true;
  else if (result != "status")
    r.fail(where + ".result", "expected \"status\" or \"location\"");

  simdjson::dom::array args;
  if (r.required(obj, "args", where).get(args)) r.fail(where + ".args", "expected an array");
  size_t i = 0;
  bool seen_optional = false;
  for (element a : args) {
    std::string aw = where + ".args[" + std::to_string(i++) + "]";
    object ao = r.as_object(a, aw);
    WriteArg arg;
    arg.name = r.string_at(ao, "name", aw, true);
    if (!valid_identifier(arg.name)) r.fail(aw + ".name", "must be an identifier");
    std::string type = r.string_at(ao, "type", aw, true);
    if (type == "TEXT")
      arg.type = ArgType::Text;
    else if (type == "INTEGER")
      arg.type = ArgType::Integer;
    else if (type == "BOOLEAN")
      arg.type = ArgType::Boolean;
    else if (type == "INTEGER_ARRAY")
      arg.type = ArgType::IntegerArray;
    else
      r.fail(aw + ".type", "expected TEXT, INTEGER, BOOLEAN or INTEGER_ARRAY, got " + quote_for_message(type));
    std::string in = r.string_at(ao, "in", aw, true);
    if (in != "path" && in != "body") r.fail(aw + ".in", "expected \"path\" or \"body\"");
    arg.in_path = in == "path";
    arg.optional = r.bool_at(ao, "optional", aw, false);
    if (seen_optional && !arg.optional) r.fail(aw + ".optional", "a required argument cannot follow an optional one");
    seen_optional |= arg.optional;
    arg.body_key = r.string_at(ao, "body_key", aw, false, arg.name);
    element allowed;
    if (!ao.at_key("allowed").get(allowed)) arg.allowed = r.strings_at(allowed, aw + ".allowed");
    for (const auto& other : m.args)
      if (other.name == arg.name) r.fail(aw + ".name", "'" + arg.name + "' is declared twice");
    m.args.push_back(std::move(arg));
  }
  auto check_template = [&](const std::vector<PathPiece>& pieces, const std::string& pw) {
    for (const auto& piece : pieces) {
      if (!piece.is_param) continue;
      bool found = false;
      for (const auto& a : m.args) found |= a.in_path && a.name == piece.text;
      if (!found) r.fail(pw, "uses {" + piece.text + "}, which is not a path argument");
    }
  };
  check_template(m.pieces, where + ".path");
  for (const auto& a : m.args)
    if (a.in_path && !a.optional && m.path.find("{" + a.name + "}") == std::string::npos)
      r.fail(where + ".args", "path argument '" + a.name + "' does not appear in the path");

  element path_if;
  if (!obj.at_key("path_if").get(path_if)) {
    object pi = r.as_object(path_if, where + ".path_if");
    for (auto [key, value] : pi) {
      std::string pw = where + ".path_if." + std::string(key);
      std::string_view alt;
      if (value.get(alt)) r.fail(pw, "expected a path string");
      bool is_arg = false;
      for (const auto& a : m.args) is_arg |= a.name == key && a.optional;
      if (!is_arg) r.fail(pw, "must name an optional argument");
      auto pieces = parse_path_template(r, std::string(alt), pw);
      check_template(pieces, pw);
      m.path_if.emplace_back(std::string(key), std::move(pieces));
    }
  }

  element sql_delete;
  if (!obj.at_key("sql_delete").get(sql_delete)) {
    std::string dw = where + ".sql_delete";
    object sd = r.as_object(sql_delete, dw);
    for (auto [key, value] : sd) {
      std::string_view column;
      if (value.get(column)) r.fail(dw + "." + std::string(key), "expected a column name");
      int c = res.column_index(column);
      if (c < 0) r.fail(dw + "." + std::string(key), "names no column: " + quote_for_message(column));
      if (c != res.key_column && !res.columns[c].input)
        r.fail(dw + "." + std::string(key), "must be the key column or an input column");
      m.sql_delete.emplace_back(std::string(key), c);
    }
    for (const auto& a : m.args) {
      if (a.optional) continue;
      bool mapped = false;
      for (const auto& [arg, column] : m.sql_delete) mapped |= arg == a.name;
      if (!mapped) r.fail(dw, "has no column for the required argument '" + a.name + "'");
    }
  }
  return m;
}

// Columns marked "required" are what the least demanding read method (the last) needs:
// each feeds one of its path parameters, and each of those is fed by one. Without any marked, the columns that feed the
// last method's path parameters (the first named of each) are the required ones.
void check_required_columns(const SpecReader& r, ResourceSpec& res) {
  const ReadMethod& last = res.read_methods.back();
  bool stated = false;
  for (const auto& c : res.columns) stated |= c.required;
  if (!stated) {
    for (const auto& p : last.path_params) res.columns[p.columns.front()].required = true;
    return;
  }
  for (size_t ci = 0; ci < res.columns.size(); ++ci) {
    if (!res.columns[ci].required) continue;
    std::string cw = "columns[" + std::to_string(ci) + "] (" + res.columns[ci].name + ").required";
    bool feeds = false;
    for (const auto& p : last.path_params)
      for (int c : p.columns) feeds |= c == static_cast<int>(ci);
    if (!feeds)
      r.fail(cw, "the last read method '" + last.name +
                     "' has no path parameter this column feeds; the required columns are what the last (least "
                     "demanding) read method needs");
  }
  for (const auto& p : last.path_params) {
    bool given = false;
    for (int c : p.columns) given |= res.columns[c].required;
    if (!given)
      r.fail("read_methods[" + std::to_string(res.read_methods.size() - 1) + "] (" + last.name + ")",
             "its path parameter '" + p.param +
                 "' is fed by no required column: the last read method must need only required columns");
  }
}

ResourceSpec parse_resource(SpecReader& r, element el, const std::string& where) {
  object obj = r.as_object(el, where);
  ResourceSpec res;
  res.name = r.string_at(obj, "name", where, true);
  if (!valid_identifier(res.name)) r.fail(where + ".name", "must be an SQL identifier (letters, digits, _)");
  r.set_resource(res.name);
  res.description = r.string_at(obj, "description", "", false);

  simdjson::dom::array cols;
  if (r.required(obj, "columns", "").get(cols)) r.fail("columns", "expected an array");
  size_t i = 0;
  for (element c : cols) {
    std::string cw = "columns[" + std::to_string(i++) + "]";
    object co = r.as_object(c, cw);
    ColumnSpec col;
    col.name = r.string_at(co, "name", cw, true);
    cw += " (" + col.name + ")";
    if (!valid_identifier(col.name)) r.fail(cw + ".name", "must be an SQL identifier (letters, digits, _)");
    if (res.column_index(col.name) >= 0) r.fail(cw + ".name", "is declared twice");
    col.type = parse_column_type(r, r.string_at(co, "type", cw, true), cw + ".type");
    std::string json = r.string_at(co, "json", cw, false);
    if (!json.empty()) {
      for (auto part : split(json, '.')) {
        if (part.empty()) r.fail(cw + ".json", "has an empty key in " + quote_for_message(json));
        col.json_path.emplace_back(part);
      }
    }
    col.hidden = r.bool_at(co, "hidden", cw, false);
    col.input = r.bool_at(co, "input", cw, false);
    col.required = r.bool_at(co, "required", cw, false);
    col.time = r.bool_at(co, "time", cw, false);
    if (col.time && col.type != ColumnType::Text)
      r.fail(cw + ".time", "only a TEXT column holds timestamps to compare as time");
    col.description = r.string_at(co, "description", cw, false);
    col.example = r.string_at(co, "example", cw, false);
    if (col.json_path.empty() && !col.input) r.fail(cw, "needs \"json\" (where its value is) or \"input\": true");
    if (col.input && !col.hidden) r.fail(cw + ".input", "input columns must also be hidden");
    res.columns.push_back(std::move(col));
  }
  if (res.columns.empty()) r.fail("columns", "must declare at least one column");
  if (res.columns.size() > 63) r.fail("columns", "at most 63 columns are supported");

  element shared_el;
  object shared;
  bool has_shared = !obj.at_key("shared").get(shared_el);
  if (has_shared) shared = r.as_object(shared_el, "shared");
  simdjson::dom::array methods;
  if (r.required(obj, "read_methods", "").get(methods)) r.fail("read_methods", "expected an array");
  i = 0;
  std::vector<std::string> fallback_names;
  for (element m : methods) {
    fallback_names.emplace_back();
    res.read_methods.push_back(parse_read_method(r, res, m, "read_methods[" + std::to_string(i++) + "]",
                                                 has_shared ? &shared : nullptr, fallback_names.back()));
  }
  if (res.read_methods.empty()) r.fail("read_methods", "must declare at least one method");
  check_required_columns(r, res);
  for (size_t k = 0; k < res.read_methods.size(); ++k)
    if (!fallback_names[k].empty()) link_fallback(r, res, k, fallback_names[k]);

  std::string key = r.string_at(obj, "key_column", "", false);
  if (!key.empty()) {
    res.key_column = res.column_index(key);
    if (res.key_column < 0) r.fail("key_column", "names no column: " + quote_for_message(key));
    if (res.columns[res.key_column].type != ColumnType::Integer) r.fail("key_column", "must be an INTEGER column");
  }
  element writes;
  if (!obj.at_key("write_methods").get(writes)) {
    simdjson::dom::array arr;
    if (writes.get(arr)) r.fail("write_methods", "expected an array");
    i = 0;
    for (element w : arr) {
      std::string ww = "write_methods[" + std::to_string(i++) + "]";
      res.write_methods.push_back(parse_write_method(r, res, w, ww));
    }
    int deletes = 0;
    for (const auto& m : res.write_methods) deletes += !m.sql_delete.empty();
    if (deletes > 1) r.fail("write_methods", "only one method may serve DELETE (sql_delete)");
    if (deletes == 1 && res.key_column < 0) r.fail("key_column", "is required when a method serves DELETE");
  }
  r.set_resource("");
  return res;
}

}  // namespace

ProviderSpec load_provider_spec(std::string_view json, const std::string& source) {
  SpecReader r(source);
  simdjson::dom::parser parser;
  element root;
  if (auto err = parser.parse(json.data(), json.size()).get(root))
    r.fail("document", std::string("is not valid JSON: ") + simdjson::error_message(err));
  object obj = r.as_object(root, "document");
  ProviderSpec p;
  p.source = source;
  p.name = r.string_at(obj, "provider", "", true);
  if (!valid_identifier(p.name)) r.fail("provider", "must be a name of letters, digits and _");
  p.description = r.string_at(obj, "description", "", false);
  p.is_default = r.bool_at(obj, "default", "", false);
  p.base_url = r.string_at(obj, "base_url", "", false);
  p.base_url_env = r.string_at(obj, "base_url_env", "", false);
  element tokens;
  if (!obj.at_key("token_env").get(tokens)) p.token_envs = r.strings_at(tokens, "token_env");
  element auth;
  if (!obj.at_key("auth").get(auth)) {
    object a = r.as_object(auth, "auth");
    p.auth_header = r.string_at(a, "header", "auth", true);
    p.auth_prefix = r.string_at(a, "prefix", "auth", false);
  }
  element headers;
  if (!obj.at_key("headers").get(headers)) {
    object h = r.as_object(headers, "headers");
    for (auto [key, value] : h) {
      std::string_view sv;
      if (value.get(sv)) r.fail("headers." + std::string(key), "expected a string");
      p.headers.emplace_back(std::string(key), std::string(sv));
    }
  }
  element hints;
  if (!obj.at_key("error_hints").get(hints)) {
    object h = r.as_object(hints, "error_hints");
    for (auto [key, value] : h) {
      auto code = parse_int64(key);
      std::string_view sv;
      if (!code || *code < 100 || *code > 599)
        r.fail("error_hints." + std::string(key), "keys are HTTP statuses such as \"403\"");
      if (value.get(sv)) r.fail("error_hints." + std::string(key), "expected a string");
      p.error_hints.emplace_back(static_cast<long>(*code), std::string(sv));
    }
  }
  simdjson::dom::array resources;
  if (r.required(obj, "resources", "").get(resources)) r.fail("resources", "expected an array");
  size_t i = 0;
  for (element res : resources) {
    ResourceSpec rs = parse_resource(r, res, "resources[" + std::to_string(i++) + "]");
    if (p.resource(rs.name)) r.fail("resources", "declares '" + rs.name + "' twice");
    p.resources.push_back(std::move(rs));
  }
  return p;
}

const std::vector<ProviderSpec>& bundled_providers() {
  static const std::vector<ProviderSpec> providers = [] {
    std::vector<ProviderSpec> out;
    for (const auto& spec : bundled_specs()) out.push_back(load_provider_spec(spec.json, spec.file_name));
    int defaults = 0;
    for (const auto& p : out) defaults += p.is_default;
    if (defaults > 1) throw Error("more than one bundled provider spec is marked \"default\"");
    return out;
  }();
  return providers;
}

const ProviderSpec* default_bundled_provider(std::string_view resource_name) {
  const ProviderSpec* first = nullptr;
  for (const auto& p : bundled_providers()) {
    if (!p.resource(resource_name)) continue;
    if (p.is_default) return &p;
    if (!first) first = &p;
  }
  return first;
}

const ProviderSpec* bundled_provider(std::string_view name) {
  for (const auto& p : bundled_providers())
    if (p.name == name) return &p;
  return nullptr;
}

}  // namespace stacklite
