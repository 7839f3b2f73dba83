// What a newcomer meets first: JSON columns that nest in SQLite's JSON functions, reports
// kept as views (and why a view stored in a database file is refused), and errors that
// name the fix.
#include <unistd.h>

#include <cstdio>
#include <regex>

#include "harness.hpp"

namespace stacklite::testing {
namespace {

class UsabilityTest : public RepositoryTest<40> {};

TEST_F(UsabilityTest, JsonColumnsNestInJsonFunctions) {
  // json_object embeds steps as JSON: the text is the column's own, not a quoted string.
  Rows rows = db_->query(
      "SELECT json_object('id', id, 'steps', steps), steps, id FROM workflow_jobs "
      "WHERE owner = 'octo-org' AND repo = 'octo-repo' AND run_id = 5010 ORDER BY id");
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& r : rows) {
    EXPECT_EQ(r[0], "{\"id\":" + r[2] + ",\"steps\":" + r[1] + "}");
    EXPECT_EQ(db_->query("SELECT json_type(" + sql_quote(r[0]) + ", '$.steps'), json_extract(" + sql_quote(r[0]) +
                         ", '$.steps[0].name')"),
              (Rows{{"array", "Set up job"}}));
  }
  // Aggregates too: an array of arrays, not of strings.
  EXPECT_EQ(db_->query("SELECT json_group_array(labels) FROM workflow_jobs "
                       "WHERE owner = 'octo-org' AND repo = 'octo-repo' AND run_id = 5010"),
            (Rows{{"[[\"hosted-standard\"],[\"hosted-standard\"],[\"hosted-standard\"]]"}}));
  // Objects of workflow_runs, with a sort SQLite does after building them.
  std::string first_actor;
  for (const auto& run : server_->snapshot().runs_for("octo-org", "octo-repo"))
    if (run.id == 5001) first_actor = run.actor_login;
  EXPECT_EQ(db_->query("SELECT json_extract(json_object('actor', actor), '$.actor.login'), "
                       "json_type(json_object('actor', actor), '$.actor') FROM workflow_runs "
                       "WHERE owner = 'octo-org' AND repo = 'octo-repo' ORDER BY id LIMIT 1"),
            (Rows{{first_actor, "object"}}));
}

TEST_F(UsabilityTest, JsonThroughAMaterializedSubqueryNeedsJson) {
  // SQLite 3.40 does not keep a value's JSON subtype through a materialized or sorted
  // subquery: there json(col) restores it (the README's idiom).
  std::string from = "FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo'";
  EXPECT_EQ(
      db_->query(
          "WITH r AS MATERIALIZED (SELECT actor " + from +
          " LIMIT 1) "
          "SELECT json_type(json_object('a', actor), '$.a'), json_type(json_object('a', json(actor)), '$.a') FROM r"),
      (Rows{{"text", "object"}}));
}

TEST_F(UsabilityTest, AViewStoredInADatabaseFileIsRefusedAndATempViewWorks) {
  char path[] = "/tmp/stacklite-report-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::string from = "FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND conclusion = 'failure'";
  db_->query("ATTACH " + sql_quote(path) + " AS reports");
  // SQLite accepts the definition, and refuses to read through it.
  db_->query("CREATE VIEW reports.failing AS SELECT id, name " + from);
  EXPECT_EQ(db_->error("SELECT count(*) FROM reports.failing"), "unsafe use of virtual table \"workflow_runs\"");
  // A trigger stored in the file cannot reach DELETE either.
  db_->query("CREATE TABLE reports.notes(x)");
  db_->query(
      "CREATE TRIGGER reports.wipe AFTER INSERT ON notes BEGIN "
      "DELETE FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo'; END");
  EXPECT_EQ(db_->error("INSERT INTO reports.notes VALUES (1)"), "unsafe use of virtual table \"workflow_runs\"");
  EXPECT_TRUE(api_requests().empty());

  // Reopened later (a file someone else wrote looks the same): still refused, nothing sent.
  db_ = connect();
  db_->query("ATTACH " + sql_quote(path) + " AS reports");
  EXPECT_EQ(db_->error("SELECT count(*) FROM reports.failing"), "unsafe use of virtual table \"workflow_runs\"");
  EXPECT_EQ(db_->error("INSERT INTO reports.notes VALUES (1)"), "unsafe use of virtual table \"workflow_runs\"");
  EXPECT_TRUE(api_requests().empty());

  // The same report as a TEMP view (what `.read reports/x.sql` creates) reads every failing run.
  db_->query("CREATE TEMP VIEW failing AS SELECT id, name " + from);
  int failures = 0;
  for (const auto& run : server_->snapshot().runs_for("octo-org", "octo-repo")) failures += run.conclusion == "failure";
  EXPECT_EQ(db_->integer("SELECT count(*) FROM failing"), failures);
  EXPECT_GT(failures, 0);
  std::remove(path);
}

// The progress line, forced on (stderr here is a file, not a terminal): drawn while the
// listing waits for pages once it has run a second, with pages and rows against the
// listing's total and the rate-limit budget, and erased at the end; never drawn by default
// without a terminal, nor with progress 0. (tests/sql/progress_tty.py reads it from a
// pseudo-terminal through the sqlite3 shell.)
TEST_F(UsabilityTest, ProgressLineIsDrawnWhenForcedAndErasedAtTheEnd) {
  testserver::Options slow;
  slow.latency_ms = 250;
  serve(small_dataset("octo-org", "octo-repo", 700), slow);
  auto db = connect();
  db->query("SELECT stacklite_config('max_concurrency', 1)");  // 7 pages one after another: 1.75 s
  const std::string count = "SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo'";

  ::testing::internal::CaptureStderr();
  EXPECT_EQ(db->integer(count), 700);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");  // -1: only on a terminal

  EXPECT_EQ(db->integer("SELECT stacklite_config('progress', 1)"), 1);
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(db->integer(count), 700);
  std::string drawn = ::testing::internal::GetCapturedStderr();
  std::regex line(
      "\\rworkflow_runs: page ([0-9]+)/7, ([0-9]+)/700 rows, ([0-9.]+)s, rate limit [0-9]+/5000 left\x1b\\[K");
  int draws = 0, last_page = 0;
  for (std::sregex_iterator it(drawn.begin(), drawn.end(), line), end; it != end; ++it, ++draws) {
    const int page = std::stoi((*it)[1]);
    EXPECT_EQ(std::stoi((*it)[2]), 100 * page) << it->str();  // count(*) took every row received
    EXPECT_GE(std::stod((*it)[3]), 1.0) << "drawn within the first second: " << it->str();
    EXPECT_GE(page, last_page) << drawn;
    EXPECT_LT(page, 7) << "drawn with nothing left to wait for: " << it->str();
    last_page = page;
  }
  EXPECT_GE(draws, 2) << drawn;
  ASSERT_GE(drawn.size(), 4u);
  EXPECT_EQ(drawn.substr(drawn.size() - 4), "\r\x1b[K") << drawn;

  EXPECT_EQ(db->integer("SELECT stacklite_config('progress', 0)"), 0);
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(db->integer(count), 700);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_NE(db->error("SELECT stacklite_config('progress', 2)").find("from -1 to 1"), std::string::npos);
}

// In a join, the inner table is filtered again per outer row: its line counts on across
// those scans (one page and three jobs per run), timed from when the statement opened it.
TEST_F(UsabilityTest, ProgressLineOfAJoinsInnerTableCountsAcrossItsScans) {
  server_->inject(Fault::stall(std::chrono::milliseconds(60)), 1000, "/jobs");
  db_->query("SELECT stacklite_config('progress', 1)");
  ::testing::internal::CaptureStderr();
  int64_t jobs = db_->integer(
      "SELECT count(*) FROM workflow_runs r JOIN workflow_jobs j "
      "ON j.owner = r.owner AND j.repo = r.repo AND j.run_id = r.id "
      "WHERE r.owner = 'octo-org' AND r.repo = 'octo-repo'");
  std::string drawn = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(jobs, 120);  // 40 runs of 3 jobs
  // Drawn while run k+1's jobs are awaited: k pages and their 3k rows.
  std::regex line("\\rworkflow_jobs: page ([0-9]+), ([0-9]+) rows, [0-9.]+s");
  int draws = 0;
  for (std::sregex_iterator it(drawn.begin(), drawn.end(), line), end; it != end; ++it, ++draws) {
    int pages = std::stoi((*it)[1]);
    EXPECT_EQ(std::stoi((*it)[2]), 3 * pages) << it->str();
    EXPECT_GE(pages, 10) << "drawn before the statement ran a second: " << it->str();
    EXPECT_LT(pages, 40) << it->str();
  }
  EXPECT_GE(draws, 3) << drawn;
  ASSERT_GE(drawn.size(), 4u);
  EXPECT_EQ(drawn.substr(drawn.size() - 4), "\r\x1b[K") << drawn;
}

}  // namespace
}  // namespace stacklite::testing
