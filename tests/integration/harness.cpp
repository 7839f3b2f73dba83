// Integration test harness: a real SQLite connection with the real extension loaded,
// pointed (through the environment, as a user would) at a loopback server.
#include "harness.hpp"

#include <cstdlib>

namespace stacklite::testing {

Db::Db(const std::string& path) {
  if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) throw std::runtime_error("cannot open SQLite");
  sqlite3_enable_load_extension(db_, 1);
  char* err = nullptr;
  if (sqlite3_load_extension(db_, STACKLITE_EXTENSION_PATH, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown";
    sqlite3_free(err);
    throw std::runtime_error("cannot load the extension: " + msg);
  }
}

Db::~Db() { sqlite3_close(db_); }

std::optional<std::string> Db::run(const std::string& sql, Rows* out) {
  const char* tail = sql.c_str();
  while (tail && *tail) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, tail, -1, &stmt, &tail) != SQLITE_OK) return std::string(sqlite3_errmsg(db_));
    if (!stmt) continue;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      if (!out) continue;
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        const unsigned char* text = sqlite3_column_text(stmt, i);
        row.push_back(text ? reinterpret_cast<const char*>(text) : "NULL");
      }
      out->push_back(std::move(row));
    }
    std::optional<std::string> error;
    if (rc != SQLITE_DONE) error = std::string(sqlite3_errmsg(db_));
    sqlite3_finalize(stmt);
    if (error) return error;
  }
  return std::nullopt;
}

Rows Db::query(const std::string& sql) {
  Rows rows;
  if (auto err = run(sql, &rows)) ADD_FAILURE() << "SQL failed: " << sql << "\n  " << *err;
  return rows;
}

std::string Db::error(const std::string& sql) {
  Rows rows;
  auto err = run(sql, &rows);
  return err ? *err : std::string();
}

int64_t Db::integer(const std::string& sql) {
  Rows rows = query(sql);
  if (rows.size() != 1 || rows[0].size() != 1) {
    ADD_FAILURE() << "expected one value from: " << sql;
    return -1;
  }
  return std::stoll(rows[0][0]);
}

ScopedEnv::ScopedEnv(const char* name, const std::optional<std::string>& value) : name_(name) {
  if (const char* old = std::getenv(name)) previous_ = old;
  if (value)
    setenv(name, value->c_str(), 1);
  else
    unsetenv(name);
}

ScopedEnv::~ScopedEnv() {
  if (previous_)
    setenv(name_.c_str(), previous_->c_str(), 1);
  else
    unsetenv(name_.c_str());
}

void ServerTest::serve(Dataset data, testserver::Options options) {
  api_url_.reset();
  server_ = std::make_unique<FakeGitHub>(std::move(data), options);
  api_url_ = std::make_unique<ScopedEnv>("GITHUB_API_URL", server_->base_url());
}

std::unique_ptr<Db> ServerTest::connect() {
  auto db = std::make_unique<Db>();
  db->query("SELECT stacklite_config('retry_backoff_ms', 10)");
  return db;
}

std::vector<RecordedRequest> ServerTest::api_requests() const { return server_->requests(); }

std::unique_ptr<FakeGitHub> enterprise_server(Dataset data, const std::string& token) {
  testserver::Options options;
  options.path_prefix = "/api/v3";
  options.required_token = token;
  return std::make_unique<FakeGitHub>(std::move(data), options);
}

Dataset small_dataset(const std::string& owner, const std::string& repo, int n) {
  Dataset data;
  testserver::Repository r;
  r.owner = owner;
  r.name = repo;
  r.id = 1000;
  r.workflows = {{11, "CI", ".github/workflows/ci.yml"}, {12, "Release", ".github/workflows/release.yml"}};
  data.add_repository(r);
  const char* branches[] = {"main", "develop", "feature/x"};
  const char* events[] = {"push", "pull_request", "schedule"};
  const char* actors[] = {"alice", "bob"};
  const char* outcomes[][2] = {{"completed", "success"},
                               {"completed", "failure"},
                               {"completed", "cancelled"},
                               {"queued", ""},
                               {"in_progress", ""}};
  for (int i = 1; i <= n; ++i) {
    WorkflowRun run;
    run.id = 5000 + i;
    run.owner = owner;
    run.repo = repo;
    const auto& wf = r.workflows[i % 4 == 0 ? 1 : 0];
    run.name = wf.name;
    run.workflow_id = wf.id;
    run.workflow_path = wf.path;
    run.display_title = "Change number " + std::to_string(i);
    run.head_branch = branches[i % 3];
    run.head_sha = std::string(36, 'a') + std::to_string(1000 + i);
    run.event = events[i % 3 == 2 ? 2 : i % 2];
    run.status = outcomes[i % 5][0];
    run.conclusion = outcomes[i % 5][1];
    run.check_suite_id = 90000 + i;
    run.run_number = i;
    run.run_attempt = i % 7 == 0 ? 2 : 1;
    run.actor_login = actors[i % 2];
    run.actor_id = 100 + i % 2;
    run.triggering_actor_login = run.actor_login;
    run.triggering_actor_id = run.actor_id;
    run.created_at = testserver::format_timestamp(1735689600 + 60LL * i);  // from 2025-01-01
    run.updated_at = run.created_at;
    run.run_started_at = run.created_at;
    if (run.event == "pull_request") run.pull_request_numbers = {i};
    run.head_commit_message = run.display_title;
    data.add_run(run);
  }
  return data;
}

std::string sql_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

}  // namespace stacklite::testing
