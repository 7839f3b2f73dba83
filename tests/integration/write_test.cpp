// Write methods as SQL functions and DELETE, against a loopback server that changes state
// like GitHub: each call's method, path and body, results as values, safe retries, pacing,
// dry runs and the refusals.
#include <simdjson.h>

#include <chrono>
#include <map>

#include "harness.hpp"

namespace stacklite::testing {
namespace {

constexpr const char* kRepo = "'octo-org', 'octo-repo'";

class WriteTest : public ServerTest {
 protected:
  void SetUp() override {
    serve(small_dataset("octo-org", "octo-repo", 60));
    db_ = connect();
    db_->query("SELECT stacklite_config('write_interval_ms', 0)");
  }
  std::string one(const std::string& sql) {
    Rows rows = db_->query(sql);
    return rows.size() == 1 && rows[0].size() == 1 ? rows[0][0] : "<" + std::to_string(rows.size()) + " rows>";
  }
  std::vector<RecordedRequest> writes() const {
    std::vector<RecordedRequest> out;
    for (const auto& r : api_requests())
      if (r.method != "GET" || r.path.find("/logs") != std::string::npos) out.push_back(r);
    return out;
  }
  WorkflowRun run(int64_t id) { return *server_->snapshot().find_run("octo-org", "octo-repo", id); }
  int64_t first_with_status(const std::string& status) {
    for (const auto& r : server_->snapshot().runs_for("octo-org", "octo-repo"))
      if (r.status == status) return r.id;
    return 0;
  }
  std::unique_ptr<Db> db_;
};

// Each function's request: method, path and body, checked against GitHub's OpenAPI
// description (the operation exists, the body has only its properties and all it requires).
TEST_F(WriteTest, EveryFunctionSendsWhatTheOpenApiDescriptionSays) {
  int64_t completed = first_with_status("completed"), queued = first_with_status("queued");
  int64_t other_completed = 0;  // re-running a job re-queues its run: use another run for it
  for (const auto& r : server_->snapshot().runs_for("octo-org", "octo-repo"))
    if (r.status == "completed" && r.id != completed && !other_completed) other_completed = r.id;
  server_->with_dataset(
      [&](Dataset& d) { d.find_run("octo-org", "octo-repo", queued + 1)->status = "action_required"; });
  struct Call {
    std::string sql, method, path, body;
    int status;
  };
  std::string c = std::to_string(completed), q = std::to_string(queued), a = std::to_string(queued + 1);
  std::string j = std::to_string(other_completed) + "1";
  std::string base = "/repos/octo-org/octo-repo/actions/";
  std::vector<Call> calls = {
      {"cancel_workflow_run(" + std::string(kRepo) + ", " + q + ")", "POST", base + "runs/" + q + "/cancel", "", 202},
      {"force_cancel_workflow_run(" + std::string(kRepo) + ", " + c + ")", "POST", base + "runs/" + c + "/force-cancel",
       "", 409},
      {"re_run_job_for_workflow_run(" + std::string(kRepo) + ", " + j + ", 0)", "POST", base + "jobs/" + j + "/rerun",
       "{\"enable_debug_logging\":false}", 201},
      {"re_run_workflow(" + std::string(kRepo) + ", " + c + ")", "POST", base + "runs/" + c + "/rerun", "", 201},
      {"re_run_workflow_failed_jobs(" + std::string(kRepo) + ", " + q + ", 1)", "POST",
       base + "runs/" + q + "/rerun-failed-jobs", "{\"enable_debug_logging\":true}", 0},
      {"approve_workflow_run(" + std::string(kRepo) + ", " + a + ")", "POST", base + "runs/" + a + "/approve", "", 201},
      {"review_custom_gates_for_run(" + std::string(kRepo) + ", " + c + ", 'production', 'approved', 'ship it')",
       "POST", base + "runs/" + c + "/deployment_protection_rule",
       "{\"environment_name\":\"production\",\"state\":\"approved\",\"comment\":\"ship it\"}", 204},
      {"review_pending_deployments_for_run(" + std::string(kRepo) + ", " + c +
           ", '[161171787, 161171795]', 'rejected', 'not now')",
       "POST", base + "runs/" + c + "/pending_deployments",
       "{\"environment_ids\":[161171787,161171795],\"state\":\"rejected\",\"comment\":\"not now\"}", 200},
      {"delete_workflow_run_logs(" + std::string(kRepo) + ", " + c + ")", "DELETE", base + "runs/" + c + "/logs", "",
       204},
      {"delete_workflow_run(" + std::string(kRepo) + ", " + c + ")", "DELETE", base + "runs/" + c, "", 204},
  };
  simdjson::dom::parser parser;
  simdjson::dom::element api;
  ASSERT_EQ(parser.load(STACKLITE_SOURCE_DIR "/tests/data/github-actions-runs.openapi.json").get(api),
            simdjson::SUCCESS);
  for (const auto& call : calls) {
    server_->clear_requests();
    std::string result = one("SELECT " + call.sql);
    auto reqs = writes();
    ASSERT_EQ(reqs.size(), 1u) << call.sql;
    EXPECT_EQ(reqs[0].method, call.method) << call.sql;
    EXPECT_EQ(reqs[0].path, call.path) << call.sql;
    EXPECT_EQ(reqs[0].body, call.body) << call.sql;
    if (call.status) {
      EXPECT_NE(result.find("\"status\":" + std::to_string(call.status)), std::string::npos)
          << call.sql << " " << result;
    }
    // The OpenAPI operation: replace ids in the path with the template's names.
    std::string templ = call.path;
    for (auto [from, to] : std::vector<std::pair<std::string, std::string>>{{"runs/" + c, "runs/{run_id}"},
                                                                            {"runs/" + q, "runs/{run_id}"},
                                                                            {"runs/" + a, "runs/{run_id}"},
                                                                            {"jobs/" + j, "jobs/{job_id}"}})
      if (auto pos = templ.find(from); pos != std::string::npos) templ.replace(pos, from.size(), to);
    templ.replace(0, std::string("/repos/octo-org/octo-repo").size(), "/repos/{owner}/{repo}");
    std::string verb = call.method == "POST" ? "post" : "delete";
    simdjson::dom::element op;
    ASSERT_EQ(api["paths"][templ][verb].get(op), simdjson::SUCCESS) << templ;
    if (call.body.empty()) continue;
    simdjson::dom::element schema;
    ASSERT_EQ(op["requestBody"]["content"]["application/json"]["schema"].get(schema), simdjson::SUCCESS) << templ;
    simdjson::dom::parser body_parser;
    simdjson::dom::object body = body_parser.parse(call.body).get_object();
    // anyOf schemas (custom gates): the body must satisfy one alternative.
    std::vector<simdjson::dom::element> alternatives;
    simdjson::dom::array any_of;
    if (!schema["anyOf"].get(any_of)) {
      for (auto alt : any_of) {
        std::string_view ref = alt["$ref"].get_string();
        alternatives.push_back(api["components"]["schemas"][std::string(ref.substr(ref.rfind('/') + 1))]);
      }
    } else {
      alternatives.push_back(schema);
    }
    bool satisfied = false;
    for (auto alt : alternatives) {
      bool ok = true;
      for (auto field : body) ok &= alt["properties"][field.key].error() == simdjson::SUCCESS;
      simdjson::dom::array required;
      if (!alt["required"].get(required))
        for (auto name : required) ok &= body[std::string_view(name.get_string())].error() == simdjson::SUCCESS;
      satisfied |= ok;
    }
    EXPECT_TRUE(satisfied) << templ << " " << call.body;
  }
}

TEST_F(WriteTest, HttpErrorsAreValuesSoBulkStatementsFinish) {
  int64_t queued = first_with_status("queued");
  std::string id = std::to_string(queued);
  EXPECT_EQ(one("SELECT cancel_workflow_run(" + std::string(kRepo) + ", " + id + ")"), "{\"ok\":true,\"status\":202}");
  EXPECT_EQ(run(queued).status, "completed");
  EXPECT_EQ(run(queued).conclusion, "cancelled");
  EXPECT_EQ(one("SELECT cancel_workflow_run(" + std::string(kRepo) + ", " + id + ")"),
            "{\"ok\":false,\"status\":409,\"message\":\"Cannot cancel a workflow run that is completed.\"}");
  EXPECT_EQ(one("SELECT json_extract(cancel_workflow_run(" + std::string(kRepo) + ", 1), '$.status')"), "404");
}

TEST_F(WriteTest, SelectDrivenBulkCancelReportsEachRun) {
  std::vector<int64_t> queued;
  for (const auto& r : server_->snapshot().runs_for("octo-org", "octo-repo"))
    if (r.status == "queued") queued.push_back(r.id);
  ASSERT_GT(queued.size(), 5u);
  Rows rows = db_->query(
      "SELECT id, cancel_workflow_run(owner, repo, id) FROM workflow_runs "
      "WHERE owner = 'octo-org' AND repo = 'octo-repo' AND status = 'queued'");
  ASSERT_EQ(rows.size(), queued.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i][0], std::to_string(queued[i]));
    EXPECT_EQ(rows[i][1], "{\"ok\":true,\"status\":202}");
    EXPECT_EQ(run(queued[i]).conclusion, "cancelled");
  }
  EXPECT_TRUE(
      db_->query("SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND status = 'queued'")
          .empty());
}

TEST_F(WriteTest, LogsUrlComesFromTheRedirectWhichIsNotFollowed) {
  ScopedEnv token("GITHUB_TOKEN", std::string("ghp-logs-token"));
  auto db = connect();
  std::string result = db->query("SELECT download_workflow_run_logs(" + std::string(kRepo) + ", 5010)")[0][0];
  EXPECT_EQ(result.rfind("{\"ok\":true,\"status\":302,\"url\":\"http://localhost:" + std::to_string(server_->port()) +
                             "/blob/logs/5010.zip",
                         0),
            0u)
      << result;
  db->query("SELECT download_workflow_run_logs(" + std::string(kRepo) + ", 5010, 1)");
  auto reqs = api_requests();
  ASSERT_EQ(reqs.size(), 2u);  // nothing was fetched from the blob URL
  EXPECT_EQ(reqs[0].path, "/repos/octo-org/octo-repo/actions/runs/5010/logs");
  EXPECT_EQ(reqs[1].path, "/repos/octo-org/octo-repo/actions/runs/5010/attempts/1/logs");
  EXPECT_EQ(reqs[0].header("authorization"), "Bearer ghp-logs-token");
}

TEST_F(WriteTest, ArgumentErrorsSayWhatToFix) {
  struct Case {
    std::string sql, message;
  };
  std::vector<Case> cases = {
      {"cancel_workflow_run('octo-org', 'octo-repo')",
       "cancel_workflow_run(owner, repo, run_id): takes 3 arguments, got 2"},
      {"re_run_workflow('o', 'r', 1, 1, 1)",
       "re_run_workflow(owner, repo, run_id, [enable_debug_logging]): takes 3 to 4 arguments, got 5"},
      {"cancel_workflow_run('o', 'r', 'abc')", "run_id must be an integer, got 'abc'"},
      {"cancel_workflow_run('o', 'r', NULL)", "run_id must be an integer, got NULL"},
      {"cancel_workflow_run(1, 'r', 5)", "owner must be text, got 1"},
      {"cancel_workflow_run('..', 'r', 5)", "owner must not be '..'"},
      {"re_run_workflow('o', 'r', 5, 'maybe')", "enable_debug_logging must be 1 or 0 (true or false), got 'maybe'"},
      {"review_custom_gates_for_run('o', 'r', 5, 'prod', 'approve', 'c')",
       "state must be 'approved' or 'rejected', got 'approve'"},
      {"review_pending_deployments_for_run('o', 'r', 5, '[1, \"x\"]', 'approved', 'c')",
       "environment_ids_json must be a JSON array of integers"},
      {"review_pending_deployments_for_run('o', 'r', 5, 'not json', 'approved', 'c')",
       "environment_ids_json must be a JSON array"},
  };
  for (const auto& c : cases) {
    std::string err = db_->error("SELECT " + c.sql);
    EXPECT_NE(err.find(c.message), std::string::npos) << c.sql << "\n  got: " << err;
  }
  EXPECT_TRUE(writes().empty());
}

TEST_F(WriteTest, WritesAreNotBlindlyRetried) {
  db_->query("SELECT stacklite_config('retry_backoff_ms', 1)");
  // A server error after the request arrived: reported as a value, never repeated.
  server_->inject(Fault::status(502, "{\"message\":\"Bad Gateway\"}"), 1, "/rerun");
  EXPECT_EQ(one("SELECT re_run_workflow(" + std::string(kRepo) + ", 5005)"),
            "{\"ok\":false,\"status\":502,\"message\":\"Bad Gateway\"}");
  EXPECT_EQ(writes().size(), 1u);
  // The connection broke after sending: an error, not repeated.
  server_->clear_requests();
  server_->inject(Fault::reset(), 1, "/rerun");
  std::string err = db_->error("SELECT re_run_workflow(" + std::string(kRepo) + ", 5005)");
  EXPECT_NE(err.find("re_run_workflow: POST /repos/octo-org/octo-repo/actions/runs/5005/rerun: transfer failed"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("not repeated"), std::string::npos) << err;
  EXPECT_EQ(writes().size(), 1u);
  // The server said to wait: retried after Retry-After.
  server_->clear_requests();
  server_->inject(Fault::status(429, "{\"message\":\"Too many requests\"}").with_header("Retry-After", "1"), 1,
                  "/cancel");
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(one("SELECT cancel_workflow_run(" + std::string(kRepo) + ", " +
                std::to_string(first_with_status("queued")) + ")"),
            "{\"ok\":true,\"status\":202}");
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(900));
  EXPECT_EQ(writes().size(), 2u);
  // A secondary rate limit (403 saying so) is waited out the same way.
  server_->clear_requests();
  server_->inject(
      Fault::status(403, "{\"message\":\"You have exceeded a secondary rate limit.\"}").with_header("Retry-After", "0"),
      1, "/approve");
  db_->query("SELECT approve_workflow_run(" + std::string(kRepo) + ", 5005)");
  EXPECT_EQ(writes().size(), 2u);
}

TEST_F(WriteTest, UnreachableServerIsAnSqlErrorAfterRetriesThatNeverReachedIt) {
  ScopedEnv url("GITHUB_API_URL", std::string("http://127.0.0.1:1"));
  auto db = connect();
  std::string err = db->error("SELECT cancel_workflow_run(" + std::string(kRepo) + ", 5)");
  EXPECT_NE(err.find("cancel_workflow_run: POST /repos/octo-org/octo-repo/actions/runs/5/cancel: cannot connect"),
            std::string::npos)
      << err;
}

TEST_F(WriteTest, WritesArePacedOneSecondApartByDefault) {
  auto db = connect();
  EXPECT_EQ(db->integer("SELECT stacklite_config('write_interval_ms')"), 1000);
  db->query("SELECT stacklite_config('write_interval_ms', 400)");
  auto start = std::chrono::steady_clock::now();
  db->query("SELECT delete_workflow_run_logs(" + std::string(kRepo) + ", value) FROM json_each('[5001, 5002, 5003]')");
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(800));
  EXPECT_EQ(writes().size(), 3u);
}

TEST_F(WriteTest, DryRunReportsAndSendsNothing) {
  db_->query("SELECT stacklite_config('dry_run', 1)");
  EXPECT_EQ(one("SELECT re_run_workflow(" + std::string(kRepo) + ", 5005, 1)"),
            "{\"ok\":true,\"dry_run\":true,\"method\":\"POST\",\"url\":\"" + server_->base_url() +
                "/repos/octo-org/octo-repo/actions/runs/5005/rerun\",\"body\":{\"enable_debug_logging\":true}}");
  db_->query("DELETE FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND head_branch = 'develop'");
  int develop = 0;
  for (const auto& r : server_->snapshot().runs_for("octo-org", "octo-repo")) develop += r.head_branch == "develop";
  EXPECT_EQ(db_->integer("SELECT changes()"), develop);
  EXPECT_TRUE(writes().empty());
  EXPECT_EQ(server_->snapshot().runs_for("octo-org", "octo-repo").size(), 60u);
}

TEST_F(WriteTest, DeleteRemovesEveryMatchingRunAndCountsThem) {
  std::vector<int64_t> doomed;
  for (const auto& r : server_->snapshot().runs_for("octo-org", "octo-repo"))
    if (r.created_at < "2025-01-01T00:30:00Z" && r.conclusion == "failure") doomed.push_back(r.id);
  ASSERT_GT(doomed.size(), 1u);
  db_->query(
      "DELETE FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' "
      "AND created_at < '2025-01-01T00:30:00Z' AND conclusion = 'failure'");
  EXPECT_EQ(db_->integer("SELECT changes()"), static_cast<int64_t>(doomed.size()));
  std::vector<std::string> deleted;
  for (const auto& r : writes()) {
    EXPECT_EQ(r.method, "DELETE");
    deleted.push_back(r.path);
  }
  std::vector<std::string> want;
  for (int64_t id : doomed) {
    want.push_back("/repos/octo-org/octo-repo/actions/runs/" + std::to_string(id));
    EXPECT_EQ(server_->snapshot().find_run("octo-org", "octo-repo", id), nullptr);
  }
  std::sort(want.begin(), want.end());
  std::sort(deleted.begin(), deleted.end());
  EXPECT_EQ(deleted, want);
  // The listing was filtered by the API, not fetched whole.
  EXPECT_EQ(api_requests()[0].param("created"), "<=2025-01-01T00:29:59Z");  // < is exclusive, in whole seconds
  EXPECT_EQ(api_requests()[0].param("status"), "failure");
}

TEST_F(WriteTest, DeleteCountsAGoneRunAndStopsAtAnyOtherFailure) {
  // 5002 disappears between the listing and its DELETE: already gone is fine.
  server_->inject(Fault::status(404, "{\"message\":\"Not Found\"}"), 1, "/runs/5002");
  server_->inject(Fault::status(500, "{\"message\":\"Server Error\"}"), 1, "/runs/5004");
  // Runs 5001..5005 (created a minute apart from midnight), deleted in id order.
  std::string err = db_->error(
      "DELETE FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND created_at < "
      "'2025-01-01T00:06:00Z'");
  EXPECT_EQ(
      err,
      "workflow_runs: DELETE /repos/octo-org/octo-repo/actions/runs/5004: 500 Internal Server Error: Server Error "
      "(rows deleted before this one stay deleted: remote deletes cannot be rolled back)");
  auto data = server_->snapshot();
  EXPECT_EQ(data.find_run("octo-org", "octo-repo", 5001), nullptr);
  EXPECT_EQ(data.find_run("octo-org", "octo-repo", 5003), nullptr);
  EXPECT_NE(data.find_run("octo-org", "octo-repo", 5004), nullptr);
  EXPECT_NE(data.find_run("octo-org", "octo-repo", 5005), nullptr);
}

TEST_F(WriteTest, DeleteWithoutOwnerAndRepoAndInsertOrUpdateAreRefusedBeforeAnyRequest) {
  EXPECT_NE(db_->error("DELETE FROM workflow_runs WHERE id = 5001").find("owner and repo are required"),
            std::string::npos);
  EXPECT_NE(db_->error("DELETE FROM workflow_runs").find("owner and repo are required"), std::string::npos);
  EXPECT_NE(db_->error("INSERT INTO workflow_runs(id) VALUES (1)").find("only SELECT and DELETE are supported"),
            std::string::npos);
  EXPECT_NE(
      db_->error("UPDATE workflow_runs SET name = 'x' WHERE owner = 'octo-org' AND repo = 'octo-repo' AND id = 5001")
          .find("only SELECT and DELETE are supported"),
      std::string::npos);
  EXPECT_TRUE(writes().empty());
  EXPECT_EQ(server_->snapshot().runs_for("octo-org", "octo-repo").size(), 60u);
}

TEST_F(WriteTest, FunctionsAreNeitherDeterministicNorInnocuousAndTheTableIsDirectOnly) {
  constexpr int kDeterministic = 0x800, kDirectOnly = 0x80000, kInnocuous = 0x200000;
  Rows rows = db_->query(
      "SELECT name, flags FROM pragma_function_list WHERE name IN ('cancel_workflow_run', 'force_cancel_workflow_run', "
      "'re_run_workflow', 're_run_workflow_failed_jobs', 're_run_job_for_workflow_run', 'approve_workflow_run', "
      "'review_custom_gates_for_run', 'review_pending_deployments_for_run', 'delete_workflow_run', "
      "'delete_workflow_run_logs', 'download_workflow_run_logs', 'stacklite_config')");
  EXPECT_EQ(rows.size(), 13u);  // stacklite_config has two arities
  for (const auto& r : rows) {
    int flags = std::stoi(r[1]);
    EXPECT_FALSE(flags & kDeterministic) << r[0];
    EXPECT_FALSE(flags & kInnocuous) << r[0];
    EXPECT_TRUE(flags & kDirectOnly) << r[0];
  }
  db_->query("CREATE VIEW v AS SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo'");
  EXPECT_NE(db_->error("SELECT * FROM v").find("unsafe use of virtual table"), std::string::npos);
  db_->query(
      "CREATE TABLE t(x); CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT cancel_workflow_run('o', 'r', NEW.x); END;");
  EXPECT_NE(db_->error("INSERT INTO t VALUES (5)").find("unsafe use of cancel_workflow_run"), std::string::npos);
  EXPECT_TRUE(writes().empty());
}

}  // namespace
}  // namespace stacklite::testing
