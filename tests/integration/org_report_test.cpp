// Reports over many repositories: a repository of a fan-out that is gone (404) or
// unreadable (403) fails the statement by default and is skipped, with a line on stderr,
// under stacklite_config('on_missing', 'skip'); a rate limit or a failure past the first
// page is never taken for a missing repository.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "harness.hpp"

namespace stacklite::testing {
namespace {

using ::testing::internal::CaptureStderr;
using ::testing::internal::GetCapturedStderr;

const std::string kOwner = "octo-org";
// SQLite hands an IN list over sorted: the missing repositories sit between readable ones.
const std::vector<std::string> kReadable = {"a-one", "d-four"};
const std::string kGone = "b-gone";      // not on the server: 404
const std::string kSecret = "c-secret";  // on the server, but the token may not read it: 403

std::string runs_path(const std::string& owner, const std::string& repo) {
  return "/repos/" + owner + "/" + repo + "/actions/runs";
}

std::string forbidden_body() {
  return "{\"message\":\"Resource not accessible by integration\","
         "\"documentation_url\":\"https://docs.github.com/rest/actions/workflow-runs\"}";
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

class MissingRepositoryTest : public ServerTest {
 protected:
  void SetUp() override {
    Dataset data;
    int64_t offset = 0;
    for (const std::string& name : {kReadable[0], kSecret, kReadable[1], std::string("big")}) {
      Dataset one = small_dataset(kOwner, name, name == "big" ? 250 : 30);
      testserver::Repository repo = one.repositories()[0];
      repo.id += offset / 1000;
      data.add_repository(repo);
      for (const WorkflowRun& r : one.runs_for(kOwner, name)) {
        WorkflowRun copy = r;
        copy.id += offset;  // ids unique across repositories
        copy.repository_id = copy.head_repository_id = 0;
        data.add_run(copy);
      }
      offset += 100000;
    }
    serve(std::move(data));
    db_ = connect();
  }

  // The runs of these repositories as the server holds them, ordered for comparison.
  Rows expected(const std::vector<std::string>& repos) const {
    Dataset data = server_->snapshot();
    Rows want;
    for (const auto& repo : repos)
      for (const WorkflowRun& r : data.runs_for(kOwner, repo)) want.push_back({repo, std::to_string(r.id), r.status});
    std::sort(want.begin(), want.end());
    return want;
  }
  Rows sorted(Rows rows) const {
    std::sort(rows.begin(), rows.end());
    return rows;
  }
  std::multiset<std::string> paths() const {
    std::multiset<std::string> out;
    for (const auto& r : api_requests()) out.insert(r.path);
    return out;
  }
  void forbid_secret() { server_->inject(Fault::status(403, forbidden_body()), 1000, runs_path(kOwner, kSecret)); }

  std::unique_ptr<Db> db_;
};

const std::string kFanOut =
    "SELECT repo, id, status FROM workflow_runs WHERE owner = 'octo-org' "
    "AND repo IN ('d-four', 'c-secret', 'b-gone', 'a-one')";

TEST_F(MissingRepositoryTest, TheSettingDefaultsToErrorAndTakesOnlyItsTwoValues) {
  EXPECT_EQ(db_->query("SELECT stacklite_config('on_missing')"), (Rows{{"error"}}));
  EXPECT_EQ(db_->query("SELECT stacklite_config('on_missing', 'skip')"), (Rows{{"skip"}}));
  EXPECT_EQ(db_->query("SELECT stacklite_config('on_missing')"), (Rows{{"skip"}}));
  std::string err = db_->error("SELECT stacklite_config('on_missing', 'ignore')");
  EXPECT_NE(err.find("value must be 'error'"), std::string::npos) << err;
  EXPECT_NE(err.find("or 'skip'"), std::string::npos) << err;
  EXPECT_EQ(db_->query("SELECT stacklite_config('on_missing')"), (Rows{{"skip"}}));
  EXPECT_NE(db_->error("SELECT stacklite_config('on_misssing')").find("did you mean on_missing?"), std::string::npos);
  EXPECT_TRUE(api_requests().empty());
}

TEST_F(MissingRepositoryTest, ByDefaultAGoneRepositoryFailsTheFanOutAndSaysHowToGoOn) {
  forbid_secret();
  for (long concurrency : {1L, 4L}) {
    server_->clear_requests();
    db_->query("SELECT stacklite_config('max_concurrency', " + std::to_string(concurrency) + ")");
    std::string err = db_->error(kFanOut);
    EXPECT_EQ(err.rfind("workflow_runs: GET " + runs_path(kOwner, kGone) + ": 404 Not Found: Not Found", 0), 0u) << err;
    EXPECT_NE(err.find("SELECT stacklite_config('on_missing', 'skip')"), std::string::npos) << err;
    // Nothing is asked for past the repository that failed.
    EXPECT_EQ(paths(), (std::multiset<std::string>{runs_path(kOwner, "a-one"), runs_path(kOwner, kGone)}))
        << "max_concurrency " << concurrency;
  }
  // The unreadable one fails the same way when it comes first.
  server_->clear_requests();
  std::string err =
      db_->error("SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo IN ('c-secret', 'd-four', 'x-later')");
  EXPECT_EQ(err.rfind("workflow_runs: GET " + runs_path(kOwner, kSecret) +
                          ": 403 Forbidden: Resource not accessible by integration",
                      0),
            0u)
      << err;
  EXPECT_EQ(paths(), (std::multiset<std::string>{runs_path(kOwner, kSecret)}));
}

TEST_F(MissingRepositoryTest, SkipLeavesOutGoneAndUnreadableRepositoriesAndSaysSoOnStderr) {
  forbid_secret();
  db_->query("SELECT stacklite_config('on_missing', 'skip')");
  for (long concurrency : {1L, 4L}) {
    server_->clear_requests();
    db_->query("SELECT stacklite_config('max_concurrency', " + std::to_string(concurrency) + ")");
    CaptureStderr();
    Rows rows = db_->query(kFanOut);
    std::vector<std::string> said = lines_of(GetCapturedStderr());
    EXPECT_EQ(sorted(rows), expected(kReadable)) << "max_concurrency " << concurrency;
    EXPECT_EQ(rows.size(), 60u);
    // Each repository asked for once (30 runs: one page each).
    EXPECT_EQ(paths(), (std::multiset<std::string>{runs_path(kOwner, "a-one"), runs_path(kOwner, kGone),
                                                   runs_path(kOwner, kSecret), runs_path(kOwner, "d-four")}));
    EXPECT_EQ(said, (std::vector<std::string>{
                        "stacklite: workflow_runs: skipped octo-org/b-gone: GET " + runs_path(kOwner, kGone) +
                            ": 404 Not Found: Not Found (on_missing is 'skip')",
                        "stacklite: workflow_runs: skipped octo-org/c-secret: GET " + runs_path(kOwner, kSecret) +
                            ": 403 Forbidden: Resource not accessible by integration (on_missing is 'skip')"}))
        << "max_concurrency " << concurrency;
  }
}

TEST_F(MissingRepositoryTest, SkipWorksForEveryFormOfFanOut) {
  forbid_secret();
  db_->query("SELECT stacklite_config('on_missing', 'skip')");
  db_->query("CREATE TABLE my_repos(owner TEXT, name TEXT)");
  db_->query(
      "INSERT INTO my_repos VALUES ('octo-org', 'a-one'), ('octo-org', 'b-gone'), ('octo-org', 'c-secret'), "
      "('octo-org', 'd-four'), ('gone-org', 'a-one')");
  struct Case {
    std::string name, sql;
    std::vector<std::string> skipped;  // owner/repo
  };
  std::vector<Case> cases = {
      {"repo IN (SELECT ...)",
       "SELECT repo, id, status FROM workflow_runs WHERE owner = 'octo-org' "
       "AND repo IN (SELECT name FROM my_repos WHERE owner = 'octo-org')",
       {"octo-org/b-gone", "octo-org/c-secret"}},
      {"OR of equalities",
       "SELECT repo, id, status FROM workflow_runs WHERE owner = 'octo-org' "
       "AND (repo = 'a-one' OR repo = 'b-gone' OR repo = 'c-secret' OR repo = 'd-four')",
       {"octo-org/b-gone", "octo-org/c-secret"}},
      {"owner IN (...)",
       "SELECT repo, id, status FROM workflow_runs WHERE owner IN ('octo-org', 'gone-org') AND repo = 'a-one' "
       "UNION ALL SELECT repo, id, status FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'd-four'",
       {"gone-org/a-one"}},
      {"a join",
       "SELECT w.repo, w.id, w.status FROM my_repos m JOIN workflow_runs w ON w.owner = m.owner AND w.repo = m.name",
       {"octo-org/b-gone", "octo-org/c-secret", "gone-org/a-one"}},
  };
  for (const auto& c : cases) {
    server_->clear_requests();
    CaptureStderr();
    Rows rows = db_->query(c.sql);
    std::vector<std::string> said = lines_of(GetCapturedStderr());
    EXPECT_EQ(sorted(rows), expected(kReadable)) << c.name;
    std::set<std::string> named;
    for (const auto& line : said) {
      size_t at = line.find(": skipped ");
      ASSERT_NE(at, std::string::npos) << c.name << ": " << line;
      named.insert(line.substr(at + 10, line.find(':', at + 10) - at - 10));
    }
    EXPECT_EQ(said.size(), c.skipped.size()) << c.name;
    EXPECT_EQ(named, std::set<std::string>(c.skipped.begin(), c.skipped.end())) << c.name;
    // One listing per repository named, the skipped ones included, and nothing else.
    std::multiset<std::string> want;
    for (const auto& r : kReadable) want.insert(runs_path(kOwner, r));
    for (const auto& s : c.skipped) want.insert("/repos/" + s + "/actions/runs");
    EXPECT_EQ(paths(), want) << c.name;
  }
}

TEST_F(MissingRepositoryTest, ARateLimitIsNeverAMissingRepository) {
  db_->query("SELECT stacklite_config('on_missing', 'skip')");
  db_->query("SELECT stacklite_config('max_wait_s', 5)");
  const std::string query =
      "SELECT repo, id, status FROM workflow_runs WHERE owner = 'octo-org' AND repo IN ('a-one', 'c-secret')";
  // A secondary limit that can be waited out: the repository's rows, after the wait.
  server_->inject(Fault::status(403,
                                "{\"message\":\"You have exceeded a secondary rate limit. Please wait a few minutes "
                                "before you try again.\"}")
                      .with_header("Retry-After", "1"),
                  1, runs_path(kOwner, kSecret));
  CaptureStderr();
  Rows rows = db_->query(query);
  EXPECT_EQ(GetCapturedStderr().find("skipped"), std::string::npos);
  EXPECT_EQ(sorted(rows), expected({"a-one", kSecret}));
  EXPECT_EQ(paths(), (std::multiset<std::string>{runs_path(kOwner, "a-one"), runs_path(kOwner, kSecret),
                                                 runs_path(kOwner, kSecret)}));

  // One that cannot be waited out is an error, not a skip.
  server_->clear_requests();
  server_->inject(Fault::status(403,
                                "{\"message\":\"You have exceeded a secondary rate limit. Please wait a few minutes "
                                "before you try again.\"}")
                      .with_header("Retry-After", "120"),
                  1, runs_path(kOwner, kSecret));
  CaptureStderr();
  std::string err = db_->error(query);
  EXPECT_EQ(GetCapturedStderr().find("skipped"), std::string::npos);
  EXPECT_NE(err.find("403 Forbidden: You have exceeded a secondary rate limit"), std::string::npos) << err;
  EXPECT_NE(err.find("beyond max_wait_s (5)"), std::string::npos) << err;

  // The primary limit spent: an error naming the reset.
  server_->clear_requests();
  const int64_t reset =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() +
      3600;
  server_->inject(Fault::status(403, "{\"message\":\"API rate limit exceeded for 127.0.0.1.\"}")
                      .with_header("x-ratelimit-remaining", "0")
                      .with_header("x-ratelimit-reset", std::to_string(reset)),
                  1, runs_path(kOwner, kSecret));
  CaptureStderr();
  err = db_->error(query);
  EXPECT_EQ(GetCapturedStderr().find("skipped"), std::string::npos);
  EXPECT_NE(err.find("403 Forbidden: API rate limit exceeded"), std::string::npos) << err;
  EXPECT_NE(err.find("primary rate limit"), std::string::npos) << err;
}

TEST_F(MissingRepositoryTest, AFailureAfterTheFirstPageIsAnErrorEvenUnderSkip) {
  db_->query("SELECT stacklite_config('on_missing', 'skip')");
  for (int status : {404, 403}) {
    server_->clear_requests();
    server_->inject(Fault::status(status, "{\"message\":\"Not Found\"}"), 1, "page=2");
    CaptureStderr();
    std::string err = db_->error(
        "SELECT repo, id FROM workflow_runs WHERE owner = 'octo-org' AND repo IN ('a-one', 'big', 'd-four')");
    EXPECT_EQ(GetCapturedStderr().find("skipped"), std::string::npos) << status;
    EXPECT_EQ(err.rfind("workflow_runs: GET " + runs_path(kOwner, "big") + ": " + std::to_string(status), 0), 0u)
        << err;
  }
  // The same listing, whole, when nothing fails: 250 runs in three pages.
  EXPECT_EQ(db_->integer("SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'big'"), 250);
}

TEST_F(MissingRepositoryTest, AGetByIdOfAnUnreadableRepositoryIsSkippedTooButAnUnknownRunIsJustNoRow) {
  forbid_secret();
  db_->query("SELECT stacklite_config('on_missing', 'skip')");
  Dataset data = server_->snapshot();
  const WorkflowRun first = data.runs_for(kOwner, "a-one").front();
  CaptureStderr();
  Rows rows = db_->query(
      "SELECT repo, id FROM workflow_runs WHERE owner = 'octo-org' AND repo IN ('a-one', "
      "'c-secret') AND id IN (" +
      std::to_string(first.id) + ", 999999)");
  std::vector<std::string> said = lines_of(GetCapturedStderr());
  EXPECT_EQ(rows, (Rows{{"a-one", std::to_string(first.id)}}));
  // The unknown run is no row without a word; each read of the unreadable repository is a line.
  ASSERT_EQ(said.size(), 2u);
  for (const auto& line : said) EXPECT_NE(line.find("skipped octo-org/c-secret: GET "), std::string::npos) << line;
}

// The incremental sync recipe (sql_examples/reports/sync.sql), run as a user runs it: its
// local tables of runs, jobs and artifacts end up equal to the server's data, and a sync
// over unchanged data costs one request per repository in all (all 304 from the
// connection's cache, and just as many from a new connection).
class IncrementalSyncTest : public ServerTest {
 protected:
  // The runs of small_dataset start at 2025-01-01T00:01:00Z; at this time their artifacts
  // kept for a day have expired (the API says so), those kept for 3 days have not.
  static constexpr const char* kClock = "2025-01-03T00:00:00Z";

  void SetUp() override {
    Dataset data;
    int64_t offset = 0;
    for (const std::string& name : kRepos) {
      Dataset one = small_dataset(kOwner, name, 30);
      testserver::Repository repo = one.repositories()[0];
      repo.id += offset / 1000;
      data.add_repository(repo);
      for (const WorkflowRun& r : one.runs_for(kOwner, name)) {
        WorkflowRun copy = r;
        copy.id += offset;
        copy.repository_id = copy.head_repository_id = 0;
        data.add_run(copy);
      }
      offset += 100000;
    }
    testserver::add_run_artifacts(data, kClock);
    serve(std::move(data));
    path_ = ::testing::TempDir() + "stacklite_sync_" + std::to_string(::getpid()) + ".db";
    std::remove(path_.c_str());
    db_ = open();
    db_->query(
        "CREATE TABLE sync_repos(owner TEXT NOT NULL, repo TEXT NOT NULL, since TEXT NOT NULL, "
        "PRIMARY KEY(owner, repo))");
    for (const auto& name : kRepos)
      db_->query("INSERT INTO sync_repos VALUES ('octo-org', '" + name + "', '2024-06-01')");
    // The sync's clock, pinned to the time the server's expired flags were computed for.
    db_->query("CREATE TABLE sync_clock(now TEXT NOT NULL CHECK (strftime('%s', now) IS NOT NULL))");
    db_->query(std::string("INSERT INTO sync_clock VALUES ('") + kClock + "')");
  }
  void TearDown() override {
    db_.reset();
    std::remove(path_.c_str());
  }
  std::unique_ptr<Db> open() {
    auto db = std::make_unique<Db>(path_);
    db->query("SELECT stacklite_config('retry_backoff_ms', 10)");
    return db;
  }
  static std::string recipe() {
    std::ifstream in(std::string(STACKLITE_SOURCE_DIR) + "/sql_examples/reports/sync.sql");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  // Runs the recipe; returns its summary: step, requests, not modified.
  std::map<std::string, std::pair<int64_t, int64_t>> sync(Db& db) {
    std::map<std::string, std::pair<int64_t, int64_t>> out;
    for (const auto& row : db.query(recipe())) out[row[1]] = {std::stoll(row[2]), std::stoll(row[3])};
    return out;
  }
  // The local runs table against the server's runs, column by column.
  void expect_runs_match() {
    Dataset data = server_->snapshot();
    Rows want;
    for (const auto& name : kRepos)
      for (const WorkflowRun& r : data.runs_for(kOwner, name))
        want.push_back({std::to_string(r.id), name, r.status, r.conclusion.empty() ? "NULL" : r.conclusion,
                        r.created_at, std::to_string(r.run_attempt)});
    std::sort(want.begin(), want.end());
    Rows got = db_->query("SELECT id, repo, status, coalesce(conclusion, 'NULL'), created_at, run_attempt FROM runs");
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, want);
  }
  // The local jobs table against every job the API lists now for the runs stored.
  void expect_jobs_match() {
    Rows want = db_->query(
        "SELECT j.id, j.run_id, j.status, coalesce(j.conclusion, 'NULL') FROM runs r JOIN workflow_jobs j "
        "ON j.owner = r.owner AND j.repo = r.repo AND j.run_id = r.id ORDER BY 1");
    EXPECT_FALSE(want.empty());
    EXPECT_EQ(db_->query("SELECT id, run_id, status, coalesce(conclusion, 'NULL') FROM jobs ORDER BY 1"), want);
  }
  // The local artifacts against the server's: every artifact it still stores (not expired
  // by its own flag, nor by `clock`), field by field.
  void expect_artifacts_match(const std::string& clock) {
    Dataset data = server_->snapshot();
    Rows want;
    for (const auto& name : kRepos)
      for (const testserver::Artifact& a : data.artifacts_for(kOwner, name))
        if (!a.expired && a.expires_at > clock)
          want.push_back({std::to_string(a.id), std::to_string(a.run_id), name, a.name, std::to_string(a.size_in_bytes),
                          a.digest.empty() ? "NULL" : a.digest, a.head_branch, a.created_at, a.expires_at});
    std::sort(want.begin(), want.end());
    Rows got = db_->query(
        "SELECT id, run_id, repo, name, size_in_bytes, coalesce(digest, 'NULL'), head_branch, created_at, expires_at "
        "FROM stored_artifacts");
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, want);
  }
  // The runs whose artifacts were listed (GET …/actions/runs/{id}/artifacts) since the
  // requests were last cleared.
  std::multiset<int64_t> artifact_listings() const {
    std::multiset<int64_t> ids;
    const std::string runs = "/actions/runs/", tail = "/artifacts";
    for (const auto& r : api_requests()) {
      const size_t at = r.path.find(runs);
      if (at == std::string::npos || r.path.size() < tail.size() ||
          r.path.compare(r.path.size() - tail.size(), tail.size(), tail) != 0)
        continue;
      ids.insert(std::stoll(r.path.substr(at + runs.size(), r.path.size() - tail.size() - at - runs.size())));
    }
    return ids;
  }
  // The ids of the server's runs in this state.
  std::multiset<int64_t> server_runs(const std::function<bool(const WorkflowRun&)>& keep) const {
    Dataset data = server_->snapshot();
    std::multiset<int64_t> ids;
    for (const auto& name : kRepos)
      for (const WorkflowRun& r : data.runs_for(kOwner, name))
        if (keep(r)) ids.insert(r.id);
    return ids;
  }
  // An artifact `run` uploaded (as add_run_artifacts makes them), kept for `days`.
  static testserver::Artifact artifact_of(const WorkflowRun& run, int64_t id, const std::string& name, int days) {
    testserver::Artifact a;
    a.id = id;
    a.owner = run.owner;
    a.repo = run.repo;
    a.name = name;
    a.size_in_bytes = 1000 + id % 1000;
    a.run_id = run.id;
    a.head_branch = run.head_branch;
    a.head_sha = run.head_sha;
    a.created_at = a.updated_at = run.updated_at;
    int64_t at = 0;
    testserver::parse_timestamp(a.created_at, at);
    a.expires_at = testserver::format_timestamp(at + 86400LL * days);
    return a;
  }
  size_t listings() const {
    size_t n = 0;
    for (const auto& r : api_requests()) n += r.path.size() > 13 && r.path.rfind("/actions/runs") == r.path.size() - 13;
    return n;
  }

  const std::vector<std::string> kRepos = {"one", "two", "three"};
  std::string path_;
  std::unique_ptr<Db> db_;
};

TEST_F(IncrementalSyncTest, ASecondSyncOnUnchangedDataCostsOneRequestPerRepository) {
  // First sync: every run since `since` (one page per repository), the jobs of each run, the
  // artifacts of each completed run (one listing per run); those expired are not kept.
  auto first = sync(*db_);
  expect_runs_match();
  expect_artifacts_match(kClock);
  const int64_t stored = db_->integer("SELECT count(*) FROM runs");
  EXPECT_EQ(stored, 90);
  EXPECT_EQ(first["runs"].first, 3);
  EXPECT_EQ(first["jobs"].first, stored);
  EXPECT_EQ(listings(), 3u);
  const auto completed = server_runs([](const WorkflowRun& r) { return r.status == "completed"; });
  EXPECT_EQ(artifact_listings(), completed);
  EXPECT_EQ(first["artifacts"].first, static_cast<int64_t>(completed.size()));
  ASSERT_GT(db_->integer("SELECT count(*) FROM stored_artifacts"), 0);
  {
    Dataset data = server_->snapshot();
    size_t expired = 0;
    for (const auto& name : kRepos)
      for (const auto& a : data.artifacts_for(kOwner, name)) expired += a.expired;
    ASSERT_GT(expired, 0u);  // left out above
  }

  // The server moves on: the runs stored as queued or in progress complete (each uploads an
  // artifact), two new runs appear in one repository, and one stored artifact is deleted.
  const int64_t incomplete = db_->integer("SELECT count(*) FROM runs WHERE status != 'completed'");
  const int64_t incomplete_older = db_->integer(
      "SELECT count(*) FROM runs r WHERE status != 'completed' AND created_at < (SELECT max(created_at) FROM runs x "
      "WHERE x.repo = r.repo)");
  ASSERT_GT(incomplete_older, 0);
  const auto completing = server_runs([](const WorkflowRun& r) { return r.status != "completed"; });
  ASSERT_EQ(static_cast<int64_t>(completing.size()), incomplete);
  const int64_t gone = db_->integer("SELECT max(id) FROM stored_artifacts");
  server_->with_dataset([gone](Dataset& data) {
    int64_t next = 9'000'001;
    for (const std::string name : {"one", "two", "three"})
      for (const WorkflowRun& r : data.runs_for("octo-org", name)) {
        WorkflowRun* run = data.find_run("octo-org", name, r.id);
        if (run->status != "completed") {
          run->status = "completed";
          run->conclusion = "success";
          data.add_artifact(artifact_of(*run, next++, "dist", 90));
        }
      }
    WorkflowRun fresh = data.runs_for("octo-org", "two").front();
    for (int i = 1; i <= 2; ++i) {
      fresh.id = 900000 + i;
      fresh.run_number += 1;
      fresh.status = "in_progress";
      fresh.conclusion = "";
      int64_t at = 0;
      testserver::parse_timestamp(fresh.created_at, at);
      fresh.created_at = fresh.updated_at = fresh.run_started_at = testserver::format_timestamp(at + 3600 * i);
      data.add_run(fresh);
    }
    for (const std::string name : {"one", "two", "three"}) data.remove_artifact("octo-org", name, gone);
  });
  server_->clear_requests();
  auto second = sync(*db_);
  expect_runs_match();
  expect_jobs_match();
  // One listing per repository, one read per run stored as not completed (but those at the
  // newest second, which the listing brings), then the jobs of the runs that were not final
  // and of the two new ones, and the artifacts of the runs that completed (not of the new
  // runs, still in progress).
  EXPECT_EQ(second["runs"].first, 3 + incomplete_older);
  EXPECT_EQ(second["jobs"].first, incomplete + 2);
  EXPECT_EQ(second["artifacts"].first, incomplete);
  EXPECT_EQ(artifact_listings(), completing);
  // The deleted artifact is not seen (no listing asks for it again): the one row that
  // differs from the server, until the check of deletions below.
  EXPECT_EQ(db_->integer("SELECT count(*) FROM stored_artifacts WHERE id = " + std::to_string(gone)), 1);
  db_->query("DELETE FROM stored_artifacts WHERE id = " + std::to_string(gone));
  expect_artifacts_match(kClock);

  // The two new runs complete, each with an artifact: the next sync lists just those two.
  server_->with_dataset([](Dataset& data) {
    for (int64_t id : {900001, 900002}) {
      WorkflowRun* run = data.find_run("octo-org", "two", id);
      run->status = "completed";
      run->conclusion = "failure";
      data.add_artifact(artifact_of(*run, id + 8'000'000, "test-results", 30));
    }
  });
  server_->clear_requests();
  auto third = sync(*db_);
  expect_runs_match();
  expect_jobs_match();
  expect_artifacts_match(kClock);
  EXPECT_EQ(third["artifacts"], (std::pair<int64_t, int64_t>{2, 0}));
  EXPECT_EQ(artifact_listings(), (std::multiset<int64_t>{900001, 900002}));

  // Unchanged data: one request per repository for the runs, none for jobs or artifacts, all
  // answered 304 (the connection remembers the pages).
  server_->clear_requests();
  auto fourth = sync(*db_);
  EXPECT_EQ(fourth["runs"], (std::pair<int64_t, int64_t>{3, 3}));
  EXPECT_EQ(fourth["jobs"], (std::pair<int64_t, int64_t>{0, 0}));
  EXPECT_EQ(fourth["artifacts"], (std::pair<int64_t, int64_t>{0, 0}));
  EXPECT_EQ(api_requests().size(), 3u);
  expect_runs_match();
  expect_artifacts_match(kClock);

  // A new connection (a daily job) has no cache: still one request per repository in all.
  db_ = open();
  server_->clear_requests();
  auto fifth = sync(*db_);
  EXPECT_EQ(fifth["runs"], (std::pair<int64_t, int64_t>{3, 0}));
  EXPECT_EQ(fifth["jobs"], (std::pair<int64_t, int64_t>{0, 0}));
  EXPECT_EQ(fifth["artifacts"], (std::pair<int64_t, int64_t>{0, 0}));
  EXPECT_EQ(listings(), 3u);
  EXPECT_EQ(api_requests().size(), 3u);

  // Two days on: the artifacts kept for 3 days have expired; the sync removes them by their
  // expires_at without asking.
  const std::string later = "2025-01-05T00:00:00Z";
  const int64_t before = db_->integer("SELECT count(*) FROM stored_artifacts");
  db_->query("UPDATE sync_clock SET now = '" + later + "'");
  server_->clear_requests();
  auto sixth = sync(*db_);
  EXPECT_EQ(sixth["artifacts"], (std::pair<int64_t, int64_t>{0, 0}));
  EXPECT_EQ(api_requests().size(), 3u);
  expect_artifacts_match(later);
  EXPECT_LT(db_->integer("SELECT count(*) FROM stored_artifacts"), before);
  EXPECT_EQ(db_->integer("SELECT count(DISTINCT sync) FROM sync_log"), 6);
}

// A database synced before the sync had artifacts (runs and jobs only): its next sync lists
// the artifacts of every completed run once. A run deleted on GitHub since (its artifacts went
// with it) answers 404 there: a line on stderr, not a failed sync, and not asked again; the
// connection's on_missing setting is what it was.
TEST_F(IncrementalSyncTest, ARunDeletedBeforeItsArtifactsWereListedIsALineOnStderrNotAFailedSync) {
  sync(*db_);
  db_->query("DELETE FROM artifacts_listed");
  db_->query("DELETE FROM stored_artifacts");
  int64_t deleted = 0;
  for (const WorkflowRun& r : server_->snapshot().runs_for(kOwner, "two"))
    if (r.status == "completed" && r.conclusion == "success") deleted = r.id;
  ASSERT_NE(deleted, 0);
  server_->with_dataset([deleted](Dataset& data) { ASSERT_TRUE(data.remove_run("octo-org", "two", deleted)); });
  auto completed = server_runs([](const WorkflowRun& r) { return r.status == "completed"; });
  server_->clear_requests();
  CaptureStderr();
  auto out = sync(*db_);
  std::vector<std::string> said = lines_of(GetCapturedStderr());
  completed.insert(deleted);
  EXPECT_EQ(artifact_listings(), completed);
  // One request more: GET /repos/octo-org/two, which tells a gone run from a gone repository.
  EXPECT_EQ(out["artifacts"].first, static_cast<int64_t>(completed.size()) + 1);
  ASSERT_EQ(said.size(), 1u);
  EXPECT_NE(said[0].find("no rows from GET /repos/octo-org/two/actions/runs/" + std::to_string(deleted) +
                         "/artifacts: 404 Not Found, while GET /repos/octo-org/two answered 200"),
            std::string::npos)
      << said[0];
  expect_artifacts_match(kClock);
  EXPECT_EQ(db_->query("SELECT stacklite_config('on_missing')"), (Rows{{"error"}}));

  // Listed once: the next sync asks for no artifacts; a connection set to skip stays so.
  db_->query("SELECT stacklite_config('on_missing', 'skip')");
  server_->clear_requests();
  EXPECT_EQ(sync(*db_)["artifacts"], (std::pair<int64_t, int64_t>{0, 0}));
  EXPECT_TRUE(artifact_listings().empty());
  EXPECT_EQ(db_->query("SELECT stacklite_config('on_missing')"), (Rows{{"skip"}}));
}

// A new attempt of the newest run (which each sync's listing brings again): once it has
// completed, its artifacts are listed again, as they are now (the earlier attempt's that
// were replaced are gone from the local table).
TEST_F(IncrementalSyncTest, ANewAttemptOfARunBringsItsArtifactsAsTheyAreNow) {
  sync(*db_);
  const WorkflowRun newest = server_->snapshot().runs_for(kOwner, "one").front();
  ASSERT_EQ(newest.status, "completed");
  const std::string run = std::to_string(newest.id);
  ASSERT_GT(db_->integer("SELECT count(*) FROM stored_artifacts WHERE run_id = " + run), 0);
  server_->with_dataset([&newest](Dataset& data) {
    WorkflowRun* r = data.find_run("octo-org", "one", newest.id);
    r->run_attempt += 1;
    int64_t at = 0;
    testserver::parse_timestamp(r->updated_at, at);
    r->updated_at = testserver::format_timestamp(at + 3600);
    for (const auto& a : data.artifacts_for("octo-org", "one"))
      if (a.run_id == newest.id) data.remove_artifact("octo-org", "one", a.id);
    data.add_artifact(artifact_of(*r, 9'100'001, "dist", 90));
  });
  server_->clear_requests();
  auto out = sync(*db_);
  EXPECT_EQ(out["artifacts"].first, 1);
  EXPECT_EQ(artifact_listings(), (std::multiset<int64_t>{newest.id}));
  EXPECT_EQ(db_->query("SELECT id FROM stored_artifacts WHERE run_id = " + run), (Rows{{"9100001"}}));
  expect_artifacts_match(kClock);
}

// The README's check for artifacts deleted on GitHub (which no sync sees): one statement
// that reads each repository's artifact listing once and removes the local rows it no
// longer has.
TEST_F(IncrementalSyncTest, TheCheckForDeletedArtifactsRemovesWhatTheListingsNoLongerHave) {
  sync(*db_);
  std::vector<int64_t> gone;
  server_->with_dataset([this, &gone](Dataset& data) {
    for (const std::string& name : {kRepos[0], kRepos[2]}) {
      const auto all = data.artifacts_for("octo-org", name);
      for (const auto& a : all)
        if (!a.expired) {
          gone.push_back(a.id);
          data.remove_artifact("octo-org", name, a.id);
          break;
        }
    }
  });
  ASSERT_EQ(gone.size(), 2u);
  EXPECT_EQ(db_->integer("SELECT count(*) FROM stored_artifacts WHERE id IN (" + std::to_string(gone[0]) + ", " +
                         std::to_string(gone[1]) + ")"),
            2);
  server_->clear_requests();
  db_->query(
      "DELETE FROM stored_artifacts WHERE id NOT IN (SELECT a.id FROM sync_repos s JOIN artifacts a "
      "ON a.owner = s.owner AND a.repo = s.repo)");
  expect_artifacts_match(kClock);
  std::multiset<std::string> paths;
  for (const auto& r : api_requests()) paths.insert(r.path);
  EXPECT_EQ(paths, (std::multiset<std::string>{"/repos/octo-org/one/actions/artifacts",
                                               "/repos/octo-org/three/actions/artifacts",
                                               "/repos/octo-org/two/actions/artifacts"}));
}

TEST_F(IncrementalSyncTest, StatsCountEveryRequestAndResetOnlyWhenAsked) {
  EXPECT_EQ(db_->query("SELECT stacklite_stats()"),
            (Rows{{"{\"requests\":0,\"not_modified\":0,\"writes\":0,\"skipped\":0}"}}));
  db_->query("SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo IN ('one', 'two')");
  db_->query("SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'one'");
  EXPECT_EQ(db_->integer("SELECT json_extract(stacklite_stats(), '$.requests')"), 3);
  EXPECT_EQ(db_->integer("SELECT json_extract(stacklite_stats(), '$.not_modified')"), 1);
  EXPECT_EQ(api_requests().size(), 3u);
  EXPECT_EQ(db_->query("SELECT stacklite_stats('reset')"),
            (Rows{{"{\"requests\":3,\"not_modified\":1,\"writes\":0,\"skipped\":0}"}}));
  EXPECT_EQ(db_->integer("SELECT json_extract(stacklite_stats(), '$.requests')"), 0);
  db_->query("SELECT stacklite_config('write_interval_ms', 0)");
  db_->query("SELECT cancel_workflow_run('octo-org', 'one', 5005)");
  db_->query("SELECT stacklite_config('on_missing', 'skip')");
  db_->query("SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo IN ('one', 'nope')");
  EXPECT_EQ(db_->query("SELECT stacklite_stats()"),
            (Rows{{"{\"requests\":3,\"not_modified\":1,\"writes\":1,\"skipped\":1}"}}));
  EXPECT_NE(db_->error("SELECT stacklite_stats('clear')").find("the only action is 'reset'"), std::string::npos);
}

}  // namespace
}  // namespace stacklite::testing
