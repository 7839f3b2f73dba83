// What a newcomer meets first: JSON columns that nest in SQLite's JSON functions, reports
// kept as views (and why a view stored in a database file is refused), and errors that
// name the fix.
#include <unistd.h>

#include <cstdio>

#include "harness.hpp"

namespace stacklite::testing {
namespace {

class UsabilityTest : public ServerTest {
 protected:
  void SetUp() override {
    serve(small_dataset("octo-org", "octo-repo", 40));
    db_ = connect();
  }
  std::unique_ptr<Db> db_;
};

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

}  // namespace
}  // namespace stacklite::testing
