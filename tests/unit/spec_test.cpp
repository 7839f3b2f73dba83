// Provider specs: the bundled GitHub spec declares what the issue promises and conforms to
// GitHub's OpenAPI description; bad specs are refused with the file, resource and field.
#include "spec/spec.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cctype>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "util/text.hpp"

namespace stacklite {
namespace {

std::string join_path(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& p : path) out += (out.empty() ? "" : ".") + p;
  return out;
}

const ResourceSpec& runs() {
  const ProviderSpec* github = bundled_provider("github");
  EXPECT_NE(github, nullptr);
  return *github->resource("workflow_runs");
}

TEST(BundledSpec, WorkflowRunsHasEveryStackqlField) {
  const char* fields[] = {"id",
                          "name",
                          "actor",
                          "artifacts_url",
                          "cancel_url",
                          "check_suite_id",
                          "check_suite_node_id",
                          "check_suite_url",
                          "conclusion",
                          "created_at",
                          "display_title",
                          "event",
                          "head_branch",
                          "head_commit",
                          "head_repository",
                          "head_repository_id",
                          "head_sha",
                          "html_url",
                          "jobs_url",
                          "logs_url",
                          "node_id",
                          "path",
                          "previous_attempt_url",
                          "pull_requests",
                          "referenced_workflows",
                          "repository",
                          "rerun_url",
                          "run_attempt",
                          "run_number",
                          "run_started_at",
                          "status",
                          "triggering_actor",
                          "updated_at",
                          "url",
                          "workflow_id",
                          "workflow_url",
                          "actor_login"};
  for (const char* f : fields) {
    int i = runs().column_index(f);
    ASSERT_GE(i, 0) << f;
    EXPECT_FALSE(runs().columns[i].hidden) << f;
  }
  for (const char* f : {"owner", "repo", "run_id", "attempt_number", "workflow", "exclude_pull_requests"}) {
    int i = runs().column_index(f);
    ASSERT_GE(i, 0) << f;
    EXPECT_TRUE(runs().columns[i].hidden) << f;
  }
  EXPECT_EQ(runs().columns[runs().column_index("id")].type, ColumnType::Integer);
  EXPECT_EQ(runs().columns[runs().column_index("actor")].type, ColumnType::Json);
  EXPECT_EQ(runs().columns[runs().column_index("actor_login")].json_path, (std::vector<std::string>{"actor", "login"}));
}

// The OpenAPI contracts the GitHub spec is cut from: the runs and jobs file, and the
// inventory file (repositories, workflows, usage, artifacts).
class Contracts {
 public:
  Contracts() {
    for (const char* file :
         {"/tests/data/github-actions-runs.openapi.json", "/tests/data/github-actions-inventory.openapi.json"}) {
      docs_.emplace_back();
      EXPECT_EQ(parsers_[docs_.size() - 1].load(std::string(STACKLITE_SOURCE_DIR) + file).get(docs_.back()),
                simdjson::SUCCESS)
          << file;
    }
  }
  // The document describing `verb` `path` (its index: 1 is the inventory file), and the operation.
  int find(const std::string& path, simdjson::dom::element& doc, simdjson::dom::element& op,
           const std::string& verb = "get") const {
    for (size_t i = 0; i < docs_.size(); ++i)
      if (!docs_[i]["paths"][path][verb].get(op)) return doc = docs_[i], static_cast<int>(i);
    return -1;
  }
  // A $ref'd parameter or schema resolved within its document; anything else as it is.
  static simdjson::dom::element resolve(simdjson::dom::element doc, simdjson::dom::element el) {
    std::string_view ref;
    simdjson::dom::array all_of;
    if (!el["allOf"].get(all_of)) el = all_of.at(0);  // a property that is one schema "and" more
    while (!el["$ref"].get(ref)) {
      // "#/components/<kind>/<name>"
      const std::string r(ref.substr(2));
      const size_t slash = r.find('/', r.find('/') + 1);
      if (doc["components"][r.substr(r.find('/') + 1, slash - r.find('/') - 1)][r.substr(slash + 1)].get(el)) return el;
    }
    return el;
  }

 private:
  simdjson::dom::parser parsers_[2];
  std::vector<simdjson::dom::element> docs_;
};

// The schema of the items a method returns: the object, the envelope's array items, or
// the bare array's items.
simdjson::dom::element item_schema(simdjson::dom::element doc, simdjson::dom::element op, const ReadMethod& m) {
  simdjson::dom::element schema = op["responses"]["200"]["content"]["application/json"]["schema"];
  schema = Contracts::resolve(doc, schema);
  if (m.response == ResponseKind::Object) return schema;
  if (!m.items_key.empty()) schema = Contracts::resolve(doc, schema["properties"][m.items_key]);
  return Contracts::resolve(doc, schema["items"]);
}

// The property a dotted path names in a schema (following $refs), or an error.
simdjson::simdjson_result<simdjson::dom::element> property_at(simdjson::dom::element doc, simdjson::dom::element schema,
                                                              const std::vector<std::string>& path) {
  simdjson::dom::element el = schema;
  for (const auto& key : path) {
    el = Contracts::resolve(doc, el);
    simdjson::dom::element next;
    if (auto err = el["properties"][key].get(next)) return err;
    el = next;
  }
  return el;
}

// Every path, path parameter, query parameter, response key and column the GitHub spec uses
// exists in GitHub's OpenAPI description of the operation; where the description describes
// a property, the column's description says the same.
TEST(BundledSpec, ConformsToGitHubOpenApi) {
  Contracts contracts;
  const ProviderSpec* github = bundled_provider("github");
  ASSERT_NE(github, nullptr);
  for (const auto& res : github->resources) {
    struct Schema {
      simdjson::dom::element doc, items;
      bool inventory;
    };
    std::vector<Schema> schemas;
    for (const auto& m : res.read_methods) {
      simdjson::dom::element doc, op;
      const int file = contracts.find(m.path, doc, op);
      ASSERT_GE(file, 0) << res.name << ": " << m.path;
      schemas.push_back({doc, item_schema(doc, op, m), file == 1});
      std::set<std::string> path_params, query_params;
      std::map<std::string, std::vector<std::string>> enums;  // query parameter -> its enum
      simdjson::dom::array parameters;
      ASSERT_EQ(op["parameters"].get(parameters), simdjson::SUCCESS);
      for (simdjson::dom::element p : parameters) {
        simdjson::dom::element param = Contracts::resolve(doc, p);
        std::string_view in, name;
        ASSERT_EQ(param["in"].get(in), simdjson::SUCCESS);
        ASSERT_EQ(param["name"].get(name), simdjson::SUCCESS);
        (in == "path" ? path_params : query_params).insert(std::string(name));
        simdjson::dom::array values;
        if (in == "query" && !param["schema"]["enum"].get(values))
          for (simdjson::dom::element v : values) enums[std::string(name)].emplace_back(std::string_view(v));
      }
      for (const auto& p : m.path_params) EXPECT_TRUE(path_params.count(p.param)) << m.name << " " << p.param;
      EXPECT_EQ(path_params.size(), m.path_params.size()) << m.name;
      for (const auto& q : m.query_params) EXPECT_TRUE(query_params.count(q.param)) << m.name << " " << q.param;
      // Where the API enumerates a parameter's values the spec lists exactly those, so a
      // value outside them is refused before any request.
      for (const auto& q : m.query_params) {
        auto it = enums.find(q.param);
        EXPECT_EQ(q.values, it == enums.end() ? std::vector<std::string>{} : it->second) << m.name << " " << q.param;
      }
      if (m.paginated) {
        EXPECT_TRUE(query_params.count(m.per_page_param)) << m.name;
      }
      auto body = Contracts::resolve(doc, op["responses"]["200"]["content"]["application/json"]["schema"]);
      std::string_view body_type;
      ASSERT_EQ(body["type"].get(body_type), simdjson::SUCCESS) << m.name;
      if (m.response == ResponseKind::Object) {
        EXPECT_EQ(body_type, "object") << m.name;
      } else if (m.items_key.empty()) {
        EXPECT_EQ(body_type, "array") << m.name << ": a bare array";
      } else {
        EXPECT_EQ(body["properties"][m.items_key].error(), simdjson::SUCCESS) << m.name;
        EXPECT_EQ(body["properties"][m.total_key].error(), simdjson::SUCCESS) << m.name;
      }
    }
    // Each column's value is a property of what at least one of its methods returns.
    for (const auto& col : res.columns) {
      if (col.json_path.empty()) continue;
      bool found = false;
      for (const auto& schema : schemas) {
        simdjson::dom::element prop;
        if (property_at(schema.doc, schema.items, col.json_path).get(prop)) continue;
        found = true;
        // The column's type is the property's: a JSON value for an object or array.
        std::string_view type;
        if (!Contracts::resolve(schema.doc, prop)["type"].get(type)) {
          const ColumnType want = type == "integer"   ? ColumnType::Integer
                                  : type == "number"  ? ColumnType::Real
                                  : type == "boolean" ? ColumnType::Boolean
                                  : type == "string"  ? ColumnType::Text
                                                      : ColumnType::Json;
          EXPECT_EQ(col.type, want) << res.name << "." << col.name << " is " << type;
        }
        // The repositories table's descriptions start with the property's own (not that of
        // a schema it refers to, which is a title such as "License Simple"); the artifacts
        // table paraphrases its own.
        std::string_view described;
        if (schema.inventory && res.name == "repositories" && !col.input && !prop["description"].get(described)) {
          EXPECT_EQ(col.description.substr(0, described.size()), described) << res.name << "." << col.name;
        }
      }
      EXPECT_TRUE(found) << res.name << "." << col.name << " (" << join_path(col.json_path) << ")";
    }
    // Each write method is the operation of its verb and path, with its path parameters.
    for (const auto& w : res.write_methods) {
      std::string verb = w.verb;
      for (char& c : verb) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      simdjson::dom::element doc, op;
      ASSERT_GE(contracts.find(w.path, doc, op, verb), 0) << w.name << " " << w.verb << " " << w.path;
      std::set<std::string> declared;
      simdjson::dom::array parameters;
      ASSERT_EQ(op["parameters"].get(parameters), simdjson::SUCCESS) << w.name;
      for (simdjson::dom::element p : parameters) {
        simdjson::dom::element param = Contracts::resolve(doc, p);
        std::string_view in, name;
        if (!param["in"].get(in) && in == "path" && !param["name"].get(name)) declared.insert(std::string(name));
      }
      std::set<std::string> used;
      for (const auto& a : w.args)
        if (a.in_path && !a.optional) used.insert(a.name);
      EXPECT_EQ(used, declared) << w.name;
    }
  }
}

// The inventory contract's operations are served, each by the table the README names, with
// the columns a report needs; a run's usage has a column for each runner OS the contract
// bills. The one operation left out is a workflow's usage in the current billing cycle
// (GET …/workflows/{workflow_id}/timing): minutes per workflow are a join of runs and
// their usage, over any period.
TEST(BundledSpec, ServesTheInventoryContract) {
  const ProviderSpec* github = bundled_provider("github");
  ASSERT_NE(github, nullptr);
  const std::map<std::string, std::string> served = {
      {"/orgs/{org}/repos", "repositories"},
      {"/users/{username}/repos", "repositories"},
      {"/user/repos", "repositories"},
      {"/repos/{owner}/{repo}/actions/artifacts", "artifacts"},
      {"/repos/{owner}/{repo}/actions/artifacts/{artifact_id}", "artifacts"},
      {"/repos/{owner}/{repo}/actions/runs/{run_id}/artifacts", "artifacts"},
      {"/repos/{owner}/{repo}/actions/workflows", "workflows"},
      {"/repos/{owner}/{repo}/actions/workflows/{workflow_id}", "workflows"},
      {"/repos/{owner}/{repo}/actions/runs/{run_id}/timing", "workflow_run_usage"}};
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(
      parser.load(std::string(STACKLITE_SOURCE_DIR) + "/tests/data/github-actions-inventory.openapi.json").get(doc),
      simdjson::SUCCESS);
  simdjson::dom::object paths;
  ASSERT_EQ(doc["paths"].get(paths), simdjson::SUCCESS);
  std::set<std::string> in_contract;
  for (auto field : paths) {
    const std::string path(field.key);
    if (path == "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/timing") continue;
    in_contract.insert(path);
    auto it = served.find(path);
    ASSERT_NE(it, served.end()) << path << " is in the contract but no table is said to serve it";
    const ResourceSpec* res = github->resource(it->second);
    ASSERT_NE(res, nullptr) << it->second;
    bool read = false;
    for (const auto& m : res->read_methods) read |= m.path == path;
    EXPECT_TRUE(read) << it->second << " has no read method for " << path;
  }
  EXPECT_EQ(in_contract.size(), served.size());

  auto expect_columns = [&](const char* table, std::initializer_list<const char*> names) {
    const ResourceSpec* res = github->resource(table);
    ASSERT_NE(res, nullptr) << table;
    for (const char* n : names) {
      const int i = res->column_index(n);
      ASSERT_GE(i, 0) << table << "." << n;
      EXPECT_FALSE(res->columns[i].hidden) << table << "." << n;
    }
  };
  expect_columns("workflows", {"id", "node_id", "name", "path", "state", "created_at", "updated_at", "url", "html_url",
                               "badge_url"});
  expect_columns("workflow_run_usage", {"run_duration_ms", "ubuntu_ms", "macos_ms", "windows_ms", "billable"});
  const ResourceSpec& usage = *github->resource("workflow_run_usage");
  for (const char* input : {"owner", "repo", "run_id"}) {
    const int i = usage.column_index(input);
    ASSERT_GE(i, 0) << input;
    EXPECT_TRUE(usage.columns[i].input && usage.columns[i].hidden && usage.columns[i].required) << input;
  }
  // billable.<OS>.total_ms for each OS the contract's usage schema lists, and no other.
  simdjson::dom::object oses;
  ASSERT_EQ(doc["components"]["schemas"]["workflow-run-usage"]["properties"]["billable"]["properties"].get(oses),
            simdjson::SUCCESS);
  std::set<std::string> contract_oses, column_oses;
  for (auto os : oses) contract_oses.insert(std::string(os.key));
  for (const auto& col : usage.columns)
    if (col.json_path.size() == 3 && col.json_path[0] == "billable" && col.json_path[2] == "total_ms") {
      column_oses.insert(col.json_path[1]);
      std::string lower = col.json_path[1];
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      EXPECT_EQ(col.name, lower + "_ms");
    }
  EXPECT_EQ(column_oses, contract_oses);
  EXPECT_EQ(contract_oses, (std::set<std::string>{"UBUNTU", "MACOS", "WINDOWS"}));
}

std::string minimal_spec(const std::string& column_json, const std::string& method_json) {
  return R"({"provider":"t","base_url":"http://127.0.0.1:1","resources":[{"name":"things","columns":[)" + column_json +
         R"(],"read_methods":[)" + method_json + "]}]}";
}

const std::string kColumns =
    R"({"name":"id","type":"INTEGER","json":"id"},{"name":"owner","type":"TEXT","hidden":true,"input":true})";
const std::string kMethod =
    R"({"name":"list","path":"/o/{owner}/things","path_params":{"owner":"owner"},"response":{"kind":"list"}})";

void expect_spec_error(const std::string& json, std::initializer_list<const char*> fragments) {
  try {
    load_provider_spec(json, "my.json");
    FAIL() << "accepted: " << json;
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("my.json"), std::string::npos) << msg;
    for (const char* f : fragments) {
      EXPECT_NE(msg.find(f), std::string::npos) << "missing '" << f << "' in: " << msg;
    }
  }
}

TEST(SpecValidation, AcceptsAMinimalSpec) {
  ProviderSpec p = load_provider_spec(minimal_spec(kColumns, kMethod), "my.json");
  ASSERT_EQ(p.resources.size(), 1u);
  EXPECT_EQ(p.resources[0].read_methods[0].path_params[0].columns, std::vector<int>{1});
}

TEST(SpecValidation, NamesTheFieldAtFault) {
  expect_spec_error("{", {"not valid JSON"});
  expect_spec_error(R"({"base_url":"x","resources":[]})", {"provider", "required"});
  expect_spec_error(minimal_spec(R"({"name":"id","type":"NUMBER","json":"id"})", kMethod),
                    {"resource 'things'", "columns[0] (id).type", "INTEGER, REAL, TEXT, JSON or BOOLEAN"});
  expect_spec_error(minimal_spec(R"({"name":"id","type":"INTEGER"})", kMethod), {"columns[0] (id)", "\"json\""});
  expect_spec_error(minimal_spec(kColumns + "," + R"({"name":"id","type":"TEXT","json":"x"})", kMethod),
                    {"columns[2] (id).name", "twice"});
  expect_spec_error(
      minimal_spec(
          kColumns,
          R"({"name":"list","path":"/o/{owner}/{repo}","path_params":{"owner":"owner"},"response":{"kind":"list"}})"),
      {"read_methods[0].path_params", "'repo'"});
  expect_spec_error(
      minimal_spec(kColumns,
                   R"({"name":"list","path":"/o/{owner}","path_params":{"owner":"nope"},"response":{"kind":"list"}})"),
      {"read_methods[0].path_params.owner", "'nope'"});
  expect_spec_error(
      minimal_spec(
          kColumns,
          R"({"name":"list","path":"/o/{owner}","path_params":{"owner":"owner"},"response":{"kind":"table"}})"),
      {"read_methods[0].response.kind"});
  expect_spec_error(
      minimal_spec(kColumns,
                   R"({"name":"list","path":"o/{owner}","path_params":{"owner":"owner"},"response":{"kind":"list"}})"),
      {"read_methods[0].path", "'/'"});
  expect_spec_error(
      minimal_spec(
          kColumns,
          R"({"name":"list","path":"/o/{owner}","path_params":{"owner":"owner"},"response":{"kind":"list"},"query_params":[{"name":"q","column":"id","style":"fuzzy"}]})"),
      {"query_params[0].style"});
  auto with_values = [](const std::string& values) {
    return minimal_spec(
        kColumns,
        R"({"name":"list","path":"/o/{owner}","path_params":{"owner":"owner"},"response":{"kind":"list"},"query_params":[{"name":"q","column":"id",)" +
            values + "}]}");
  };
  expect_spec_error(with_values(R"("values":"a")"), {"query_params[0].values", "array of strings"});
  expect_spec_error(with_values(R"("values":[])"), {"query_params[0].values", "must not be empty"});
  expect_spec_error(with_values(R"("values":["a",""])"), {"query_params[0].values", "non-empty strings"});
  expect_spec_error(with_values(R"("values":["a","b","a"])"), {"query_params[0].values", "'a' twice"});
  expect_spec_error(with_values(R"("style":"boolean","values":["a"])"), {"query_params[0].values", "equals parameter"});
  EXPECT_EQ(load_provider_spec(with_values(R"("values":["a","b"])"), "my.json")
                .resources[0]
                .read_methods[0]
                .query_params[0]
                .values,
            (std::vector<std::string>{"a", "b"}));
  expect_spec_error(with_values(R"("unfiltered_values":["c"])"),
                    {"query_params[0].unfiltered_values", "goes with values"});
  expect_spec_error(with_values(R"("values":["a"],"unfiltered_values":["c"])"),
                    {"query_params[0].unfiltered_values", "\"exact\": false"});
  expect_spec_error(with_values(R"("values":["a"],"exact":false,"unfiltered_values":["a"])"),
                    {"query_params[0].unfiltered_values", "'a'"});
  EXPECT_EQ(load_provider_spec(with_values(R"("values":["a"],"exact":false,"unfiltered_values":["c"])"), "my.json")
                .resources[0]
                .read_methods[0]
                .query_params[0]
                .unfiltered_values,
            (std::vector<std::string>{"c"}));
  expect_spec_error(
      minimal_spec(
          kColumns,
          R"({"name":"list","path":"/o/{owner}","path_params":{"owner":{"strip_prefix":"x/"}},"response":{"kind":"list"}})"),
      {"read_methods[0].path_params.owner.columns", "required"});
  ProviderSpec stripped = load_provider_spec(
      minimal_spec(
          kColumns,
          R"({"name":"list","path":"/o/{owner}","path_params":{"owner":{"columns":["owner"],"strip_prefix":"x/"}},"response":{"kind":"list"}})"),
      "my.json");
  EXPECT_EQ(stripped.resources[0].read_methods[0].path_params[0].strip_prefix, "x/");
  EXPECT_EQ(stripped.resources[0].read_methods[0].path_params[0].columns, std::vector<int>{1});
}

// The spec says which columns every query needs; the loader holds it to what the read
// methods can take.
TEST(SpecValidation, RequiredColumnsAreStatedAndChecked) {
  std::vector<std::string> required;
  for (int c : runs().required_columns()) required.push_back(runs().columns[c].name);
  EXPECT_EQ(required, (std::vector<std::string>{"owner", "repo"}));
  // Unstated: the columns the last method's path parameters need.
  ProviderSpec derived = load_provider_spec(minimal_spec(kColumns, kMethod), "my.json");
  EXPECT_EQ(derived.resources[0].required_columns(), std::vector<int>{1});
  const std::string required_owner =
      R"({"name":"id","type":"INTEGER","json":"id"},{"name":"owner","type":"TEXT","hidden":true,"input":true,"required":true})";
  EXPECT_EQ(load_provider_spec(minimal_spec(required_owner, kMethod), "my.json").resources[0].required_columns(),
            std::vector<int>{1});
  // A required column some method cannot take.
  expect_spec_error(
      minimal_spec(required_owner + R"(,{"name":"kind","type":"TEXT","hidden":true,"input":true,"required":true})",
                   kMethod),
      {"columns[2] (kind).required", "the last read method 'list' has no path parameter this column feeds"});
  // The last method needs a column that is not required.
  expect_spec_error(
      minimal_spec(required_owner + R"(,{"name":"kind","type":"TEXT","hidden":true,"input":true})",
                   R"({"name":"list","path":"/o/{owner}/{kind}","path_params":{"owner":"owner","kind":"kind"},)"
                   R"("response":{"kind":"list"}})"),
      {"read_methods[0] (list)", "path parameter 'kind' is fed by no required column"});
}

// Read methods share parts: GitHub's two run listings state their filters, pages, cap and
// order once.
TEST(SpecValidation, SharedPartsAreTakenByTheMethodsThatNameThem) {
  const ReadMethod* by_repo = nullptr;
  const ReadMethod* by_workflow = nullptr;
  for (const auto& m : runs().read_methods) {
    if (m.name == "list_workflow_runs_for_repo") by_repo = &m;
    if (m.name == "list_workflow_runs") by_workflow = &m;
  }
  ASSERT_TRUE(by_repo && by_workflow);
  for (const ReadMethod* m : {by_repo, by_workflow}) {
    std::vector<std::string> params;
    for (const auto& q : m->query_params) params.push_back(q.param);
    EXPECT_EQ(params, (std::vector<std::string>{"actor", "branch", "event", "status", "created",
                                                "exclude_pull_requests", "check_suite_id", "head_sha"}))
        << m->name;
    EXPECT_EQ(m->cap.max_results, 1000) << m->name;
    EXPECT_EQ(m->cap.continue_param, "created") << m->name;
    EXPECT_TRUE(m->paginated && m->max_per_page == 100 && m->items_key == "workflow_runs") << m->name;
    EXPECT_EQ(m->order_column, runs().column_index("created_at")) << m->name;
  }
  // A method's own part wins over the shared one; a name the resource lacks is an error.
  const std::string shared_spec =
      R"({"provider":"t","base_url":"http://127.0.0.1:1","resources":[{"name":"things","columns":[)" + kColumns +
      R"(],"shared":{"paged":{"response":{"kind":"list","items":"things"},)"
      R"("pagination":{"kind":"link","per_page_param":"per_page","max_per_page":50}}},"read_methods":[)"
      R"({"name":"list","path":"/o/{owner}/things","path_params":{"owner":"owner"},"shared":"paged",)"
      R"("pagination":{"kind":"link","per_page_param":"limit","max_per_page":20}}]}]})";
  const ProviderSpec loaded = load_provider_spec(shared_spec, "my.json");
  const ReadMethod& m = loaded.resources[0].read_methods[0];
  EXPECT_EQ(m.items_key, "things");
  EXPECT_EQ(m.per_page_param, "limit");
  EXPECT_EQ(m.max_per_page, 20);
  std::string unknown = shared_spec;
  unknown.replace(unknown.find(R"("shared":"paged")"), 16, R"("shared":"pages")");
  expect_spec_error(unknown, {"read_methods[0].shared", "names no entry of the resource's \"shared\": 'pages'"});
}

TEST(BundledSpec, TheDefaultProviderIsSaidInItsSpec) {
  ASSERT_NE(default_bundled_provider("workflow_runs"), nullptr);
  EXPECT_EQ(default_bundled_provider("workflow_runs")->name, "github");
  EXPECT_TRUE(default_bundled_provider("workflow_runs")->is_default);
  EXPECT_EQ(default_bundled_provider("no_such_table"), nullptr);
}

// "time" marks a TEXT column of timestamps; on another type it is refused.
TEST(SpecValidation, TimeMarksTextColumnsOnly) {
  const std::string when = R"(,{"name":"seen_at","type":"TEXT","json":"seen_at","time":true})";
  ProviderSpec ok = load_provider_spec(minimal_spec(kColumns + when, kMethod), "my.json");
  EXPECT_TRUE(ok.resources[0].columns[2].time);
  EXPECT_FALSE(ok.resources[0].columns[0].time);
  expect_spec_error(minimal_spec(kColumns + R"(,{"name":"n","type":"INTEGER","json":"n","time":true})", kMethod),
                    {"columns[2] (n).time", "only a TEXT column"});
}

// no_rows_if_found: a path over the method's own parameters, asked when its listing 404s.
TEST(SpecValidation, NoRowsIfFoundIsAPathOverTheMethodsOwnParameters) {
  auto spec = [&](const std::string& extra, const std::string& not_found = "error") {
    return minimal_spec(
        kColumns,
        R"({"name":"items","path":"/o/{org}/items","path_params":{"org":"owner"},"response":{"kind":"list","not_found":")" +
            not_found + "\"}" + extra + "}");
  };
  ProviderSpec ok = load_provider_spec(spec(R"(,"no_rows_if_found":"/o/{org}")"), "my.json");
  EXPECT_EQ(ok.resources[0].read_methods[0].no_rows_if_found, "/o/{org}");
  ASSERT_EQ(ok.resources[0].read_methods[0].no_rows_if_found_pieces.size(), 2u);
  expect_spec_error(spec(R"(,"no_rows_if_found":"/o/{repo}")"),
                    {"read_methods[0].no_rows_if_found", "uses 'repo', which is not a parameter of the path"});
  expect_spec_error(spec(R"(,"no_rows_if_found":"o/{org}")"),
                    {"read_methods[0].no_rows_if_found", "must start with '/'"});
  expect_spec_error(spec(R"(,"no_rows_if_found":"/o/{org}")", "no_rows"),
                    {"read_methods[0].no_rows_if_found", "a 404 is no rows already"});
}

// on_not_found names a later method that answers the same query (GitHub's repositories of a
// user after /orgs/{org}/repos answered 404); anything that could not is refused.
TEST(SpecValidation, OnNotFoundNamesALaterMethodThatAnswersTheSameQuery) {
  const std::string columns = kColumns + R"(,{"name":"kind","type":"TEXT","hidden":true,"input":true})";
  auto spec = [&](const std::string& first_extra, const std::string& second, const std::string& not_found = "error") {
    return minimal_spec(
        columns,
        R"({"name":"orgs","path":"/orgs/{org}","path_params":{"org":"owner"},"query_params":[{"name":"type","column":"kind","values":["all","forks"]}],"response":{"kind":"list","not_found":")" +
            not_found + "\"}" + first_extra + "}," + second);
  };
  const std::string users =
      R"({"name":"users","path":"/users/{u}","path_params":{"u":"owner"},"query_params":[{"name":"type","column":"kind","values":["all","owner"]}],"response":{"kind":"list"}})";
  ProviderSpec ok = load_provider_spec(spec(R"(,"on_not_found":"users")", users), "my.json");
  EXPECT_EQ(ok.resources[0].read_methods[0].fallback_method, 1);
  EXPECT_EQ(ok.resources[0].read_methods[1].fallback_method, -1);

  expect_spec_error(spec(R"(,"on_not_found":"nope")", users),
                    {"read_methods[0].on_not_found", "names no read method: 'nope'"});
  expect_spec_error(spec(R"(,"on_not_found":"orgs")", users),
                    {"read_methods[0].on_not_found", "not after this method"});
  expect_spec_error(spec(R"(,"on_not_found":"users")", users, "no_rows"), {"read_methods[0].on_not_found", "no_rows"});
  expect_spec_error(
      spec(
          R"(,"on_not_found":"users")",
          R"({"name":"users","path":"/users/{u}","path_params":{"u":"kind"},"query_params":[{"name":"type","column":"kind"}],"response":{"kind":"list"}})"),
      {"read_methods[0].on_not_found", "'users''s path parameters take other columns"});
  expect_spec_error(
      spec(R"(,"on_not_found":"users")",
           R"({"name":"users","path":"/users/{u}","path_params":{"u":"owner"},"response":{"kind":"list"}})"),
      {"read_methods[0].on_not_found", "'users' cannot send kind as this method does (type=)"});
  expect_spec_error(
      spec(
          R"(,"on_not_found":"users")",
          R"({"name":"users","path":"/users/{u}","path_params":{"u":"owner"},"query_params":[{"name":"type","column":"kind"}],"response":{"kind":"object"}})"),
      {"read_methods[0].on_not_found", "another kind of response"});
}

}  // namespace
}  // namespace stacklite
