// SQL as users write it, at random, against a plain SQLite table of the same runs: every
// WHERE clause built from the pushed-down columns (=, IN, ranges, IS NULL, LIKE, COLLATE,
// operands either way round, text for numbers, values the column never holds but the API
// parameter accepts), combined with AND, OR and NOT, with and without ORDER BY … LIMIT, gives
// the same rows from the virtual table as from the copy. The copy is filled from the loopback
// server's data directly, not through the table, so a decoding or pushdown mistake cannot
// hide behind itself.
#include <algorithm>
#include <random>

#include "harness.hpp"

namespace stacklite::testing {
namespace {

const char* const kOwner = "octo-org";
const char* const kRepo = "web-frontend";

// A predicate in two spellings: over the virtual table, and over the copy `ref`.
struct Pred {
  std::string table, ref;
};

class Generator {
 public:
  Generator(uint64_t seed, const std::vector<WorkflowRun>& runs) : rng_(seed), runs_(runs) {}

  // `pushed`: the predicate is ANDed into the WHERE clause all the way up, so the table sees
  // its comparisons; under OR or NOT SQLite evaluates them itself.
  Pred expr(int depth, bool pushed = true) {
    if (depth == 0 || pick(3) == 0) return atom(pushed);
    switch (pick(3)) {
      case 0: {
        Pred a = expr(depth - 1, pushed), b = expr(depth - 1, pushed);
        return {"(" + a.table + " AND " + b.table + ")", "(" + a.ref + " AND " + b.ref + ")"};
      }
      case 1: {
        Pred a = expr(depth - 1, false), b = expr(depth - 1, false);
        return {"(" + a.table + " OR " + b.table + ")", "(" + a.ref + " OR " + b.ref + ")"};
      }
      default: {
        Pred a = expr(depth - 1, false);
        return {"NOT (" + a.table + ")", "NOT (" + a.ref + ")"};
      }
    }
  }

  int pick(int n) { return static_cast<int>(rng_() % static_cast<uint64_t>(n)); }

 private:
  const WorkflowRun& run() { return runs_[static_cast<size_t>(pick(static_cast<int>(runs_.size())))]; }

  static Pred same(const std::string& sql) { return {sql, sql}; }

  // A text column: values from the data, values the API parameter takes that the column
  // never holds, and one nobody has.
  Pred text_atom(const std::string& column, std::vector<std::string> values) {
    const std::string v = values[static_cast<size_t>(pick(static_cast<int>(values.size())))];
    const std::string w = values[static_cast<size_t>(pick(static_cast<int>(values.size())))];
    const std::string q = sql_quote(v);
    switch (pick(12)) {
      case 0:
        return same(q + " = " + column);
      case 1:
        return same(column + " != " + q);
      case 2:
        return same(column + " IN (" + q + ", " + sql_quote(w) + ")");
      case 3:
        return same(column + " IS NULL");
      case 4:
        return same(column + " IS NOT NULL");
      case 5:
        return same(column + " LIKE " + sql_quote(v.substr(0, v.size() / 2) + "%"));
      case 6: {
        std::string upper = v;
        std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
        return same(column + " = " + sql_quote(upper) + " COLLATE NOCASE");
      }
      case 7:
        return same(column + " > " + q);
      case 8:
        return same(column + " IS " + q);
      case 9:
        return same(column + " NOT IN (" + q + ")");
      case 10:
        return same(column + " = lower(" + q + ")");
      default:
        return same(column + " = " + q);
    }
  }

  Pred number_atom(const std::string& column, int64_t v, int64_t w) {
    const std::string n = std::to_string(v), m = std::to_string(w);
    switch (pick(9)) {
      case 0:
        return same(column + " = '" + n + "'");  // text for a number, as values from a form arrive
      case 1:
        return same(column + " IN (" + n + ", " + m + ", 17)");
      case 2:
        return same(column + " BETWEEN " + std::to_string(std::min(v, w)) + " AND " + std::to_string(std::max(v, w)));
      case 3:
        return same(column + " > " + n);
      case 4:
        return same(n + " = " + column);
      case 5:
        return same(column + " = " + n + " + 0");
      case 6:
        return same(column + " <= " + n);
      case 7:
        return same(column + " = " + n + ".0");
      default:
        return same(column + " = " + n);
    }
  }

  // created_at: bounds as the API writes times (text order is time order there) and, where
  // the table sees the comparison, as SQLite's date functions write them (compared as time:
  // the copy compares julianday()). Under OR or NOT SQLite compares the text itself, and the
  // README says to write julianday(created_at) there; the copy then compares the same.
  Pred time_atom(bool pushed) {
    const std::string t = run().created_at, u = run().created_at;
    const char* ops[] = {">=", ">", "<", "<=", "="};
    const std::string op = ops[pick(5)];
    switch (pick(4)) {
      case 0:
        return same("created_at " + op + " " + sql_quote(t));
      case 2:
      case 3:
        if (!pushed) {
          std::string bound = "datetime(" + sql_quote(t) + ", '" + std::to_string(pick(7) - 3) + " hours')";
          return same("julianday(created_at) " + op + " julianday(" + bound + ")");
        }
        break;
      case 1: {
        std::string lo = std::min(t, u), hi = std::max(t, u);
        return same("created_at BETWEEN " + sql_quote(lo) + " AND " + sql_quote(hi));
      }
    }
    switch (pick(2)) {
      case 0: {
        std::string bound = "datetime(" + sql_quote(t) + ", '" + std::to_string(pick(7) - 3) + " hours')";
        return {"created_at " + op + " " + bound, "julianday(created_at) " + op + " julianday(" + bound + ")"};
      }
      default: {
        std::string bound = "date(" + sql_quote(t) + ")";
        return {"created_at " + op + " " + bound, "julianday(created_at) " + op + " julianday(" + bound + ")"};
      }
    }
  }

  Pred atom(bool pushed) {
    switch (pick(11)) {
      case 0:
        return text_atom("status",
                         {"queued", "in_progress", "completed", "waiting", run().status, "success", "failure"});
      case 1:
        return text_atom("conclusion",
                         {"success", "failure", "cancelled", "skipped",
                          run().conclusion.empty() ? "success" : run().conclusion, "completed", "in_progress"});
      case 2:
        return text_atom("event", {run().event, run().event, "push", "pull_request", "schedule", "release"});
      case 3:
        return text_atom("head_branch", {run().head_branch, run().head_branch, "main", "no-such-branch"});
      case 4:
        return text_atom("actor_login", {run().actor_login, run().actor_login, "nobody-here"});
      case 5:
        return text_atom("head_sha", {run().head_sha, "0000000000000000000000000000000000000000"});
      case 6:
        return number_atom("id", run().id, run().id);
      case 7:
        return number_atom("workflow_id", run().workflow_id, run().workflow_id + pick(2));
      case 8:
        return number_atom("check_suite_id", run().check_suite_id, run().check_suite_id);
      case 9:
        return number_atom("run_number", run().run_number, run().run_number);
      default:
        return time_atom(pushed);
    }
  }

  std::mt19937_64 rng_;
  const std::vector<WorkflowRun>& runs_;
};

class DifferentialTest : public ServerTest {};

TEST_F(DifferentialTest, RandomWhereClausesGiveTheRowsOfAPlainTableOfTheSameRuns) {
  serve(testserver::demo_dataset());
  const std::vector<WorkflowRun> runs = server_->snapshot().runs_for(kOwner, kRepo);
  ASSERT_GT(runs.size(), 300u);
  auto db = connect();
  db->query(
      "CREATE TABLE ref(id INTEGER, status TEXT, conclusion TEXT, event TEXT, head_branch TEXT, actor_login TEXT, "
      "head_sha TEXT, workflow_id INTEGER, check_suite_id INTEGER, run_number INTEGER, created_at TEXT)");
  db->query("BEGIN");
  for (const WorkflowRun& r : runs)
    db->query("INSERT INTO ref VALUES (" + std::to_string(r.id) + ", " + sql_quote(r.status) + ", " +
              (r.conclusion.empty() ? std::string("NULL") : sql_quote(r.conclusion)) + ", " + sql_quote(r.event) +
              ", " + sql_quote(r.head_branch) + ", " + sql_quote(r.actor_login) + ", " + sql_quote(r.head_sha) + ", " +
              std::to_string(r.workflow_id) + ", " + std::to_string(r.check_suite_id) + ", " +
              std::to_string(r.run_number) + ", " + sql_quote(r.created_at) + ")");
  db->query("COMMIT");

  const size_t pages = (runs.size() + 99) / 100;
  Generator gen(20261123, runs);
  const std::string from = std::string("FROM workflow_runs WHERE owner = '") + kOwner + "' AND repo = '" + kRepo + "'";
  int nonempty = 0;
  for (int i = 0; i < 250; ++i) {
    Pred p = gen.expr(2);
    std::string tail;
    switch (gen.pick(4)) {
      case 0:
        tail = " ORDER BY id LIMIT " + std::to_string(1 + gen.pick(40));
        break;
      case 1:
        tail = " ORDER BY created_at DESC, id LIMIT " + std::to_string(1 + gen.pick(150));
        break;
      default:
        tail = " ORDER BY id";
    }
    const std::string table_sql = "SELECT id " + from + " AND " + p.table + tail;
    const std::string ref_sql = "SELECT id FROM ref WHERE " + p.ref + tail;
    server_->clear_requests();
    Rows want = db->query(ref_sql);
    Rows got = db->query(table_sql);
    ASSERT_EQ(got, want) << table_sql;
    nonempty += !want.empty();
    // Never more than one listing (its pages, once each) and the single runs an IN list names.
    EXPECT_LE(api_requests().size(), pages + 3) << table_sql;
  }
  // The clauses select something often enough for the comparison to mean something.
  EXPECT_GT(nonempty, 80);
}

// Bounds on the timestamp columns no parameter sends (artifacts' created_at and expires_at,
// runs' updated_at) in the forms SQLite's date functions write compare as time, as a plain
// table compares julianday() of both sides; under OR SQLite compares the text, as documented.
TEST_F(DifferentialTest, TimestampColumnsCompareAsTimeInEveryForm) {
  serve(testserver::demo_dataset());
  auto db = connect();
  db->query("CREATE TABLE ref(created_at TEXT, expires_at TEXT)");
  db->query("BEGIN");
  for (const auto& a : server_->snapshot().artifacts_for(kOwner, kRepo))
    db->query("INSERT INTO ref VALUES (" + sql_quote(a.created_at) + ", " + sql_quote(a.expires_at) + ")");
  db->query("COMMIT");
  ASSERT_GT(db->integer("SELECT count(*) FROM ref"), 100);
  const std::string from =
      std::string("SELECT count(*) FROM artifacts WHERE owner = '") + kOwner + "' AND repo = '" + kRepo + "' AND ";
  const std::string day =
      db->query("SELECT substr(created_at, 1, 10) FROM ref ORDER BY created_at LIMIT 1 OFFSET 60")[0][0];
  for (const std::string& column : {std::string("created_at"), std::string("expires_at")})
    for (const std::string& op :
         {std::string("<"), std::string("<="), std::string(">"), std::string(">="), std::string("=")})
      for (const std::string& bound :
           {"datetime('" + day + " 12:00:00')", "date('" + day + "')", "unixepoch('" + day + " 06:30:00')",
            "julianday('" + day + " 18:00:00')", "'" + day + "T23:59:59Z'", "'" + day + " 00:00:00+02:00'"}) {
        SCOPED_TRACE(column + " " + op + " " + bound);
        const Rows want = db->query("SELECT count(*) FROM ref WHERE julianday(" + column + ") " + op + " julianday(" +
                                    bound + (bound.rfind("unixepoch", 0) == 0 ? ", 'unixepoch'" : "") + ")");
        EXPECT_EQ(db->query(from + column + " " + op + " " + bound), want);
      }
  // Not a time: an error naming the forms, before any request.
  server_->clear_requests();
  EXPECT_NE(db->error(from + "expires_at < 'next week'").find("is compared as a time"), std::string::npos);
  EXPECT_TRUE(api_requests().empty());
}

// A run deleted since its id was stored (a sync's second day): its jobs listing answers 404,
// the repository is there, so it has no jobs, and the other runs of the list still do.
TEST_F(DifferentialTest, TheJobsOfARunThatIsGoneAreNoRowsAndTheOthersStillCome) {
  serve(testserver::demo_dataset());
  const std::vector<WorkflowRun> runs = server_->snapshot().runs_for(kOwner, kRepo);
  ASSERT_FALSE(runs.empty());
  const std::string run = std::to_string(runs.front().id);
  auto db = connect();
  const std::string jobs =
      std::string("SELECT count(*) FROM workflow_jobs WHERE owner = '") + kOwner + "' AND repo = '" + kRepo + "'";
  const Rows alone = db->query(jobs + " AND run_id = " + run);
  ASSERT_NE(alone, (Rows{{"0"}}));
  server_->clear_requests();
  EXPECT_EQ(db->query(jobs + " AND run_id IN (" + run + ", 17)"), alone);
  std::vector<std::string> sent;
  for (const auto& r : api_requests()) sent.push_back(r.path);
  std::sort(sent.begin(), sent.end());  // SQLite orders the IN list itself
  EXPECT_EQ(sent, (std::vector<std::string>{"/repos/octo-org/web-frontend",
                                            "/repos/octo-org/web-frontend/actions/runs/17/jobs",
                                            "/repos/octo-org/web-frontend/actions/runs/" + run + "/jobs"}));
  // However many runs of the list are gone, the repository is asked for once per statement.
  server_->clear_requests();
  EXPECT_EQ(db->query(jobs + " AND run_id IN (" + run + ", 17, 18, 19)"), alone);
  int repository_reads = 0;
  for (const auto& r : api_requests()) repository_reads += r.path == "/repos/octo-org/web-frontend";
  EXPECT_EQ(repository_reads, 1);
  EXPECT_EQ(api_requests().size(), 5u);
  // Of a repository that is gone, the 404 is the error it always was.
  EXPECT_NE(db->error("SELECT count(*) FROM workflow_jobs WHERE owner = 'octo-org' AND repo = 'gone' AND run_id = 17")
                .find("404 Not Found"),
            std::string::npos);
}

}  // namespace
}  // namespace stacklite::testing
