// SQL-file tests: each tests/sql/reference/*.sql holds statements, each followed by the rows
// it returns (or the error it raises) and the requests it sends, run against the loopback
// server over a fresh 250-run repository (octo-org/octo-repo). The README's pushdown table
// and error states, executable. Format (a blank line ends a block; other comments are free):
//
//   SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' LIMIT 2;
//   -- rows:
//   -- 5249
//   -- 5248
//   -- requests:
//   -- GET /repos/octo-org/octo-repo/actions/runs?per_page=2
//
// `-- error: <message>` instead of rows; `-- requests: none` for none. Requests are compared
// as a set (pages after the first are fetched side by side). On a mismatch the test prints
// the case as it ran, ready to paste.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness.hpp"

namespace stacklite::testing {
namespace {

struct SqlCase {
  int line = 0;  // where its statement starts
  std::string sql;
  bool expect_error = false;
  std::string error;
  std::vector<std::string> rows;      // "a|b|c"
  std::vector<std::string> requests;  // "GET /path?query"
  bool requests_given = false;
};

std::vector<SqlCase> parse_cases(const std::string& path) {
  std::ifstream in(path);
  std::vector<SqlCase> cases;
  SqlCase current;
  std::string line, block;
  int number = 0;
  bool in_sql = false;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) {
      block.clear();
      continue;
    }
    if (line.rfind("--", 0) != 0) {
      if (!in_sql) {
        if (!current.sql.empty()) cases.push_back(std::move(current));
        current = SqlCase{};
        current.line = number;
        in_sql = true;
      }
      current.sql += (current.sql.empty() ? "" : "\n") + line;
      if (line.find_last_not_of(" \t") != std::string::npos && line[line.find_last_not_of(" \t")] == ';')
        in_sql = false;
      block.clear();
      continue;
    }
    std::string text = line.size() > 3 ? line.substr(3) : "";
    if (text.rfind("rows:", 0) == 0) {
      block = "rows";
    } else if (text.rfind("error: ", 0) == 0) {
      current.expect_error = true;
      current.error = text.substr(7);
      block.clear();
    } else if (text.rfind("requests:", 0) == 0) {
      current.requests_given = true;
      block = text == "requests: none" ? "" : "requests";
    } else if (block == "rows") {
      current.rows.push_back(text);
    } else if (block == "requests") {
      current.requests.push_back(text);
    }
  }
  if (!current.sql.empty()) cases.push_back(std::move(current));
  return cases;
}

std::string joined(const std::vector<std::string>& row) {
  std::string out;
  for (size_t i = 0; i < row.size(); ++i) out += (i ? "|" : "") + row[i];
  return out;
}

// Runs every statement of `sql`: the rows of all, and the first error ("" when none).
std::string run(sqlite3* db, const std::string& sql, std::vector<std::string>& rows) {
  const char* tail = sql.c_str();
  while (tail && *tail) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, tail, -1, &stmt, &tail) != SQLITE_OK) return sqlite3_errmsg(db);
    if (!stmt) continue;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        const unsigned char* text = sqlite3_column_text(stmt, i);
        row.push_back(text ? reinterpret_cast<const char*>(text) : "NULL");
      }
      rows.push_back(joined(row));
    }
    std::string error = rc == SQLITE_DONE ? "" : sqlite3_errmsg(db);
    sqlite3_finalize(stmt);
    if (!error.empty()) return error;
  }
  return "";
}

class SqlFileTest : public ServerTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(SqlFileTest, RowsErrorsAndRequestsAreAsWritten) {
  serve(small_dataset("octo-org", "octo-repo", 250));
  auto db = connect();
  db->query("SELECT stacklite_config('write_interval_ms', 0)");
  const std::string path = GetParam();
  auto cases = parse_cases(path);
  ASSERT_FALSE(cases.empty()) << path << " has no statements";
  for (const auto& c : cases) {
    server_->clear_requests();
    std::vector<std::string> rows;
    std::string error = run(db->handle(), c.sql, rows);
    std::vector<std::string> requests;
    for (const auto& r : api_requests())
      requests.push_back(r.method + " " + r.path + (r.query.empty() ? "" : "?" + r.query));
    std::vector<std::string> want_requests = c.requests;
    std::sort(requests.begin(), requests.end());
    std::sort(want_requests.begin(), want_requests.end());
    bool ok = c.expect_error ? error == c.error : error.empty() && rows == c.rows;
    if (c.requests_given) ok &= requests == want_requests;
    if (!ok) {
      std::ostringstream ran;
      ran << c.sql << "\n";
      if (!error.empty()) {
        ran << "-- error: " << error << "\n";
      } else {
        ran << "-- rows:\n";
        for (const auto& r : rows) ran << "-- " << r << "\n";
      }
      ran << "-- requests:" << (requests.empty() ? " none" : "") << "\n";
      for (const auto& r : requests) ran << "-- " << r << "\n";
      ADD_FAILURE() << path << ":" << c.line << ": the statement ran as\n" << ran.str();
    }
  }
}

std::vector<std::string> reference_files() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(STACKLITE_SOURCE_DIR "/tests/sql/reference"))
    if (entry.path().extension() == ".sql") files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

INSTANTIATE_TEST_SUITE_P(Reference, SqlFileTest, ::testing::ValuesIn(reference_files()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = std::filesystem::path(info.param).stem().string();
                           for (char& ch : name)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return name;
                         });

}  // namespace
}  // namespace stacklite::testing
