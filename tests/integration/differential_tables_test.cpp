// The differential test of differential_test.cpp for the other tables: random WHERE clauses
// (=, IN, ranges, IS NULL, LIKE, GLOB, COLLATE, operands either way round, text for numbers,
// values no row holds, JSON members, AND/OR/NOT, ORDER BY on any column with LIMIT and
// OFFSET) over workflow_jobs, artifacts, repositories, workflows and workflow_run_usage give
// the rows of a plain SQLite table filled from the loopback server's data directly (not
// through the extension), and no statement asks for the same page twice.
#include <algorithm>
#include <functional>
#include <map>
#include <random>

#include "harness.hpp"

namespace stacklite::testing {
namespace {

using testserver::Artifact;
using testserver::JobState;
using testserver::Repository;

enum class Kind { Text, Int, Bool, Json, Time };

struct Column {
  std::string name;
  Kind kind;
  std::vector<std::string> values;  // Int: numbers as text; Json: element values; others: the values
};

std::string lit(const std::string& s) { return sql_quote(s); }
std::string null_or(const std::string& s) { return s.empty() ? std::string("NULL") : sql_quote(s); }
std::string num(int64_t n) { return std::to_string(n); }

// Random clauses over a table's columns, the same SQL on both sides.
class Clauses {
 public:
  Clauses(uint64_t seed, std::vector<Column> columns) : rng_(seed), columns_(std::move(columns)) {}

  int pick(int n) { return static_cast<int>(rng_() % static_cast<uint64_t>(n)); }
  const std::string& any(const std::vector<std::string>& v) {
    return v[static_cast<size_t>(pick(static_cast<int>(v.size())))];
  }
  const Column& column() { return columns_[static_cast<size_t>(pick(static_cast<int>(columns_.size())))]; }

  std::string expr(int depth) {
    if (depth == 0 || pick(3) == 0) return atom();
    switch (pick(3)) {
      case 0:
        return "(" + expr(depth - 1) + " AND " + expr(depth - 1) + ")";
      case 1:
        return "(" + expr(depth - 1) + " OR " + expr(depth - 1) + ")";
      default:
        return "NOT (" + expr(depth - 1) + ")";
    }
  }

  // ORDER BY the key, or by another column then the key, with or without LIMIT / OFFSET.
  std::string tail(const std::string& key) {
    std::string order = " ORDER BY " + key;
    switch (pick(5)) {
      case 0:
        order = " ORDER BY " + key + " DESC";
        break;
      case 1:
      case 2: {
        const Column& c = column();
        if (c.kind != Kind::Json) order = " ORDER BY " + c.name + (pick(2) ? " DESC" : "") + ", " + key;
        break;
      }
    }
    switch (pick(4)) {
      case 0:
        return order + " LIMIT " + num(1 + pick(30));
      case 1:
        return order + " LIMIT " + num(1 + pick(30)) + " OFFSET " + num(pick(20));
      default:
        return order;
    }
  }

 private:
  std::string atom() {
    const Column& c = column();
    const std::string& v = any(c.values);
    const std::string& w = any(c.values);
    const std::string& n = c.name;
    switch (c.kind) {
      case Kind::Int:
        switch (pick(12)) {
          case 0:
            return n + " = '" + v + "'";
          case 1:
            return n + " IN (" + v + ", " + w + ", 17)";
          case 2:
            return n + " BETWEEN " + v + " AND " + w;
          case 3:
            return n + " > " + v;
          case 4:
            return v + " = " + n;
          case 5:
            return n + " = " + v + " + 0";
          case 6:
            return n + " <= " + v;
          case 7:
            return n + " = " + v + ".0";
          case 8:
            return n + " IS NULL";
          case 9:
            return n + " NOT IN (" + v + ")";
          case 10:
            return n + " IN ('" + v + "', '" + w + "')";
          default:
            return n + " = " + v;
        }
      case Kind::Bool:
        switch (pick(6)) {
          case 0:
            return n;
          case 1:
            return "NOT " + n;
          case 2:
            return n + " = 1";
          case 3:
            return n + " = '0'";
          case 4:
            return n + " IS 0";
          default:
            return n + " != 1";
        }
      case Kind::Json:
        switch (pick(5)) {
          case 0:
            return "EXISTS (SELECT 1 FROM json_each(" + n + ") WHERE value = " + lit(v) + ")";
          case 1:
            return "json_array_length(" + n + ") = " + num(pick(3));
          case 2:
            return n + " LIKE " + lit("%" + v.substr(0, 3) + "%");
          case 3:
            return "json_extract(" + n + ", '$[0]') = " + lit(v);
          default:
            return n + " IS NULL";
        }
      case Kind::Time: {
        const char* ops[] = {">=", ">", "<", "<=", "="};
        const std::string op = ops[pick(5)];
        switch (pick(5)) {
          case 0:
            return n + " BETWEEN " + lit(std::min(v, w)) + " AND " + lit(std::max(v, w));
          case 1:
            return n + " " + op + " date(" + lit(v) + ")";
          case 2:
            return n + " LIKE " + lit(v.substr(0, 10) + "%");
          case 3:
            return n + " IS NULL";
          default:
            return n + " " + op + " " + lit(v);
        }
      }
      case Kind::Text:
        break;
    }
    const std::string q = lit(v);
    switch (pick(14)) {
      case 0:
        return q + " = " + n;
      case 1:
        return n + " != " + q;
      case 2:
        return n + " IN (" + q + ", " + lit(w) + ")";
      case 3:
        return n + " IS NULL";
      case 4:
        return n + " IS NOT NULL";
      case 5:
        return n + " LIKE " + lit(v.substr(0, v.size() / 2) + "%");
      case 6: {
        std::string upper = v;
        std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
        return n + " = " + lit(upper) + " COLLATE NOCASE";
      }
      case 7:
        return n + " > " + q;
      case 8:
        return n + " IS " + q;
      case 9:
        return n + " NOT IN (" + q + ")";
      case 10:
        return n + " GLOB " + lit(v.substr(0, v.size() / 2) + "*");
      case 11: {
        std::string upper = v;
        std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
        return n + " IN (" + lit(upper) + ", " + lit(w) + ") COLLATE NOCASE";
      }
      default:
        return n + " = " + q;
    }
  }

  std::mt19937_64 rng_;
  std::vector<Column> columns_;
};

// A conjunct ANDed at the top, where the table sees it: over the table and over the copy.
struct Conjunct {
  std::string table, ref;
};

struct Case {
  std::string table;     // the virtual table
  std::string base;      // its required inputs: "owner = … AND repo = …"
  std::string ref_base;  // the same rows of the copy ("1" for all)
  std::string select;    // columns, the same names in both
  std::string key;       // what orders rows completely
  std::vector<Column> columns;
  std::function<Conjunct(Clauses&)> conjunct;  // optional
  int queries = 300;
  size_t max_requests = 0;  // per statement
  // A conjunct after which a request may repeat: a workflow's file name with an id list reads
  // the workflow once per id (WorkflowsTest.AFileNameAndAnIdTogetherAreOneGetCheckedAgainstEachOther).
  std::string repeats_after;
};

class DifferentialTablesTest : public ServerTest {
 protected:
  // A copy named `ref` of the rows, with the virtual table's declared column types (their
  // affinity decides how text compares with numbers, on both sides alike).
  void fill_ref(Db& db, const std::string& table, const std::vector<std::string>& names,
                const std::vector<std::vector<std::string>>& rows, const std::string& ref = "ref") {
    std::string create = "CREATE TABLE " + ref + "(";
    for (size_t i = 0; i < names.size(); ++i) {
      const Rows type =
          db.query("SELECT type FROM stacklite_columns WHERE provider = 'github' AND table_name = " + lit(table) +
                   " AND column_name = " + lit(names[i]));
      // A column of the copy's own (no such column in the table) is an INTEGER.
      ASSERT_LE(type.size(), 1u) << table << "." << names[i];
      create += (i ? ", " : "") + names[i] + " " + (type.empty() ? std::string("INTEGER") : type[0][0]);
    }
    db.query("DROP TABLE IF EXISTS " + ref);
    db.query(create + ")");
    db.query("BEGIN");
    for (const auto& row : rows) {
      std::string values;
      for (const auto& v : row) values += (values.empty() ? "" : ", ") + v;
      db.query("INSERT INTO " + ref + " VALUES (" + values + ")");
    }
    db.query("COMMIT");
  }

  // Runs the case's random statements; returns how many selected a row.
  int differ(Db& db, const Case& c, uint64_t seed) {
    Clauses gen(seed, c.columns);
    int nonempty = 0;
    for (int i = 0; i < c.queries; ++i) {
      Conjunct top{"1", "1"};
      if (c.conjunct) top = c.conjunct(gen);
      const std::string pred = gen.expr(2), tail = gen.tail(c.key);
      const std::string table_sql =
          "SELECT " + c.select + " FROM " + c.table + " WHERE " + c.base + " AND " + top.table + " AND " + pred + tail;
      const std::string ref_sql =
          "SELECT " + c.select + " FROM ref WHERE " + c.ref_base + " AND " + top.ref + " AND " + pred + tail;
      const Rows want = db.query(ref_sql);
      server_->clear_requests();
      const Rows got = db.query(table_sql);
      EXPECT_EQ(got, want) << table_sql;
      if (got != want || ::testing::Test::HasFatalFailure()) return -1;
      nonempty += !want.empty();
      const auto sent = api_requests();
      EXPECT_LE(sent.size(), c.max_requests) << table_sql;
      // No page asked for twice within one statement.
      std::map<std::string, int> seen;
      if (c.repeats_after.empty() || top.table.find(c.repeats_after) == std::string::npos) {
        for (const auto& r : sent)
          EXPECT_EQ(++seen[r.path + "?" + r.query], 1) << r.path << "?" << r.query << "\n" << table_sql;
      }
    }
    return nonempty;
  }
};

// Up to `per_status` runs of each status and conclusion, and re-run ones: every job state.
std::vector<WorkflowRun> varied_runs(const std::vector<WorkflowRun>& runs, int per_status) {
  std::map<std::string, int> taken;
  std::vector<WorkflowRun> out;
  for (const auto& r : runs) {
    const std::string kind = r.status + "/" + r.conclusion + (r.run_attempt > 1 ? "/again" : "");
    if (taken[kind]++ < per_status) out.push_back(r);
  }
  return out;
}

std::string id_list(const std::vector<WorkflowRun>& runs) {
  std::string out;
  for (const auto& r : runs) out += (out.empty() ? "" : ", ") + num(r.id);
  return out;
}

TEST_F(DifferentialTablesTest, WorkflowJobs) {
  serve(testserver::demo_dataset());
  const std::vector<WorkflowRun> runs = varied_runs(server_->snapshot().runs_for("octo-org", "web-frontend"), 2);
  ASSERT_GE(runs.size(), 8u);
  auto db = connect();
  std::vector<std::vector<std::string>> rows;
  Column ids{"id", Kind::Int, {"17"}}, run_ids{"run_id", Kind::Int, {"17"}};
  Column names{"name", Kind::Text, {"build", "test", "lint", "deploy"}};
  Column status{"status", Kind::Text, {"queued", "in_progress", "completed", "waiting", "success"}};
  Column conclusion{"conclusion", Kind::Text, {"success", "failure", "cancelled", "skipped", "timed_out"}};
  Column runner{"runner_name", Kind::Text, {"GitHub Actions 1000", "nobody"}};
  Column started{"started_at", Kind::Time, {}}, completed{"completed_at", Kind::Time, {}};
  Column branch{"head_branch", Kind::Text, {"main"}}, attempt{"run_attempt", Kind::Int, {"1", "2", "3"}};
  Column labels{"labels", Kind::Json, {"hosted-standard", "ubuntu-latest"}};
  Column runner_id{"runner_id", Kind::Int, {"1000"}};
  for (const auto& r : runs) {
    run_ids.values.push_back(num(r.id));
    branch.values.push_back(r.head_branch);
    // Every attempt's jobs (filter = 'all' lists them), each attempt's with ids of its own.
    for (int a = 1; a <= r.run_attempt; ++a) {
      const WorkflowRun at = testserver::run_at_attempt(r, a);
      for (int k = 1; k <= 3; ++k) {
        const JobState j = testserver::job_state(at, k);
        const int64_t id = testserver::attempt_job_id(r, k, a);
        const std::string runner_name = j.started ? "GitHub Actions " + num(1000 + r.id % 97 * 3 + k) : "";
        const std::string done = j.status == "completed" ? testserver::format_timestamp(j.completed_at) : "";
        if (a == r.run_attempt) ids.values.push_back(num(id));  // see WorkflowJobsOfEarlierAttempts
        if (!runner_name.empty())
          runner.values.push_back(runner_name), runner_id.values.push_back(num(1000 + r.id % 97 * 3 + k));
        started.values.push_back(testserver::format_timestamp(j.started_at));
        if (!done.empty()) completed.values.push_back(done);
        rows.push_back({num(id), num(r.id), num(a), lit(j.name), lit(j.status), null_or(j.conclusion),
                        null_or(runner_name), j.started ? num(1000 + r.id % 97 * 3 + k) : "NULL",
                        lit(testserver::format_timestamp(j.started_at)), null_or(done), lit(r.head_branch), lit(r.name),
                        lit("[\"hosted-standard\"]"), lit(r.head_sha), a == r.run_attempt ? "1" : "0"});
      }
    }
  }
  fill_ref(*db, "workflow_jobs",
           {"id", "run_id", "run_attempt", "name", "status", "conclusion", "runner_name", "runner_id", "started_at",
            "completed_at", "head_branch", "workflow_name", "labels", "head_sha", "latest"},
           rows);
  Case c;
  c.table = "workflow_jobs";
  c.base = "owner = 'octo-org' AND repo = 'web-frontend' AND run_id IN (" + id_list(runs) + ")";
  c.ref_base = "1";
  c.select = "id, run_id, run_attempt, name, status, conclusion, runner_name, started_at, completed_at, labels";
  c.key = "id";
  c.columns = {ids,
               run_ids,
               names,
               status,
               conclusion,
               runner,
               started,
               completed,
               branch,
               attempt,
               labels,
               runner_id,
               {"workflow_name", Kind::Text, {"CI", "Deploy", "ci"}}};
  // The attempt and the filter, as the API takes them.
  c.conjunct = [](Clauses& g) -> Conjunct {
    switch (g.pick(7)) {
      case 0:
        return {"filter = 'latest'", "latest"};
      case 1:
        return {"filter = 'all'", "1"};
      case 2:
        return {"attempt_number = 1", "run_attempt = 1"};
      case 3:
        return {"attempt_number = 2 AND filter = 'all'", "run_attempt = 2"};
      case 4:
        return {"attempt_number = 2", "run_attempt = 2"};
      default:
        return {"1", "latest"};
    }
  };
  // One jobs listing per run (and the repository's when an attempt it lacks answers 404), or
  // the jobs an id list names.
  c.max_requests = runs.size() + 3;
  const int nonempty = differ(*db, c, 20261123);
  EXPECT_GT(nonempty, c.queries / 4);
}

TEST_F(DifferentialTablesTest, Artifacts) {
  Dataset data = small_dataset("octo-org", "octo-repo", 240);
  testserver::add_run_artifacts(data, "2025-01-02T02:00:00Z");  // the 1-day ones expire meanwhile
  serve(std::move(data));
  const std::vector<Artifact> artifacts = server_->snapshot().artifacts_for("octo-org", "octo-repo");
  ASSERT_GT(artifacts.size(), 150u);
  auto db = connect();
  std::vector<std::vector<std::string>> rows;
  Column ids{"id", Kind::Int, {"17"}}, runs{"workflow_run_id", Kind::Int, {"17", "5001"}},
      run_ids{"run_id", Kind::Int, {"17"}}, sizes{"size_in_bytes", Kind::Int, {"1000000"}};
  Column names{"name", Kind::Text, {"dist", "test-results", "coverage-report", "logs", "Dist"}};
  Column created{"created_at", Kind::Time, {}}, expires{"expires_at", Kind::Time, {}};
  Column branch{"head_branch", Kind::Text, {"main", "develop", "feature/x", "gone"}};
  Column digest{"digest", Kind::Text, {"sha256:"}}, sha{"head_sha", Kind::Text, {}};
  for (const Artifact& a : artifacts) {
    ids.values.push_back(num(a.id));
    runs.values.push_back(num(a.run_id));
    run_ids.values.push_back(num(a.run_id));
    sizes.values.push_back(num(a.size_in_bytes));
    created.values.push_back(a.created_at);
    expires.values.push_back(a.expires_at);
    if (!a.digest.empty()) digest.values.push_back(a.digest);
    sha.values.push_back(a.head_sha);
    rows.push_back({num(a.id), lit(a.name), num(a.size_in_bytes), a.expired ? "1" : "0", lit(a.created_at),
                    lit(a.updated_at), lit(a.expires_at), null_or(a.digest), num(a.run_id), lit(a.head_branch),
                    lit(a.head_sha), num(a.run_id)});
  }
  fill_ref(*db, "artifacts",
           {"id", "name", "size_in_bytes", "expired", "created_at", "updated_at", "expires_at", "digest",
            "workflow_run_id", "head_branch", "head_sha", "run_id"},
           rows);
  Case c;
  c.table = "artifacts";
  c.base = "owner = 'octo-org' AND repo = 'octo-repo'";
  c.ref_base = "1";
  c.select = "id, name, size_in_bytes, expired, created_at, expires_at, digest, workflow_run_id, head_branch";
  c.key = "id";
  c.columns = {ids, runs, run_ids, sizes, names, created, expires, branch, digest, sha, {"expired", Kind::Bool, {"1"}}};
  const size_t pages = (artifacts.size() + 99) / 100;
  c.max_requests = 2 * pages + 3;  // the listing, or one per name of an IN list, or one per run or id
  const int nonempty = differ(*db, c, 20261124);
  EXPECT_GT(nonempty, c.queries / 4);
}

TEST_F(DifferentialTablesTest, Repositories) {
  serve(testserver::demo_dataset());
  const Dataset data = server_->snapshot();
  auto db = connect();
  std::vector<std::vector<std::string>> rows;
  Column names{"name", Kind::Text, {"nope"}}, full{"full_name", Kind::Text, {}};
  Column language{"language", Kind::Text, {"Go", "go", "Rust"}},
      visibility{"visibility", Kind::Text, {"public", "private", "internal"}};
  Column pushed{"pushed_at", Kind::Time, {}}, created{"created_at", Kind::Time, {}};
  Column stars{"stargazers_count", Kind::Int, {"0"}}, size{"size", Kind::Int, {"0"}}, ids{"id", Kind::Int, {"17"}};
  Column topics{"topics", Kind::Json, {"web", "docs", "terraform", "nothing"}};
  Column owner_login{"owner_login", Kind::Text, {"octo-org", "octocat", "acme"}};
  for (const Repository& r : data.repositories()) {
    // What the listings show: an organization's every repository, a user's public ones.
    if (r.owner != "octo-org" && r.owner != "octocat" && r.owner != "acme") continue;
    if (r.owner_type == "User" && r.is_private) continue;
    names.values.push_back(r.name);
    full.values.push_back(r.owner + "/" + r.name);
    if (!r.language.empty()) language.values.push_back(r.language);
    pushed.values.push_back(r.pushed_at);
    created.values.push_back(r.created_at);
    stars.values.push_back(num(r.stargazers));
    size.values.push_back(num(r.size_kb));
    ids.values.push_back(num(r.id));
    std::string topics_json = "[";
    for (const auto& t : r.topics) topics_json += (topics_json.size() > 1 ? "," : "") + std::string("\"") + t + "\"";
    rows.push_back({lit(r.owner), lit(r.name), lit(r.owner + "/" + r.name), num(r.id), r.is_private ? "1" : "0",
                    lit(r.visibility_or_default()), r.archived ? "1" : "0", r.is_fork ? "1" : "0", null_or(r.language),
                    lit(r.pushed_at), lit(r.created_at), num(r.stargazers), num(r.size_kb), lit(topics_json + "]"),
                    lit(r.owner), null_or(r.description)});
  }
  fill_ref(*db, "repositories",
           {"owner", "name", "full_name", "id", "private", "visibility", "archived", "fork", "language", "pushed_at",
            "created_at", "stargazers_count", "size", "topics", "owner_login", "description"},
           rows);
  Case c;
  c.table = "repositories";
  c.base = "1";
  c.ref_base = "1";
  c.select = "full_name, id, private, visibility, archived, fork, language, pushed_at, stargazers_count, topics";
  c.key = "full_name";
  c.columns = {names,
               full,
               language,
               visibility,
               pushed,
               created,
               stars,
               size,
               ids,
               topics,
               owner_login,
               {"archived", Kind::Bool, {"1"}},
               {"fork", Kind::Bool, {"1"}},
               {"private", Kind::Bool, {"1"}},
               {"description", Kind::Text, {"How the octo org works.", "nothing"}}};
  // The owner (one, or a list) and the type the API filters by.
  c.conjunct = [](Clauses& g) -> Conjunct {
    switch (g.pick(8)) {
      case 0:
        return {"owner = 'octo-org' AND type = 'public'", "owner = 'octo-org' AND NOT private"};
      case 1:
        return {"owner = 'octo-org' AND type = 'private'", "owner = 'octo-org' AND private"};
      case 2:
        return {"owner = 'octo-org' AND type = 'forks'", "owner = 'octo-org' AND fork"};
      case 3:
        return {"owner = 'octo-org' AND type = 'sources'", "owner = 'octo-org' AND NOT fork"};
      case 4:
        return {"owner = 'octocat' AND type = " + lit(g.pick(2) ? "owner" : "all"), "owner = 'octocat'"};
      case 5:
        return {"owner IN ('octo-org', 'octocat', 'acme')", "1"};
      case 6:
        return {"owner = 'acme'", "owner = 'acme'"};
      default:
        return {"owner = 'octo-org'", "owner = 'octo-org'"};
    }
  };
  c.max_requests = 4;  // a listing per owner; the user's after its organization listing's 404
  const int nonempty = differ(*db, c, 20261125);
  EXPECT_GT(nonempty, c.queries / 4);
}

TEST_F(DifferentialTablesTest, Workflows) {
  serve(testserver::demo_dataset());
  const Dataset data = server_->snapshot();
  auto db = connect();
  std::vector<std::vector<std::string>> rows;
  Column ids{"id", Kind::Int, {"17"}}, names{"name", Kind::Text, {"CI", "ci", "Nothing"}};
  Column paths{"path", Kind::Text, {".github/workflows/nope.yml"}}, created{"created_at", Kind::Time, {}},
      updated{"updated_at", Kind::Time, {}};
  Column repos{"repo", Kind::Text, {"gone"}};
  std::vector<std::string> files;
  std::string repo_list;
  for (const Repository& r : data.repositories()) {
    if (r.owner != "octo-org") continue;
    repo_list += (repo_list.empty() ? "" : ", ") + lit(r.name);
    repos.values.push_back(r.name);
    for (const auto& wf : r.workflows) {
      ids.values.push_back(num(wf.id));
      names.values.push_back(wf.name);
      paths.values.push_back(wf.path);
      files.push_back(wf.path.substr(wf.path.rfind('/') + 1));
      created.values.push_back(wf.created_at);
      updated.values.push_back(wf.updated_at);
      rows.push_back(
          {lit(r.name), num(wf.id), lit(wf.name), lit(wf.path), lit(wf.state), lit(wf.created_at), lit(wf.updated_at)});
    }
  }
  ASSERT_GT(rows.size(), 8u);
  fill_ref(*db, "workflows", {"repo", "id", "name", "path", "state", "created_at", "updated_at"}, rows);
  Case c;
  c.table = "workflows";
  c.base = "owner = 'octo-org' AND repo IN (" + repo_list + ")";
  c.ref_base = "1";
  c.select = "repo, id, name, path, state, created_at, updated_at";
  c.key = "repo, id";
  c.columns = {
      ids,
      names,
      paths,
      created,
      updated,
      repos,
      {"state", Kind::Text, {"active", "disabled_manually", "disabled_fork", "disabled_inactivity", "deleted"}}};
  // A workflow by its file name or path, as the API takes it, alone or with an id. (Not as
  // `id = 'ci.yml'`: SQLite puts that text in the place of id in the clause's other terms on
  // id, `id <= 160512` then compares text with a number; README says to write `workflow =`.)
  c.conjunct = [files](Clauses& g) -> Conjunct {
    const std::string& f = g.any(files);
    const std::string path = lit(".github/workflows/" + f);
    switch (g.pick(6)) {
      case 0:
        return {"workflow = " + lit(f), "path = " + path};
      case 1:
        return {"workflow = " + path, "path = " + path};
      default:
        return {"1", "1"};
    }
  };
  c.repeats_after = "workflow";
  // A listing (or a workflow, for each id of a list) per repository.
  c.max_requests = 6 * 4 + 2;
  const int nonempty = differ(*db, c, 20261126);
  EXPECT_GT(nonempty, c.queries / 4);
}

TEST_F(DifferentialTablesTest, WorkflowRunUsage) {
  serve(testserver::demo_dataset());
  const Dataset data = server_->snapshot();
  std::vector<WorkflowRun> runs;
  for (const auto& r : varied_runs(data.runs_for("octo-org", "web-frontend"), 2)) runs.push_back(r);
  auto db = connect();
  std::vector<std::vector<std::string>> rows;
  Column run_ids{"run_id", Kind::Int, {"17"}}, duration{"run_duration_ms", Kind::Int, {"0"}};
  Column ubuntu{"ubuntu_ms", Kind::Int, {"0"}}, macos{"macos_ms", Kind::Int, {"0"}},
      windows{"windows_ms", Kind::Int, {"0"}};
  std::map<std::string, std::string> lists;
  for (const auto& r : runs) {
    const testserver::RunUsage u = testserver::run_usage(r);
    std::map<std::string, int64_t> per_os;
    for (const auto& j : u.jobs) per_os[j.os] += j.duration_ms;
    auto os = [&](const char* name) { return per_os.count(name) ? num(per_os[name]) : std::string("NULL"); };
    run_ids.values.push_back(num(r.id));
    if (u.run_duration_ms >= 0) duration.values.push_back(num(u.run_duration_ms));
    for (auto* col : {&ubuntu, &macos, &windows}) {
      const std::string v = os(col == &ubuntu ? "UBUNTU" : col == &macos ? "MACOS" : "WINDOWS");
      if (v != "NULL") col->values.push_back(v);
    }
    lists[r.repo] += (lists[r.repo].empty() ? "" : ", ") + num(r.id);
    rows.push_back({lit(r.repo), num(r.id), u.run_duration_ms >= 0 ? num(u.run_duration_ms) : "NULL", os("UBUNTU"),
                    os("MACOS"), os("WINDOWS")});
  }
  fill_ref(*db, "workflow_run_usage", {"repo", "run_id", "run_duration_ms", "ubuntu_ms", "macos_ms", "windows_ms"},
           rows);
  Case c;
  c.table = "workflow_run_usage";
  c.base = "owner = 'octo-org' AND repo = 'web-frontend' AND run_id IN (" + lists["web-frontend"] + ")";
  c.ref_base = "1";
  c.select = "repo, run_id, run_duration_ms, ubuntu_ms, macos_ms, windows_ms";
  c.key = "repo, run_id";
  c.columns = {run_ids, duration, ubuntu, macos, windows};
  c.queries = 150;
  c.max_requests = runs.size() + 2;
  const int nonempty = differ(*db, c, 20261127);
  EXPECT_GT(nonempty, c.queries / 4);
}

// Forms that span tables, as reports write them: a repository list from `repositories` into
// workflow_runs, joins from repositories to workflows and workflow_runs, runs picked by a
// subquery (with LIMIT) into workflow_jobs and workflow_run_usage, ids from a local table,
// DISTINCT, GROUP BY … HAVING, LIMIT and OFFSET: the same SQL over plain copies of every table.
TEST_F(DifferentialTablesTest, AcrossTables) {
  serve(testserver::demo_dataset());
  const Dataset data = server_->snapshot();
  auto db = connect();
  std::vector<std::vector<std::string>> repos, runs, workflows, jobs, usage;
  size_t all_pages = 1, web_pages = 0, repo_count = 0;  // the repositories listing, each repository's runs
  for (const Repository& r : data.repositories()) {
    if (r.owner != "octo-org") continue;
    const size_t pages = std::max<size_t>(1, (data.runs_for(r.owner, r.name).size() + 99) / 100);
    all_pages += pages;
    ++repo_count;
    if (r.name == "web-frontend") web_pages = pages;
    repos.push_back({lit(r.name), r.archived ? "1" : "0", r.is_fork ? "1" : "0", null_or(r.language),
                     r.is_private ? "1" : "0", lit(r.visibility_or_default()), num(r.stargazers)});
    for (const auto& wf : r.workflows) workflows.push_back({lit(r.name), num(wf.id), lit(wf.name), lit(wf.state)});
    for (const auto& run : data.runs_for(r.owner, r.name)) {
      runs.push_back({lit(r.name), num(run.id), lit(run.status), null_or(run.conclusion), lit(run.event),
                      lit(run.head_branch), num(run.workflow_id), num(run.run_number), lit(run.created_at)});
      if (r.name != "web-frontend") continue;
      for (int k = 1; k <= 3; ++k) {
        const JobState j = testserver::job_state(run, k);
        jobs.push_back({lit(r.name), num(j.id), num(run.id), lit(j.name), null_or(j.conclusion)});
      }
      const testserver::RunUsage u = testserver::run_usage(run);
      int64_t ubuntu = 0;
      bool any = false;
      for (const auto& j : u.jobs)
        if (j.os == "UBUNTU") ubuntu += j.duration_ms, any = true;
      usage.push_back({lit(r.name), num(run.id), any ? num(ubuntu) : "NULL"});
    }
  }
  fill_ref(*db, "repositories", {"name", "archived", "fork", "language", "private", "visibility", "stargazers_count"},
           repos, "r_repos");
  fill_ref(*db, "workflow_runs",
           {"repo", "id", "status", "conclusion", "event", "head_branch", "workflow_id", "run_number", "created_at"},
           runs, "r_runs");
  fill_ref(*db, "workflows", {"repo", "id", "name", "state"}, workflows, "r_workflows");
  fill_ref(*db, "workflow_jobs", {"repo", "id", "run_id", "name", "conclusion"}, jobs, "r_jobs");
  fill_ref(*db, "workflow_run_usage", {"repo", "run_id", "ubuntu_ms"}, usage, "r_usage");

  std::mt19937_64 rng(20261128);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  auto one_of = [&](std::vector<std::string> v) { return v[static_cast<size_t>(pick(static_cast<int>(v.size())))]; };
  // A filter of one or two conditions on a table, its columns prefixed by `a`.
  auto filter = [&](const std::vector<std::string>& atoms, const std::string& a) {
    auto atom = [&] {
      std::string t = one_of(atoms);
      for (size_t at; (at = t.find('@')) != std::string::npos;) t.replace(at, 1, a);
      return t;
    };
    switch (pick(4)) {
      case 0:
        return "(" + atom() + " AND " + atom() + ")";
      case 1:
        return "(" + atom() + " OR " + atom() + ")";
      case 2:
        return "NOT (" + atom() + ")";
      default:
        return atom();
    }
  };
  const std::vector<std::string> repo_atoms = {"@archived",
                                               "NOT @archived",
                                               "@language = 'Go'",
                                               "@language IS NULL",
                                               "@fork = 0",
                                               "@private",
                                               "@name LIKE '%o%'",
                                               "@stargazers_count > 50",
                                               "@visibility = 'internal'",
                                               "@name = 'web-frontend'",
                                               "@name IN ('octo-repo', 'api-server')"};
  const std::vector<std::string> run_atoms = {"@status = 'completed'",
                                              "@conclusion = 'failure'",
                                              "@event = 'push'",
                                              "@head_branch = 'main'",
                                              "@run_number < 100",
                                              "@conclusion IS NULL",
                                              "@status IN ('queued', 'in_progress')",
                                              "@created_at >= '2026-11-01'",
                                              "@event = 'schedule'",
                                              "@conclusion = 'success'",
                                              "@head_branch LIKE 'feat%'"};
  const std::vector<std::string> workflow_atoms = {"@state = 'active'", "@state LIKE 'disabled%'", "@name = 'CI'",
                                                   "@name LIKE '%e%'", "@id > 170000"};
  const std::vector<std::string> job_atoms = {"@name = 'test'", "@conclusion = 'failure'", "@conclusion IS NULL",
                                              "@name IN ('build', 'lint')", "@conclusion != 'success'"};
  // Run ids of web-frontend in a local table, some that no run has.
  db->query("CREATE TABLE picks(id INTEGER)");
  for (int i = 0; i < 12; ++i)
    db->query("INSERT INTO picks VALUES (" +
              (i < 10 ? runs[static_cast<size_t>(pick(static_cast<int>(runs.size())))][1] : num(17 + i)) + ")");
  const std::string wf = "owner = 'octo-org' AND repo = 'web-frontend'";

  int nonempty = 0;
  for (int i = 0; i < 120; ++i) {
    std::string sql, ref;  // over the tables, over the copies
    size_t bound = 0;      // requests the statement may make
    const std::string limit = pick(2) ? " LIMIT " + num(1 + pick(8)) + (pick(2) ? " OFFSET " + num(pick(4)) : "") : "";
    switch (pick(7)) {
      case 0: {
        bound = all_pages;
        const std::string rf = filter(repo_atoms, ""), runf = filter(run_atoms, "");
        const std::string having = pick(2) ? " HAVING count(*) > " + num(pick(200)) : "";
        sql =
            "SELECT repo, count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo IN (SELECT name FROM "
            "repositories WHERE owner = 'octo-org' AND " +
            rf + ") AND " + runf + " GROUP BY repo" + having + " ORDER BY repo" + limit;
        ref = "SELECT repo, count(*) FROM r_runs WHERE repo IN (SELECT name FROM r_repos WHERE " + rf + ") AND " +
              runf + " GROUP BY repo" + having + " ORDER BY repo" + limit;
        break;
      }
      case 1: {
        bound = 1 + repo_count;
        const std::string rf = filter(repo_atoms, "r."), wff = filter(workflow_atoms, "w.");
        sql =
            "SELECT r.name, w.id, w.state FROM repositories r JOIN workflows w ON w.owner = 'octo-org' AND w.repo = "
            "r.name WHERE r.owner = 'octo-org' AND " +
            rf + " AND " + wff + " ORDER BY 1, 2" + limit;
        ref = "SELECT r.name, w.id, w.state FROM r_repos r JOIN r_workflows w ON w.repo = r.name WHERE " + rf +
              " AND " + wff + " ORDER BY 1, 2" + limit;
        break;
      }
      case 2: {
        bound = all_pages;
        const std::string rf = filter(repo_atoms, "r."), runf = filter(run_atoms, "w.");
        sql =
            "SELECT r.name, count(w.id) FROM repositories r LEFT JOIN workflow_runs w ON w.owner = 'octo-org' AND "
            "w.repo = r.name AND " +
            runf + " WHERE r.owner = 'octo-org' AND " + rf +
            " GROUP BY r.name ORDER BY 2 "
            "DESC, 1" +
            limit;
        ref = "SELECT r.name, count(w.id) FROM r_repos r LEFT JOIN r_runs w ON w.repo = r.name AND " + runf +
              " WHERE " + rf + " GROUP BY r.name ORDER BY 2 DESC, 1" + limit;
        break;
      }
      case 3: {
        bound = web_pages + 6;
        const std::string runf = filter(run_atoms, ""), jf = filter(job_atoms, "j.");
        const std::string order = one_of({"id", "created_at DESC, id DESC", "run_number DESC"});
        const std::string k = num(1 + pick(6));
        sql =
            "SELECT j.run_id, j.id, j.name, j.conclusion FROM workflow_jobs j WHERE j.owner = 'octo-org' AND j.repo "
            "= 'web-frontend' AND j.run_id IN (SELECT id FROM workflow_runs WHERE " +
            wf + " AND " + runf + " ORDER BY " + order + " LIMIT " + k + ") AND " + jf + " ORDER BY 2" + limit;
        ref =
            "SELECT j.run_id, j.id, j.name, j.conclusion FROM r_jobs j WHERE j.run_id IN (SELECT id FROM r_runs "
            "WHERE repo = 'web-frontend' AND " +
            runf + " ORDER BY " + order + " LIMIT " + k + ") AND " + jf + " ORDER BY 2" + limit;
        break;
      }
      case 4: {
        bound = web_pages + 6;
        // The newest k runs' usage: the listing's own order, so LIMIT stops the join early (a
        // join or a subquery). Runs created in the same second come as the server lists them,
        // the larger id first: the copy orders them so too.
        const std::string runf = filter(run_atoms, "w.");
        const std::string k = num(1 + pick(6));
        if (pick(2)) {
          sql =
              "SELECT u.run_id, u.ubuntu_ms FROM workflow_runs w JOIN workflow_run_usage u ON u.owner = w.owner AND "
              "u.repo = w.repo AND u.run_id = w.id WHERE w.owner = 'octo-org' AND w.repo = 'web-frontend' AND " +
              runf + " ORDER BY w.created_at DESC LIMIT " + k;
        } else {
          sql = "SELECT u.run_id, u.ubuntu_ms FROM workflow_run_usage u WHERE u." + wf.substr(0, 18) +
                " AND u.repo = 'web-frontend' AND u.run_id IN (SELECT w.id FROM workflow_runs w WHERE w.owner = "
                "'octo-org' AND w.repo = 'web-frontend' AND " +
                runf + " ORDER BY w.created_at DESC LIMIT " + k + ") ORDER BY u.run_id DESC";
        }
        ref =
            "SELECT u.run_id, u.ubuntu_ms FROM r_runs w JOIN r_usage u ON u.run_id = w.id WHERE w.repo = "
            "'web-frontend' AND " +
            runf + " ORDER BY w.created_at DESC, w.id DESC LIMIT " + k;
        if (sql.find("IN (SELECT") != std::string::npos) ref = "SELECT * FROM (" + ref + ") ORDER BY 1 DESC";
        break;
      }
      case 5: {
        bound = web_pages + 12;
        const std::string runf = filter(run_atoms, "r.");
        if (pick(2)) {
          sql =
              "SELECT r.id, r.status FROM workflow_runs r WHERE r.owner = 'octo-org' AND r.repo = 'web-frontend' AND "
              "r.id IN (SELECT id FROM picks) AND " +
              runf + " ORDER BY 1" + limit;
        } else {
          sql =
              "SELECT r.id, r.status FROM picks p JOIN workflow_runs r ON r.owner = 'octo-org' AND r.repo = "
              "'web-frontend' AND r.id = p.id WHERE " +
              runf + " GROUP BY r.id ORDER BY 1" + limit;
        }
        ref =
            "SELECT r.id, r.status FROM r_runs r WHERE r.repo = 'web-frontend' AND r.id IN (SELECT id FROM picks) "
            "AND " +
            runf + " ORDER BY 1" + limit;
        break;
      }
      default: {
        bound = web_pages;
        const std::string runf = filter(run_atoms, "");
        const std::string col = one_of({"head_branch", "event", "conclusion", "workflow_id"});
        sql = "SELECT DISTINCT " + col + " FROM workflow_runs WHERE " + wf + " AND " + runf + " ORDER BY 1" + limit;
        ref = "SELECT DISTINCT " + col + " FROM r_runs WHERE repo = 'web-frontend' AND " + runf + " ORDER BY 1" + limit;
        break;
      }
    }
    const Rows want = db->query(ref);
    server_->clear_requests();
    const Rows got = db->query(sql);
    ASSERT_EQ(got, want) << sql;
    nonempty += !want.empty();
    // No page twice in one statement, and no more than the listings the statement needs.
    const auto sent = api_requests();
    EXPECT_LE(sent.size(), bound) << sql;
    std::map<std::string, int> seen;
    for (const auto& r : sent) EXPECT_EQ(++seen[r.path + "?" + r.query], 1) << r.path << "?" << r.query << "\n" << sql;
  }
  EXPECT_GT(nonempty, 50);
}

}  // namespace
}  // namespace stacklite::testing
