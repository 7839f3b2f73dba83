// SELECT against the loopback server: every pushdown row of the table asserts the request
// that went out, and every result is compared with the served data filtered independently.
#include <algorithm>
#include <map>
#include <set>

#include "harness.hpp"

namespace stacklite::testing {
namespace {

class SelectTest : public RepositoryTest<250> {
 protected:
  // Expected ids, newest first, of the runs matching `keep`.
  std::vector<std::string> expected_ids(const std::function<bool(const WorkflowRun&)>& keep) {
    std::vector<std::string> ids;
    for (const WorkflowRun& r : server_->snapshot().runs_for("octo-org", "octo-repo"))
      if (keep(r)) ids.push_back(std::to_string(r.id));
    return ids;
  }
  std::vector<std::string> ids_of(const std::string& where) {
    std::vector<std::string> ids;
    for (const auto& row : db_->query("SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo'" +
                                      (where.empty() ? "" : " AND " + where)))
      ids.push_back(row[0]);
    return ids;
  }
};

TEST_F(SelectTest, OwnerAndRepoListEveryRunAcrossPages) {
  auto ids = ids_of("");
  EXPECT_EQ(ids, expected_ids([](const WorkflowRun&) { return true; }));
  auto reqs = api_requests();
  ASSERT_EQ(reqs.size(), 3u);  // 250 runs at 100 a page
  EXPECT_EQ(reqs[0].method, "GET");
  EXPECT_EQ(reqs[0].path, "/repos/octo-org/octo-repo/actions/runs");
  EXPECT_EQ(reqs[0].query, "per_page=100");
  // Pages 2 and 3 are fetched concurrently once page 1 is in: either may be asked for first.
  std::set<std::string> later{reqs[1].param("page"), reqs[2].param("page")};
  EXPECT_EQ(later, (std::set<std::string>{"2", "3"}));
}

TEST_F(SelectTest, ColumnsHaveTheirTypesAndValues) {
  WorkflowRun run = *server_->snapshot().find_run("octo-org", "octo-repo", 5007);
  auto rows = db_->query(
      "SELECT id, typeof(id), name, status, conclusion, head_branch, actor_login, run_attempt, created_at, "
      "typeof(conclusion), json_extract(actor, '$.login'), json_extract(repository, '$.full_name'), owner, repo, "
      "run_id, attempt_number, json_type(pull_requests), workflow_id, path "
      "FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND id = 5007");
  ASSERT_EQ(rows.size(), 1u);
  const auto& r = rows[0];
  EXPECT_EQ(r[0], "5007");
  EXPECT_EQ(r[1], "integer");
  EXPECT_EQ(r[2], run.name);
  EXPECT_EQ(r[3], run.status);
  EXPECT_EQ(r[4], run.conclusion.empty() ? "NULL" : run.conclusion);
  EXPECT_EQ(r[5], run.head_branch);
  EXPECT_EQ(r[6], run.actor_login);
  EXPECT_EQ(r[7], std::to_string(run.run_attempt));
  EXPECT_EQ(r[8], run.created_at);
  EXPECT_EQ(r[9], run.conclusion.empty() ? "null" : "text");
  EXPECT_EQ(r[10], run.actor_login);
  EXPECT_EQ(r[11], "octo-org/octo-repo");
  EXPECT_EQ(r[12], "octo-org");
  EXPECT_EQ(r[13], "octo-repo");
  EXPECT_EQ(r[14], "5007");
  EXPECT_EQ(r[15], std::to_string(run.run_attempt));
  EXPECT_EQ(r[16], "array");
  EXPECT_EQ(r[17], std::to_string(run.workflow_id));
  EXPECT_NE(r[18].find(run.workflow_path), std::string::npos);
}

TEST_F(SelectTest, IdAndRunIdGetOneRunWithOneRequest) {
  EXPECT_EQ(ids_of("id = 5100"), std::vector<std::string>{"5100"});
  EXPECT_EQ(ids_of("run_id = 5101"), std::vector<std::string>{"5101"});
  auto reqs = api_requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].path, "/repos/octo-org/octo-repo/actions/runs/5100");
  EXPECT_EQ(reqs[0].query, "");
  EXPECT_EQ(reqs[1].path, "/repos/octo-org/octo-repo/actions/runs/5101");
}

TEST_F(SelectTest, UnknownIdIsNoRowNotAnError) {
  EXPECT_TRUE(ids_of("id = 1").empty());
  EXPECT_EQ(api_requests().size(), 1u);
}

TEST_F(SelectTest, AttemptNumberGetsThatAttempt) {
  auto rows = db_->query(
      "SELECT id, run_attempt, attempt_number FROM workflow_runs "
      "WHERE owner = 'octo-org' AND repo = 'octo-repo' AND id = 5007 AND attempt_number = 1");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"5007", "1", "1"}));
  auto reqs = api_requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].path, "/repos/octo-org/octo-repo/actions/runs/5007/attempts/1");
}

TEST_F(SelectTest, WorkflowIdOrFileNameListsThatWorkflow) {
  auto release = expected_ids([](const WorkflowRun& r) { return r.workflow_id == 12; });
  EXPECT_EQ(ids_of("workflow_id = 12"), release);
  EXPECT_EQ(ids_of("workflow = 'release.yml'"), release);
  auto reqs = api_requests();
  EXPECT_EQ(reqs.front().path, "/repos/octo-org/octo-repo/actions/workflows/12/runs");
  EXPECT_EQ(reqs.back().path, "/repos/octo-org/octo-repo/actions/workflows/release.yml/runs");
  auto rows = db_->query(
      "SELECT DISTINCT workflow FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND workflow = "
      "'ci.yml'");
  EXPECT_EQ(rows, (Rows{{"ci.yml"}}));
}

// A file name and an id of the workflow together (was "no query solution"): the workflow's
// runs by name, the id checked on each; ids that are not that workflow's are no rows.
TEST_F(SelectTest, AWorkflowFileNameAndItsIdTogetherListThatWorkflow) {
  auto release = expected_ids([](const WorkflowRun& r) { return r.workflow_id == 12; });
  ASSERT_FALSE(release.empty());
  server_->clear_requests();
  EXPECT_EQ(ids_of("workflow = 'release.yml' AND workflow_id = 12"), release);
  ASSERT_FALSE(api_requests().empty());
  for (const auto& r : api_requests())
    EXPECT_EQ(r.path, "/repos/octo-org/octo-repo/actions/workflows/release.yml/runs");
  EXPECT_EQ(ids_of("workflow_id = 12 AND workflow = '.github/workflows/release.yml'"), release);
  EXPECT_TRUE(ids_of("workflow = 'release.yml' AND workflow_id = 11").empty());
  server_->clear_requests();
  EXPECT_TRUE(ids_of("workflow = 'release.yml' AND workflow_id = 'ci.yml'").empty());
  EXPECT_TRUE(api_requests().empty());
}

TEST_F(SelectTest, EqualityFiltersBecomeQueryParameters) {
  struct Case {
    std::string where, param, value;
    std::function<bool(const WorkflowRun&)> keep;
  };
  WorkflowRun any = server_->snapshot().runs_for("octo-org", "octo-repo")[10];
  std::vector<Case> cases = {
      {"head_branch = 'develop'", "branch", "develop", [](const WorkflowRun& r) { return r.head_branch == "develop"; }},
      {"event = 'schedule'", "event", "schedule", [](const WorkflowRun& r) { return r.event == "schedule"; }},
      {"head_sha = '" + any.head_sha + "'", "head_sha", any.head_sha,
       [&](const WorkflowRun& r) { return r.head_sha == any.head_sha; }},
      {"check_suite_id = " + std::to_string(any.check_suite_id), "check_suite_id", std::to_string(any.check_suite_id),
       [&](const WorkflowRun& r) { return r.check_suite_id == any.check_suite_id; }},
      {"status = 'queued'", "status", "queued", [](const WorkflowRun& r) { return r.status == "queued"; }},
      {"conclusion = 'failure'", "status", "failure", [](const WorkflowRun& r) { return r.conclusion == "failure"; }},
      {"actor_login = 'bob'", "actor", "bob", [](const WorkflowRun& r) { return r.actor_login == "bob"; }},
  };
  for (const auto& c : cases) {
    server_->clear_requests();
    EXPECT_EQ(ids_of(c.where), expected_ids(c.keep)) << c.where;
    auto reqs = api_requests();
    ASSERT_FALSE(reqs.empty());
    EXPECT_EQ(reqs[0].path, "/repos/octo-org/octo-repo/actions/runs") << c.where;
    EXPECT_EQ(reqs[0].param(c.param), c.value) << c.where;
    EXPECT_EQ(reqs[0].params.size(), 2u) << c.where << ": " << reqs[0].query;  // the filter and per_page
  }
}

TEST_F(SelectTest, SqliteRechecksWhatTheApiAnswersLoosely) {
  // GitHub's status parameter matches conclusions too: status = 'success' returns completed
  // runs from the API, and SQLite must drop them since their status is 'completed'.
  EXPECT_TRUE(ids_of("status = 'success'").empty());
  auto reqs = api_requests();
  ASSERT_FALSE(reqs.empty());
  EXPECT_EQ(reqs[0].param("status"), "success");
  // The check means something only if the API did send successful runs back.
  EXPECT_FALSE(expected_ids([](const WorkflowRun& r) { return r.conclusion == "success"; }).empty());
  // status and conclusion together: one is sent, both hold in the result.
  EXPECT_EQ(ids_of("status = 'completed' AND conclusion = 'cancelled'"),
            expected_ids([](const WorkflowRun& r) { return r.status == "completed" && r.conclusion == "cancelled"; }));
}

TEST_F(SelectTest, CreatedAtRangesUseGitHubDateSyntaxAndStayExact) {
  struct Case {
    std::string where, created;
    std::function<bool(int64_t)> keep;  // on the run's creation time, in unix seconds
  };
  const int64_t one = 1735693200, two = 1735696800;  // 2025-01-01 01:00:00 and 02:00:00 UTC
  const int64_t day = 1735689600;                    // 2025-01-01
  std::vector<Case> cases = {
      {"created_at > '2025-01-01T02:00:00Z'", ">=2025-01-01T02:00:01Z", [&](int64_t t) { return t > two; }},
      {"created_at >= '2025-01-01T02:00:00Z'", ">=2025-01-01T02:00:00Z", [&](int64_t t) { return t >= two; }},
      {"created_at < '2025-01-01T01:00:00Z'", "<=2025-01-01T00:59:59Z", [&](int64_t t) { return t < one; }},
      {"created_at <= '2025-01-01T01:00:00Z'", "<=2025-01-01T01:00:00Z", [&](int64_t t) { return t <= one; }},
      {"created_at BETWEEN '2025-01-01T01:00:00Z' AND '2025-01-01T02:00:00Z'",
       "2025-01-01T01:00:00Z..2025-01-01T02:00:00Z", [&](int64_t t) { return t >= one && t <= two; }},
      {"created_at > '2025-01-01'", ">=2025-01-01T00:00:01Z", [&](int64_t t) { return t > day; }},
      {"created_at < '2025-01-01 03:00'", "<=2025-01-01T02:59:59Z", [&](int64_t t) { return t < day + 3 * 3600; }},
  };
  for (const auto& c : cases) {
    server_->clear_requests();
    auto got = ids_of(c.where);
    EXPECT_EQ(got, expected_ids([&](const WorkflowRun& r) {
                int64_t t = 0;
                return testserver::parse_timestamp(r.created_at, t) && c.keep(t);
              }))
        << c.where;
    auto reqs = api_requests();
    ASSERT_FALSE(reqs.empty());
    EXPECT_EQ(reqs[0].param("created"), c.created) << c.where;
  }
}

TEST_F(SelectTest, ExcludePullRequestsIsSentAsTrue) {
  auto rows = db_->query(
      "SELECT count(*), sum(pull_requests = '[]') FROM workflow_runs "
      "WHERE owner = 'octo-org' AND repo = 'octo-repo' AND exclude_pull_requests = 1");
  EXPECT_EQ(rows[0][0], "250");
  EXPECT_EQ(rows[0][1], "250");
  EXPECT_EQ(api_requests()[0].param("exclude_pull_requests"), "true");
  EXPECT_NE(db_->error("SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND "
                       "exclude_pull_requests = 'sometimes'")
                .find("exclude_pull_requests takes 1 or 0"),
            std::string::npos);
}

TEST_F(SelectTest, LimitStopsFetchingAndSizesPagesWhenNothingIsLeftToFilter) {
  auto rows = db_->query("SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' LIMIT 20");
  EXPECT_EQ(rows.size(), 20u);
  auto reqs = api_requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].param("per_page"), "20");

  server_->clear_requests();
  rows = db_->query(
      "SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND head_branch = 'main' LIMIT 5");
  EXPECT_EQ(rows.size(), 5u);
  reqs = api_requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].param("per_page"), "5");

  // status is re-checked by SQLite: full pages, and still no page beyond what LIMIT needs.
  server_->clear_requests();
  rows = db_->query(
      "SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND status = 'completed' LIMIT "
      "120");
  EXPECT_EQ(rows.size(), 120u);
  reqs = api_requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].param("per_page"), "100");

  server_->clear_requests();
  rows = db_->query("SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' LIMIT 10 OFFSET 30");
  EXPECT_EQ(rows.size(), 10u);
  EXPECT_EQ(rows[0][0], expected_ids([](const WorkflowRun&) { return true; })[30]);
  EXPECT_EQ(api_requests()[0].param("per_page"), "40");
}

// The API lists newest first: ORDER BY created_at DESC needs no sort, so LIMIT stops the
// listing early. Any other order is sorted by SQLite over every row.
TEST_F(SelectTest, OrderByTheApisOrderStreamsAndOtherOrdersAreSorted) {
  auto all = expected_ids([](const WorkflowRun&) { return true; });
  const std::string base = "SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' ";
  Rows newest = db_->query(base + "ORDER BY created_at DESC LIMIT 5");
  ASSERT_EQ(newest.size(), 5u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(newest[i][0], all[i]);
  auto reqs = api_requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].param("per_page"), "5");
  Rows plan = db_->query("EXPLAIN QUERY PLAN " + base + "ORDER BY created_at DESC LIMIT 5");
  for (const auto& row : plan) EXPECT_EQ(row.back().find("TEMP B-TREE"), std::string::npos) << row.back();

  server_->clear_requests();
  Rows oldest = db_->query(base + "ORDER BY created_at ASC, id ASC LIMIT 5");
  ASSERT_EQ(oldest.size(), 5u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(oldest[i][0], all[all.size() - 1 - i]);
  reqs = api_requests();
  ASSERT_EQ(reqs.size(), 3u);  // every page, at full size
  EXPECT_EQ(reqs[0].param("per_page"), "100");

  // An IN list splits the listing: SQLite must sort, and still gets the right rows.
  server_->clear_requests();
  Rows mixed = db_->query(base + "AND head_branch IN ('feature/x', 'develop') ORDER BY created_at DESC LIMIT 7");
  auto want =
      expected_ids([](const WorkflowRun& r) { return r.head_branch == "feature/x" || r.head_branch == "develop"; });
  ASSERT_EQ(mixed.size(), 7u);
  for (size_t i = 0; i < 7; ++i) EXPECT_EQ(mixed[i][0], want[i]);
}

// EXPLAIN QUERY PLAN tells which API method answers and which parameter each value feeds,
// without a request; the statement itself then sends exactly that.
TEST_F(SelectTest, ExplainQueryPlanShowsTheMethodAndItsParameters) {
  const std::string sql =
      "SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND head_branch = 'main' LIMIT 5";
  Rows plan = db_->query("EXPLAIN QUERY PLAN " + sql);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_NE(plan[0].back().find("list_workflow_runs_for_repo(owner=?1,repo=?2,branch=?3) limit=?4"), std::string::npos)
      << plan[0].back();
  EXPECT_TRUE(api_requests().empty());
  Rows rows = db_->query(sql);
  auto want = expected_ids([](const WorkflowRun& r) { return r.head_branch == "main"; });
  ASSERT_EQ(rows.size(), 5u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(rows[i][0], want[i]);
  auto reqs = api_requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].path, "/repos/octo-org/octo-repo/actions/runs");
  EXPECT_EQ(reqs[0].query, "branch=main&per_page=5");

  // One listing per repository of an IN list; a get by id; a bound the get cannot send.
  std::string in =
      db_->query(
             "EXPLAIN QUERY PLAN SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo IN ('a', 'b') "
             "AND created_at >= '2026-01-01'")[0]
          .back();
  EXPECT_NE(in.find("list_workflow_runs_for_repo(owner=?1,repo IN ?2,created>=?3)"), std::string::npos) << in;
  std::string one = db_->query(
                           "EXPLAIN QUERY PLAN SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = "
                           "'octo-repo' AND id = 5 "
                           "AND created_at < '2026-01-01'")[0]
                        .back();
  EXPECT_NE(one.find("get_workflow_run(owner=?1,repo=?2,run_id(id)=?3) check(created_at<?4)"), std::string::npos)
      << one;
}

TEST_F(SelectTest, MissingOwnerOrRepoIsAnErrorWithAnExampleAndNoRequest) {
  for (const char* sql : {"SELECT * FROM workflow_runs", "SELECT id FROM workflow_runs WHERE owner = 'octo-org'",
                          "SELECT id FROM workflow_runs WHERE repo = 'octo-repo' AND status = 'queued'"}) {
    std::string err = db_->error(sql);
    EXPECT_NE(err.find("owner and repo are required"), std::string::npos) << sql << ": " << err;
    EXPECT_NE(err.find("WHERE owner = 'octo-org' AND repo = 'octo-repo'"), std::string::npos) << err;
  }
  EXPECT_TRUE(api_requests().empty());
}

TEST_F(SelectTest, ValuesCanNeverChangeThePathOrAddParameters) {
  std::string err = db_->error("SELECT id FROM workflow_runs WHERE owner = 'a/../b' AND repo = 'octo-repo'");
  auto reqs = api_requests();
  ASSERT_FALSE(reqs.empty());
  EXPECT_EQ(reqs.back().path, "/repos/a%2F..%2Fb/octo-repo/actions/runs");
  EXPECT_NE(err.find("404"), std::string::npos) << err;

  server_->clear_requests();
  EXPECT_TRUE(ids_of("head_branch = 'x&status=completed'").empty());
  reqs = api_requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].param("branch"), "x&status=completed");
  EXPECT_FALSE(reqs[0].has_param("status"));

  server_->clear_requests();
  err = db_->error("SELECT id FROM workflow_runs WHERE owner = '..' AND repo = 'octo-repo'");
  EXPECT_NE(err.find("owner must not be '..'"), std::string::npos) << err;
  EXPECT_TRUE(api_requests().empty());
}

TEST_F(SelectTest, InListsAndJoinsFanOutOneListingPerValue) {
  server_->with_dataset([](Dataset& d) {
    Dataset other = small_dataset("octo-org", "second", 30);
    d.add_repository(other.repositories()[0]);
    for (const WorkflowRun& r : other.runs_for("octo-org", "second")) {
      WorkflowRun copy = r;
      copy.id += 100000;
      d.add_run(copy);
    }
  });
  auto rows = db_->query(
      "SELECT repo, count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo IN ('octo-repo', 'second') GROUP BY "
      "repo");
  EXPECT_EQ(rows, (Rows{{"octo-repo", "250"}, {"second", "30"}}));
  std::map<std::string, int> listings;
  for (const auto& r : api_requests()) listings[r.path]++;
  EXPECT_EQ(listings["/repos/octo-org/octo-repo/actions/runs"], 3);
  EXPECT_EQ(listings["/repos/octo-org/second/actions/runs"], 1);

  server_->clear_requests();
  rows = db_->query(
      "SELECT repo, id FROM workflow_runs WHERE owner = 'octo-org' AND repo IN ('second', 'octo-repo') "
      "ORDER BY created_at DESC LIMIT 3");
  ASSERT_EQ(rows.size(), 3u);  // two listings merged by SQLite's sort: the newest overall
  EXPECT_EQ(rows[0], (std::vector<std::string>{"octo-repo", "5250"}));

  server_->clear_requests();
  rows = db_->query(
      "SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND id IN (5001, 5002, 9)");
  EXPECT_EQ(rows.size(), 2u);
  EXPECT_EQ(api_requests().size(), 3u);

  server_->clear_requests();
  db_->query(
      "CREATE TABLE repos(owner TEXT, name TEXT); INSERT INTO repos VALUES ('octo-org','octo-repo'), "
      "('octo-org','second')");
  rows = db_->query(
      "SELECT r.name, count(w.id) FROM repos r JOIN workflow_runs w ON w.owner = r.owner AND w.repo = r.name "
      "WHERE w.head_branch = 'main' GROUP BY r.name ORDER BY r.name");
  int main_runs = 0;
  for (const WorkflowRun& r : server_->snapshot().runs_for("octo-org", "octo-repo"))
    main_runs += r.head_branch == "main";
  int second_main = 0;
  for (const WorkflowRun& r : server_->snapshot().runs_for("octo-org", "second"))
    second_main += r.head_branch == "main";
  EXPECT_EQ(rows, (Rows{{"octo-repo", std::to_string(main_runs)}, {"second", std::to_string(second_main)}}));
  for (const auto& r : api_requests()) EXPECT_EQ(r.param("branch"), "main");
}

TEST_F(SelectTest, ListingErrorsNameTheRequestAndStatus) {
  std::string err = db_->error("SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'nope'");
  // Without a token a private repository looks like a missing one: the error says so.
  EXPECT_EQ(err,
            "workflow_runs: GET /repos/octo-org/nope/actions/runs: 404 Not Found: Not Found (no token was sent: if the "
            "repository is private, set GITHUB_TOKEN or GH_TOKEN)");
  ScopedEnv token("GH_TOKEN", "ghp-some-token");
  EXPECT_EQ(db_->error("SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'nope'"),
            "workflow_runs: GET /repos/octo-org/nope/actions/runs: 404 Not Found: Not Found");
}

TEST_F(SelectTest, VersionFunction) {
  EXPECT_EQ(db_->query("SELECT stacklite_version()"), (Rows{{STACKLITE_VERSION_FOR_TESTS}}));
}

// Filtered listings stop at the API's result cap; the table continues below the oldest
// run seen and returns every run exactly once.
class ResultCapTest : public ServerTest {};

TEST_F(ResultCapTest, FilteredListingPastTheCapReturnsEveryRunOnce) {
  Dataset data = small_dataset("octo-org", "big", 0);
  // 900 runs on main; groups of three share a second, so the cap falls inside a group.
  for (int i = 1; i <= 900; ++i) {
    WorkflowRun r = small_dataset("octo-org", "big", 1).runs_for("octo-org", "big")[0];
    r.id = 70000 + i;
    r.run_number = i;
    r.head_branch = "main";
    r.created_at = testserver::format_timestamp(1735689600 + 60LL * (i / 3));
    data.add_run(r);
  }
  testserver::Options options;
  options.result_cap = 100;
  serve(data, options);
  auto db = connect();
  auto rows =
      db->query("SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'big' AND head_branch = 'main'");
  std::vector<std::string> want;
  for (const WorkflowRun& r : server_->snapshot().runs_for("octo-org", "big")) want.push_back(std::to_string(r.id));
  std::vector<std::string> got;
  for (const auto& row : rows) got.push_back(row[0]);
  std::set<std::string> unique(got.begin(), got.end());
  EXPECT_EQ(unique.size(), got.size()) << "duplicates";
  EXPECT_EQ(got, want);
  // The listing keeps the API's newest-first order across the narrowing, so SQLite can
  // take ORDER BY created_at DESC from it as it comes.
  Rows ordered = db->query(
      "SELECT id, created_at FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'big' AND head_branch = 'main' "
      "ORDER BY created_at DESC");
  ASSERT_EQ(ordered.size(), want.size());
  for (size_t i = 1; i < ordered.size(); ++i) EXPECT_GE(ordered[i - 1][1], ordered[i][1]) << i;
  bool narrowed = false;
  for (const auto& r : api_requests()) narrowed |= r.param("created").rfind("<=", 0) == 0;
  EXPECT_TRUE(narrowed);

  // With the user's own range, the narrowing keeps the lower bound.
  server_->clear_requests();
  auto ranged = db->query(
      "SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'big' AND head_branch = 'main' "
      "AND created_at >= '2025-01-01T01:00:00Z'");
  int64_t expect = 0;
  for (const WorkflowRun& r : server_->snapshot().runs_for("octo-org", "big"))
    expect += r.created_at >= "2025-01-01T01:00:00Z";
  EXPECT_EQ(ranged[0][0], std::to_string(expect));
  for (const auto& r : api_requests())
    EXPECT_NE(r.param("created").find("2025-01-01T01:00:00Z"), std::string::npos) << r.param("created");
}

TEST_F(ResultCapTest, MoreRunsInOneSecondThanTheCapIsAnErrorNotAShortResult) {
  Dataset data = small_dataset("octo-org", "burst", 0);
  for (int i = 1; i <= 30; ++i) {
    WorkflowRun r = small_dataset("octo-org", "burst", 1).runs_for("octo-org", "burst")[0];
    r.id = 80000 + i;
    r.head_branch = "main";
    r.created_at = "2025-06-01T00:00:00Z";
    data.add_run(r);
  }
  testserver::Options options;
  options.result_cap = 10;
  serve(data, options);
  auto db = connect();
  std::string err =
      db->error("SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'burst' AND event = 'pull_request'");
  EXPECT_NE(err.find("cannot go past the API's result cap"), std::string::npos) << err;
}

TEST_F(ResultCapTest, UnfilteredListingIsNotCapped) {
  serve(small_dataset("octo-org", "plain", 350), [] {
    testserver::Options o;
    o.result_cap = 100;
    return o;
  }());
  auto db = connect();
  EXPECT_EQ(db->integer("SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'plain'"), 350);
  for (const auto& r : api_requests()) EXPECT_FALSE(r.has_param("created"));
}

}  // namespace
}  // namespace stacklite::testing
