// The artifacts table against the loopback server's artifacts: every column, the name,
// run and id pushdowns and pagination (requests asserted), DELETE over any row set with its
// failures, and delete_artifact(), also over the very listing it deletes from.
#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "harness.hpp"

namespace stacklite::testing {
namespace {

using testserver::Artifact;

constexpr const char* kWhere = "owner = 'octo-org' AND repo = 'octo-repo'";
const std::string kArtifactsPath = "/repos/octo-org/octo-repo/actions/artifacts";
const std::string kNow = "2025-01-04T00:00:00Z";  // some retention periods are over, some not

class ArtifactsTest : public ServerTest {
 protected:
  // 400 runs (from 2025-01-01, a minute apart) and the artifacts their completed runs
  // uploaded: more than two pages of 100.
  void SetUp() override {
    Dataset data = small_dataset("octo-org", "octo-repo", 400);
    testserver::add_run_artifacts(data, kNow);
    serve(std::move(data));
    db_ = connect();
    db_->query("SELECT stacklite_config('write_interval_ms', 0)");
    ASSERT_GT(artifacts().size(), 200u);
  }
  std::vector<Artifact> artifacts() const { return server_->snapshot().artifacts_for("octo-org", "octo-repo"); }
  std::vector<Artifact> artifacts_where(const std::function<bool(const Artifact&)>& keep) const {
    std::vector<Artifact> out;
    for (const auto& a : artifacts())
      if (keep(a)) out.push_back(a);
    return out;
  }
  static std::set<int64_t> ids_of(const std::vector<Artifact>& list) {
    std::set<int64_t> out;
    for (const auto& a : list) out.insert(a.id);
    return out;
  }
  // The first column of each row; fails the test on a repeated id.
  static std::set<int64_t> column_ids(const Rows& rows) {
    std::set<int64_t> out;
    for (const auto& row : rows) EXPECT_TRUE(out.insert(std::stoll(row[0])).second) << "returned twice: " << row[0];
    return out;
  }
  std::set<int64_t> remaining() const { return ids_of(artifacts()); }
  // The artifact ids the server received a DELETE for, each as often as it was sent.
  std::multiset<int64_t> deleted() const {
    std::multiset<int64_t> out;
    for (const auto& r : api_requests()) {
      if (r.method != "DELETE") continue;
      EXPECT_EQ(r.path.rfind(kArtifactsPath + "/", 0), 0u) << r.path;
      out.insert(std::stoll(r.path.substr(kArtifactsPath.size() + 1)));
    }
    return out;
  }
  std::vector<RecordedRequest> reads() const {
    std::vector<RecordedRequest> out;
    for (const auto& r : api_requests())
      if (r.method == "GET") out.push_back(r);
    return out;
  }
  // Deletes with `condition` added to owner and repo: exactly `doomed` go, one DELETE each,
  // counted by changes().
  void expect_deletes(const std::string& condition, const std::set<int64_t>& doomed) {
    ASSERT_FALSE(doomed.empty()) << condition;
    server_->clear_requests();
    std::set<int64_t> before = remaining();
    db_->query(std::string("DELETE FROM artifacts WHERE ") + kWhere + " AND " + condition);
    EXPECT_EQ(db_->integer("SELECT changes()"), static_cast<int64_t>(doomed.size())) << condition;
    std::multiset<int64_t> sent = deleted();
    EXPECT_EQ(std::set<int64_t>(sent.begin(), sent.end()), doomed) << condition;
    EXPECT_EQ(sent.size(), doomed.size()) << condition;
    std::set<int64_t> after = before;
    for (int64_t id : doomed) after.erase(id);
    EXPECT_EQ(remaining(), after) << condition;
  }
  std::unique_ptr<Db> db_;
};

std::string expected_row(const Artifact& a, const std::string& base) {
  const std::string url = base + kArtifactsPath + "/" + std::to_string(a.id);
  std::string row;
  for (const std::string& v :
       {std::to_string(a.id), a.name, std::to_string(a.size_in_bytes), url, url + "/zip",
        std::string(a.expired ? "1" : "0"), a.created_at, a.updated_at, a.expires_at,
        a.digest.empty() ? std::string("NULL") : a.digest, std::to_string(a.run_id), a.head_branch, a.head_sha,
        std::to_string(a.repository_id), std::to_string(a.head_repository_id), std::to_string(a.run_id)})
    row += v + "|";
  return row;
}

std::vector<std::string> joined(const Rows& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) {
    std::string line;
    for (const auto& v : r) line += v + "|";
    out.push_back(line);
  }
  return out;
}

constexpr const char* kColumns =
    "id, name, size_in_bytes, url, archive_download_url, expired, created_at, updated_at, expires_at, digest, "
    "workflow_run_id, head_branch, head_sha, repository_id, head_repository_id, "
    "json_extract(workflow_run, '$.id')";

TEST_F(ArtifactsTest, EveryArtifactOfTheRepositoryNewestFirstOverThreePages) {
  Rows rows = db_->query(std::string("SELECT ") + kColumns + " FROM artifacts WHERE " + kWhere);
  std::vector<std::string> want;
  for (const auto& a : artifacts()) want.push_back(expected_row(a, server_->base_url()));
  EXPECT_EQ(joined(rows), want);
  // Three pages of 100, whichever reached the server first.
  std::multiset<std::string> queries;
  for (const auto& r : reads()) {
    EXPECT_EQ(r.path, kArtifactsPath);
    queries.insert(r.query);
  }
  EXPECT_EQ(queries, (std::multiset<std::string>{"per_page=100", "per_page=100&page=2", "per_page=100&page=3"}));
  // node_id and the rest of workflow_run come as the API sends them.
  EXPECT_EQ(db_->query(std::string("SELECT count(*) FROM artifacts WHERE ") + kWhere +
                       " AND node_id LIKE 'MDg6QXJ0aWZhY3Q%' AND json_type(workflow_run) = 'object'")[0][0],
            std::to_string(artifacts().size()));
}

TEST_F(ArtifactsTest, NameIsSentToTheApiAndEachNameOfAnInListIsOneListing) {
  Rows rows = db_->query(std::string("SELECT ") + kColumns + " FROM artifacts WHERE " + kWhere +
                         " AND name = 'coverage-report'");
  std::vector<std::string> want;
  for (const auto& a : artifacts_where([](const Artifact& a) { return a.name == "coverage-report"; }))
    want.push_back(expected_row(a, server_->base_url()));
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(joined(rows), want);
  ASSERT_EQ(reads().size(), 1u);
  EXPECT_EQ(reads()[0].path, kArtifactsPath);
  EXPECT_EQ(reads()[0].param("name"), "coverage-report");

  server_->clear_requests();
  rows = db_->query(std::string("SELECT id FROM artifacts WHERE ") + kWhere +
                    " AND name IN ('dist', 'no-such-artifact', 'coverage-report')");
  EXPECT_EQ(column_ids(rows),
            ids_of(artifacts_where([](const Artifact& a) { return a.name == "dist" || a.name == "coverage-report"; })));
  std::multiset<std::string> names;
  for (const auto& r : reads())
    if (!r.has_param("page")) names.insert(r.param("name"));
  EXPECT_EQ(names, (std::multiset<std::string>{"dist", "no-such-artifact", "coverage-report"}));
}

TEST_F(ArtifactsTest, RunIdListsThatRunsArtifacts) {
  const Artifact some = artifacts()[17];
  auto of_run = [&](const Artifact& a) { return a.run_id == some.run_id; };
  for (const char* column : {"workflow_run_id", "run_id"}) {
    server_->clear_requests();
    Rows rows = db_->query(std::string("SELECT ") + kColumns + " FROM artifacts WHERE " + kWhere + " AND " + column +
                           " = " + std::to_string(some.run_id));
    std::vector<std::string> want;
    for (const auto& a : artifacts_where(of_run)) want.push_back(expected_row(a, server_->base_url()));
    EXPECT_EQ(joined(rows), want) << column;
    ASSERT_EQ(reads().size(), 1u) << column;
    EXPECT_EQ(reads()[0].path, "/repos/octo-org/octo-repo/actions/runs/" + std::to_string(some.run_id) + "/artifacts");
    EXPECT_EQ(reads()[0].query, "per_page=100");
  }
  // With a name as well, both go to the run's listing.
  server_->clear_requests();
  Rows rows = db_->query(std::string("SELECT id FROM artifacts WHERE ") + kWhere + " AND workflow_run_id = " +
                         std::to_string(some.run_id) + " AND name = " + sql_quote(some.name));
  EXPECT_EQ(column_ids(rows), std::set<int64_t>{some.id});
  ASSERT_EQ(reads().size(), 1u);
  EXPECT_EQ(reads()[0].param("name"), some.name);
  // The artifacts of the failed runs, by a join from the runs.
  server_->clear_requests();
  rows = db_->query(
      "SELECT a.id FROM workflow_runs r JOIN artifacts a ON a.owner = r.owner AND a.repo = r.repo "
      "AND a.workflow_run_id = r.id WHERE r.owner = 'octo-org' AND r.repo = 'octo-repo' AND r.conclusion = 'failure' "
      "AND r.created_at < '2025-01-01T01:00:00Z'");
  std::set<int64_t> failed_runs;
  for (const auto& r : server_->snapshot().runs_for("octo-org", "octo-repo"))
    if (r.conclusion == "failure" && r.created_at < "2025-01-01T01:00:00Z") failed_runs.insert(r.id);
  EXPECT_EQ(column_ids(rows), ids_of(artifacts_where([&](const Artifact& a) { return failed_runs.count(a.run_id); })));
  // SQLite picks the cheaper side: one listing per failed run, or the repository's three
  // pages once; never one per run and row.
  size_t artifact_reads = 0;
  for (const auto& r : reads()) artifact_reads += r.path.find("/artifacts") != std::string::npos;
  EXPECT_LE(artifact_reads, failed_runs.size());
}

TEST_F(ArtifactsTest, IdIsOneGetAndAnUnknownIdNoRow) {
  const Artifact a = artifacts()[3], b = artifacts()[150];
  Rows rows = db_->query(std::string("SELECT ") + kColumns + " FROM artifacts WHERE " + kWhere +
                         " AND id = " + std::to_string(a.id));
  EXPECT_EQ(joined(rows), std::vector<std::string>{expected_row(a, server_->base_url())});
  ASSERT_EQ(reads().size(), 1u);
  EXPECT_EQ(reads()[0].path, kArtifactsPath + "/" + std::to_string(a.id));
  server_->clear_requests();
  rows = db_->query(std::string("SELECT id FROM artifacts WHERE ") + kWhere + " AND id IN (" + std::to_string(a.id) +
                    ", 12345, " + std::to_string(b.id) + ")");
  EXPECT_EQ(column_ids(rows), (std::set<int64_t>{a.id, b.id}));
  std::set<std::string> paths;
  for (const auto& r : reads()) paths.insert(r.path);
  EXPECT_EQ(paths, (std::set<std::string>{kArtifactsPath + "/" + std::to_string(a.id), kArtifactsPath + "/12345",
                                          kArtifactsPath + "/" + std::to_string(b.id)}));
}

TEST_F(ArtifactsTest, OwnerAndRepoAreRequiredBeforeAnyRequest) {
  EXPECT_NE(db_->error("SELECT id FROM artifacts WHERE name = 'dist'").find("owner and repo are required"),
            std::string::npos);
  EXPECT_NE(db_->error("DELETE FROM artifacts WHERE id = 8000001").find("owner and repo are required"),
            std::string::npos);
  EXPECT_NE(db_->error("DELETE FROM artifacts").find("owner and repo are required"), std::string::npos);
  EXPECT_TRUE(api_requests().empty());
  EXPECT_GT(remaining().size(), 200u);
}

// ---------------------------------------------------------------------------------------
// DELETE FROM artifacts

TEST_F(ArtifactsTest, DeleteByIdListOrAndRowid) {
  auto all = artifacts();
  expect_deletes("id IN (" + std::to_string(all[2].id) + ", " + std::to_string(all[40].id) + ", " +
                     std::to_string(all[199].id) + ")",
                 {all[2].id, all[40].id, all[199].id});
  // Read by id, not listed.
  for (const auto& r : reads()) EXPECT_NE(r.path, kArtifactsPath);
  expect_deletes("(id = " + std::to_string(all[5].id) + " OR id = " + std::to_string(all[6].id) + ")",
                 {all[5].id, all[6].id});
  expect_deletes("rowid = " + std::to_string(all[7].id), {all[7].id});
  // An OR over different columns lists the repository and SQLite picks the rows.
  expect_deletes(
      "(id = " + std::to_string(all[8].id) + " OR size_in_bytes = " + std::to_string(all[9].size_in_bytes) + ")",
      ids_of(artifacts_where(
          [&](const Artifact& a) { return a.id == all[8].id || a.size_in_bytes == all[9].size_in_bytes; })));
}

TEST_F(ArtifactsTest, DeleteByFilterAndBySubqueryDeletesEveryMatchingArtifact) {
  expect_deletes(
      "name = 'test-results' AND size_in_bytes > 1000000",
      ids_of(artifacts_where([](const Artifact& a) { return a.name == "test-results" && a.size_in_bytes > 1000000; })));
  for (const auto& r : reads()) EXPECT_EQ(r.param("name"), "test-results");
  expect_deletes("id IN (SELECT id FROM artifacts WHERE owner = 'octo-org' AND repo = 'octo-repo' AND expired)",
                 ids_of(artifacts_where([](const Artifact& a) { return a.expired; })));
  const Artifact some = artifacts()[30];
  expect_deletes("workflow_run_id = " + std::to_string(some.run_id),
                 ids_of(artifacts_where([&](const Artifact& a) { return a.run_id == some.run_id; })));
}

TEST_F(ArtifactsTest, DryRunCountsEveryArtifactAndSendsNoDelete) {
  db_->query("SELECT stacklite_config('dry_run', 1)");
  size_t before = remaining().size();
  db_->query(std::string("DELETE FROM artifacts WHERE ") + kWhere + " AND expired");
  EXPECT_EQ(db_->integer("SELECT changes()"),
            static_cast<int64_t>(artifacts_where([](const Artifact& a) { return a.expired; }).size()));
  const Artifact a = artifacts()[0];
  Rows rows = db_->query("SELECT delete_artifact('octo-org', 'octo-repo', " + std::to_string(a.id) + ")");
  EXPECT_EQ(rows[0][0], "{\"ok\":true,\"dry_run\":true,\"method\":\"DELETE\",\"url\":\"" + server_->base_url() +
                            kArtifactsPath + "/" + std::to_string(a.id) + "\",\"body\":null}");
  EXPECT_TRUE(deleted().empty());
  EXPECT_EQ(remaining().size(), before);
}

TEST_F(ArtifactsTest, DeleteCountsAGoneArtifactAndStopsAtAnyOtherFailureNamingIt) {
  auto all = artifacts();
  // all[1] disappears between the read and its DELETE: already gone is what DELETE wanted.
  const std::string gone = std::to_string(all[1].id), failing = std::to_string(all[3].id);
  server_->inject(Fault::status(404, "{\"message\":\"Not Found\"}").for_method("DELETE"), 1, "/artifacts/" + gone);
  db_->query(std::string("DELETE FROM artifacts WHERE ") + kWhere + " AND id IN (" + std::to_string(all[0].id) + ", " +
             gone + ")");
  EXPECT_EQ(db_->integer("SELECT changes()"), 2);
  // A 500 stops the statement at that artifact; the ones before (the list is deleted in id
  // order) stay deleted, and nothing is sent twice.
  server_->clear_requests();
  server_->inject(Fault::status(500, "{\"message\":\"Server Error\"}").for_method("DELETE"), 1,
                  "/artifacts/" + failing);
  ASSERT_LT(all[4].id, all[3].id);
  ASSERT_LT(all[3].id, all[2].id);
  std::string err = db_->error(std::string("DELETE FROM artifacts WHERE ") + kWhere + " AND id IN (" +
                               std::to_string(all[2].id) + ", " + failing + ", " + std::to_string(all[4].id) + ")");
  EXPECT_EQ(err, "artifacts: DELETE " + kArtifactsPath + "/" + failing +
                     ": 500 Internal Server Error: Server Error (rows deleted before this one stay deleted: remote "
                     "deletes cannot be rolled back)");
  EXPECT_EQ(deleted(), (std::multiset<int64_t>{all[4].id, all[3].id}));
  std::set<int64_t> left = remaining();
  EXPECT_EQ(left.count(all[4].id), 0u);
  EXPECT_EQ(left.count(all[3].id), 1u);
  EXPECT_EQ(left.count(all[2].id), 1u);
}

// ---------------------------------------------------------------------------------------
// delete_artifact()

TEST_F(ArtifactsTest, DeleteArtifactOverItsOwnListingReachesEveryArtifactOnce) {
  std::set<int64_t> all = remaining();
  Rows rows = db_->query(std::string("SELECT id, delete_artifact(owner, repo, id) FROM artifacts WHERE ") + kWhere);
  EXPECT_EQ(column_ids(rows), all);
  for (const auto& row : rows) EXPECT_EQ(row[1], "{\"ok\":true,\"status\":204}") << row[0];
  EXPECT_TRUE(remaining().empty());
  std::multiset<int64_t> sent = deleted();
  EXPECT_EQ(sent.size(), all.size());
  // Each page is asked for again after its deletes (they pulled the later artifacts up), and
  // the listing ends with an empty first page.
  EXPECT_LE(reads().size(), all.size() / 100 + 2);
}

TEST_F(ArtifactsTest, DeleteArtifactOfSomeRowsOverTheListingReachesEachMatchingOnce) {
  // SQLite picks the rows itself: the listing shifts by a few rows per page.
  std::set<int64_t> expired = ids_of(artifacts_where([](const Artifact& a) { return a.expired; }));
  std::set<int64_t> kept = ids_of(artifacts_where([](const Artifact& a) { return !a.expired; }));
  ASSERT_GT(expired.size(), 20u);
  ASSERT_GT(kept.size(), 20u);
  Rows rows = db_->query(std::string("SELECT id, delete_artifact(owner, repo, id) FROM artifacts WHERE ") + kWhere +
                         " AND expired = 1");
  EXPECT_EQ(column_ids(rows), expired);
  EXPECT_EQ(remaining(), kept);
  EXPECT_EQ(deleted().size(), expired.size());
  // One page at a time too.
  server_->with_dataset([](Dataset& d) { testserver::add_run_artifacts(d, kNow); });
  server_->clear_requests();
  db_->query("SELECT stacklite_config('max_concurrency', 1)");
  std::set<int64_t> big =
      ids_of(artifacts_where([](const Artifact& a) { return a.size_in_bytes > 1000000 && a.name != "dist"; }));
  rows = db_->query(std::string("SELECT id, delete_artifact(owner, repo, id) FROM artifacts WHERE ") + kWhere +
                    " AND size_in_bytes > 1000000 AND name <> 'dist'");
  EXPECT_EQ(column_ids(rows), big);
  EXPECT_EQ(deleted().size(), big.size());
  for (int64_t id : big) EXPECT_EQ(server_->snapshot().find_artifact("octo-org", "octo-repo", id), nullptr) << id;
}

TEST_F(ArtifactsTest, DeleteArtifactResultsAndArgumentErrors) {
  const std::string id = std::to_string(artifacts()[0].id);
  EXPECT_EQ(db_->query("SELECT delete_artifact('octo-org', 'octo-repo', " + id + ")")[0][0],
            "{\"ok\":true,\"status\":204}");
  // Gone already: the API's 404 as a value, so bulk statements finish.
  EXPECT_EQ(db_->query("SELECT json_extract(delete_artifact('octo-org', 'octo-repo', " + id + "), '$.status')")[0][0],
            "404");
  server_->clear_requests();
  struct Case {
    std::string sql, message;
  };
  std::vector<Case> cases = {
      {"delete_artifact('octo-org', 'octo-repo')",
       "delete_artifact(owner, repo, artifact_id): takes 3 arguments, got 2"},
      {"delete_artifact('o', 'r', 'abc')", "artifact_id must be an integer, got 'abc'"},
      {"delete_artifact('o', 'r', NULL)", "artifact_id must be an integer, got NULL"},
      {"delete_artifact(1, 'r', 5)", "owner must be text, got 1"},
  };
  for (const auto& c : cases) {
    std::string err = db_->error("SELECT " + c.sql);
    EXPECT_NE(err.find(c.message), std::string::npos) << c.sql << "\n  got: " << err;
  }
  EXPECT_TRUE(api_requests().empty());
}

TEST_F(ArtifactsTest, DeletesAreNotBlindlyRetriedAndArePaced) {
  db_->query("SELECT stacklite_config('retry_backoff_ms', 1)");
  const std::string id = std::to_string(artifacts()[0].id);
  server_->inject(Fault::status(502, "{\"message\":\"Bad Gateway\"}").for_method("DELETE"), 1, "/artifacts/" + id);
  EXPECT_EQ(db_->query("SELECT delete_artifact('octo-org', 'octo-repo', " + id + ")")[0][0],
            "{\"ok\":false,\"status\":502,\"message\":\"Bad Gateway\"}");
  EXPECT_EQ(deleted().size(), 1u);
  server_->clear_requests();
  server_->inject(Fault::status(502, "{\"message\":\"Bad Gateway\"}").for_method("DELETE"), 1, "/artifacts/" + id);
  EXPECT_NE(db_->error(std::string("DELETE FROM artifacts WHERE ") + kWhere + " AND id = " + id)
                .find("artifacts: DELETE " + kArtifactsPath + "/" + id + ": 502"),
            std::string::npos);
  EXPECT_EQ(deleted().size(), 1u);
  // write_interval_ms apart, in DELETE statements as in the function.
  server_->clear_requests();
  db_->query("SELECT stacklite_config('write_interval_ms', 300)");
  auto all = artifacts();
  auto start = std::chrono::steady_clock::now();
  db_->query(std::string("DELETE FROM artifacts WHERE ") + kWhere + " AND id IN (" + std::to_string(all[1].id) + ", " +
             std::to_string(all[2].id) + ", " + std::to_string(all[3].id) + ")");
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(600));
  EXPECT_EQ(deleted().size(), 3u);
}

}  // namespace
}  // namespace stacklite::testing
