// What the extension serves, as rows: the tables, columns and write functions of provider
// specs, for stacklite_tables, stacklite_columns and stacklite_functions and the README.
#include "spec/catalog.hpp"

#include <algorithm>

#include "util/text.hpp"

namespace stacklite {

namespace {

const char* type_name(ColumnType t) {
  switch (t) {
    case ColumnType::Integer:
      return "INTEGER";
    case ColumnType::Real:
      return "REAL";
    case ColumnType::Text:
      return "TEXT";
    case ColumnType::Json:
      return "JSON";
    case ColumnType::Boolean:
      return "BOOLEAN";
  }
  return "TEXT";
}

std::vector<std::string> operators_of(ParamStyle style) {
  if (style == ParamStyle::DateRange) return {">", ">=", "<", "<=", "="};
  return {"="};
}

std::string json_strings(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ",";
    append_json_string(out, items[i]);
  }
  return out + "]";
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

void add_unique(std::vector<std::string>& to, const std::string& item) {
  if (std::find(to.begin(), to.end(), item) == to.end()) to.push_back(item);
}

SqlValue text(std::string s) { return SqlValue::of_text(std::move(s)); }
SqlValue integer(int64_t v) { return SqlValue::of_int(v); }

// "SELECT * FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo'", preceded
// by the CREATE VIRTUAL TABLE a provider other than the default needs.
std::string example_of(const ProviderSpec& provider, const ResourceSpec& res) {
  std::string table = res.name, out;
  if (default_bundled_provider(res.name) != &provider) {
    table = provider.name + "_" + res.name;
    out = "CREATE VIRTUAL TABLE " + table + " USING " + res.name + "(provider='" + provider.name + "'" +
          (provider.base_url.empty() ? ", base_url='https://HOST/api'" : "") + "); ";
  }
  out += "SELECT * FROM " + table;
  std::string where;
  for (int c : res.required_columns()) {
    const ColumnSpec& col = res.columns[c];
    std::string value = col.example.empty() ? "..." : col.example;
    bool numeric = col.type == ColumnType::Integer || col.type == ColumnType::Boolean;
    where += (where.empty() ? " WHERE " : " AND ") + col.name + " = " +
             (numeric && col.example.empty() ? "1" : "'" + value + "'");
  }
  return out + where;
}

}  // namespace

Catalog tables_catalog(const std::vector<ProviderSpec>& providers) {
  Catalog cat;
  cat.columns = {
      {"provider", "TEXT"},           {"table_name", "TEXT"},         {"description", "TEXT"},     {"required", "TEXT"},
      {"read_methods", "TEXT", true}, {"supports_delete", "INTEGER"}, {"write_functions", "TEXT"}, {"example", "TEXT"}};
  for (const auto& p : providers) {
    for (const auto& res : p.resources) {
      std::vector<std::string> required, writes;
      for (int c : res.required_columns()) required.push_back(res.columns[c].name);
      for (const auto& w : res.write_methods) writes.push_back(w.name);
      std::string reads = "[";
      for (size_t i = 0; i < res.read_methods.size(); ++i) {
        const ReadMethod& m = res.read_methods[i];
        std::vector<std::string> needs;
        for (const auto& pp : m.path_params) {
          std::vector<std::string> alternatives;
          for (int c : pp.columns) alternatives.push_back(res.columns[c].name);
          std::string either;
          for (const auto& a : alternatives) either += (either.empty() ? "" : " or ") + a;
          needs.push_back(either);
        }
        reads += i ? "," : "";
        reads += "{\"method\":";
        append_json_string(reads, m.name);
        reads += ",\"request\":";
        append_json_string(reads, "GET " + m.path);
        reads += ",\"needs\":" + json_strings(needs) + ",\"rows\":";
        append_json_string(reads, m.response == ResponseKind::Object ? "one" : "list");
        if (m.fallback_method >= 0) {
          reads += ",\"on_not_found\":";
          append_json_string(reads, res.read_methods[m.fallback_method].name);
        }
        reads += "}";
      }
      reads += "]";
      cat.rows.push_back({text(p.name), text(res.name), text(res.description), text(joined(required)), text(reads),
                          integer(res.sql_delete_method() ? 1 : 0), text(joined(writes)), text(example_of(p, res))});
    }
  }
  return cat;
}

Catalog columns_catalog(const std::vector<ProviderSpec>& providers) {
  Catalog cat;
  cat.columns = {{"provider", "TEXT"},  {"table_name", "TEXT"}, {"cid", "INTEGER"},      {"column_name", "TEXT"},
                 {"type", "TEXT"},      {"hidden", "INTEGER"},  {"input", "INTEGER"},    {"required", "INTEGER"},
                 {"api_param", "TEXT"}, {"operators", "TEXT"},  {"description", "TEXT"}, {"pushdown", "TEXT", true}};
  for (const auto& p : providers) {
    for (const auto& res : p.resources) {
      std::vector<int> required = res.required_columns();
      for (size_t ci = 0; ci < res.columns.size(); ++ci) {
        const ColumnSpec& col = res.columns[ci];
        std::vector<std::string> params, ops;
        std::string pushdown = "[";
        auto entry = [&](const ReadMethod& m, const ParamBinding& b, bool in_path) {
          if (std::find(b.columns.begin(), b.columns.end(), static_cast<int>(ci)) == b.columns.end()) return;
          std::vector<std::string> these = in_path ? std::vector<std::string>{"="} : operators_of(b.style);
          add_unique(params, in_path ? "{" + b.param + "}" : b.param + "=");
          for (const auto& o : these) add_unique(ops, o);
          pushdown += pushdown.size() > 1 ? "," : "";
          pushdown += "{\"method\":";
          append_json_string(pushdown, m.name);
          pushdown += ",\"request\":";
          append_json_string(pushdown, "GET " + m.path);
          pushdown += in_path ? ",\"in\":\"path\",\"param\":" : ",\"in\":\"query\",\"param\":";
          append_json_string(pushdown, b.param);
          pushdown += ",\"operators\":" + json_strings(these);
          if (!b.values.empty()) pushdown += ",\"values\":" + json_strings(b.values);
          pushdown += "}";
        };
        for (const auto& m : res.read_methods) {
          for (const auto& b : m.path_params) entry(m, b, true);
          for (const auto& b : m.query_params) entry(m, b, false);
        }
        pushdown += "]";
        bool is_required = std::find(required.begin(), required.end(), static_cast<int>(ci)) != required.end();
        cat.rows.push_back({text(p.name), text(res.name), integer(static_cast<int64_t>(ci)), text(col.name),
                            text(type_name(col.type)), integer(col.hidden), integer(col.input), integer(is_required),
                            text(joined(params)), text(joined(ops)), text(col.description), text(pushdown)});
      }
    }
  }
  return cat;
}

Catalog functions_catalog(const std::vector<ProviderSpec>& providers) {
  Catalog cat;
  cat.columns = {{"provider", "TEXT"},         {"table_name", "TEXT"},  {"function_name", "TEXT"},
                 {"signature", "TEXT"},        {"http_method", "TEXT"}, {"path", "TEXT"},
                 {"serves_delete", "INTEGER"}, {"description", "TEXT"}};
  for (const auto& p : providers)
    for (const auto& res : p.resources)
      for (const auto& w : res.write_methods)
        cat.rows.push_back({text(p.name), text(res.name), text(w.name), text(w.signature()), text(w.verb), text(w.path),
                            integer(w.sql_delete.empty() ? 0 : 1), text(w.description)});
  return cat;
}

}  // namespace stacklite
