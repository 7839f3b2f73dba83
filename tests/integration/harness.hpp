// Integration test harness: a real SQLite connection with the real extension loaded,
// pointed (through the environment, as a user would) at a loopback server.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fake_github.hpp"

namespace stacklite::testing {

using testserver::Dataset;
using testserver::FakeGitHub;
using testserver::Fault;
using testserver::RecordedRequest;
using WorkflowRun = testserver::Run;

using Rows = std::vector<std::vector<std::string>>;  // NULL shows as "NULL"

class Db {
 public:
  // Opens the database (:memory: unless a file is named) and loads build/stacklite.so.
  explicit Db(const std::string& path = ":memory:");
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs every statement; fails the test on an error.
  Rows query(const std::string& sql);
  // Runs the SQL expecting an error; returns its message ("" when there was none).
  std::string error(const std::string& sql);
  int64_t integer(const std::string& sql);
  sqlite3* handle() const { return db_; }

 private:
  // Returns the error message, or nullopt on success.
  std::optional<std::string> run(const std::string& sql, Rows* out);
  sqlite3* db_ = nullptr;
};

// Sets an environment variable for the scope, restoring the previous value.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::optional<std::string>& value);
  ~ScopedEnv();

 private:
  std::string name_;
  std::optional<std::string> previous_;
};

// A fixture: a loopback server over `data` and GITHUB_API_URL pointing at it.
class ServerTest : public ::testing::Test {
 protected:
  void serve(Dataset data, testserver::Options options = {});
  // A fresh connection with quick retries (tests must not sleep for seconds).
  std::unique_ptr<Db> connect();
  std::vector<RecordedRequest> api_requests() const;  // all recorded requests

  std::unique_ptr<FakeGitHub> server_;
  std::unique_ptr<ScopedEnv> api_url_;
  ScopedEnv no_token_{"GITHUB_TOKEN", std::nullopt};
  ScopedEnv no_gh_token_{"GH_TOKEN", std::nullopt};
};

// A GitHub Enterprise Server stand-in: base URL under /api/v3, answering only `token`.
std::unique_ptr<FakeGitHub> enterprise_server(Dataset data, const std::string& token);

// A small repository: n runs, created one minute apart (newest last), alternating
// branches, events, statuses and actors so every filter has something to select.
Dataset small_dataset(const std::string& owner, const std::string& repo, int n);

// A fixture: one repository, octo-org/octo-repo, of `Runs` runs made by small_dataset, served
// on loopback, and a connection to it in db_.
template <int Runs>
class RepositoryTest : public ServerTest {
 protected:
  void SetUp() override {
    serve(small_dataset("octo-org", "octo-repo", Runs));
    db_ = connect();
  }
  std::unique_ptr<Db> db_;
};

std::string sql_quote(const std::string& s);

}  // namespace stacklite::testing
