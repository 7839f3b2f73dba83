// stacklite_tables, stacklite_columns and stacklite_functions: every bundled table, column
// and write function is listed and described, and the pushdown each column claims is what
// the planner does (checked by running the query against the loopback servers).
#include <algorithm>
#include <map>

#include "fake_shithub.hpp"
#include "harness.hpp"

namespace stacklite::testing {
namespace {

using testserver::FakeShithub;

std::vector<std::string> column_of(const Rows& rows, size_t i = 0) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r[i]);
  return out;
}

class DescribeTest : public ServerTest {
 protected:
  void SetUp() override {
    serve(small_dataset("octo-org", "octo-repo", 30));
    std::vector<testserver::ShithubRun> runs;
    std::vector<testserver::ShithubJob> jobs;
    testserver::shithub_sample("forge-org", "app", 20, runs, jobs);
    shithub_ = std::make_unique<FakeShithub>(runs, jobs);
    db_ = connect();
    // The table each provider's resource is reached through.
    for (const auto& r : db_->query("SELECT provider, table_name FROM stacklite_tables")) {
      std::string name = r[0] == "github" ? r[1] : r[0] + "_" + r[1];
      if (r[0] != "github")
        db_->query("CREATE VIRTUAL TABLE " + name + " USING " + r[1] + "(provider='" + r[0] + "', base_url='" +
                   shithub_->base_url() + "')");
      tables_[{r[0], r[1]}] = name;
    }
  }

  std::vector<RecordedRequest> requests(const std::string& provider) {
    return provider == "github" ? server_->requests() : shithub_->requests();
  }
  void clear(const std::string& provider) {
    if (provider == "github")
      server_->clear_requests();
    else
      shithub_->clear_requests();
  }
  std::string path_prefix(const std::string& provider) { return provider == "github" ? "" : "/api/v1"; }

  std::unique_ptr<FakeShithub> shithub_;
  std::unique_ptr<Db> db_;
  std::map<std::pair<std::string, std::string>, std::string> tables_;
};

TEST_F(DescribeTest, EveryBundledTableIsListedWithItsMethods) {
  EXPECT_EQ(db_->query("SELECT provider, table_name, required, supports_delete FROM stacklite_tables ORDER BY 1, 2"),
            (Rows{{"github", "artifacts", "owner, repo", "1"},
                  {"github", "repositories", "", "0"},
                  {"github", "workflow_jobs", "owner, repo, run_id", "0"},
                  {"github", "workflow_run_usage", "owner, repo, run_id", "0"},
                  {"github", "workflow_runs", "owner, repo", "1"},
                  {"github", "workflows", "owner, repo", "0"},
                  {"shithub", "workflow_jobs", "owner, repo, run_id", "0"},
                  {"shithub", "workflow_runs", "owner, repo", "0"}}));
  // Every module named after a table is listed (the describe tables and the spec module aside).
  EXPECT_EQ(column_of(db_->query(
                "SELECT name FROM pragma_module_list WHERE name NOT LIKE 'stacklite%' "
                "AND name NOT LIKE 'json%' AND name NOT LIKE 'fts%' AND name NOT LIKE 'rtree%' "
                "AND name NOT IN ('pragma_module_list') AND name IN (SELECT table_name FROM stacklite_tables) "
                "ORDER BY 1")),
            (std::vector<std::string>{"artifacts", "repositories", "workflow_jobs", "workflow_run_usage",
                                      "workflow_runs", "workflows"}));
  EXPECT_EQ(db_->integer("SELECT count(*) FROM stacklite_tables WHERE description = '' OR description IS NULL"), 0);
  // The read methods in the order the planner tries them, each with the inputs it needs.
  EXPECT_EQ(db_->query("SELECT json_extract(m.value, '$.request'), json_extract(m.value, '$.needs') "
                       "FROM stacklite_tables t, json_each(t.read_methods) m "
                       "WHERE t.provider = 'github' AND t.table_name = 'workflow_jobs'"),
            (Rows{{"GET /repos/{owner}/{repo}/actions/jobs/{job_id}", "[\"owner\",\"repo\",\"id\"]"},
                  {"GET /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}/jobs",
                   "[\"owner\",\"repo\",\"run_id\",\"attempt_number\"]"},
                  {"GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs", "[\"owner\",\"repo\",\"run_id\"]"}}));
  // A method that another answers for on a 404 says so.
  EXPECT_EQ(db_->query("SELECT json_extract(m.value, '$.request'), json_extract(m.value, '$.on_not_found') "
                       "FROM stacklite_tables t, json_each(t.read_methods) m "
                       "WHERE t.provider = 'github' AND t.table_name = 'repositories'"),
            (Rows{{"GET /orgs/{org}/repos", "list_repos_for_user"},
                  {"GET /users/{username}/repos", "NULL"},
                  {"GET /user/repos", "NULL"}}));
  // The example a newcomer copies runs as given (once a provider without a default host gets one).
  std::string example = db_->query(
      "SELECT example FROM stacklite_tables WHERE provider = 'github' AND table_name = "
      "'workflow_runs'")[0][0];
  EXPECT_EQ(example, "SELECT * FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo'");
  EXPECT_EQ(db_->query(example).size(), 30u);
}

TEST_F(DescribeTest, EveryColumnIsListedAsTheTableDeclaresItWithADescription) {
  for (const auto& [key, table] : tables_) {
    SCOPED_TRACE(table);
    Rows declared = db_->query("SELECT cid, name, hidden != 0 FROM pragma_table_xinfo('" + table + "') ORDER BY cid");
    Rows described = db_->query("SELECT cid, column_name, hidden FROM stacklite_columns WHERE provider = '" +
                                key.first + "' AND table_name = '" + key.second + "' ORDER BY cid");
    EXPECT_EQ(described, declared);
    EXPECT_EQ(
        db_->query("SELECT column_name FROM stacklite_columns WHERE provider = '" + key.first + "' AND table_name = '" +
                   key.second + "' AND (description IS NULL OR length(trim(description)) < 8)"),
        Rows{});
  }
  // Types as the schema declares them (JSON and BOOLEAN are declared TEXT and INTEGER).
  EXPECT_EQ(
      db_->query("SELECT c.column_name, c.type FROM stacklite_columns c JOIN pragma_table_xinfo('workflow_runs') x "
                 "ON x.name = c.column_name WHERE c.provider = 'github' AND c.table_name = 'workflow_runs' AND "
                 "x.type != CASE c.type WHEN 'JSON' THEN 'TEXT' WHEN 'BOOLEAN' THEN 'INTEGER' ELSE c.type END"),
      Rows{});
  EXPECT_EQ(db_->query("SELECT column_name, input, required FROM stacklite_columns WHERE provider = 'github' AND "
                       "table_name = 'workflow_runs' AND hidden ORDER BY cid"),
            (Rows{{"owner", "1", "1"},
                  {"repo", "1", "1"},
                  {"run_id", "0", "0"},
                  {"attempt_number", "1", "0"},
                  {"workflow", "1", "0"},
                  {"exclude_pull_requests", "1", "0"}}));
}

TEST_F(DescribeTest, EveryWriteFunctionIsListedAndRegistered) {
  Rows listed = db_->query("SELECT function_name FROM stacklite_functions ORDER BY 1");
  EXPECT_EQ(listed.size(), 12u);
  // Each listed function exists, and every function the extension adds beyond stacklite_* is listed.
  EXPECT_EQ(db_->query("SELECT function_name FROM stacklite_functions WHERE function_name NOT IN "
                       "(SELECT name FROM pragma_function_list)"),
            Rows{});
  EXPECT_EQ(
      db_->query("SELECT signature, http_method, path, serves_delete FROM stacklite_functions WHERE function_name "
                 "IN ('re_run_workflow', 'delete_workflow_run') ORDER BY 1"),
      (Rows{{"delete_workflow_run(owner, repo, run_id)", "DELETE", "/repos/{owner}/{repo}/actions/runs/{run_id}", "1"},
            {"re_run_workflow(owner, repo, run_id, [enable_debug_logging])", "POST",
             "/repos/{owner}/{repo}/actions/runs/{run_id}/rerun", "0"}}));
  EXPECT_EQ(db_->integer("SELECT count(*) FROM stacklite_functions WHERE length(description) < 8"), 0);
  // The dry run sends what the listing says.
  db_->query("SELECT stacklite_config('dry_run', 1)");
  std::string dry = db_->query("SELECT re_run_workflow('octo-org', 'octo-repo', 5005)")[0][0];
  EXPECT_NE(dry.find("\"method\":\"POST\""), std::string::npos) << dry;
  EXPECT_NE(dry.find("/repos/octo-org/octo-repo/actions/runs/5005/rerun"), std::string::npos) << dry;
}

// A value for a column in a probing query: distinctive, so the request shows where it went.
// A method reached through another's on_not_found is probed with an owner that is not an
// organization, so that the first request answers 404 and the fallback's is made.
std::string probe_value(const std::string& column, const std::string& type, bool fallback = false) {
  if (column == "owner") return fallback ? "probe-user" : "octo-org";
  if (column == "repo") return "octo-repo";
  if (type == "INTEGER") return "4242";
  if (type == "BOOLEAN") return "1";
  if (column == "created_at") return "2026-01-02T12:00:00Z";
  return "probe-" + column;
}
std::string as_sent(const std::string& value, const std::string& type) {
  return type == "BOOLEAN" ? (value == "1" ? "true" : "false") : value;
}
std::string as_sql(const std::string& value, const std::string& type) {
  return type == "INTEGER" || type == "BOOLEAN" ? value : sql_quote(value);
}

TEST_F(DescribeTest, PushdownIsWhatThePlannerSends) {
  int checked = 0;
  for (const auto& [key, table] : tables_) {
    const auto& [provider, resource] = key;
    std::map<std::string, std::string> types;
    for (const auto& r : db_->query("SELECT column_name, type FROM stacklite_columns WHERE provider = '" + provider +
                                    "' AND table_name = '" + resource + "'"))
      types[r[0]] = r[1];
    Rows entries = db_->query(
        "SELECT c.column_name, json_extract(e.value, '$.method'), json_extract(e.value, '$.request'), "
        "json_extract(e.value, '$.in'), json_extract(e.value, '$.param'), o.value, "
        "(SELECT json_extract(m.value, '$.needs') FROM stacklite_tables t, json_each(t.read_methods) m WHERE "
        "t.provider = c.provider AND t.table_name = c.table_name AND json_extract(m.value, '$.method') = "
        "json_extract(e.value, '$.method')), json_extract(e.value, '$.values[0]') "
        "FROM stacklite_columns c, json_each(c.pushdown) e, json_each(json_extract(e.value, '$.operators')) o "
        "WHERE c.provider = '" +
        provider + "' AND c.table_name = '" + resource + "'");
    ASSERT_FALSE(entries.empty()) << table;
    std::vector<std::string> fallbacks = column_of(db_->query(
        "SELECT json_extract(m.value, '$.on_not_found') FROM stacklite_tables t, json_each(t.read_methods) m "
        "WHERE t.provider = '" +
        provider + "' AND t.table_name = '" + resource + "' AND json_extract(m.value, '$.on_not_found') NOT NULL"));
    for (const auto& e : entries) {
      const std::string &column = e[0], &method = e[1], &request = e[2], &in = e[3], &param = e[4], &op = e[5];
      const bool fallback = std::find(fallbacks.begin(), fallbacks.end(), method) != fallbacks.end();
      SCOPED_TRACE(table + "." + column + " " + op + " -> " + method + " " + in + " " + param);
      std::map<std::string, std::string> path_values;
      std::string where;
      std::map<std::string, bool> constrained;
      for (const auto& need : column_of(db_->query("SELECT value FROM json_each(" + sql_quote(e[6]) + ")"))) {
        // "id or run_id": the column under test when it is one of them, else the first.
        std::string chosen = need.substr(0, need.find(" or "));
        if ((" or " + need + " or ").find(" or " + column + " or ") != std::string::npos) chosen = column;
        if (chosen == column) continue;
        where += " AND " + chosen + " = " + as_sql(probe_value(chosen, types[chosen], fallback), types[chosen]);
        constrained[chosen] = true;
      }
      // A parameter whose values the API lists takes only those.
      std::string value = e[7] != "NULL" ? e[7] : probe_value(column, types[column], fallback);
      where += " AND " + column + " " + op + " " + as_sql(value, types[column]);
      clear(provider);
      db_->error("SELECT * FROM " + table + " WHERE" + where.substr(4));  // a 404 is fine: the request is the point
      auto reqs = requests(provider);
      ASSERT_FALSE(reqs.empty()) << where;
      // The request's path is the method's template filled from the WHERE clause.
      std::string expected_path = path_prefix(provider);
      std::string tmpl = request.substr(4);
      for (size_t pos = 0; pos < tmpl.size();) {
        size_t open = tmpl.find('{', pos);
        if (open == std::string::npos) {
          expected_path += tmpl.substr(pos);
          break;
        }
        size_t close = tmpl.find('}', open);
        expected_path += tmpl.substr(pos, open - pos);
        std::string p = tmpl.substr(open + 1, close - open - 1);
        // The value of whichever constrained column feeds this parameter.
        std::string filled;
        if (in == "path" && p == param) filled = value;
        for (const auto& [c, yes] : constrained)
          if (filled.empty() &&
              db_->integer("SELECT count(*) FROM stacklite_columns c, json_each(c.pushdown) e WHERE "
                           "c.provider = '" +
                           provider + "' AND c.table_name = '" + resource + "' AND c.column_name = '" + c +
                           "' AND json_extract(e.value, '$.method') = '" + method +
                           "' AND json_extract(e.value, '$.param') = '" + p + "'") > 0)
            filled = probe_value(c, types[c], fallback);
        expected_path += filled;
        pos = close + 1;
      }
      // A fallback's request follows the 404 of the method that names it.
      const RecordedRequest& req = fallback ? reqs.back() : reqs.front();
      if (fallback) {
        EXPECT_EQ(reqs.size(), 2u);
      }
      EXPECT_EQ(req.path, expected_path);
      if (in == "query") {
        ASSERT_TRUE(req.has_param(param)) << req.query;
        // Time bounds go in whole seconds, so `>` and `<` move them by one: the day stays.
        std::string sent = column == "created_at" ? value.substr(0, 11) : as_sent(value, types[column]);
        EXPECT_NE(req.param(param).find(sent), std::string::npos) << req.query;
      }
      ++checked;
    }
    // A column that claims no pushdown sends nothing: its value stays out of every request.
    Rows quiet = db_->query("SELECT column_name, type FROM stacklite_columns WHERE provider = '" + provider +
                            "' AND table_name = '" + resource + "' AND pushdown = '[]' AND type IN ('TEXT', 'JSON')");
    std::string required_where;
    for (const auto& r : db_->query("SELECT column_name, type FROM stacklite_columns WHERE provider = '" + provider +
                                    "' AND table_name = '" + resource + "' AND required"))
      required_where += (required_where.empty() ? "" : " AND ") + r[0] + " = " + as_sql(probe_value(r[0], r[1]), r[1]);
    for (const auto& r : quiet) {
      SCOPED_TRACE(table + "." + r[0] + " (not pushed)");
      clear(provider);
      // A timestamp column takes a time (anything else is an error before any request).
      const bool time = r[0].size() > 3 && r[0].compare(r[0].size() - 3, 3, "_at") == 0;
      const std::string probe = time ? "1999-09-09T09:09:09Z" : "quiet-probe";
      db_->error("SELECT * FROM " + table + " WHERE " + required_where + (required_where.empty() ? "" : " AND ") +
                 r[0] + " = '" + probe + "'");
      auto reqs = requests(provider);
      ASSERT_FALSE(reqs.empty());
      for (const auto& q : reqs)
        EXPECT_EQ((q.path + "?" + q.query).find(time ? "1999-09-09" : probe), std::string::npos) << q.query;
      ++checked;
    }
  }
  EXPECT_GT(checked, 40);
}

}  // namespace
}  // namespace stacklite::testing
