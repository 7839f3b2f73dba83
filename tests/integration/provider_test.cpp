// Providers as data: GitHub's workflow_jobs beside workflow_runs, shithub's runs and jobs
// through the same engine, and a table from a spec file the user wrote.
#include <cstdio>
#include <fstream>

#include "fake_shithub.hpp"
#include "harness.hpp"

namespace stacklite::testing {
namespace {

using testserver::FakeShithub;
using testserver::ShithubJob;
using testserver::ShithubRun;

class ShithubTest : public ServerTest {
 protected:
  void SetUp() override {
    testserver::shithub_sample("forge-org", "app", 130, runs_, jobs_);
    shithub_ = std::make_unique<FakeShithub>(runs_, jobs_);
    db_ = connect();
    db_->query("CREATE VIRTUAL TABLE sh_runs USING workflow_runs(provider='shithub', base_url='" +
               shithub_->base_url() + "')");
    db_->query("CREATE VIRTUAL TABLE sh_jobs USING workflow_jobs(provider='shithub', base_url='" +
               shithub_->base_url() + "/')");
  }
  std::vector<std::string> ids(const std::string& where) {
    std::vector<std::string> out;
    for (const auto& r : db_->query("SELECT id FROM sh_runs WHERE owner = 'forge-org' AND repo = 'app'" +
                                    (where.empty() ? "" : " AND " + where)))
      out.push_back(r[0]);
    return out;
  }
  std::vector<std::string> expected(const std::function<bool(const ShithubRun&)>& keep) {
    std::vector<std::string> out;
    for (const auto& r : runs_)
      if (keep(r)) out.push_back(std::to_string(r.id));
    return out;
  }
  std::vector<ShithubRun> runs_;
  std::vector<ShithubJob> jobs_;
  std::unique_ptr<FakeShithub> shithub_;
  std::unique_ptr<Db> db_;
};

TEST_F(ShithubTest, ColumnsAreShithubsOwn) {
  Rows cols = db_->query("SELECT name FROM pragma_table_info('sh_runs')");
  std::vector<std::string> names;
  for (const auto& c : cols) names.push_back(c[0]);
  EXPECT_EQ(names, (std::vector<std::string>{"id", "run_number", "workflow_file", "workflow_name", "head_sha",
                                             "head_ref", "event", "status", "conclusion", "actor_id", "actor_username",
                                             "started_at", "completed_at", "created_at", "updated_at"}));
  cols = db_->query("SELECT name FROM pragma_table_info('sh_jobs')");
  names.clear();
  for (const auto& c : cols) names.push_back(c[0]);
  EXPECT_EQ(names, (std::vector<std::string>{"id", "run_id", "job_index", "job_key", "job_name", "runs_on", "status",
                                             "conclusion", "cancel_requested", "needs_jobs", "started_at",
                                             "completed_at", "created_at"}));
}

TEST_F(ShithubTest, BareArrayPagesFollowTheLinkHeader) {
  EXPECT_EQ(ids(""), expected([](const ShithubRun&) { return true; }));
  auto reqs = shithub_->requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].path, "/api/v1/repos/forge-org/app/actions/runs");
  EXPECT_EQ(reqs[0].param("per_page"), "100");
  EXPECT_EQ(reqs[1].param("page"), "2");
  EXPECT_FALSE(reqs[0].has_header("x-github-api-version"));
}

TEST_F(ShithubTest, FiltersUseShithubsParameterNames) {
  struct Case {
    std::string where, param, value;
    std::function<bool(const ShithubRun&)> keep;
  };
  std::vector<Case> cases = {
      {"workflow_file = '.shithub/workflows/ci.yml'", "workflow_file", ".shithub/workflows/ci.yml",
       [](const ShithubRun& r) { return r.workflow_file == ".shithub/workflows/ci.yml"; }},
      {"head_ref = 'trunk'", "head_ref", "trunk", [](const ShithubRun& r) { return r.head_ref == "trunk"; }},
      {"actor_username = 'kmalik'", "actor", "kmalik",
       [](const ShithubRun& r) { return r.actor_username == "kmalik"; }},
      {"event = 'push'", "event", "push", [](const ShithubRun& r) { return r.event == "push"; }},
      {"status = 'running'", "status", "running", [](const ShithubRun& r) { return r.status == "running"; }},
      {"conclusion = 'failure'", "conclusion", "failure",
       [](const ShithubRun& r) { return r.conclusion == "failure"; }},
  };
  for (const auto& c : cases) {
    shithub_->clear_requests();
    EXPECT_EQ(ids(c.where), expected(c.keep)) << c.where;
    auto reqs = shithub_->requests();
    ASSERT_FALSE(reqs.empty());
    EXPECT_EQ(reqs[0].param(c.param), c.value) << c.where;
  }
  // status and conclusion are separate parameters here: both are sent.
  shithub_->clear_requests();
  ids("status = 'completed' AND conclusion = 'success'");
  EXPECT_EQ(shithub_->requests()[0].param("status"), "completed");
  EXPECT_EQ(shithub_->requests()[0].param("conclusion"), "success");
  shithub_->clear_requests();
  EXPECT_EQ(ids("head_ref = 'trunk' LIMIT 3").size(), 3u);
  EXPECT_EQ(shithub_->requests()[0].param("per_page"), "3");
}

// The same fault injection as the GitHub fake: a second page that fails ends the scan in an
// error naming it, never a short result.
TEST_F(ShithubTest, ASecondPageThatFailsIsAnErrorNotAShortResult) {
  shithub_->inject(Fault::status(404, "{\"message\":\"not found\"}"), 1, "page=2");
  EXPECT_EQ(db_->error("SELECT id FROM sh_runs WHERE owner = 'forge-org' AND repo = 'app'"),
            "sh_runs: GET /repos/forge-org/app/actions/runs: 404 Not Found: not found (no token was sent: if the "
            "repository is private, set SHITHUB_TOKEN)");
  auto reqs = shithub_->requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[1].param("page"), "2");
}

TEST_F(ShithubTest, GetByIdAndNotFound) {
  EXPECT_EQ(ids("id = 1007"), std::vector<std::string>{"1007"});
  EXPECT_EQ(shithub_->requests().back().path, "/api/v1/repos/forge-org/app/actions/runs/1007");
  EXPECT_TRUE(ids("id = 99999").empty());  // a run of another repository looks the same: 404
  EXPECT_EQ(db_->error("SELECT id FROM sh_runs WHERE owner = 'forge-org' AND repo = 'hidden'"),
            "sh_runs: GET /repos/forge-org/hidden/actions/runs: 404 Not Found: not found (no token was sent: if the "
            "repository is private, set SHITHUB_TOKEN)");
}

TEST_F(ShithubTest, JobsComeInJobIndexOrderWithTheirTypes) {
  Rows rows = db_->query(
      "SELECT id, job_index, job_key, cancel_requested, json_array_length(needs_jobs), typeof(cancel_requested) FROM "
      "sh_jobs "
      "WHERE owner = 'forge-org' AND repo = 'app' AND run_id = 1002");
  ASSERT_EQ(rows.size(), 3u);
  for (int k = 0; k < 3; ++k) {
    EXPECT_EQ(rows[k][0], std::to_string(10020 + k));
    EXPECT_EQ(rows[k][1], std::to_string(k));
  }
  EXPECT_EQ(rows[2][3], "1");  // run 1002 is running; its last job has a cancel requested
  EXPECT_EQ(rows[0][3], "0");
  EXPECT_EQ(rows[0][4], "0");
  EXPECT_EQ(rows[1][4], "1");
  EXPECT_EQ(rows[0][5], "integer");
  EXPECT_EQ(shithub_->requests().back().path, "/api/v1/repos/forge-org/app/actions/runs/1002/jobs");
  Rows joined = db_->query(
      "SELECT count(*) FROM sh_runs r JOIN sh_jobs j ON j.owner = r.owner AND j.repo = r.repo AND j.run_id = r.id "
      "WHERE r.owner = 'forge-org' AND r.repo = 'app' AND r.head_ref = 'trunk' AND r.event = 'push'");
  int runs = 0;
  for (const auto& r : runs_) runs += r.head_ref == "trunk" && r.event == "push";
  EXPECT_EQ(joined[0][0], std::to_string(runs * 3));
}

TEST_F(ShithubTest, ReadOnlyAndTokenErrors) {
  EXPECT_NE(db_->error("DELETE FROM sh_runs WHERE owner = 'forge-org' AND repo = 'app' AND id = 1001")
                .find("sh_runs: the table is read-only: its provider has no method that deletes a row"),
            std::string::npos);
  FakeShithub locked(runs_, jobs_, "sh-secret");
  db_->query("CREATE VIRTUAL TABLE locked USING workflow_runs(provider='shithub', base_url='" + locked.base_url() +
             "')");
  EXPECT_EQ(db_->error("SELECT id FROM locked WHERE owner = 'forge-org' AND repo = 'app'"),
            "locked: GET /repos/forge-org/app/actions/runs: 403 Forbidden: token lacks repo:read (the token lacks the "
            "repo:read "
            "scope (set SHITHUB_TOKEN to a token that has it))");
  ScopedEnv token("SHITHUB_TOKEN", std::string("sh-secret"));
  EXPECT_EQ(db_->integer("SELECT count(*) FROM locked WHERE owner = 'forge-org' AND repo = 'app'"), 130);
  EXPECT_EQ(locked.requests().back().header("authorization"), "Bearer sh-secret");
}

TEST_F(ShithubTest, UnknownProvidersAndOptionsListTheValidOnes) {
  EXPECT_EQ(db_->error("CREATE VIRTUAL TABLE x USING workflow_runs(provider='gitlab')"),
            "x: unknown provider 'gitlab'; valid providers: github, shithub");
  EXPECT_EQ(db_->error("CREATE VIRTUAL TABLE x USING workflow_runs(provider='shithub', base='http://127.0.0.1:1')"),
            "x: unknown option 'base' (did you mean base_url?); valid options: provider, base_url, token_env");
  EXPECT_EQ(db_->error("CREATE VIRTUAL TABLE x USING workflow_runs(provider='shithb')"),
            "x: unknown provider 'shithb' (did you mean shithub?); valid providers: github, shithub");
  EXPECT_EQ(db_->error("CREATE VIRTUAL TABLE x USING workflow_runs(colour='blue')"),
            "x: unknown option 'colour'; valid options: provider, base_url, token_env");
  EXPECT_EQ(db_->error("CREATE VIRTUAL TABLE x USING workflow_runs(provider='shithub')"),
            "x: provider 'shithub' has no default base URL: give one, e.g. base_url='https://HOST/api/v1'");
}

class GithubJobsTest : public RepositoryTest<40> {};

TEST_F(GithubJobsTest, RunIdListsJobsAttemptAndIdGetOne) {
  Rows rows = db_->query(
      "SELECT id, run_id, name, typeof(steps), json_type(labels) FROM workflow_jobs "
      "WHERE owner = 'octo-org' AND repo = 'octo-repo' AND run_id = 5010");
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& r : rows) {
    EXPECT_EQ(r[1], "5010");
    EXPECT_EQ(r[3], "text");
    EXPECT_EQ(r[4], "array");
  }
  auto reqs = api_requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].path, "/repos/octo-org/octo-repo/actions/runs/5010/jobs");
  EXPECT_EQ(reqs[0].param("per_page"), "100");

  server_->clear_requests();
  db_->query(
      "SELECT id FROM workflow_jobs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND run_id = 5014 AND "
      "attempt_number = 1");
  EXPECT_EQ(api_requests()[0].path, "/repos/octo-org/octo-repo/actions/runs/5014/attempts/1/jobs");

  server_->clear_requests();
  EXPECT_EQ(
      db_->query("SELECT run_id FROM workflow_jobs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND id = 50102"),
      (Rows{{"5010"}}));
  EXPECT_EQ(api_requests()[0].path, "/repos/octo-org/octo-repo/actions/jobs/50102");

  server_->clear_requests();
  db_->query(
      "SELECT id FROM workflow_jobs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND run_id = 5010 AND filter = "
      "'all'");
  EXPECT_EQ(api_requests()[0].param("filter"), "all");
}

// A run re-run once (5014, at attempt 2): filter = 'all' lists the jobs of both attempts, each
// attempt's with ids of its own as GitHub gives them, so asking for attempt 1 together with
// filter = 'all' (which the attempt's listing does not take: the run's listing with the
// filter, and SQLite keeps run_attempt = 1) gives the rows attempt 1's listing gives. The
// loopback server listed only the latest attempt's jobs for filter=all, which made that
// query silently empty.
TEST_F(GithubJobsTest, FilterAllListsTheJobsOfEveryAttemptEachWithItsOwnIds) {
  const std::string jobs =
      "SELECT id, run_attempt, name, conclusion FROM workflow_jobs WHERE owner = 'octo-org' AND "
      "repo = 'octo-repo' AND run_id = 5014";
  const Rows latest = db_->query(jobs + " ORDER BY id");
  const Rows first = db_->query(jobs + " AND attempt_number = 1 ORDER BY id");
  ASSERT_EQ(latest.size(), 3u);
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[0], (std::vector<std::string>{"5014101", "1", "build", "success"}));
  EXPECT_EQ(first[1], (std::vector<std::string>{"5014201", "1", "test", "failure"}));
  EXPECT_EQ(latest[0][0], "50141");
  EXPECT_EQ(latest[0][1], "2");
  Rows all = latest;
  all.insert(all.end(), first.begin(), first.end());
  EXPECT_EQ(db_->query(jobs + " AND filter = 'all' ORDER BY run_attempt DESC, id"), all);
  server_->clear_requests();
  EXPECT_EQ(db_->query(jobs + " AND attempt_number = 1 AND filter = 'all' ORDER BY id"), first);
  ASSERT_EQ(api_requests().size(), 1u);
  EXPECT_EQ(api_requests()[0].path, "/repos/octo-org/octo-repo/actions/runs/5014/jobs");
  EXPECT_EQ(api_requests()[0].param("filter"), "all");
  // An earlier attempt's job by its id.
  EXPECT_EQ(db_->query("SELECT id, run_attempt, name FROM workflow_jobs WHERE owner = 'octo-org' AND repo = "
                       "'octo-repo' AND id = 5014201"),
            (Rows{{"5014201", "1", "test"}}));
}

TEST_F(GithubJobsTest, RunsJoinJobs) {
  Rows rows = db_->query(
      "SELECT r.id, count(j.id) FROM workflow_runs r JOIN workflow_jobs j "
      "ON j.owner = r.owner AND j.repo = r.repo AND j.run_id = r.id "
      "WHERE r.owner = 'octo-org' AND r.repo = 'octo-repo' AND r.head_branch = 'develop' GROUP BY r.id ORDER BY r.id");
  int develop = 0;
  for (const auto& r : server_->snapshot().runs_for("octo-org", "octo-repo")) develop += r.head_branch == "develop";
  ASSERT_EQ(rows.size(), static_cast<size_t>(develop));
  for (const auto& r : rows) EXPECT_EQ(r[1], "3");
  int job_listings = 0;
  for (const auto& r : api_requests()) job_listings += r.path.size() > 5 && r.path.substr(r.path.size() - 5) == "/jobs";
  EXPECT_EQ(job_listings, develop);
}

class UserSpecTest : public RepositoryTest<5> {};

TEST_F(UserSpecTest, ATableFromASpecFileTheUserWrote) {
  ScopedEnv token("MY_FORGE_TOKEN", std::string("forge-secret"));
  db_->query("CREATE VIRTUAL TABLE wf USING stacklite(spec='" STACKLITE_SOURCE_DIR
             "/tests/data/workflows_spec.json', "
             "resource='workflows', base_url='" +
             server_->base_url() + "')");
  Rows rows =
      db_->query("SELECT id, name, path, owner FROM wf WHERE owner = 'octo-org' AND repo = 'octo-repo' ORDER BY id");
  EXPECT_EQ(rows, (Rows{{"11", "CI", ".github/workflows/ci.yml", "octo-org"},
                        {"12", "Release", ".github/workflows/release.yml", "octo-org"}}));
  auto reqs = api_requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].path, "/repos/octo-org/octo-repo/actions/workflows");
  EXPECT_EQ(reqs[0].header("authorization"), "Bearer forge-secret");
  EXPECT_EQ(db_->query("SELECT name FROM wf WHERE owner = 'octo-org' AND repo = 'octo-repo' AND id = 12"),
            (Rows{{"Release"}}));
  EXPECT_EQ(api_requests().back().path, "/repos/octo-org/octo-repo/actions/workflows/12");
  EXPECT_NE(db_->error("SELECT * FROM wf").find("owner and repo are required"), std::string::npos);
}

TEST_F(UserSpecTest, SpecErrorsNameTheFileResourceAndField) {
  std::string path = ::testing::TempDir() + "bad_spec.json";
  {
    std::ofstream out(path);
    out << R"({"provider":"p","base_url":"http://127.0.0.1:1","resources":[{"name":"things","columns":[)"
        << R"({"name":"id","type":"INTEGER","json":"id"},{"name":"size","type":"HUGE","json":"size"}],"read_methods":[]}]})";
  }
  std::string err = db_->error("CREATE VIRTUAL TABLE t USING stacklite(spec='" + path + "')");
  EXPECT_EQ(err, "t: spec " + path +
                     ": resource 'things': columns[1] (size).type: unknown type 'HUGE'; expected INTEGER, REAL, "
                     "TEXT, JSON or BOOLEAN");
  std::remove(path.c_str());
  EXPECT_NE(
      db_->error("CREATE VIRTUAL TABLE t USING stacklite(resource='x')").find("spec='path/to/spec.json' is required"),
      std::string::npos);
  EXPECT_NE(db_->error("CREATE VIRTUAL TABLE t USING stacklite(spec='" STACKLITE_SOURCE_DIR
                       "/tests/data/workflows_spec.json', "
                       "resource='nope')")
                .find("has no resource 'nope'; it declares workflows"),
            std::string::npos);
  EXPECT_NE(db_->error("SELECT * FROM stacklite").find("no such table"), std::string::npos);
}

}  // namespace
}  // namespace stacklite::testing

namespace stacklite::testing {
namespace {

// A write function over a table's rows goes to that table's host with its token; over a
// read-only provider's rows it is an error, and nothing is sent anywhere.
TEST_F(ShithubTest, WriteFunctionsOverShithubRowsSayThereIsNoSuchMethod) {
  serve(small_dataset("forge-org", "app", 3));  // a GitHub the call must not reach either
  auto db = connect();
  db->query("CREATE VIRTUAL TABLE sh USING workflow_runs(provider='shithub', base_url='" + shithub_->base_url() + "')");
  EXPECT_EQ(
      db->error(
          "SELECT cancel_workflow_run(owner, repo, id) FROM sh WHERE owner = 'forge-org' AND repo = 'app' LIMIT 1"),
      "sh: cancel_workflow_run: provider 'shithub' has no such method (its API is read-only)");
  EXPECT_TRUE(api_requests().empty());
}

class BoundWriteTest : public ServerTest {
 protected:
  void SetUp() override { serve(small_dataset("octo-org", "octo-repo", 5)); }
};

TEST_F(BoundWriteTest, WritesOverATablesRowsUseThatTablesHostAndToken) {
  auto server = enterprise_server(small_dataset("platform", "deploy", 30), "ghes-secret");
  FakeGitHub& ghes = *server;
  ScopedEnv ghes_token("GHES_TOKEN", std::string("ghes-secret"));
  ScopedEnv github_token("GITHUB_TOKEN", std::string("github-secret"));
  auto db = connect();
  db->query("SELECT stacklite_config('write_interval_ms', 0)");
  db->query("CREATE VIRTUAL TABLE ghes_runs USING workflow_runs(base_url='" + ghes.base_url() +
            "', token_env='GHES_TOKEN')");
  Rows rows = db->query(
      "SELECT id, cancel_workflow_run(owner, repo, id) FROM ghes_runs WHERE owner = 'platform' AND repo = 'deploy' "
      "AND status = 'queued'");
  int queued = 0;
  for (const auto& r : small_dataset("platform", "deploy", 30).runs_for("platform", "deploy"))
    queued += r.status == "queued";
  ASSERT_EQ(rows.size(), static_cast<size_t>(queued));
  for (const auto& r : rows) EXPECT_EQ(r[1], "{\"ok\":true,\"status\":202}");
  int cancels = 0;
  for (const auto& r : ghes.requests())
    if (r.method == "POST") {
      ++cancels;
      EXPECT_EQ(r.header("authorization"), "Bearer ghes-secret");
      EXPECT_EQ(r.path.rfind("/api/v3/repos/platform/deploy/actions/runs/", 0), 0u);
    }
  EXPECT_EQ(cancels, queued);
  EXPECT_TRUE(api_requests().empty());  // the default host saw nothing
}

}  // namespace
}  // namespace stacklite::testing
