// What a database file or a repeated `.load` can do to a connection: a second load keeps the
// connection's settings (a dry run stays a dry run), and a table stored in a file someone
// else wrote cannot choose where requests go or which environment variable is the token.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

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
  db->query(
      "SELECT stacklite_config('dry_run', 1), stacklite_config('write_interval_ms', 0), "
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

// A database file written by the test: a table that asks for another host and another
// environment variable, and one a user made for their own server. Reopened in a new
// connection, neither may send anything until the user re-creates it or trusts the file.
class StoredTableTest : public HostileFileTest {
 protected:
  void SetUp() override {
    HostileFileTest::SetUp();
    attacker_ = std::make_unique<FakeGitHub>(small_dataset("octo-org", "octo-repo", 3));
    path_ = ::testing::TempDir() + "stacklite_stored_" + std::to_string(::getpid()) + ".db";
    std::filesystem::remove(path_);
    auto writer = open();
    writer->query("CREATE VIRTUAL TABLE t USING workflow_runs(base_url=" + sql_quote(attacker_->base_url()) +
                  ", token_env='STACKLITE_TEST_SECRET')");
    writer->query("CREATE VIRTUAL TABLE mine USING workflow_runs(base_url=" + sql_quote(server_->base_url()) + ")");
    // Created by this connection: its own choice, so it is used.
    EXPECT_EQ(writer->integer("SELECT count(*) FROM t WHERE owner = 'octo-org' AND repo = 'octo-repo'"), 3);
    EXPECT_EQ(attacker_->requests().back().header("authorization"), "Bearer " + secret_);
    attacker_->clear_requests();
    server_->clear_requests();
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::unique_ptr<Db> open() {
    auto db = std::make_unique<Db>(path_);
    db->query("SELECT stacklite_config('retry_backoff_ms', 10)");
    return db;
  }
  static constexpr const char* kCount = " WHERE owner = 'octo-org' AND repo = 'octo-repo'";

  std::string secret_ = "s3cret-value-of-another-service";
  ScopedEnv secret_env_{"STACKLITE_TEST_SECRET", secret_};
  std::unique_ptr<FakeGitHub> attacker_;
  std::string path_;
};

TEST_F(StoredTableTest, AStoredTableCannotChooseTheHostOrTheTokenVariable) {
  auto db = open();
  std::string err = db->error(std::string("SELECT count(*) FROM t") + kCount);
  EXPECT_NE(err.find("t: nothing was sent: this table comes from a database file"), std::string::npos) << err;
  EXPECT_NE(err.find("token_env='STACKLITE_TEST_SECRET'"), std::string::npos) << err;
  EXPECT_NE(err.find("stacklite_config('trust_schema', 1)"), std::string::npos) << err;
  EXPECT_EQ(err.find(secret_), std::string::npos);
  // Every way in: a join, a subquery, DELETE, a write function over its rows, a TEMP view.
  EXPECT_NE(db->error(std::string("SELECT count(*) FROM (SELECT id FROM t") + kCount + ")").find("nothing was sent"),
            std::string::npos);
  EXPECT_NE(
      db->error("WITH r(o, p) AS (VALUES ('octo-org', 'octo-repo')) SELECT t.id FROM r JOIN t ON t.owner = r.o AND "
                "t.repo = r.p")
          .find("nothing was sent"),
      std::string::npos);
  EXPECT_NE(db->error(std::string("DELETE FROM t") + kCount).find("nothing was sent"), std::string::npos);
  EXPECT_NE(
      db->error(std::string("SELECT cancel_workflow_run(owner, repo, id) FROM t") + kCount).find("nothing was sent"),
      std::string::npos);
  db->query("CREATE TEMP VIEW tv AS SELECT id FROM t WHERE owner = 'octo-org' AND repo = 'octo-repo'");
  EXPECT_NE(db->error("SELECT * FROM tv").find("nothing was sent"), std::string::npos);
  // The same file attached to another connection.
  auto other = connect();
  other->query("ATTACH " + sql_quote(path_) + " AS h");
  EXPECT_NE(other->error(std::string("SELECT count(*) FROM h.t") + kCount).find("nothing was sent"), std::string::npos);
  EXPECT_TRUE(attacker_->requests().empty());
  // The user's own stored table is refused the same way: the file, not its content, decides.
  EXPECT_NE(db->error(std::string("SELECT count(*) FROM mine") + kCount).find("nothing was sent"), std::string::npos);
  EXPECT_TRUE(server_->requests().empty());
  // The eponymous table takes its host and token from the environment, as ever.
  EXPECT_EQ(db->integer(std::string("SELECT count(*) FROM workflow_runs") + kCount), 30);
}

TEST_F(StoredTableTest, ReCreatingTheTableOrTrustingTheFileLetsTheUserGoOn) {
  auto db = open();
  // Re-created in this connection: the user's own choice again. DROP works on a refused table.
  db->query("DROP TABLE mine");
  db->query("CREATE VIRTUAL TABLE mine USING workflow_runs(base_url=" + sql_quote(server_->base_url()) + ")");
  EXPECT_EQ(db->integer(std::string("SELECT count(*) FROM mine") + kCount), 30);
  // Still trusted after SQLite reconnects it because another connection changed the schema.
  open()->query("CREATE TABLE notes(x)");
  EXPECT_EQ(db->integer(std::string("SELECT count(*) FROM mine") + kCount), 30);
  EXPECT_NE(db->error(std::string("SELECT count(*) FROM t") + kCount).find("nothing was sent"), std::string::npos);
  EXPECT_TRUE(attacker_->requests().empty());

  // Or trust the file, on this connection only.
  auto trusting = open();
  EXPECT_EQ(trusting->integer("SELECT stacklite_config('trust_schema')"), 0);
  EXPECT_EQ(trusting->integer("SELECT stacklite_config('trust_schema', 1)"), 1);
  EXPECT_EQ(trusting->integer(std::string("SELECT count(*) FROM t") + kCount), 3);
  EXPECT_EQ(attacker_->requests().size(), 1u);
  EXPECT_NE(open()->error(std::string("SELECT count(*) FROM t") + kCount).find("nothing was sent"), std::string::npos);
  EXPECT_EQ(attacker_->requests().size(), 1u);
}

TEST_F(StoredTableTest, AStoredSpecTableIsRefusedAndAFifoAsItsSpecNeverBlocks) {
  std::string spec = ::testing::TempDir() + "stacklite_stored_spec_" + std::to_string(::getpid()) + ".json";
  std::filesystem::copy_file(STACKLITE_SOURCE_DIR "/tests/data/workflows_spec.json", spec,
                             std::filesystem::copy_options::overwrite_existing);
  {
    auto writer = open();
    writer->query("CREATE VIRTUAL TABLE wf USING stacklite(spec=" + sql_quote(spec) +
                  ", base_url=" + sql_quote(server_->base_url()) + ")");
    EXPECT_EQ(writer->integer(std::string("SELECT count(*) FROM wf") + kCount), 2);
  }
  server_->clear_requests();
  auto db = open();
  std::string err = db->error(std::string("SELECT count(*) FROM wf") + kCount);
  EXPECT_NE(err.find("nothing was sent"), std::string::npos) << err;
  EXPECT_NE(err.find("spec='" + spec + "'"), std::string::npos) << err;
  db.reset();
  // A stored table may name any path: a FIFO is refused at once, never waited on.
  std::filesystem::remove(spec);
  ASSERT_EQ(::mkfifo(spec.c_str(), 0600), 0);
  db = open();
  err = db->error(std::string("SELECT count(*) FROM wf") + kCount);
  EXPECT_NE(err.find("is not a regular file"), std::string::npos) << err;
  EXPECT_TRUE(server_->requests().empty());
  std::filesystem::remove(spec);
}

}  // namespace
}  // namespace stacklite::testing
