// DELETE over any row set SELECT can describe: id lists, OR, subqueries, joins, run_id,
// rowid and filters SQLite evaluates itself, each checked against the requests it sent and
// against the runs the server still holds; changes() counts the runs, dry run included.
#include <algorithm>
#include <set>

#include "harness.hpp"

namespace stacklite::testing {
namespace {

constexpr const char* kWhere = "owner = 'octo-org' AND repo = 'octo-repo'";
const std::string kRunsPath = "/repos/octo-org/octo-repo/actions/runs";

class DeleteTest : public ServerTest {
 protected:
  void start(int runs) {
    serve(small_dataset("octo-org", "octo-repo", runs));
    db_ = connect();
    db_->query("SELECT stacklite_config('write_interval_ms', 0)");
  }
  // The ids the server received a DELETE for, in the order sent.
  std::vector<int64_t> deleted() const {
    std::vector<int64_t> out;
    for (const auto& r : api_requests()) {
      if (r.method != "DELETE") continue;
      EXPECT_EQ(r.path.rfind(kRunsPath + "/", 0), 0u) << r.path;
      out.push_back(std::stoll(r.path.substr(kRunsPath.size() + 1)));
    }
    return out;
  }
  std::vector<std::string> reads() const {
    std::vector<std::string> out;
    for (const auto& r : api_requests())
      if (r.method == "GET") out.push_back(r.path + (r.query.empty() ? "" : "?" + r.query));
    return out;
  }
  std::set<int64_t> remaining() const {
    std::set<int64_t> out;
    for (const auto& r : server_->snapshot().runs_for("octo-org", "octo-repo")) out.insert(r.id);
    return out;
  }
  // Deletes with `condition` added to owner and repo; checks that exactly `doomed` went, one
  // DELETE each, counted by changes(), and that the runs were read by id, not listed.
  void expect_deletes(const std::string& condition, std::vector<int64_t> doomed, bool read_by_id = true) {
    std::set<int64_t> before = remaining();
    db_->query(std::string("DELETE FROM workflow_runs WHERE ") + kWhere + " AND " + condition);
    EXPECT_EQ(db_->integer("SELECT changes()"), static_cast<int64_t>(doomed.size())) << condition;
    std::vector<int64_t> sent = deleted();
    std::sort(sent.begin(), sent.end());
    std::sort(doomed.begin(), doomed.end());
    EXPECT_EQ(sent, doomed) << condition;
    std::set<int64_t> after = before;
    for (int64_t id : doomed) after.erase(id);
    EXPECT_EQ(remaining(), after) << condition;
    if (read_by_id) {
      std::vector<std::string> want;
      for (int64_t id : doomed) want.push_back(kRunsPath + "/" + std::to_string(id));
      std::vector<std::string> got = reads();
      std::sort(got.begin(), got.end());
      std::sort(want.begin(), want.end());
      EXPECT_EQ(got, want) << condition;
    }
  }
  std::unique_ptr<Db> db_;
};

TEST_F(DeleteTest, IdListDeletesEveryListedRun) {
  start(60);
  expect_deletes("id IN (5003, 5010, 5047)", {5003, 5010, 5047});
}

TEST_F(DeleteTest, OrOfIdsDeletesEachRun) {
  start(60);
  expect_deletes("(id = 5004 OR id = 5021 OR id = 5033)", {5004, 5021, 5033});
}

TEST_F(DeleteTest, IdsFromASubqueryAreEachDeleted) {
  start(60);
  expect_deletes("id IN (SELECT value FROM json_each('[5002, 5019, 5040, 5059]'))", {5002, 5019, 5040, 5059});
}

TEST_F(DeleteTest, RunIdAndRowidNameTheRunLikeId) {
  start(60);
  expect_deletes("run_id = 5007", {5007});
  server_->clear_requests();
  expect_deletes("rowid IN (5008, 5012)", {5008, 5012});
  server_->clear_requests();
  expect_deletes("id = 5013", {5013});
}

TEST_F(DeleteTest, AnIdThatIsNotThereIsNotCounted) {
  start(60);
  // 9999 answers 404 to its read: no such run, nothing to delete, not counted.
  db_->query(std::string("DELETE FROM workflow_runs WHERE ") + kWhere + " AND id IN (5005, 9999)");
  EXPECT_EQ(db_->integer("SELECT changes()"), 1);
  EXPECT_EQ(deleted(), std::vector<int64_t>{5005});
}

TEST_F(DeleteTest, RunsChosenByAJoinInASubqueryAreEachDeleted) {
  start(60);
  db_->query("CREATE TABLE flagged(run_id INTEGER)");
  db_->query("INSERT INTO flagged VALUES (5001), (5002), (5003), (5004), (5005), (5006), (5030), (5031)");
  std::vector<int64_t> doomed;
  for (const auto& r : server_->snapshot().runs_for("octo-org", "octo-repo"))
    if (r.head_branch == "main" && (r.id <= 5006 || r.id == 5030 || r.id == 5031)) doomed.push_back(r.id);
  ASSERT_GE(doomed.size(), 2u);
  std::sort(doomed.begin(), doomed.end());
  std::set<int64_t> before = remaining();
  db_->query(std::string("DELETE FROM workflow_runs WHERE ") + kWhere +
             " AND id IN (SELECT w.id FROM workflow_runs w JOIN flagged f ON f.run_id = w.id"
             " WHERE w.owner = 'octo-org' AND w.repo = 'octo-repo' AND w.head_branch = 'main')");
  EXPECT_EQ(db_->integer("SELECT changes()"), static_cast<int64_t>(doomed.size()));
  std::vector<int64_t> sent = deleted();
  std::sort(sent.begin(), sent.end());
  EXPECT_EQ(sent, doomed);
  for (int64_t id : doomed) before.erase(id);
  EXPECT_EQ(remaining(), before);
}

TEST_F(DeleteTest, FilterSqliteEvaluatesItselfSelectsTheSameRunsAsSelect) {
  start(60);
  std::vector<int64_t> doomed;
  for (const auto& r : server_->snapshot().runs_for("octo-org", "octo-repo"))
    if (r.head_commit_message.find("number 1") != std::string::npos) doomed.push_back(r.id);
  ASSERT_GT(doomed.size(), 5u);
  const std::string filter = "json_extract(head_commit, '$.message') LIKE '%number 1%'";
  EXPECT_EQ(db_->integer(std::string("SELECT count(*) FROM workflow_runs WHERE ") + kWhere + " AND " + filter),
            static_cast<int64_t>(doomed.size()));
  server_->clear_requests();
  expect_deletes(filter, doomed, /*read_by_id=*/false);
}

TEST_F(DeleteTest, AListOf250IdsDeletesAll250) {
  start(300);
  std::vector<int64_t> doomed;
  std::string list;
  for (int64_t id = 5001; id <= 5300; ++id) {
    if (id % 6 == 0) continue;
    if (doomed.size() == 250) break;
    doomed.push_back(id);
    list += (list.empty() ? "" : ", ") + std::to_string(id);
  }
  ASSERT_EQ(doomed.size(), 250u);
  expect_deletes("id IN (" + list + ")", doomed);
}

TEST_F(DeleteTest, DryRunCountsEveryRunOfTheSetAndSendsNoDelete) {
  start(60);
  db_->query("SELECT stacklite_config('dry_run', 1)");
  db_->query(std::string("DELETE FROM workflow_runs WHERE ") + kWhere + " AND id IN (5003, 5010, 5047)");
  EXPECT_EQ(db_->integer("SELECT changes()"), 3);
  db_->query(std::string("DELETE FROM workflow_runs WHERE ") + kWhere + " AND (id = 5004 OR id = 5005)");
  EXPECT_EQ(db_->integer("SELECT changes()"), 2);
  db_->query(std::string("DELETE FROM workflow_runs WHERE ") + kWhere + " AND run_id = 5006");
  EXPECT_EQ(db_->integer("SELECT changes()"), 1);
  EXPECT_TRUE(deleted().empty());
  EXPECT_EQ(remaining().size(), 60u);
}

TEST_F(DeleteTest, AFailureInTheMiddleNamesTheRunAndKeepsEarlierDeletes) {
  start(60);
  server_->inject(Fault::status(500, "{\"message\":\"Server Error\"}").for_method("DELETE"), 1, "/runs/5006");
  std::string err = db_->error(std::string("DELETE FROM workflow_runs WHERE ") + kWhere +
                               " AND id IN (5001, 5003, 5006, 5008, 5010)");
  EXPECT_EQ(err, "workflow_runs: DELETE /repos/octo-org/octo-repo/actions/runs/5006: 500 Internal Server Error: Server Error "
                 "(runs deleted before this one stay deleted: remote deletes cannot be rolled back)");
  EXPECT_EQ(deleted(), (std::vector<int64_t>{5001, 5003, 5006}));
  std::set<int64_t> left = remaining();
  EXPECT_EQ(left.count(5001), 0u);
  EXPECT_EQ(left.count(5003), 0u);
  EXPECT_EQ(left.count(5006), 1u);
  EXPECT_EQ(left.count(5008), 1u);
  EXPECT_EQ(left.count(5010), 1u);
}

}  // namespace
}  // namespace stacklite::testing
