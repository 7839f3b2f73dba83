// Reports over every repository of an organization: the subquery form hands workflow_runs
// the organization's repositories as one IN list (listings side by side), joins from
// repositories to runs and jobs work as users write them, and a repository that turns out
// unreadable is skipped under on_missing 'skip'.
#include <algorithm>
#include <set>

#include "harness.hpp"

namespace stacklite::testing {
namespace {

using ::testing::internal::CaptureStderr;
using ::testing::internal::GetCapturedStderr;

// acme: six repositories with 30 runs each (one page), one archived, and one without runs.
Dataset organization() {
  Dataset data;
  int64_t offset = 0;
  for (int i = 1; i <= 6; ++i) {
    const std::string name = "svc-" + std::to_string(i);
    Dataset one = small_dataset("acme", name, 30);
    testserver::Repository repo = one.repositories()[0];
    repo.id = 800000 + i;
    repo.archived = i == 6;
    data.add_repository(repo);
    for (const WorkflowRun& r : one.runs_for("acme", name)) {
      WorkflowRun copy = r;
      copy.id += offset;
      copy.repository_id = copy.head_repository_id = 0;
      data.add_run(copy);
    }
    offset += 100000;
  }
  testserver::Repository empty;
  empty.owner = "acme";
  empty.name = "docs";
  empty.id = 800100;
  data.add_repository(empty);
  testserver::Repository user_repo;
  user_repo.owner = "octocat";
  user_repo.name = "dotfiles";
  user_repo.id = 800200;
  user_repo.owner_type = "User";
  data.add_repository(user_repo);
  return data;
}

class OrgInventoryTest : public ServerTest {
 protected:
  void start(int latency_ms = 0) {
    testserver::Options options;
    options.latency_ms = latency_ms;
    serve(organization(), options);
    db_ = connect();
  }
  std::multiset<std::string> paths() const {
    std::multiset<std::string> out;
    for (const auto& r : api_requests()) out.insert(r.path);
    return out;
  }
  // Per repository of acme (archived ones only when asked): how many runs, and how many failed.
  Rows expected_counts(bool with_archived, bool with_empty) const {
    Dataset data = server_->snapshot();
    Rows want;
    for (const auto& repo : data.repositories()) {
      if (repo.owner != "acme" || (repo.archived && !with_archived)) continue;
      auto runs = data.runs_for("acme", repo.name);
      if (runs.empty() && !with_empty) continue;
      int64_t failed = 0;
      for (const auto& r : runs) failed += r.conclusion == "failure";
      want.push_back({repo.name, std::to_string(runs.size()), std::to_string(failed)});
    }
    std::sort(want.begin(), want.end());
    return want;
  }
  std::multiset<std::string> listings_of_acme(bool with_archived) const {
    std::multiset<std::string> want{"/orgs/acme/repos"};
    const Dataset data = server_->snapshot();
    for (const auto& repo : data.repositories())
      if (repo.owner == "acme" && (with_archived || !repo.archived))
        want.insert("/repos/acme/" + repo.name + "/actions/runs");
    return want;
  }
  std::unique_ptr<Db> db_;
};

TEST_F(OrgInventoryTest, TheSubqueryFormHandsTheWholeListToTheTable) {
  start();
  const std::string report =
      "SELECT repo, count(*), sum(conclusion = 'failure') FROM workflow_runs "
      "WHERE owner = 'acme' AND repo IN (SELECT name FROM repositories WHERE owner = 'acme' AND NOT archived) "
      "GROUP BY repo ORDER BY repo";
  // SQLite hands the subquery's names over as one IN list (the path that fetches the next
  // repository's listing while the current one is read), not one scan per name.
  Rows plan = db_->query("EXPLAIN QUERY PLAN " + report);
  std::string text;
  for (const auto& row : plan) text += row.back() + "\n";
  EXPECT_NE(text.find("workflow_runs VIRTUAL TABLE INDEX"), std::string::npos) << text;
  EXPECT_NE(text.find("repo IN ?"), std::string::npos) << text;
  EXPECT_NE(text.find("LIST SUBQUERY"), std::string::npos) << text;
  EXPECT_TRUE(api_requests().empty());

  for (long concurrency : {1L, 4L}) {
    server_->clear_requests();
    db_->query("SELECT stacklite_config('max_concurrency', " + std::to_string(concurrency) + ")");
    db_->query("SELECT stacklite_stats('reset')");
    EXPECT_EQ(db_->query(report), expected_counts(/*with_archived=*/false, /*with_empty=*/false)) << concurrency;
    // One repositories listing, then one listing per repository (the one without runs too).
    EXPECT_EQ(paths(), listings_of_acme(false)) << concurrency;
    EXPECT_EQ(db_->integer("SELECT json_extract(stacklite_stats(), '$.requests')"),
              static_cast<int64_t>(listings_of_acme(false).size()));
  }
}

TEST_F(OrgInventoryTest, JoinsFromRepositoriesWorkAsUsersWriteThem) {
  start();
  const Rows want = expected_counts(/*with_archived=*/true, /*with_empty=*/false);
  struct Case {
    std::string name, sql;
  };
  std::vector<Case> cases = {
      {"join on owner_login and name",
       "SELECT r.name, count(*), sum(w.conclusion = 'failure') FROM repositories r "
       "JOIN workflow_runs w ON w.owner = r.owner_login AND w.repo = r.name "
       "WHERE r.owner = 'acme' GROUP BY r.name ORDER BY r.name"},
      {"join on the owner input",
       "SELECT r.name, count(*), sum(w.conclusion = 'failure') FROM repositories r, workflow_runs w "
       "WHERE r.owner = 'acme' AND w.owner = r.owner AND w.repo = r.name GROUP BY r.name ORDER BY r.name"},
      {"join with the runs filtered",
       "SELECT r.name, count(*), sum(w.conclusion = 'failure') FROM repositories r "
       "JOIN workflow_runs w ON w.owner = r.owner_login AND w.repo = r.name AND w.created_at >= '2024-01-01' "
       "WHERE r.owner = 'acme' GROUP BY r.name ORDER BY r.name"},
  };
  for (const auto& c : cases) {
    server_->clear_requests();
    EXPECT_EQ(db_->query(c.sql), want) << c.name;
    EXPECT_EQ(paths(), listings_of_acme(true)) << c.name;
  }
  // A LEFT JOIN keeps the repository without runs.
  server_->clear_requests();
  EXPECT_EQ(db_->query("SELECT r.name, count(w.id), coalesce(sum(w.conclusion = 'failure'), 0) FROM repositories r "
                       "LEFT JOIN workflow_runs w ON w.owner = r.owner_login AND w.repo = r.name "
                       "WHERE r.owner = 'acme' GROUP BY r.name ORDER BY r.name"),
            expected_counts(true, true));
  EXPECT_EQ(paths(), listings_of_acme(true));
}

TEST_F(OrgInventoryTest, AJoinReachesJobsThroughRunsOfEveryRepository) {
  start();
  Dataset data = server_->snapshot();
  // Jobs of the failed runs on main of every repository: one jobs listing per such run.
  std::multiset<std::string> want{"/orgs/acme/repos"};
  for (const auto& repo : data.repositories()) {
    if (repo.owner != "acme") continue;
    want.insert("/repos/acme/" + repo.name + "/actions/runs");
    for (const auto& r : data.runs_for("acme", repo.name))
      if (r.head_branch == "main" && r.conclusion == "failure")
        want.insert("/repos/acme/" + repo.name + "/actions/runs/" + std::to_string(r.id) + "/jobs");
  }
  Rows rows = db_->query(
      "SELECT r.name, w.id, count(j.id) FROM repositories r "
      "JOIN workflow_runs w ON w.owner = r.owner_login AND w.repo = r.name "
      "JOIN workflow_jobs j ON j.owner = w.owner AND j.repo = w.repo AND j.run_id = w.id "
      "WHERE r.owner = 'acme' AND w.head_branch = 'main' AND w.conclusion = 'failure' GROUP BY 1, 2");
  EXPECT_EQ(rows.size(), want.size() - 1 - 7);
  for (const auto& row : rows) EXPECT_GT(std::stoll(row[2]), 0) << row[0] << " " << row[1];
  EXPECT_EQ(paths(), want);
}

TEST_F(OrgInventoryTest, AnUnreadableRepositoryOfTheOrganizationIsSkippedWhenAsked) {
  start();
  server_->inject(Fault::status(403, "{\"message\":\"Resource not accessible by integration\"}"), 100,
                  "/repos/acme/svc-3/actions/runs");
  const std::string in_form =
      "SELECT repo, count(*), sum(conclusion = 'failure') FROM workflow_runs "
      "WHERE owner = 'acme' AND repo IN (SELECT name FROM repositories WHERE owner = 'acme') "
      "GROUP BY repo ORDER BY repo";
  std::string err = db_->error(in_form);
  EXPECT_NE(err.find("GET /repos/acme/svc-3/actions/runs: 403 Forbidden"), std::string::npos) << err;
  EXPECT_NE(err.find("on_missing"), std::string::npos) << err;

  db_->query("SELECT stacklite_config('on_missing', 'skip')");
  Rows want = expected_counts(true, false);
  want.erase(std::remove_if(want.begin(), want.end(), [](const auto& row) { return row[0] == "svc-3"; }), want.end());
  for (const std::string& sql :
       {in_form, std::string("SELECT r.name, count(*), sum(w.conclusion = 'failure') FROM repositories r "
                             "JOIN workflow_runs w ON w.owner = r.owner_login AND w.repo = r.name "
                             "WHERE r.owner = 'acme' GROUP BY r.name ORDER BY r.name")}) {
    server_->clear_requests();
    CaptureStderr();
    EXPECT_EQ(db_->query(sql), want) << sql;
    std::string said = GetCapturedStderr();
    EXPECT_EQ(said,
              "stacklite: workflow_runs: skipped acme/svc-3: GET /repos/acme/svc-3/actions/runs: 403 Forbidden: "
              "Resource not accessible by integration (on_missing is 'skip')\n")
        << sql;
    EXPECT_EQ(paths(), listings_of_acme(true)) << sql;
  }
}

TEST_F(OrgInventoryTest, TheNewestRunOfEachRepositoryIsOneRequest) {
  start();
  Dataset data = server_->snapshot();
  Rows want;
  for (const auto& repo : data.repositories()) {
    if (repo.owner != "acme") continue;
    auto runs = data.runs_for("acme", repo.name);
    want.push_back({repo.name, runs.empty() ? "never" : runs.front().created_at});
  }
  std::sort(want.begin(), want.end());
  EXPECT_EQ(
      db_->query("WITH latest AS MATERIALIZED (SELECT r.name, (SELECT w.created_at FROM workflow_runs w "
                 "WHERE w.owner = r.owner_login AND w.repo = r.name ORDER BY w.created_at DESC LIMIT 1) AS last_run "
                 "FROM repositories r WHERE r.owner = 'acme') "
                 "SELECT name, coalesce(last_run, 'never') FROM latest ORDER BY name"),
      want);
  // SQLite stops at the first row, the newest (the API's order, so it does not sort): one
  // listing page per repository. (It passes no LIMIT into a correlated subquery, so that page
  // holds up to 100 runs.)
  EXPECT_EQ(paths(), listings_of_acme(true));
}

TEST_F(OrgInventoryTest, OwnersThatAreNeitherAnOrganizationNorAUserAreSkippedWhenAsked) {
  start();
  const std::string sql =
      "SELECT owner_login, name FROM repositories WHERE owner IN ('acme', 'nobody', 'octocat') ORDER BY 1, 2";
  std::string err = db_->error(sql);
  EXPECT_NE(err.find("GET /users/nobody/repos: 404 Not Found"), std::string::npos) << err;

  db_->query("SELECT stacklite_config('on_missing', 'skip')");
  server_->clear_requests();
  CaptureStderr();
  Rows rows = db_->query(sql);
  std::string said = GetCapturedStderr();
  Rows want;
  const Dataset data = server_->snapshot();
  for (const auto& repo : data.repositories())
    if (repo.owner == "acme" || repo.owner == "octocat") want.push_back({repo.owner, repo.name});
  std::sort(want.begin(), want.end());
  EXPECT_EQ(rows, want);
  // The user is found through the fallback (not skipped); the owner that is neither is one line.
  EXPECT_EQ(std::count(said.begin(), said.end(), '\n'), 1) << said;
  EXPECT_NE(said.find("stacklite: repositories: skipped "), std::string::npos) << said;
  EXPECT_NE(said.find("nobody"), std::string::npos) << said;
  EXPECT_NE(said.find("GET /users/nobody/repos: 404 Not Found"), std::string::npos) << said;
  EXPECT_EQ(paths(), (std::multiset<std::string>{"/orgs/acme/repos", "/orgs/nobody/repos", "/users/nobody/repos",
                                                 "/orgs/octocat/repos", "/users/octocat/repos"}));
}

}  // namespace
}  // namespace stacklite::testing
