// DELETE over any row set SELECT can describe: id lists, OR, subqueries, joins, run_id,
// rowid and filters SQLite evaluates itself, each checked against the requests it sent and
// against the runs the server still holds; changes() counts the runs, dry run included.
#include <algorithm>
#include <cstdio>
#include <fstream>
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
  // An OR over different columns lists the repository and SQLite picks the runs.
  server_->clear_requests();
  expect_deletes("(id = 5005 OR run_id = 5022 OR display_title = 'Change number 40')", {5005, 5022, 5040},
                 /*read_by_id=*/false);
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
  EXPECT_EQ(
      err,
      "workflow_runs: DELETE /repos/octo-org/octo-repo/actions/runs/5006: 500 Internal Server Error: Server Error "
      "(rows deleted before this one stay deleted: remote deletes cannot be rolled back)");
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

namespace stacklite::testing {
namespace {

// UPDATE and INSERT have no API method: refused before any request is sent.
class RefusedWriteTest : public RepositoryTest<250> {};

TEST_F(RefusedWriteTest, UpdateIsRefusedWhilePlannedBeforeAnyRequest) {
  const std::string refusal =
      "workflow_runs: only SELECT and DELETE are supported: INSERT and UPDATE have no API method behind them";
  for (const std::string& sql : {
           std::string("UPDATE workflow_runs SET name = 'x' WHERE owner = 'octo-org' AND repo = 'octo-repo'"),
           std::string(
               "UPDATE workflow_runs SET name = 'x' WHERE owner = 'octo-org' AND repo = 'octo-repo' AND id = 5001"),
           std::string("UPDATE workflow_runs SET display_title = upper(display_title) WHERE owner = 'octo-org' AND "
                       "repo = 'octo-repo' AND id IN (SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND "
                       "repo = 'octo-repo' AND head_branch = 'main')"),
           std::string("UPDATE workflow_runs SET name = 'x'"),
       }) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_NE(sqlite3_prepare_v2(db_->handle(), sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
    sqlite3_finalize(stmt);
    EXPECT_EQ(db_->error(sql), refusal) << sql;
  }
  EXPECT_TRUE(api_requests().empty());
  EXPECT_EQ(server_->snapshot().runs_for("octo-org", "octo-repo").size(), 250u);
  // Reading every column is still a SELECT.
  EXPECT_EQ(db_->query("SELECT * FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo'").size(), 250u);
}

TEST_F(RefusedWriteTest, InsertIsRefusedBeforeAnyRequestAlsoWhenItSelectsFromTheApi) {
  const std::string where = " WHERE owner = 'octo-org' AND repo = 'octo-repo'";
  for (const std::string& sql : {
           std::string("INSERT INTO workflow_runs(id) VALUES (1)"),
           "INSERT INTO workflow_runs(id) SELECT id FROM workflow_runs" + where,
           "WITH recent(i) AS (SELECT id FROM workflow_runs" + where +
               " LIMIT 5) INSERT INTO workflow_runs(id) SELECT i FROM recent",
           "/* copy ( */ -- of them\n  replace INTO workflow_runs(id) SELECT id FROM workflow_runs" + where,
           std::string(
               "INSERT OR IGNORE INTO workflow_runs(id) SELECT id FROM workflow_jobs WHERE owner = 'octo-org' AND "
               "repo = 'octo-repo' AND run_id = 5001"),
       }) {
    EXPECT_EQ(db_->error(sql),
              "workflow_runs: only SELECT and DELETE are supported: INSERT and UPDATE have no API method behind them")
        << sql;
  }
  EXPECT_TRUE(api_requests().empty());
}

TEST_F(RefusedWriteTest, ADeleteWhoseCommonTableIsNamedLikeAVerbStillDeletes) {
  db_->query("SELECT stacklite_config('write_interval_ms', 0)");
  db_->query(
      "WITH replace AS (SELECT 5003 AS run) DELETE FROM workflow_runs WHERE owner = 'octo-org' AND "
      "repo = 'octo-repo' AND id IN (SELECT run FROM replace)");
  EXPECT_EQ(db_->integer("SELECT changes()"), 1);
  EXPECT_EQ(server_->snapshot().find_run("octo-org", "octo-repo", 5003), nullptr);
}

// A table of the most columns a spec may have (63) leaves only colUsed's last bit to tell an
// UPDATE from a SELECT of every column.
TEST_F(RefusedWriteTest, UpdateOfTheWidestUserTableIsRefusedBeforeAnyRequest) {
  std::string path = ::testing::TempDir() + "wide_spec.json";
  {
    std::ofstream out(path);
    out << R"({"provider":"wide","resources":[{"name":"workflows","columns":[)"
        << R"({"name":"id","type":"INTEGER","json":"id"},{"name":"name","type":"TEXT","json":"name"},)";
    for (int i = 0; i < 59; ++i)
      out << R"({"name":"extra_)" << i << R"(","type":"TEXT","json":"extra_)" << i << R"("},)";
    out << R"({"name":"owner","type":"TEXT","hidden":true,"input":true},{"name":"repo","type":"TEXT","hidden":true,"input":true}],)"
        << R"("read_methods":[{"name":"list","path":"/repos/{owner}/{repo}/actions/runs","path_params":{"owner":"owner","repo":"repo"},)"
        << R"("response":{"kind":"list","items":"workflow_runs","total":"total_count"},)"
        << R"("pagination":{"kind":"link","per_page_param":"per_page","max_per_page":100}}]}]})";
  }
  db_->query("CREATE VIRTUAL TABLE wide USING stacklite(spec='" + path + "', base_url='" + server_->base_url() + "')");
  EXPECT_EQ(db_->integer("SELECT count(*) FROM pragma_table_xinfo('wide')"), 63);
  EXPECT_EQ(db_->integer("SELECT count(*) FROM (SELECT * FROM wide WHERE owner = 'octo-org' AND repo = 'octo-repo')"),
            250);
  server_->clear_requests();
  EXPECT_EQ(db_->error("UPDATE wide SET name = 'x' WHERE owner = 'octo-org' AND repo = 'octo-repo'"),
            "wide: only SELECT is supported: INSERT and UPDATE have no API method behind them");
  EXPECT_TRUE(api_requests().empty());
  std::remove(path.c_str());
}

}  // namespace
}  // namespace stacklite::testing
