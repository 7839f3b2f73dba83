// The spec is the whole truth: a user-written spec's write methods become SQL functions
// like the bundled ones, and names that would clash are errors at CREATE VIRTUAL TABLE.
#include <cstdio>
#include <fstream>

#include "harness.hpp"

namespace stacklite::testing {
namespace {

class SpecFunctionsTest : public ServerTest {
 protected:
  void SetUp() override {
    serve(small_dataset("octo-org", "octo-repo", 30));
    db_ = connect();
    db_->query("SELECT stacklite_config('write_interval_ms', 0)");
  }
  void TearDown() override {
    for (const auto& p : written_) std::remove(p.c_str());
  }
  // A spec of provider `provider` listing runs, with one write method named `function`
  // that cancels a run; its default base URL is the loopback server.
  std::string spec_file(const std::string& provider, const std::string& function) {
    std::string path = ::testing::TempDir() + provider + "_" + function + "_spec.json";
    std::ofstream out(path);
    out << R"({"provider":")" << provider << R"(","base_url":")" << server_->base_url() << R"(",
      "resources":[{"name":"lite_runs","key_column":"id","columns":[
        {"name":"id","type":"INTEGER","json":"id"},{"name":"status","type":"TEXT","json":"status"},
        {"name":"owner","type":"TEXT","hidden":true,"input":true,"required":true},
        {"name":"repo","type":"TEXT","hidden":true,"input":true,"required":true}],
      "read_methods":[{"name":"list","path":"/repos/{owner}/{repo}/actions/runs",
        "path_params":{"owner":"owner","repo":"repo"},
        "response":{"kind":"list","items":"workflow_runs","total":"total_count"},
        "pagination":{"kind":"link","per_page_param":"per_page","max_per_page":100}}],
      "write_methods":[{"name":")"
        << function << R"(","verb":"POST","path":"/repos/{owner}/{repo}/actions/runs/{run_id}/cancel",
        "args":[{"name":"owner","type":"TEXT","in":"path"},{"name":"repo","type":"TEXT","in":"path"},
                {"name":"run_id","type":"INTEGER","in":"path"}]}]}]})";
    written_.push_back(path);
    return path;
  }
  int64_t first_with_status(const std::string& status, int64_t after = 0) {
    for (const auto& r : server_->snapshot().runs_for("octo-org", "octo-repo"))
      if (r.status == status && r.id != after) return r.id;
    return 0;
  }
  std::vector<RecordedRequest> writes() const {
    std::vector<RecordedRequest> out;
    for (const auto& r : api_requests())
      if (r.method != "GET") out.push_back(r);
    return out;
  }
  std::unique_ptr<Db> db_;
  std::vector<std::string> written_;
};

TEST_F(SpecFunctionsTest, AUserSpecsWriteMethodsAreSqlFunctions) {
  db_->query("CREATE VIRTUAL TABLE lite USING stacklite(spec='" + spec_file("my_forge", "stop_run") + "')");
  int64_t first = first_with_status("queued");
  ASSERT_NE(first, 0);
  // Called on its own: the spec's own base URL.
  EXPECT_EQ(db_->query("SELECT stop_run('octo-org', 'octo-repo', " + std::to_string(first) + ")"),
            (Rows{{"{\"ok\":true,\"status\":202}"}}));
  ASSERT_EQ(writes().size(), 1u);
  EXPECT_EQ(writes()[0].path, "/repos/octo-org/octo-repo/actions/runs/" + std::to_string(first) + "/cancel");
  EXPECT_EQ(server_->snapshot().find_run("octo-org", "octo-repo", first)->conclusion, "cancelled");
  // Over the table's rows: bound to the table (xFindFunction), one call per row.
  server_->clear_requests();
  int64_t second = first_with_status("queued", first);
  ASSERT_NE(second, 0);
  Rows rows = db_->query(
      "SELECT id, json_extract(stop_run(owner, repo, id), '$.status') FROM lite "
      "WHERE owner = 'octo-org' AND repo = 'octo-repo' AND id = " +
      std::to_string(second));
  EXPECT_EQ(rows, (Rows{{std::to_string(second), "202"}}));
  ASSERT_EQ(writes().size(), 1u);
  EXPECT_EQ(writes()[0].path, "/repos/octo-org/octo-repo/actions/runs/" + std::to_string(second) + "/cancel");
  // A second table over the same spec registers nothing new and is no clash.
  db_->query("CREATE VIRTUAL TABLE lite2 USING stacklite(spec='" + spec_file("my_forge", "stop_run") + "')");
}

TEST_F(SpecFunctionsTest, AWriteFunctionNameTakenElsewhereIsAnErrorBeforeAnyRequest) {
  std::string err =
      db_->error("CREATE VIRTUAL TABLE t USING stacklite(spec='" + spec_file("my_forge", "cancel_workflow_run") + "')");
  EXPECT_NE(err.find("write method 'cancel_workflow_run' of provider 'my_forge'"), std::string::npos) << err;
  EXPECT_NE(err.find("provider 'github''s write function"), std::string::npos) << err;
  err = db_->error("CREATE VIRTUAL TABLE t USING stacklite(spec='" + spec_file("my_forge", "ABS") + "')");
  EXPECT_NE(err.find("has the name of the SQL function ABS()"), std::string::npos) << err;
  db_->query("CREATE VIRTUAL TABLE a USING stacklite(spec='" + spec_file("forge_a", "stop_it") + "')");
  err = db_->error("CREATE VIRTUAL TABLE b USING stacklite(spec='" + spec_file("forge_b", "stop_it") + "')");
  EXPECT_NE(err.find("provider 'forge_b'"), std::string::npos) << err;
  EXPECT_NE(err.find("provider 'forge_a''s write function"), std::string::npos) << err;
  // The bundled functions still go to GitHub's host.
  EXPECT_EQ(db_->query("SELECT json_extract(cancel_workflow_run('octo-org', 'octo-repo', " +
                       std::to_string(first_with_status("queued")) + "), '$.ok')"),
            (Rows{{"1"}}));
  EXPECT_EQ(writes().size(), 1u);
}

}  // namespace
}  // namespace stacklite::testing
