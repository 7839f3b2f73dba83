// Listings that change while they are read: writes of the same statement over the runs it
// lists, busy repositories, repositories past the API's pagination limit, and Link headers
// that loop. Every run that matched throughout is returned once; a loop is an error.
#include <functional>
#include <map>
#include <set>

#include "harness.hpp"

namespace stacklite::testing {
namespace {

using Ids = std::set<int64_t>;

Ids ids_where(const Dataset& data, const std::string& repo, const std::function<bool(const WorkflowRun&)>& keep) {
  Ids out;
  for (const auto& r : data.runs_for("octo-org", repo))
    if (keep(r)) out.insert(r.id);
  return out;
}

// The first column of each row as ids; fails the test on a repeated id.
Ids column_ids(const Rows& rows) {
  Ids out;
  for (const auto& row : rows) EXPECT_TRUE(out.insert(std::stoll(row[0])).second) << "returned twice: " << row[0];
  return out;
}

std::vector<RecordedRequest> listing_requests(const std::vector<RecordedRequest>& all, const std::string& repo) {
  std::vector<RecordedRequest> out;
  for (const auto& r : all)
    if (r.method == "GET" && r.path == "/repos/octo-org/" + repo + "/actions/runs") out.push_back(r);
  return out;
}

// ---------------------------------------------------------------------------------------
// A statement that writes to the runs it lists reaches each of them exactly once.

class WritesOverTheirListing : public ServerTest {
 protected:
  // 2,400 runs; a result cap of 300 so the filtered listings also cross it.
  void SetUp() override {
    testserver::Options options;
    options.result_cap = 300;
    Dataset data = small_dataset("octo-org", "octo-repo", 2400);
    testserver::Repository other;
    other.owner = "octo-org";
    other.name = "other";
    other.id = 2000;
    data.add_repository(other);
    serve(std::move(data), options);
    db_ = connect();
    db_->query("SELECT stacklite_config('write_interval_ms', 0)");
  }
  // Each write request's run id, counted.
  std::map<int64_t, int> writes_per_run(const std::string& method, const std::string& suffix) const {
    std::map<int64_t, int> out;
    const std::string prefix = "/repos/octo-org/octo-repo/actions/runs/";
    for (const auto& r : api_requests()) {
      if (r.method != method || r.path.rfind(prefix, 0) != 0) continue;
      std::string rest = r.path.substr(prefix.size());
      if (rest.size() < suffix.size() || rest.compare(rest.size() - suffix.size(), suffix.size(), suffix) != 0)
        continue;
      ++out[std::stoll(rest.substr(0, rest.size() - suffix.size()))];
    }
    return out;
  }
  std::unique_ptr<Db> db_;
};

TEST_F(WritesOverTheirListing, DeleteOverItsOwnSelectReachesEveryMatchingRunOnce) {
  Ids push = ids_where(server_->snapshot(), "octo-repo", [](const WorkflowRun& r) { return r.event == "push"; });
  ASSERT_GT(push.size(), 700u);
  Rows rows = db_->query(
      "SELECT id, delete_workflow_run(owner, repo, id) FROM workflow_runs "
      "WHERE owner = 'octo-org' AND repo = 'octo-repo' AND event = 'push'");
  EXPECT_EQ(column_ids(rows), push);
  for (const auto& row : rows) EXPECT_EQ(row[1], "{\"ok\":true,\"status\":204}") << row[0];
  // Every push run is gone, and nothing else.
  Dataset after = server_->snapshot();
  EXPECT_TRUE(ids_where(after, "octo-repo", [](const WorkflowRun& r) { return r.event == "push"; }).empty());
  EXPECT_EQ(after.runs_for("octo-org", "octo-repo").size(), 2400 - push.size());
  // One DELETE per run.
  auto deletes = writes_per_run("DELETE", "");
  EXPECT_EQ(deletes.size(), push.size());
  for (const auto& [id, n] : deletes) EXPECT_EQ(n, 1) << id;
  // The listing is walked by date once the deletes start, one request per page.
  auto gets = listing_requests(api_requests(), "octo-repo");
  size_t keyed = 0;
  for (const auto& r : gets) {
    EXPECT_EQ(r.param("event"), "push");
    keyed += r.param("created").rfind("<=", 0) == 0;
    EXPECT_FALSE(r.has_param("page")) << r.query;
  }
  EXPECT_EQ(keyed, gets.size() - 1);
  EXPECT_LE(gets.size(), push.size() / 99 + 2);
}

TEST_F(WritesOverTheirListing, ReRunOverFailedRunsReachesEachOnce) {
  Ids failed =
      ids_where(server_->snapshot(), "octo-repo", [](const WorkflowRun& r) { return r.conclusion == "failure"; });
  ASSERT_GT(failed.size(), 400u);
  Rows rows = db_->query(
      "SELECT id, re_run_workflow(owner, repo, id) FROM workflow_runs "
      "WHERE owner = 'octo-org' AND repo = 'octo-repo' AND conclusion = 'failure'");
  EXPECT_EQ(column_ids(rows), failed);
  for (const auto& row : rows) EXPECT_EQ(row[1], "{\"ok\":true,\"status\":201}") << row[0];
  auto reruns = writes_per_run("POST", "/rerun");
  EXPECT_EQ(reruns.size(), failed.size());
  for (const auto& [id, n] : reruns) EXPECT_EQ(n, 1) << id;
  EXPECT_TRUE(ids_where(server_->snapshot(), "octo-repo", [](const WorkflowRun& r) {
                return r.conclusion == "failure";
              }).empty());
}

// The README's example, through a subquery and with the id compared in an IN list.
TEST_F(WritesOverTheirListing, CancelOfQueuedRunsAsTheReadmeShowsReachesEachOnce) {
  Ids queued = ids_where(server_->snapshot(), "octo-repo", [](const WorkflowRun& r) { return r.status == "queued"; });
  ASSERT_GT(queued.size(), 400u);
  Rows rows = db_->query(
      "SELECT id, cancel_workflow_run(owner, repo, id) FROM workflow_runs "
      "WHERE owner = 'octo-org' AND repo = 'octo-repo' AND status = 'queued'");
  EXPECT_EQ(column_ids(rows), queued);
  auto cancels = writes_per_run("POST", "/cancel");
  EXPECT_EQ(cancels.size(), queued.size());
  for (const auto& [id, n] : cancels) EXPECT_EQ(n, 1) << id;
  for (int64_t id : queued)
    EXPECT_EQ(server_->snapshot().find_run("octo-org", "octo-repo", id)->conclusion, "cancelled");
  EXPECT_EQ(db_->integer("SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' "
                         "AND status = 'queued'"),
            0);
}

// DELETE with a filter: SQLite reads the rowids as the listing goes, the deletes follow.
TEST_F(WritesOverTheirListing, DeleteStatementWithAFilterDeletesEveryMatchingRun) {
  Ids schedule =
      ids_where(server_->snapshot(), "octo-repo", [](const WorkflowRun& r) { return r.event == "schedule"; });
  ASSERT_GT(schedule.size(), 700u);
  db_->query("DELETE FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND event = 'schedule'");
  EXPECT_EQ(db_->integer("SELECT changes()"), static_cast<int64_t>(schedule.size()));
  auto deletes = writes_per_run("DELETE", "");
  EXPECT_EQ(deletes.size(), schedule.size());
  for (const auto& [id, n] : deletes) EXPECT_EQ(n, 1) << id;
  EXPECT_TRUE(
      ids_where(server_->snapshot(), "octo-repo", [](const WorkflowRun& r) { return r.event == "schedule"; }).empty());
}

// One statement over two repositories' listings (a join), cancelling in both.
TEST_F(WritesOverTheirListing, CancelThroughAJoinOverTwoRepositoriesReachesEachRunOnce) {
  server_->with_dataset([](Dataset& d) {
    for (const auto& r : small_dataset("octo-org", "other", 900).runs_for("octo-org", "other")) d.add_run(r);
  });
  Dataset before = server_->snapshot();
  auto queued = [](const WorkflowRun& r) { return r.status == "queued"; };
  Ids want = ids_where(before, "octo-repo", queued);
  size_t in_octo_repo = want.size();
  Ids in_other = ids_where(before, "other", queued);
  ASSERT_GT(in_other.size(), 150u);
  Rows rows = db_->query(
      "WITH repos(owner, repo) AS (VALUES ('octo-org', 'octo-repo'), ('octo-org', 'other')) "
      "SELECT w.repo, w.id, cancel_workflow_run(w.owner, w.repo, w.id) FROM repos r "
      "JOIN workflow_runs w ON w.owner = r.owner AND w.repo = r.repo WHERE w.status = 'queued'");
  // Both repositories were made by the same generator: ids repeat across them.
  std::map<std::string, Ids> got;
  for (const auto& row : rows) {
    EXPECT_TRUE(got[row[0]].insert(std::stoll(row[1])).second) << "returned twice: " << row[0] << " " << row[1];
    EXPECT_EQ(row[2], "{\"ok\":true,\"status\":202}") << row[0] << " " << row[1];
  }
  EXPECT_EQ(got["octo-repo"], want);
  EXPECT_EQ(got["other"], in_other);
  EXPECT_EQ(rows.size(), in_octo_repo + in_other.size());
  Dataset after = server_->snapshot();
  EXPECT_TRUE(ids_where(after, "octo-repo", queued).empty());
  EXPECT_TRUE(ids_where(after, "other", queued).empty());
}

// The same through an IN list, whose listings are fetched ahead of SQLite: the second
// repository's first page is asked for while the first is read and cancelled (each
// crosses the cap), and its walk still turns keyed at its own first write.
TEST_F(WritesOverTheirListing, DeleteThroughAnInListOverTwoRepositoriesReachesEachRunOnce) {
  server_->with_dataset([](Dataset& d) {
    for (const auto& r : small_dataset("octo-org", "other", 900).runs_for("octo-org", "other")) d.add_run(r);
  });
  Dataset before = server_->snapshot();
  auto push = [](const WorkflowRun& r) { return r.event == "push"; };
  Ids want = ids_where(before, "octo-repo", push);
  Ids in_other = ids_where(before, "other", push);
  ASSERT_GT(want.size(), 300u);
  ASSERT_GE(in_other.size(), 300u);
  for (int concurrency : {1, 4}) {
    SCOPED_TRACE("max_concurrency " + std::to_string(concurrency));
    server_->with_dataset([&](Dataset& d) {  // the runs back: the second round deletes them again
      for (const auto& r : before.runs_for("octo-org", "octo-repo"))
        if (!d.find_run("octo-org", "octo-repo", r.id)) d.add_run(r);
      for (const auto& r : before.runs_for("octo-org", "other"))
        if (!d.find_run("octo-org", "other", r.id)) d.add_run(r);
    });
    server_->clear_requests();
    db_->query("SELECT stacklite_config('max_concurrency', " + std::to_string(concurrency) + ")");
    Rows rows = db_->query(
        "SELECT repo, id, delete_workflow_run(owner, repo, id) FROM workflow_runs "
        "WHERE owner = 'octo-org' AND repo IN ('octo-repo', 'other') AND event = 'push'");
    std::map<std::string, Ids> got;
    std::vector<std::string> repo_order;
    for (const auto& row : rows) {
      EXPECT_TRUE(got[row[0]].insert(std::stoll(row[1])).second) << "returned twice: " << row[0] << " " << row[1];
      EXPECT_EQ(row[2], "{\"ok\":true,\"status\":204}") << row[0] << " " << row[1];
      if (repo_order.empty() || repo_order.back() != row[0]) repo_order.push_back(row[0]);
    }
    EXPECT_EQ(repo_order, (std::vector<std::string>{"octo-repo", "other"}));
    EXPECT_EQ(got["octo-repo"], want);
    EXPECT_EQ(got["other"], in_other);
    Dataset after = server_->snapshot();
    EXPECT_TRUE(ids_where(after, "octo-repo", push).empty());
    EXPECT_TRUE(ids_where(after, "other", push).empty());
    // Both walks turned keyed at their first write: no numbered page past the first of either.
    for (const auto& repo : {"octo-repo", "other"})
      for (const auto& r : listing_requests(api_requests(), repo))
        EXPECT_FALSE(r.has_param("page")) << repo << " " << r.query;
  }
}

// An IN list whose first listing goes past the result cap (narrowed by date) while the
// next repository's first page was fetched ahead: every row once, in the list's order.
TEST_F(WritesOverTheirListing, AnInListWhoseFirstListingCrossesTheCapReadsEveryRunOnce) {
  server_->with_dataset([](Dataset& d) {
    for (const auto& r : small_dataset("octo-org", "other", 900).runs_for("octo-org", "other")) d.add_run(r);
  });
  Dataset data = server_->snapshot();
  auto push = [](const WorkflowRun& r) { return r.event == "push"; };
  Rows want;
  for (const auto& repo : {"octo-repo", "other"})
    for (const auto& r : data.runs_for("octo-org", repo))
      if (push(r)) want.push_back({repo, std::to_string(r.id)});
  ASSERT_GT(ids_where(data, "octo-repo", push).size(), 600u);  // twice past the cap of 300
  for (int concurrency : {1, 4, 16}) {
    SCOPED_TRACE("max_concurrency " + std::to_string(concurrency));
    db_->query("SELECT stacklite_config('max_concurrency', " + std::to_string(concurrency) + ")");
    EXPECT_EQ(db_->query("SELECT repo, id FROM workflow_runs WHERE owner = 'octo-org' AND repo IN ('octo-repo', "
                         "'other') AND event = 'push'"),
              want);
  }
}

// Without writes to it, a listing keeps page numbers (pages that could be fetched side by
// side); writes to another repository do not change that.
TEST_F(WritesOverTheirListing, ListingsThatNoWriteTouchesKeepPageNumbers) {
  server_->with_dataset([](Dataset& d) {
    WorkflowRun r = d.runs_for("octo-org", "octo-repo")[0];
    r.id = 990001;
    r.repo = "other";
    r.status = "queued";
    d.add_run(r);
  });
  Rows rows = db_->query(
      "SELECT id, cancel_workflow_run('octo-org', 'other', 990001) FROM workflow_runs "
      "WHERE owner = 'octo-org' AND repo = 'octo-repo' AND head_branch = 'main' AND created_at >= "
      "'2025-01-02T04:00:00Z'");
  Ids want = ids_where(server_->snapshot(), "octo-repo", [](const WorkflowRun& r) {
    return r.head_branch == "main" && r.created_at >= "2025-01-02T04:00:00Z";
  });
  ASSERT_GT(want.size(), 200u);
  ASSERT_LT(want.size(), 300u);  // within the cap: no narrowing is needed
  EXPECT_EQ(column_ids(rows), want);
  auto gets = listing_requests(api_requests(), "octo-repo");
  ASSERT_EQ(gets.size(), 3u);
  // Pages 2 and 3 are fetched concurrently once page 1 is in: either may be asked for first.
  std::set<std::string> later{gets[1].param("page"), gets[2].param("page")};
  EXPECT_EQ(later, (std::set<std::string>{"2", "3"}));
  for (const auto& r : gets) EXPECT_EQ(r.param("created"), ">=2025-01-02T04:00:00Z");
}

// ---------------------------------------------------------------------------------------
// A busy repository: runs are created and deleted between the page requests.

class BusyRepositoryTest : public ServerTest {
 protected:
  void serve_busy(int inserts, int deletes, int result_cap = 1000) {
    testserver::Options options;
    options.busy = {"octo-org", "busy", inserts, deletes, 7};
    options.result_cap = result_cap;
    serve(small_dataset("octo-org", "busy", 1500), options);
    before_ = server_->snapshot();
    max_id_before_ = before_.max_run_id();
  }
  // Rows must hold every run that matched before and still exists, and nothing but runs
  // that matched before or were created meanwhile; none twice.
  void expect_exact(const Rows& rows, const std::function<bool(const WorkflowRun&)>& matches) {
    Ids got = column_ids(rows);
    Ids after = ids_where(server_->snapshot(), "busy", [](const WorkflowRun&) { return true; });
    Ids throughout = ids_where(before_, "busy", matches);
    size_t kept = 0;
    for (int64_t id : throughout) {
      if (!after.count(id)) continue;
      ++kept;
      EXPECT_TRUE(got.count(id)) << "missing run " << id;
    }
    ASSERT_GT(kept, 100u);
    Ids matched_before = ids_where(before_, "busy", matches);
    for (int64_t id : got) EXPECT_TRUE(matched_before.count(id) || id > max_id_before_) << "unexpected run " << id;
  }
  Dataset before_;
  int64_t max_id_before_ = 0;
};

TEST_F(BusyRepositoryTest, FullScanWhileRunsAreCreatedReturnsEachRunOnce) {
  serve_busy(5, 0);
  auto db = connect();
  Rows rows = db->query("SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'busy'");
  expect_exact(rows, [](const WorkflowRun&) { return true; });
}

TEST_F(BusyRepositoryTest, FullScanWhileRunsAreDeletedMissesNoneThatRemain) {
  serve_busy(0, 7);
  auto db = connect();
  Rows rows = db->query("SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'busy'");
  expect_exact(rows, [](const WorkflowRun&) { return true; });
}

TEST_F(BusyRepositoryTest, FullScanWhileRunsComeAndGoIsExact) {
  serve_busy(4, 4);
  auto db = connect();
  Rows rows = db->query("SELECT id, created_at FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'busy'");
  expect_exact(rows, [](const WorkflowRun&) { return true; });
  // As many runs came as went, so total_count did not move: the repeated runs told.
  bool keyed = false;
  for (const auto& r : listing_requests(api_requests(), "busy")) keyed |= r.param("created").rfind("<=", 0) == 0;
  EXPECT_TRUE(keyed);
  // Still newest first, so ORDER BY created_at DESC needs no sort.
  for (size_t i = 1; i < rows.size(); ++i) EXPECT_GE(rows[i - 1][1], rows[i][1]) << i;
}

TEST_F(BusyRepositoryTest, FilteredScanPastTheCapWhileRunsComeAndGoIsExact) {
  serve_busy(3, 3, 200);
  auto db = connect();
  Rows rows = db->query(
      "SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'busy' AND event IN ('push', 'schedule') "
      "AND head_branch = 'main'");
  expect_exact(rows, [](const WorkflowRun& r) {
    return (r.event == "push" || r.event == "schedule") && r.head_branch == "main";
  });
}

TEST_F(BusyRepositoryTest, CountOverAJoinOfTwoListingsIsExact) {
  serve_busy(2, 2);
  auto db = connect();
  Rows rows = db->query(
      "WITH repos(owner, repo) AS (VALUES ('octo-org', 'busy')) "
      "SELECT w.id FROM repos r JOIN workflow_runs w ON w.owner = r.owner AND w.repo = r.repo "
      "WHERE w.status = 'completed'");
  expect_exact(rows, [](const WorkflowRun& r) { return r.status == "completed"; });
}

// ---------------------------------------------------------------------------------------
// Huge repositories: an unfiltered listing pages no deeper than a limit (about 40,000 runs
// on github.com; 300 here).

class HugeRepositoryTest : public ServerTest {};

TEST_F(HugeRepositoryTest, FullListingPastThePaginationLimitReturnsEveryRunOnce) {
  testserver::Options options;
  options.unfiltered_page_limit = 300;
  serve(small_dataset("octo-org", "huge", 1000), options);
  auto db = connect();
  Rows rows = db->query("SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'huge'");
  std::vector<int64_t> got, want;
  for (const auto& row : rows) got.push_back(std::stoll(row[0]));
  for (const auto& r : server_->snapshot().runs_for("octo-org", "huge")) want.push_back(r.id);
  EXPECT_EQ(got, want);
  auto gets = listing_requests(api_requests(), "huge");
  ASSERT_GE(gets.size(), 11u);
  for (size_t i = 0; i < 3; ++i) EXPECT_FALSE(gets[i].has_param("created")) << gets[i].query;
  EXPECT_EQ(gets[3].param("created").rfind("<=", 0), 0u) << gets[3].query;
  EXPECT_LE(gets.size(), 12u);
  for (const auto& r : gets) EXPECT_FALSE(r.param("page") == "4" && !r.has_param("created")) << "paged past the limit";
}

// A server that offers a page beyond its limit and then refuses it with 422: the walk goes
// on by date; any other 422 is still an error.
TEST_F(HugeRepositoryTest, RefusedDeeperPageContinuesByDate) {
  serve(small_dataset("octo-org", "huge", 650));
  server_->inject(Fault::status(422,
                                "{\"message\":\"In order to keep the API fast for everyone, pagination is limited for "
                                "this resource.\",\"documentation_url\":\"https://docs.github.com/rest\"}"),
                  1, "page=3");
  auto db = connect();
  Rows rows = db->query("SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'huge'");
  EXPECT_EQ(column_ids(rows), ids_where(server_->snapshot(), "huge", [](const WorkflowRun&) { return true; }));

  server_->inject(Fault::status(422, "{\"message\":\"Validation Failed\"}"), 1, "page=3");
  std::string err = db->error("SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'huge'");
  EXPECT_NE(err.find("422"), std::string::npos) << err;
}

// ---------------------------------------------------------------------------------------
// Link headers that loop: an error that says so, after a bounded number of requests.

class LinkLoopTest : public ServerTest {
 protected:
  std::string loop_error(testserver::LinkLoop mode, size_t& requests) {
    testserver::Options options;
    options.link_loop = mode;
    serve(small_dataset("octo-org", "loop", 450), options);
    auto db = connect();
    // One request at a time, so that the count below is exact: side by side, pages that
    // rel="last" numbers may already be in flight when the loop shows.
    db->query("SELECT stacklite_config('max_concurrency', 1)");
    std::string err = db->error("SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'loop'");
    requests = listing_requests(api_requests(), "loop").size();
    return err;
  }
};

TEST_F(LinkLoopTest, NextPointingToTheSamePageIsAnError) {
  size_t requests = 0;
  std::string err = loop_error(testserver::LinkLoop::SameUrl, requests);
  EXPECT_NE(err.find("workflow_runs: GET /repos/octo-org/loop/actions/runs: the server's Link header leads back to a "
                     "page already fetched ('/repos/octo-org/loop/actions/runs?per_page=100')"),
            std::string::npos)
      << err;
  EXPECT_EQ(requests, 1u);
}

TEST_F(LinkLoopTest, NextPointingToAnEarlierPageIsAnError) {
  size_t requests = 0;
  std::string err = loop_error(testserver::LinkLoop::EarlierPage, requests);
  EXPECT_NE(err.find("leads back to a page already fetched ('/repos/octo-org/loop/actions/runs?per_page=100&page=2')"),
            std::string::npos)
      << err;
  EXPECT_EQ(requests, 3u);
}

}  // namespace
}  // namespace stacklite::testing
