// What a database file or a repeated `.load` can do to a connection: a second load keeps the
// connection's settings (a dry run stays a dry run), and a table stored in a file someone
// else wrote cannot choose where requests go or which environment variable is the token.
#include <cstdio>
#include <filesystem>

#include "harness.hpp"

namespace stacklite::testing {
namespace {

class HostileFileTest : public ServerTest {
 protected:
  void SetUp() override { serve(small_dataset("octo-org", "octo-repo", 30)); }
  std::vector<RecordedRequest> writes() const {
    std::vector<RecordedRequest> out;
    for (const auto& r : api_requests())
      if (r.method != "GET") out.push_back(r);
    return out;
  }
};

int load_again(sqlite3* db, std::string* message) {
  char* err = nullptr;
  int rc = sqlite3_load_extension(db, STACKLITE_EXTENSION_PATH, nullptr, &err);
  if (err) *message = err;
  sqlite3_free(err);
  return rc;
}

TEST_F(HostileFileTest, LoadingTheExtensionAgainKeepsTheConnectionsSettings) {
  auto db = connect();
  db->query("SELECT stacklite_config('dry_run', 1), stacklite_config('write_interval_ms', 0), "
            "stacklite_config('max_retries', 7), stacklite_config('user_agent', 'report-bot/2')");
  db->query("CREATE VIRTUAL TABLE temp.mine USING workflow_runs(base_url=" + sql_quote(server_->base_url()) + ")");
  std::string message;
  ASSERT_EQ(load_again(db->handle(), &message), SQLITE_OK) << message;
  ASSERT_EQ(load_again(db->handle(), &message), SQLITE_OK) << message;
  EXPECT_EQ(db->integer("SELECT stacklite_config('dry_run')"), 1);
  EXPECT_EQ(db->integer("SELECT stacklite_config('max_retries')"), 7);
  EXPECT_EQ(db->query("SELECT stacklite_config('user_agent')"), (Rows{{"report-bot/2"}}));

  // Every way to write is still a rehearsal: the functions, DELETE on the eponymous table
  // and on a table created before the second load.
  Rows result = db->query("SELECT cancel_workflow_run('octo-org', 'octo-repo', 5001)");
  ASSERT_EQ(result.size(), 1u);
  EXPECT_NE(result[0][0].find("\"dry_run\":true"), std::string::npos) << result[0][0];
  db->query("DELETE FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND id = 5002");
  db->query("DELETE FROM mine WHERE owner = 'octo-org' AND repo = 'octo-repo' AND id = 5003");
  EXPECT_TRUE(writes().empty());
  EXPECT_EQ(server_->snapshot().runs_for("octo-org", "octo-repo").size(), 30u);

  // The tables still read, once each (one registration, not two).
  EXPECT_EQ(db->integer("SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo'"), 30);
  EXPECT_EQ(db->integer("SELECT count(*) FROM pragma_module_list WHERE name = 'workflow_runs'"), 1);
  // A new connection starts from the defaults.
  auto other = connect();
  EXPECT_EQ(other->integer("SELECT stacklite_config('dry_run')"), 0);
}

}  // namespace
}  // namespace stacklite::testing
