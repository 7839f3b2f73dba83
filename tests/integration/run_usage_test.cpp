// The workflow_run_usage table: a run's billable milliseconds per runner OS from one GET of
// its timing; run_id as an IN list, from a subquery and from a join with workflow_runs
// (minutes per workflow and per repository); an unknown run as no row; a missing run_id,
// and a failing timing request, as errors.
#include <algorithm>
#include <map>

#include "harness.hpp"

namespace stacklite::testing {
namespace {

const std::string kOwner = "octo-org";

// Runs of small_dataset with durations: started 5 s after creation, last changed a few
// minutes later (a different span for each run).
void add_runs_with_durations(Dataset& data, const std::string& repo, int n, int64_t id_offset) {
  Dataset one = small_dataset(kOwner, repo, n);
  testserver::Repository r = one.repositories()[0];
  r.id += id_offset / 1000;
  data.add_repository(r);
  for (WorkflowRun run : one.runs_for(kOwner, repo)) {
    int64_t created = 0;
    testserver::parse_timestamp(run.created_at, created);
    run.id += id_offset;
    run.repository_id = run.head_repository_id = 0;
    if (run.status != "queued") {
      run.run_started_at = testserver::format_timestamp(created + 5);
      run.updated_at = testserver::format_timestamp(created + 95 + 37 * (run.id % 11));
    }
    if (run.id % 100000 == 5005) {  // a deployment that waited half an hour for a reviewer
      run.approval_seconds = 1800;
      run.updated_at = testserver::format_timestamp(created + 95 + 37 * (run.id % 11) + 1800);
    }
    data.add_run(run);
  }
}

class RunUsageTest : public ServerTest {
 protected:
  void SetUp() override {
    Dataset data;
    add_runs_with_durations(data, "octo-repo", 20, 0);
    add_runs_with_durations(data, "api", 10, 100000);
    serve(std::move(data));
    db_ = connect();
  }
  // What the server bills for a run, summed here per OS: "NULL" for an OS no job used.
  struct Billed {
    std::map<std::string, int64_t> ms, jobs;
    int64_t duration_ms = -1;
    std::string os(const std::string& name) const {
      auto it = ms.find(name);
      return it == ms.end() ? "NULL" : std::to_string(it->second);
    }
    int64_t total() const {
      int64_t t = 0;
      for (const auto& [os, v] : ms) t += v;
      return t;
    }
  };
  Billed billed(const std::string& repo, int64_t id) const {
    const Dataset data = server_->snapshot();
    const WorkflowRun* r = data.find_run(kOwner, repo, id);
    EXPECT_NE(r, nullptr) << id;
    Billed b;
    if (!r) return b;
    const testserver::RunUsage u = testserver::run_usage(*r);
    for (const auto& j : u.jobs) b.ms[j.os] += j.duration_ms, ++b.jobs[j.os];
    b.duration_ms = u.run_duration_ms;
    return b;
  }
  // The usage row the SELECT of kColumns returns for a run.
  Rows usage_row(const std::string& repo, int64_t id) const {
    const Billed b = billed(repo, id);
    return {{repo, std::to_string(id), b.duration_ms < 0 ? "NULL" : std::to_string(b.duration_ms), b.os("UBUNTU"),
             b.os("MACOS"), b.os("WINDOWS"), b.jobs.count("UBUNTU") ? std::to_string(b.jobs.at("UBUNTU")) : "NULL"}};
  }
  std::vector<std::string> paths() const {
    std::vector<std::string> out;
    for (const auto& r : api_requests()) out.push_back(r.path);
    std::sort(out.begin(), out.end());
    return out;
  }
  static std::string timing(const std::string& repo, int64_t id) {
    return "/repos/octo-org/" + repo + "/actions/runs/" + std::to_string(id) + "/timing";
  }
  const std::string kColumns =
      "SELECT repo, run_id, run_duration_ms, ubuntu_ms, macos_ms, windows_ms, json_extract(billable, '$.UBUNTU.jobs') "
      "FROM workflow_run_usage ";
  std::unique_ptr<Db> db_;
};

TEST_F(RunUsageTest, ARunsUsageIsOneGetOfItsTiming) {
  // CI runs bill Ubuntu alone; release runs (every fourth) test on macOS and lint on
  // Windows; a cancelled run bills what ran until then; a running run bills its finished
  // jobs and has no duration yet; a queued run bills nothing.
  for (int64_t id : {5001, 5004, 5005, 5008, 5012, 5016}) {
    SCOPED_TRACE(id);
    server_->clear_requests();
    EXPECT_EQ(
        db_->query(kColumns + "WHERE owner = 'octo-org' AND repo = 'octo-repo' AND run_id = " + std::to_string(id)),
        usage_row("octo-repo", id));
    EXPECT_EQ(paths(), (std::vector<std::string>{timing("octo-repo", id)}));
  }
  // Those cases are all there.
  EXPECT_EQ(billed("octo-repo", 5001).ms,
            (std::map<std::string, int64_t>{{"UBUNTU", billed("octo-repo", 5001).total()}}));
  EXPECT_GT(billed("octo-repo", 5001).duration_ms, 0);
  EXPECT_EQ(billed("octo-repo", 5016).ms.size(), 3u);    // a failed release
  EXPECT_EQ(billed("octo-repo", 5012).ms.size(), 3u);    // a cancelled release
  EXPECT_EQ(billed("octo-repo", 5004).duration_ms, -1);  // a running release...
  EXPECT_EQ(billed("octo-repo", 5004).os("MACOS"), "NULL");
  EXPECT_GT(billed("octo-repo", 5004).total(), 0);    // ...whose build is billed
  EXPECT_TRUE(billed("octo-repo", 5008).ms.empty());  // a queued release
  EXPECT_EQ(billed("octo-repo", 5008).duration_ms, -1);

  // Each job's billed time, as the API lists it, in the JSON column.
  const testserver::RunUsage u = testserver::run_usage(*server_->snapshot().find_run(kOwner, "octo-repo", 5016));
  ASSERT_EQ(u.jobs.size(), 3u);
  EXPECT_EQ(
      db_->query("SELECT json_extract(billable, '$.MACOS.job_runs[0].job_id'), "
                 "json_extract(billable, '$.MACOS.job_runs[0].duration_ms'), json_extract(billable, '$.WINDOWS.jobs') "
                 "FROM workflow_run_usage WHERE owner = 'octo-org' AND repo = 'octo-repo' AND run_id = 5016"),
      (Rows{{std::to_string(u.jobs[1].job_id), std::to_string(u.jobs[1].duration_ms), "1"}}));
}

// What a run bills is its jobs as the jobs listing shows them: each job's duration on its
// runner's OS, so a deployment's wait for a reviewer is in the run's duration and in no job.
TEST_F(RunUsageTest, EachJobBillsItsDurationAsTheJobsListingShowsIt) {
  for (int64_t id : {5001, 5005, 5012, 5016}) {
    SCOPED_TRACE(id);
    const std::string run = "owner = 'octo-org' AND repo = 'octo-repo' AND run_id = " + std::to_string(id);
    Rows billed_jobs = db_->query(
        "SELECT CAST(json_extract(j.value, '$.job_id') AS TEXT), json_extract(j.value, '$.duration_ms'), o.key "
        "FROM workflow_run_usage u, json_each(u.billable) o, json_each(o.value, '$.job_runs') j WHERE " +
        run + " ORDER BY 1");
    Rows listed_jobs = db_->query(
        "SELECT id, (unixepoch(completed_at) - unixepoch(started_at)) * 1000, "
        "CASE WHEN name = 'build' OR " +
        std::string(id % 4 == 0 ? "0" : "1") +
        " THEN 'UBUNTU' WHEN name = 'test' THEN 'MACOS' ELSE 'WINDOWS' END "
        "FROM workflow_jobs WHERE " +
        run + " AND status = 'completed' AND conclusion != 'skipped' ORDER BY 1");
    EXPECT_EQ(billed_jobs, listed_jobs);
    EXPECT_EQ(billed_jobs.size(), 3u);
  }
  // The half hour run 5005 waited is in its duration and billed by no job: its jobs ran for
  // a minute and a half.
  Rows r = db_->query(
      "SELECT run_duration_ms, ubuntu_ms FROM workflow_run_usage WHERE owner = 'octo-org' AND repo = 'octo-repo' AND "
      "run_id = 5005");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_GE(std::stoll(r[0][0]), 1800000);
  EXPECT_LT(std::stoll(r[0][1]), 1800000);
}

TEST_F(RunUsageTest, RunIdListsAndSubqueriesReadEachRunsTiming) {
  // An IN list, or an OR that SQLite makes one: one request per run.
  for (const std::string& where : {std::string("run_id IN (5013, 5001, 5004)"),
                                   std::string("(run_id = 5004 OR run_id = 5013 OR run_id = 5001)")}) {
    SCOPED_TRACE(where);
    server_->clear_requests();
    Rows want;
    for (int64_t id : {5001, 5004, 5013}) want.push_back(usage_row("octo-repo", id)[0]);
    EXPECT_EQ(db_->query(kColumns + "WHERE owner = 'octo-org' AND repo = 'octo-repo' AND " + where + " ORDER BY 2"),
              want);
    EXPECT_EQ(paths(), (std::vector<std::string>{timing("octo-repo", 5001), timing("octo-repo", 5004),
                                                 timing("octo-repo", 5013)}));
  }

  // The runs from a subquery over workflow_runs: one listing, then each failed run's timing.
  server_->clear_requests();
  Rows want;
  std::vector<std::string> want_paths = {"/repos/octo-org/octo-repo/actions/runs"};
  for (const WorkflowRun& r : server_->snapshot().runs_for(kOwner, "octo-repo"))
    if (r.conclusion == "failure") {
      want.push_back(usage_row("octo-repo", r.id)[0]);
      want_paths.push_back(timing("octo-repo", r.id));
    }
  std::sort(want.begin(), want.end());
  std::sort(want_paths.begin(), want_paths.end());
  ASSERT_EQ(want.size(), 4u);
  EXPECT_EQ(db_->query(kColumns +
                       "WHERE owner = 'octo-org' AND repo = 'octo-repo' AND run_id IN (SELECT id FROM workflow_runs "
                       "WHERE owner = 'octo-org' AND repo = 'octo-repo' AND conclusion = 'failure') ORDER BY 2"),
            want);
  EXPECT_EQ(paths(), want_paths);
}

// Minutes per workflow and per repository: the server's billable time summed here for
// each run of both repositories, against the join users write.
TEST_F(RunUsageTest, MinutesPerWorkflowAndRepositoryAreAJoinFromTheRuns) {
  const Dataset data = server_->snapshot();
  std::map<std::pair<std::string, std::string>, std::pair<int64_t, int64_t>> per_workflow;  // runs, ms
  std::vector<std::string> want_paths;
  for (const std::string repo : {"octo-repo", "api"}) {
    want_paths.push_back("/repos/octo-org/" + repo + "/actions/runs");
    for (const WorkflowRun& r : data.runs_for(kOwner, repo)) {
      auto& [runs, ms] = per_workflow[{repo, r.name}];
      ++runs;
      ms += billed(repo, r.id).total();
      want_paths.push_back(timing(repo, r.id));
    }
  }
  std::sort(want_paths.begin(), want_paths.end());
  Rows want;
  for (const auto& [key, v] : per_workflow)
    want.push_back({key.first, key.second, std::to_string(v.first), std::to_string(v.second)});
  std::sort(want.begin(), want.end());
  ASSERT_EQ(want.size(), 4u);
  ASSERT_EQ(want_paths.size(), 32u);

  const std::string sum = "sum(coalesce(u.ubuntu_ms, 0) + coalesce(u.macos_ms, 0) + coalesce(u.windows_ms, 0))";
  for (const std::string& sql :
       {// The join on owner, repo and run_id, over an IN list of repositories.
        "SELECT w.repo, w.name, count(*), " + sum +
            " FROM workflow_runs w JOIN workflow_run_usage u ON u.owner = w.owner AND u.repo = w.repo AND "
            "u.run_id = w.id WHERE w.owner = 'octo-org' AND w.repo IN ('octo-repo', 'api') GROUP BY 1, 2 "
            "ORDER BY 1, 2",
        // Each repository's runs as one list of ids (sql_examples/org_actions_minutes.sql).
        "WITH runs AS MATERIALIZED (SELECT repo, id, name FROM workflow_runs WHERE owner = 'octo-org' AND repo IN "
        "('octo-repo', 'api')), usage AS MATERIALIZED (SELECT u.repo, u.run_id, u.ubuntu_ms, u.macos_ms, "
        "u.windows_ms FROM (SELECT DISTINCT repo FROM runs) r JOIN workflow_run_usage u ON u.owner = 'octo-org' "
        "AND u.repo = r.repo AND u.run_id IN (SELECT id FROM runs m WHERE m.repo = r.repo)) "
        "SELECT w.repo, w.name, count(*), " +
            sum + " FROM runs w JOIN usage u ON u.repo = w.repo AND u.run_id = w.id GROUP BY 1, 2 ORDER BY 1, 2",
        // A LEFT JOIN keeps runs without usage (none here).
        "SELECT w.repo, w.name, count(*), " + sum +
            " FROM workflow_runs w LEFT JOIN workflow_run_usage u ON u.owner = w.owner AND u.repo = w.repo AND "
            "u.run_id = w.id WHERE w.owner = 'octo-org' AND w.repo IN ('octo-repo', 'api') GROUP BY 1, 2 "
            "ORDER BY 1, 2"}) {
    SCOPED_TRACE(sql);
    server_->clear_requests();
    Rows got = db_->query(sql);
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, want);
    EXPECT_EQ(paths(), want_paths);
  }

  // Per repository, in minutes, with the runs of each OS counted on their own.
  Rows per_repo;
  for (const std::string repo : {"api", "octo-repo"}) {
    int64_t ubuntu = 0, macos = 0, windows = 0;
    for (const WorkflowRun& r : data.runs_for(kOwner, repo)) {
      const Billed b = billed(repo, r.id);
      ubuntu += b.ms.count("UBUNTU") ? b.ms.at("UBUNTU") : 0;
      macos += b.ms.count("MACOS") ? b.ms.at("MACOS") : 0;
      windows += b.ms.count("WINDOWS") ? b.ms.at("WINDOWS") : 0;
    }
    char minutes[64];
    std::snprintf(minutes, sizeof minutes, "%.1f", (ubuntu + macos + windows) / 60000.0);
    per_repo.push_back({repo, std::to_string(ubuntu), std::to_string(macos), std::to_string(windows), minutes});
  }
  EXPECT_EQ(
      db_->query("SELECT w.repo, total(u.ubuntu_ms), total(u.macos_ms), total(u.windows_ms), "
                 "printf('%.1f', (total(u.ubuntu_ms) + total(u.macos_ms) + total(u.windows_ms)) / 60000.0) "
                 "FROM workflow_runs w JOIN workflow_run_usage u ON u.owner = w.owner AND u.repo = w.repo "
                 "AND u.run_id = w.id WHERE w.owner = 'octo-org' AND w.repo IN ('octo-repo', 'api') "
                 "GROUP BY 1 ORDER BY 1"),
      Rows({{per_repo[0][0], per_repo[0][1] + ".0", per_repo[0][2] + ".0", per_repo[0][3] + ".0", per_repo[0][4]},
            {per_repo[1][0], per_repo[1][1] + ".0", per_repo[1][2] + ".0", per_repo[1][3] + ".0", per_repo[1][4]}}));
}

TEST_F(RunUsageTest, AnUnknownRunIsNoRowAndAMissingRunIdNamesTheFix) {
  EXPECT_TRUE(db_->query(kColumns + "WHERE owner = 'octo-org' AND repo = 'octo-repo' AND run_id = 999").empty());
  EXPECT_EQ(paths(), (std::vector<std::string>{timing("octo-repo", 999)}));
  for (const std::string& where : {std::string("owner = 'octo-org' AND repo = 'octo-repo'"),
                                   std::string("run_id = 5001"), std::string("owner = 'octo-org' AND run_id = 5001")}) {
    SCOPED_TRACE(where);
    server_->clear_requests();
    std::string err = db_->error("SELECT * FROM workflow_run_usage WHERE " + where);
    EXPECT_EQ(err,
              "workflow_run_usage: owner, repo and run_id are required: add them to the WHERE clause, e.g. SELECT * "
              "FROM workflow_run_usage WHERE owner = 'octo-org' AND repo = 'octo-repo' AND run_id = 30433642");
    EXPECT_TRUE(api_requests().empty());
  }
  // A join that does not give run_id an equality (a range) cannot read usage either.
  std::string err = db_->error(
      "SELECT count(*) FROM workflow_runs w JOIN workflow_run_usage u ON u.owner = w.owner AND u.repo = w.repo "
      "AND u.run_id > w.id WHERE w.owner = 'octo-org' AND w.repo = 'octo-repo'");
  EXPECT_NE(err.find("owner, repo and run_id are required"), std::string::npos) << err;
}

TEST_F(RunUsageTest, AFailingTimingRequestIsAnErrorNotAShortResult) {
  server_->inject(Fault::status(500, "{\"message\":\"Server Error\"}"), 100, timing("octo-repo", 5010));
  std::string err = db_->error(
      "SELECT w.name, sum(u.ubuntu_ms) FROM workflow_runs w JOIN workflow_run_usage u ON u.owner = w.owner "
      "AND u.repo = w.repo AND u.run_id = w.id WHERE w.owner = 'octo-org' AND w.repo = 'octo-repo' GROUP BY 1");
  EXPECT_EQ(err.rfind("workflow_run_usage: GET " + timing("octo-repo", 5010) + ": 500 Internal Server Error", 0), 0u)
      << err;
}

// A list of run ids reads their usage side by side (up to max_concurrency requests at
// once); a join reads one run's usage at a time. Both give the same rows.
class RunUsageSideBySideTest : public ServerTest {};

TEST_F(RunUsageSideBySideTest, AListOfRunIdsIsReadSideBySideAndAJoinOneAtATime) {
  Dataset data;
  add_runs_with_durations(data, "octo-repo", 20, 0);
  testserver::Options options;
  options.latency_ms = 40;  // so that requests sent together are answered together
  serve(std::move(data), options);
  auto db = connect();
  db->query("SELECT stacklite_config('max_concurrency', 4)");
  auto most_in_flight = [&](bool timing_only) {
    int most = 0;
    for (const auto& r : api_requests())
      if (!timing_only || r.path.find("/timing") != std::string::npos) most = std::max(most, r.in_flight);
    return most;
  };
  const Rows in_list = db->query(
      "SELECT run_id, ubuntu_ms, macos_ms, windows_ms FROM workflow_run_usage WHERE owner = 'octo-org' AND repo = "
      "'octo-repo' AND run_id IN (SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo') "
      "ORDER BY 1");
  EXPECT_EQ(in_list.size(), 20u);
  EXPECT_EQ(api_requests().size(), 21u);
  EXPECT_EQ(most_in_flight(false), 4);
  server_->clear_requests();
  const Rows joined = db->query(
      "SELECT u.run_id, u.ubuntu_ms, u.macos_ms, u.windows_ms FROM workflow_runs w JOIN workflow_run_usage u ON "
      "u.owner = w.owner AND u.repo = w.repo AND u.run_id = w.id WHERE w.owner = 'octo-org' AND w.repo = "
      "'octo-repo' ORDER BY 1");
  EXPECT_EQ(joined, in_list);
  EXPECT_EQ(api_requests().size(), 21u);
  EXPECT_EQ(most_in_flight(true), 1);
}

}  // namespace
}  // namespace stacklite::testing
