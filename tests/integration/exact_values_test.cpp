// The values users actually write: created_at bounds in every form SQLite's date functions
// produce (compared as time, sent as `created=`), workflow_id as a file name, and values the
// API enumerates checked before any request. Rows are compared with the served data
// filtered independently (SQLite's own julianday() for times), and requests are asserted.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <set>

#include "harness.hpp"

namespace stacklite::testing {
namespace {

const std::string kRuns = "SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo'";

// A repository whose runs were created at the given instants (unix seconds), ids 7001, ...
Dataset timed_dataset(const std::vector<int64_t>& times) {
  Dataset data = small_dataset("octo-org", "octo-repo", 0);
  WorkflowRun model = small_dataset("octo-org", "octo-repo", 1).runs_for("octo-org", "octo-repo")[0];
  for (size_t i = 0; i < times.size(); ++i) {
    WorkflowRun r = model;
    r.id = 7001 + static_cast<int64_t>(i);
    r.run_number = static_cast<int>(i + 1);
    r.created_at = testserver::format_timestamp(times[i]);
    r.updated_at = r.run_started_at = r.created_at;
    data.add_run(r);
  }
  return data;
}

int64_t at(const char* utc) {
  int64_t t = 0;
  EXPECT_TRUE(testserver::parse_timestamp(utc, t)) << utc;
  return t;
}

std::vector<std::string> sorted_ids(const Rows& rows) {
  std::vector<std::string> ids;
  for (const auto& r : rows) ids.push_back(r[0]);
  std::sort(ids.begin(), ids.end());
  return ids;
}

class TimeBoundsTest : public ServerTest {
 protected:
  // Runs the bound against the table, and against a plain copy of the runs filtered by
  // `reference` (SQL over `ref(id, created_at)`); both give the same ids.
  void load_reference(Db& db) {
    db.query("CREATE TABLE ref(id INTEGER, created_at TEXT)");
    for (const WorkflowRun& r : server_->snapshot().runs_for("octo-org", "octo-repo"))
      db.query("INSERT INTO ref VALUES (" + std::to_string(r.id) + ", " + sql_quote(r.created_at) + ")");
  }
  std::vector<std::string> ids_where(Db& db, const std::string& where) {
    return sorted_ids(db.query(kRuns + " AND " + where));
  }
};

// The boundary the issue reports: as text, '2026-11-16T03:00:00Z' >= '2026-11-16 12:00:00'.
TEST_F(TimeBoundsTest, SqliteTimeFormsCompareAsTimeAndAreSent) {
  serve(timed_dataset({at("2026-11-16T03:00:00Z"), at("2026-11-16T11:59:59Z"), at("2026-11-16T12:00:00Z"),
                       at("2026-11-16T12:00:01Z"), at("2026-11-17T00:00:00Z")}));
  auto db = connect();
  struct Case {
    std::string where, created;
    std::vector<std::string> ids;
  };
  const std::vector<Case> cases = {
      {"created_at >= '2026-11-16 12:00:00'", ">=2026-11-16T12:00:00Z", {"7003", "7004", "7005"}},
      {"created_at >= '2026-11-16 12:00'", ">=2026-11-16T12:00:00Z", {"7003", "7004", "7005"}},
      {"created_at >= '2026-11-16T13:00:00+01:00'", ">=2026-11-16T12:00:00Z", {"7003", "7004", "7005"}},
      {"created_at >= 1794830400", ">=2026-11-16T12:00:00Z", {"7003", "7004", "7005"}},  // unixepoch()
      {"created_at >= julianday('2026-11-16 12:00:00')", ">=2026-11-16T12:00:00Z", {"7003", "7004", "7005"}},
      {"created_at > '2026-11-16 12:00:00.5'", ">=2026-11-16T12:00:01Z", {"7004", "7005"}},
      {"created_at >= '2026-11-16 11:59:59.999'", ">=2026-11-16T12:00:00Z", {"7003", "7004", "7005"}},
      {"created_at < '2026-11-17'", "<=2026-11-16T23:59:59Z", {"7001", "7002", "7003", "7004"}},
      {"created_at <= '2026-11-17'", "<=2026-11-17T00:00:00Z", {"7001", "7002", "7003", "7004", "7005"}},
      {"created_at <= '2026-11-16 12:00:00.5'", "<=2026-11-16T12:00:00Z", {"7001", "7002", "7003"}},
      {"created_at BETWEEN date('2026-11-16 08:00') AND datetime('2026-11-16', '+12 hours')",
       "2026-11-16T00:00:00Z..2026-11-16T12:00:00Z",
       {"7001", "7002", "7003"}},
      {"created_at = '2026-11-16 12:00:00'", "2026-11-16T12:00:00Z..2026-11-16T12:00:00Z", {"7003"}},
      {"created_at > strftime('%Y-%m-%dT%H:%M:%fZ', '2026-11-16 11:59:59.250')",
       ">=2026-11-16T12:00:00Z",
       {"7003", "7004", "7005"}},
  };
  for (const auto& c : cases) {
    server_->clear_requests();
    EXPECT_EQ(ids_where(*db, c.where), c.ids) << c.where;
    auto reqs = api_requests();
    ASSERT_EQ(reqs.size(), 1u) << c.where;
    EXPECT_EQ(reqs[0].path, "/repos/octo-org/octo-repo/actions/runs") << c.where;
    EXPECT_EQ(reqs[0].param("created"), c.created) << c.where;
  }
  // A bound no run's second can meet asks for nothing.
  server_->clear_requests();
  EXPECT_TRUE(ids_where(*db, "created_at = '2026-11-16 12:00:00.5'").empty());
  EXPECT_TRUE(ids_where(*db, "created_at > '2026-11-17' AND created_at < '2026-11-16'").empty());
  EXPECT_TRUE(api_requests().empty());
}

// `created_at >= datetime('now', '-7 days')`: pushed down, exact, with runs around now.
TEST_F(TimeBoundsTest, DatetimeNowMinusSevenDays) {
  const int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::vector<int64_t> times;
  for (int hour = 0; hour < 14 * 24; ++hour) times.push_back(now - hour * 3600 - 1800);  // half an hour off the bound
  serve(timed_dataset(times));
  auto db = connect();
  auto got = ids_where(*db, "created_at >= datetime('now', '-7 days')");
  std::vector<std::string> want;
  for (size_t i = 0; i < times.size(); ++i)
    if (times[i] >= now - 7 * 86400) want.push_back(std::to_string(7001 + i));
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
  EXPECT_EQ(want.size(), 7u * 24);
  auto reqs = api_requests();
  ASSERT_EQ(reqs.size(), 2u);  // 168 runs: two pages, not the whole repository's four
  std::string created = reqs[0].param("created");
  ASSERT_EQ(created.substr(0, 2), ">=");
  int64_t sent = 0;
  ASSERT_TRUE(testserver::parse_timestamp(created.substr(2), sent)) << created;
  EXPECT_LE(std::llabs(sent - (now - 7 * 86400)), 5) << created;
  EXPECT_EQ(reqs[1].param("created"), created);

  // The forms users reach for: date() arithmetic, a subquery, a join on a table of bounds.
  EXPECT_EQ(db->integer("SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' "
                        "AND created_at >= (SELECT datetime('now', '-1 day'))"),
            24);
  db->query(
      "CREATE TABLE windows(name TEXT, since TEXT); INSERT INTO windows VALUES ('day', datetime('now', '-1 day')), "
      "('hours', datetime('now', '-3 hours'))");
  Rows per_window = db->query(
      "SELECT w.name, count(r.id) FROM windows w JOIN workflow_runs r ON r.owner = 'octo-org' AND r.repo = 'octo-repo' "
      "AND r.created_at >= w.since GROUP BY w.name ORDER BY w.name");
  EXPECT_EQ(per_window, (Rows{{"day", "24"}, {"hours", "3"}}));
}

TEST_F(TimeBoundsTest, NotATimeIsAnErrorShowingTheFormsWithNoRequest) {
  serve(small_dataset("octo-org", "octo-repo", 20));
  auto db = connect();
  for (const char* value : {"'11/01/2026'", "'yesterday'", "'2026-02-30'", "strftime('%s', '2026-11-01')"}) {
    std::string err = db->error(kRuns + " AND created_at >= " + value);
    EXPECT_EQ(err.rfind("workflow_runs: created_at is compared as a time, and ", 0), 0u) << err;
    EXPECT_NE(err.find("Accepted: 'YYYY-MM-DD' (midnight UTC), 'YYYY-MM-DD HH:MM', 'YYYY-MM-DD HH:MM:SS'"),
              std::string::npos)
        << err;
  }
  EXPECT_NE(db->error(kRuns + " AND created_at >= strftime('%s', '2026-11-01')").find("as an INTEGER"),
            std::string::npos);
  EXPECT_TRUE(api_requests().empty());
  // A get by id checks the bound too.
  EXPECT_NE(db->error(kRuns + " AND id = 5001 AND created_at < 'soon'").find("is not one"), std::string::npos);
  EXPECT_TRUE(api_requests().empty());
}

TEST_F(TimeBoundsTest, GetByIdChecksTheBoundAsTime) {
  serve(timed_dataset({at("2026-11-16T03:00:00Z")}));
  auto db = connect();
  EXPECT_TRUE(ids_where(*db, "id = 7001 AND created_at >= '2026-11-16 12:00:00'").empty());
  EXPECT_EQ(ids_where(*db, "id = 7001 AND created_at < '2026-11-16 12:00:00'"), std::vector<std::string>{"7001"});
  auto reqs = api_requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].path, "/repos/octo-org/octo-repo/actions/runs/7001");
}

// Random bounds in random SQLite forms against SQLite's own reading of them: julianday()
// of the run's created_at against julianday() of the bound.
TEST_F(TimeBoundsTest, RandomBoundsAgreeWithSqlitesDateFunctions) {
  std::mt19937_64 rng(8);
  const int64_t midnight = at("2026-11-16T00:00:00Z");
  std::vector<int64_t> times;
  std::uniform_int_distribution<int64_t> around(-2 * 86400, 2 * 86400);
  for (int i = 0; i < 180; ++i) times.push_back(midnight + around(rng));
  for (int64_t t : {midnight, midnight, midnight - 1, midnight + 1, midnight + 43200, midnight + 86400})
    times.push_back(t);  // on and next to the edges, twice at one second
  serve(timed_dataset(times));
  auto db = connect();
  load_reference(*db);

  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  // An instant near the runs: often a run's own second, or one beside it.
  auto instant = [&]() -> int64_t {
    switch (pick(3)) {
      case 0:
        return times[static_cast<size_t>(pick(static_cast<int>(times.size())))] + pick(3) - 1;
      case 1:
        return midnight + 86400LL * (pick(5) - 2);
      default:
        return midnight + around(rng);
    }
  };
  auto wall = [](int64_t t, const char* fmt) {
    time_t tt = static_cast<time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, fmt, &tm);
    return std::string(buf);
  };
  // A bound: its SQL, and the SQL of its Julian day for the reference.
  struct Bound {
    std::string sql, julian;
  };
  auto bound = [&]() -> Bound {
    int64_t t = instant();
    char ms[8];
    std::snprintf(ms, sizeof ms, ".%03d", pick(4) == 0 ? 0 : pick(1000));
    int off = (pick(29) - 14) * 60 + (pick(2) ? 30 : 0);
    char zone[12];
    std::snprintf(zone, sizeof zone, "%c%02d:%02d", off < 0 ? '-' : '+', std::abs(off) / 60, std::abs(off) % 60);
    std::string text;
    switch (pick(9)) {
      case 0:
        text = wall(t, "%Y-%m-%d");
        break;
      case 1:
        text = wall(t, "%Y-%m-%d %H:%M");
        break;
      case 2:
        text = wall(t, "%Y-%m-%d %H:%M:%S");
        break;
      case 3:
        text = wall(t, "%Y-%m-%dT%H:%M:%S");
        break;
      case 4:
        text = wall(t, "%Y-%m-%dT%H:%M:%S") + ms;
        break;
      case 5:
        text = wall(t, "%Y-%m-%dT%H:%M:%SZ");
        break;
      case 6:
        text = wall(t, "%Y-%m-%d %H:%M:%S") + ms + "Z";
        break;
      case 7:
        text = wall(t + off * 60, "%Y-%m-%dT%H:%M:%S") + zone;
        break;
      default:
        text = wall(t + off * 60, "%Y-%m-%d %H:%M") + zone;
        break;
    }
    std::string lit = sql_quote(text);
    switch (pick(7)) {
      case 0: {
        std::string e = "datetime(" + lit + ", '" + std::to_string(pick(7201) - 3600) + " seconds')";
        return {e, "julianday(" + e + ")"};
      }
      case 1:
        return {"date(" + lit + ")", "julianday(date(" + lit + "))"};
      case 2: {
        std::string e = "strftime('%Y-%m-%dT%H:%M:%fZ', " + lit + ")";
        return {e, "julianday(" + e + ")"};
      }
      case 3:
        return {"unixepoch(" + lit + ")", "julianday(unixepoch(" + lit + "), 'unixepoch')"};
      case 4:
        return {"julianday(" + lit + ")", "julianday(" + lit + ")"};
      default:
        return {lit, "julianday(" + lit + ")"};
    }
  };
  const char* ops[] = {">", ">=", "<", "<=", "="};
  int nonempty = 0;
  for (int i = 0; i < 300; ++i) {
    std::string where, reference;
    if (pick(5) == 0) {
      Bound lo = bound(), hi = bound();
      where = "created_at BETWEEN " + lo.sql + " AND " + hi.sql;
      reference = "julianday(created_at) BETWEEN " + lo.julian + " AND " + hi.julian;
    } else {
      Bound b = bound();
      const char* o = ops[pick(5)];
      where = "created_at " + std::string(o) + " " + b.sql;
      reference = "julianday(created_at) " + std::string(o) + " " + b.julian;
    }
    server_->clear_requests();
    auto got = ids_where(*db, where);
    auto want = sorted_ids(db->query("SELECT id FROM ref WHERE " + reference));
    ASSERT_EQ(got, want) << where;
    nonempty += !want.empty();
    for (const auto& r : api_requests()) ASSERT_TRUE(r.has_param("created")) << where << ": " << r.query;
  }
  EXPECT_GT(nonempty, 100);  // the bounds cut through the runs, not around them
}

class WorkflowByNameTest : public RepositoryTest<120> {
 protected:
  std::vector<std::string> expected_ids(int64_t workflow_id) {
    std::vector<std::string> ids;
    for (const WorkflowRun& r : server_->snapshot().runs_for("octo-org", "octo-repo"))
      if (r.workflow_id == workflow_id) ids.push_back(std::to_string(r.id));
    return ids;
  }
  std::vector<std::string> ids_of(const std::string& where) {
    std::vector<std::string> ids;
    for (const auto& row : db_->query(kRuns + " AND " + where)) ids.push_back(row[0]);
    return ids;
  }
};

TEST_F(WorkflowByNameTest, AFileNameOrPathIsTheSameAsWorkflow) {
  auto ci = expected_ids(11);
  ASSERT_FALSE(ci.empty());
  for (const char* where : {"workflow_id = 'ci.yml'", "workflow_id = '.github/workflows/ci.yml'", "workflow = 'ci.yml'",
                            "workflow_id = 11", "workflow_id = '11'"}) {
    server_->clear_requests();
    EXPECT_EQ(ids_of(where), ci) << where;
    auto reqs = api_requests();
    ASSERT_EQ(reqs.size(), 1u) << where;
    bool by_id = std::string(where).find("11") != std::string::npos;
    EXPECT_EQ(reqs[0].path, by_id ? "/repos/octo-org/octo-repo/actions/workflows/11/runs"
                                  : "/repos/octo-org/octo-repo/actions/workflows/ci.yml/runs")
        << where;
  }
  // The rows carry the numeric id, and `workflow` the name that was given.
  Rows rows = db_->query(
      "SELECT DISTINCT workflow_id, workflow FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' "
      "AND workflow_id = 'release.yml'");
  EXPECT_EQ(rows, (Rows{{"12", "release.yml"}}));
}

TEST_F(WorkflowByNameTest, InListsAndAGetByIdWithAName) {
  auto both = expected_ids(11);
  auto release = expected_ids(12);
  both.insert(both.end(), release.begin(), release.end());
  std::sort(both.begin(), both.end());
  auto got = ids_of("workflow_id IN ('ci.yml', 'release.yml')");
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, both);
  // A run of release.yml asked for with ci.yml is no row; with its own workflow, the row.
  const std::string run = release.front();
  EXPECT_TRUE(ids_of("id = " + run + " AND workflow_id = 'ci.yml'").empty());
  EXPECT_EQ(ids_of("id = " + run + " AND workflow_id = 'release.yml'"), std::vector<std::string>{run});
  // Names from another table: one listing per name.
  db_->query("CREATE TABLE wanted(file TEXT); INSERT INTO wanted VALUES ('ci.yml'), ('.github/workflows/release.yml')");
  Rows per_file = db_->query(
      "SELECT n.file, count(w.id) FROM wanted n JOIN workflow_runs w ON w.owner = 'octo-org' AND w.repo = 'octo-repo' "
      "AND w.workflow_id = n.file GROUP BY n.file ORDER BY n.file");
  EXPECT_EQ(per_file, (Rows{{".github/workflows/release.yml", std::to_string(release.size())},
                            {"ci.yml", std::to_string(both.size() - release.size())}}));
  // A workflow the repository does not have: no runs (the repository is asked whether it is
  // there), and in an IN list the other names' runs still come.
  server_->clear_requests();
  EXPECT_TRUE(ids_of("workflow_id = 'nope.yml'").empty());
  std::vector<std::string> sent;
  for (const auto& r : api_requests()) sent.push_back(r.path);
  EXPECT_EQ(sent, (std::vector<std::string>{"/repos/octo-org/octo-repo/actions/workflows/nope.yml/runs",
                                            "/repos/octo-org/octo-repo"}));
  got = ids_of("workflow_id IN ('release.yml', 'nope.yml', 171001)");
  std::sort(got.begin(), got.end());
  std::sort(release.begin(), release.end());
  EXPECT_EQ(got, release);
  // The repository missing too: the listing's 404 is the error it always was.
  std::string err = db_->error(
      "SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'gone' AND workflow_id = 'nope.yml'");
  EXPECT_EQ(err,
            "workflow_runs: GET /repos/octo-org/gone/actions/workflows/nope.yml/runs: 404 Not Found: Not Found "
            "(no token was sent: if the repository is private, set GITHUB_TOKEN or GH_TOKEN)");
}

class KnownValuesTest : public RepositoryTest<30> {};

TEST_F(KnownValuesTest, AValueTheApiDoesNotKnowIsAnErrorWithNoRequest) {
  const std::string valid =
      "valid values: completed, action_required, cancelled, failure, neutral, skipped, stale, success, timed_out, "
      "in_progress, queued, requested, waiting, pending";
  EXPECT_EQ(db_->error(kRuns + " AND status = 'failed'"),
            "workflow_runs: status = 'failed' is not a value the API's status parameter takes; " + valid);
  EXPECT_EQ(db_->error(kRuns + " AND conclusion = 'Success'"),
            "workflow_runs: conclusion = 'Success' is not a value the API's status parameter takes; " + valid);
  EXPECT_EQ(db_->error("SELECT id FROM workflow_jobs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND run_id = 5010 "
                       "AND filter = 'everything'"),
            "workflow_jobs: filter = 'everything' is not a value the API's filter parameter takes; valid values: "
            "latest, all");
  EXPECT_TRUE(api_requests().empty());
  // Each value of an IN list is checked before its own request.
  EXPECT_NE(db_->error(kRuns + " AND status IN ('queued', 'running')").find("status = 'running' is not a value"),
            std::string::npos);
}

TEST_F(KnownValuesTest, KnownValuesStillGoToTheApi) {
  // A conclusion is a valid status parameter; SQLite still keeps only rows whose status is it.
  EXPECT_TRUE(db_->query(kRuns + " AND status = 'success'").empty());
  EXPECT_EQ(db_->query(kRuns + " AND conclusion = 'success'").size(), 6u);
  auto reqs = api_requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].param("status"), "success");
  // Events are an open set: a new one goes to the API as it is.
  server_->clear_requests();
  EXPECT_TRUE(db_->query(kRuns + " AND event = 'merge_group'").empty());
  EXPECT_EQ(api_requests().at(0).param("event"), "merge_group");
}

TEST_F(KnownValuesTest, AConclusionTheParameterDoesNotListIsFilteredBySqlite) {
  // GitHub's runs can conclude with startup_failure, which its status parameter does not
  // take: the listing goes out without it and SQLite keeps exactly those runs.
  Dataset data = small_dataset("octo-org", "octo-repo", 30);
  for (int64_t id : {5005, 5010}) data.find_run("octo-org", "octo-repo", id)->conclusion = "startup_failure";
  serve(std::move(data));
  db_ = connect();
  EXPECT_EQ(db_->query("SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' "
                       "AND conclusion = 'startup_failure' ORDER BY id"),
            (Rows{{"5005"}, {"5010"}}));
  auto reqs = api_requests();
  ASSERT_FALSE(reqs.empty());
  for (const auto& r : reqs) EXPECT_FALSE(r.has_param("status")) << r.path;
  // Beside a value the API takes, the other still goes out.
  server_->clear_requests();
  EXPECT_EQ(db_->query(kRuns + " AND conclusion IN ('startup_failure', 'cancelled')").size(), 8u);
  reqs = api_requests();
  ASSERT_EQ(reqs.size(), 2u);
  std::multiset<std::string> sent{reqs[0].param("status"), reqs[1].param("status")};
  EXPECT_EQ(sent, (std::multiset<std::string>{"", "cancelled"}));
}

}  // namespace
}  // namespace stacklite::testing
