// Write methods without SQLite: checks a call's arguments against the spec, builds the
// request (path and JSON body), and words the JSON result a write function returns.
#include "methods/write_request.hpp"

#include <simdjson.h>

#include "http/api_client.hpp"
#include "http/url.hpp"
#include "util/text.hpp"

namespace stacklite {

namespace {

std::string shown(const SqlValue& v) {
  switch (v.kind) {
    case SqlValue::Kind::Null:
      return "NULL";
    case SqlValue::Kind::Text:
      return quote_for_message(v.text);
    default:
      return v.to_text();
  }
}

int64_t integer_arg(const WriteArg& a, const SqlValue& v, const std::string& where) {
  if (v.kind == SqlValue::Kind::Int) return v.i;
  if (v.kind == SqlValue::Kind::Real && v.d == static_cast<double>(static_cast<int64_t>(v.d)))
    return static_cast<int64_t>(v.d);
  if (v.kind == SqlValue::Kind::Text)
    if (auto parsed = parse_int64(trim(v.text))) return *parsed;
  throw Error(where + a.name + " must be an integer, got " + shown(v));
}

bool boolean_arg(const WriteArg& a, const SqlValue& v, const std::string& where) {
  if (auto b = boolean_value(v)) return *b;
  throw Error(where + a.name + " must be 1 or 0 (true or false), got " + shown(v));
}

std::string integer_array_arg(const WriteArg& a, const SqlValue& v, const std::string& where) {
  std::string problem =
      where + a.name + " must be a JSON array of integers such as '[161171787, 161171795]', got " + shown(v);
  if (v.kind != SqlValue::Kind::Text) throw Error(problem);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::array arr;
  if (parser.parse(v.text).get(root) || root.get(arr)) throw Error(problem);
  std::string out = "[";
  bool first = true;
  for (simdjson::dom::element item : arr) {
    int64_t n;
    if (item.get(n)) throw Error(problem);
    out += (first ? "" : ",") + std::to_string(n);
    first = false;
  }
  if (first) throw Error(where + a.name + " must list at least one id, got " + shown(v));
  return out + "]";
}

}  // namespace

WriteRequest build_write_request(const WriteMethod& m, const std::vector<SqlValue>& args) {
  std::string where = m.signature() + ": ";
  if (args.size() < m.required_args() || args.size() > m.args.size()) {
    std::string expected = m.required_args() == m.args.size()
                               ? std::to_string(m.args.size())
                               : std::to_string(m.required_args()) + " to " + std::to_string(m.args.size());
    throw Error(where + "takes " + expected + " arguments, got " + std::to_string(args.size()));
  }
  WriteRequest req;
  req.method = m.verb;
  PathParams path_values;
  std::string body;
  std::vector<std::string> given;
  for (size_t i = 0; i < m.args.size(); ++i) {
    const WriteArg& a = m.args[i];
    if (i >= args.size() || (a.optional && args[i].kind == SqlValue::Kind::Null)) continue;
    const SqlValue& v = args[i];
    std::string json;  // the value as JSON (body) or text (path)
    switch (a.type) {
      case ArgType::Integer:
        json = std::to_string(integer_arg(a, v, where));
        break;
      case ArgType::Boolean:
        json = boolean_arg(a, v, where) ? "true" : "false";
        break;
      case ArgType::IntegerArray:
        json = integer_array_arg(a, v, where);
        break;
      case ArgType::Text: {
        if (v.kind != SqlValue::Kind::Text) throw Error(where + a.name + " must be text, got " + shown(v));
        if (!a.allowed.empty()) {
          bool ok = false;
          for (const auto& allowed : a.allowed) ok |= allowed == v.text;
          if (!ok) {
            std::string list;
            for (size_t k = 0; k < a.allowed.size(); ++k)
              list += (k ? (k + 1 == a.allowed.size() ? " or " : ", ") : "") + ("'" + a.allowed[k] + "'");
            throw Error(where + a.name + " must be " + list + ", got " + shown(v));
          }
        }
        if (a.in_path) {
          json = v.text;
        } else {
          append_json_string(json, v.text);
        }
        break;
      }
    }
    given.push_back(a.name);
    if (a.in_path) {
      try {
        add_path_value(path_values, a.name, json, a.name);
      } catch (const Error& e) {
        throw Error(where + e.what());
      }
    } else {
      body += body.empty() ? "{" : ",";
      append_json_string(body, a.body_key);
      body += ":" + json;
    }
  }
  if (!body.empty()) body += "}";
  req.body = body;
  const std::vector<PathPiece>* pieces = &m.pieces;
  for (const auto& [arg, alt] : m.path_if)
    for (const auto& name : given)
      if (name == arg) pieces = &alt;
  req.path = expand_path(*pieces, path_values);
  req.path_params = std::move(path_values);
  return req;
}

void DeleteRows::remember(int64_t key, const std::vector<std::optional<SqlValue>>& inputs) {
  std::vector<SqlValue> values;
  for (const auto& [arg, column] : method_.sql_delete) values.push_back(inputs[column] ? *inputs[column] : SqlValue{});
  rows_[key] = std::move(values);
}

std::optional<std::vector<SqlValue>> DeleteRows::arguments(int64_t key, int key_column) const {
  auto row = rows_.find(key);
  if (row == rows_.end()) return std::nullopt;
  // The key from the rowid, the inputs as remembered.
  std::vector<SqlValue> ordered;
  for (const auto& a : method_.args)
    for (size_t i = 0; i < method_.sql_delete.size(); ++i)
      if (method_.sql_delete[i].first == a.name)
        ordered.push_back(method_.sql_delete[i].second == key_column ? SqlValue::of_int(key) : row->second[i]);
  return ordered;
}

std::string write_result(const WriteMethod& m, const HttpResponse& response, const std::vector<std::string>& secrets) {
  std::string out;
  bool redirect = response.status >= 300 && response.status <= 399;
  if (m.returns_location && redirect && response.header("location")) {
    out = "{\"ok\":true,\"status\":" + std::to_string(response.status) + ",\"url\":";
    append_json_string(out, replace_secrets(std::string(*response.header("location")), secrets));
    return out + "}";
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  bool json = response.body.size() > 0 && !parser.parse(response.body.data(), response.body.size(), false).get(root);
  if (is_success(response.status) && !m.returns_location) {
    out = "{\"ok\":true,\"status\":" + std::to_string(response.status);
    simdjson::dom::object obj;
    bool empty_object = json && !root.get(obj) && obj.size() == 0;
    // A secret inside a JSON string stays a JSON string once replaced ("[token]").
    if (json && !empty_object) out += ",\"body\":" + replace_secrets(simdjson::minify(root), secrets);
    return out + "}";
  }
  std::string message = http_reason(response.status);
  std::string_view api_message;
  if (json && !root["message"].get(api_message) && !api_message.empty())
    message = message_excerpt(api_message, secrets, 500);
  else if (m.returns_location && is_success(response.status))
    message = "expected a redirect to the logs, got no Location";
  out = "{\"ok\":false,\"status\":" + std::to_string(response.status) + ",\"message\":";
  append_json_string(out, message);
  return out + "}";
}

std::string dry_run_result(const WriteRequest& request, const std::string& url) {
  std::string out = "{\"ok\":true,\"dry_run\":true,\"method\":";
  append_json_string(out, request.method);
  out += ",\"url\":";
  append_json_string(out, url);
  out += ",\"body\":" + (request.body.empty() ? std::string("null") : request.body);
  return out + "}";
}

}  // namespace stacklite
