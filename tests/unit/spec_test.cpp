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

// Every path, path parameter, query parameter, response key and column the GitHub spec uses
// exists in GitHub's OpenAPI description of the operation: the runs contract, or the
// inventory contract (artifacts, ...), whichever describes the resource.
TEST(BundledSpec, ConformsToGitHubOpenApi) {
  simdjson::dom::parser runs_parser, inventory_parser;
  simdjson::dom::element runs_api, inventory_api;
  ASSERT_EQ(runs_parser.load(STACKLITE_SOURCE_DIR "/tests/data/github-actions-runs.openapi.json").get(runs_api),
            simdjson::SUCCESS);
  ASSERT_EQ(inventory_parser.load(STACKLITE_SOURCE_DIR "/tests/data/github-actions-inventory.openapi.json")
                .get(inventory_api),
            simdjson::SUCCESS);
  simdjson::dom::element api;
  auto resolve = [&](simdjson::dom::element param) {
    std::string_view ref;
    simdjson::dom::element target;
    if (!param["$ref"].get(ref) &&
        !api["components"]["parameters"][std::string(ref.substr(ref.rfind('/') + 1))].get(target))
      return target;
    return param;
  };
  const ProviderSpec* github = bundled_provider("github");
  ASSERT_NE(github, nullptr);
  const std::map<std::string, std::string> item_schema = {
      {"workflow_runs", "workflow-run"}, {"workflow_jobs", "job"}, {"artifacts", "artifact"}};
  ASSERT_EQ(github->resources.size(), item_schema.size());
  for (const auto& res : github->resources) {
    const std::string& first_path = res.read_methods.front().path;
    api = runs_api["paths"][first_path].error() == simdjson::SUCCESS ? runs_api : inventory_api;
    std::set<std::string> properties;
    simdjson::dom::object schema;
    ASSERT_EQ(api["components"]["schemas"][item_schema.at(res.name)]["properties"].get(schema), simdjson::SUCCESS);
    for (auto field : schema) properties.insert(std::string(field.key));
    for (const auto& col : res.columns) {
      if (!col.json_path.empty()) {
        EXPECT_TRUE(properties.count(col.json_path.front())) << res.name << "." << col.name;
      }
      // A path into a nested object (artifacts' workflow_run.head_branch) names a property of it.
      if (col.json_path.size() == 2) {
        simdjson::dom::element nested = schema[col.json_path[0]];
        simdjson::dom::array all_of;
        if (!nested["allOf"].get(all_of)) nested = all_of.at(0);
        std::string_view ref;
        if (!nested["$ref"].get(ref))
          nested = api["components"]["schemas"][std::string(ref.substr(ref.rfind('/') + 1))];
        EXPECT_EQ(nested["properties"][col.json_path[1]].error(), simdjson::SUCCESS) << res.name << "." << col.name;
      }
    }
    // Each write method is the operation of its verb and path, with its path parameters.
    for (const auto& w : res.write_methods) {
      std::string verb = w.verb;
      for (char& c : verb) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      simdjson::dom::element op;
      ASSERT_EQ(api["paths"][w.path][verb].get(op), simdjson::SUCCESS) << w.name << " " << w.verb << " " << w.path;
      std::set<std::string> declared;
      simdjson::dom::array parameters;
      ASSERT_EQ(op["parameters"].get(parameters), simdjson::SUCCESS) << w.name;
      for (simdjson::dom::element p : parameters) {
        simdjson::dom::element param = resolve(p);
        std::string_view in, name;
        if (!param["in"].get(in) && in == "path" && !param["name"].get(name)) declared.insert(std::string(name));
      }
      std::set<std::string> used;
      for (const auto& a : w.args)
        if (a.in_path && !a.optional) used.insert(a.name);
      EXPECT_EQ(used, declared) << w.name;
    }
    for (const auto& m : res.read_methods) {
      simdjson::dom::element op;
      ASSERT_EQ(api["paths"][m.path]["get"].get(op), simdjson::SUCCESS) << m.path;
      std::set<std::string> path_params, query_params;
      std::map<std::string, std::vector<std::string>> enums;  // query parameter -> its enum
      simdjson::dom::array parameters;
      ASSERT_EQ(op["parameters"].get(parameters), simdjson::SUCCESS);
      for (simdjson::dom::element p : parameters) {
        simdjson::dom::element param = resolve(p);
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
      if (!m.items_key.empty()) {
        auto envelope = op["responses"]["200"]["content"]["application/json"]["schema"]["properties"];
        EXPECT_EQ(envelope[m.items_key].error(), simdjson::SUCCESS) << m.name;
        EXPECT_EQ(envelope[m.total_key].error(), simdjson::SUCCESS) << m.name;
      }
    }
  }
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
  const ReadMethod& m = load_provider_spec(shared_spec, "my.json").resources[0].read_methods[0];
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

}  // namespace
}  // namespace stacklite
