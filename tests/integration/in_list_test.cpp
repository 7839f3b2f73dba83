// IN lists fan out into one request per combination of their values, made one at a time:
// the requests are exactly those combinations, in order, a LIMIT stops them early, and a
// bad value anywhere in a list is an error before any request.
#include <algorithm>
#include <set>

#include "harness.hpp"

namespace stacklite::testing {
namespace {

class InListTest : public ServerTest {
 protected:
  void SetUp() override {
    Dataset data = small_dataset("octo-org", "octo-repo", 40);
    Dataset second = small_dataset("octo-org", "second", 10);
    data.add_repository(second.repositories()[0]);
    for (const WorkflowRun& r : second.runs_for("octo-org", "second")) {
      WorkflowRun copy = r;
      copy.id += 100000;
      data.add_run(copy);
    }
    serve(std::move(data));
    db_ = connect();
  }
  std::vector<std::string> paths() const {
    std::vector<std::string> out;
    for (const auto& r : api_requests()) out.push_back(r.path);
    return out;
  }
  std::unique_ptr<Db> db_;
};

const std::string kRuns = "/repos/octo-org/octo-repo/actions/runs/";

TEST_F(InListTest, AnIdListReadsEachIdOnceInOrder) {
  // One request at a time: they then reach the server in the list's order too.
  db_->query("SELECT stacklite_config('max_concurrency', 1)");
  Rows rows = db_->query(
      "SELECT id, head_branch FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' "
      "AND id IN (5031, 5004, 9999, 5017)");
  Rows want;
  Dataset data = server_->snapshot();
  for (int64_t id : {5004, 5017, 5031}) {
    const WorkflowRun* r = data.find_run("octo-org", "octo-repo", id);
    ASSERT_NE(r, nullptr);
    want.push_back({std::to_string(id), r->head_branch});
  }
  EXPECT_EQ(rows, want);
  // SQLite hands the list over sorted; 9999 is read (and is no row) like the others.
  EXPECT_EQ(paths(), (std::vector<std::string>{kRuns + "5004", kRuns + "5017", kRuns + "5031", kRuns + "9999"}));
  // Side by side, the same rows in the same order, each id read once.
  db_->query("SELECT stacklite_config('max_concurrency', 4)");
  server_->clear_requests();
  EXPECT_EQ(db_->query("SELECT id, head_branch FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' "
                       "AND id IN (5031, 5004, 9999, 5017)"),
            want);
  auto sent = paths();
  std::sort(sent.begin(), sent.end());
  EXPECT_EQ(sent, (std::vector<std::string>{kRuns + "5004", kRuns + "5017", kRuns + "5031", kRuns + "9999"}));
}

TEST_F(InListTest, LimitStopsTheFanOutEarly) {
  EXPECT_EQ(db_->query("SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' "
                       "AND id IN (5001, 5002, 5003, 5004, 5005) LIMIT 2"),
            (Rows{{"5001"}, {"5002"}}));
  EXPECT_EQ(paths(), (std::vector<std::string>{kRuns + "5001", kRuns + "5002"}));

  // 20,000 ids, the first of them a run: one request.
  server_->clear_requests();
  std::string list = "5001";
  for (int i = 1; i < 20000; ++i) list += ", " + std::to_string(10000000 + i);
  EXPECT_EQ(db_->query("SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND id IN (" +
                       list + ") LIMIT 1"),
            (Rows{{"5001"}}));
  EXPECT_EQ(paths(), (std::vector<std::string>{kRuns + "5001"}));
}

TEST_F(InListTest, OwnerAndRepoListsAskForEachPairUntilTheLimit) {
  // Every pair, owner list fastest; a pair that does not exist is the API's 404 error.
  std::string err = db_->error(
      "SELECT count(*) FROM workflow_runs WHERE owner IN ('octo-org', 'zz-nobody') AND repo IN ('octo-repo', "
      "'second')");
  EXPECT_NE(err.find("GET /repos/zz-nobody/octo-repo/actions/runs: 404"), std::string::npos) << err;
  EXPECT_EQ(paths(), (std::vector<std::string>{"/repos/octo-org/octo-repo/actions/runs",
                                               "/repos/zz-nobody/octo-repo/actions/runs"}));

  server_->clear_requests();
  EXPECT_EQ(
      db_->query(
          "SELECT repo, count(*) FROM workflow_runs WHERE owner IN ('octo-org') AND repo IN ('second', 'octo-repo') "
          "GROUP BY repo ORDER BY repo"),
      (Rows{{"octo-repo", "40"}, {"second", "10"}}));
  EXPECT_EQ(paths(), (std::vector<std::string>{"/repos/octo-org/octo-repo/actions/runs",
                                               "/repos/octo-org/second/actions/runs"}));

  // 200 x 200 pairs, the first real: LIMIT 3 needs only its listing.
  server_->clear_requests();
  std::string owners = "'octo-org'", repos = "'octo-repo'";
  for (int i = 1; i < 200; ++i) {
    owners += ", 'zz-owner-" + std::to_string(i) + "'";
    repos += ", 'zz-repo-" + std::to_string(i) + "'";
  }
  EXPECT_EQ(
      db_->query("SELECT id FROM workflow_runs WHERE owner IN (" + owners + ") AND repo IN (" + repos + ") LIMIT 3")
          .size(),
      3u);
  EXPECT_EQ(paths(), (std::vector<std::string>{"/repos/octo-org/octo-repo/actions/runs"}));
}

TEST_F(InListTest, ABadValueLateInAListIsAnErrorBeforeAnyRequest) {
  std::string err =
      db_->error("SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo IN ('octo-repo', 'second', '..')");
  EXPECT_NE(err.find("repo must not be '..'"), std::string::npos) << err;
  EXPECT_TRUE(api_requests().empty());
}

}  // namespace
}  // namespace stacklite::testing
