// Planning and request building: which method a WHERE clause selects, what SQLite still
// checks, and the exact path and query each combination of values produces.
#include "vtab/plan.hpp"

#include <gtest/gtest.h>

#include <set>

#include "spec/spec.hpp"
#include "util/text.hpp"
#include "vtab/request.hpp"

namespace stacklite {
namespace {

const ResourceSpec& runs() { return *bundled_provider("github")->resource("workflow_runs"); }
int col(const char* name) { return runs().column_index(name); }
ConstraintInfo eq(const char* name) { return {col(name), Op::Eq, true}; }
ConstraintInfo op(const char* name, Op o) { return {col(name), o, true}; }
const std::string& method_name(const PlanChoice& pc) { return runs().read_methods.at(pc.plan.method).name; }

TEST(Plan, OwnerAndRepoListTheRepository) {
  PlanChoice pc = choose_plan(runs(), {eq("owner"), eq("repo")}, ~0ull);
  ASSERT_GE(pc.plan.method, 0);
  EXPECT_EQ(method_name(pc), "list_workflow_runs_for_repo");
  EXPECT_EQ(pc.argv_index, (std::vector<int>{1, 2}));
  EXPECT_TRUE(pc.omit[0] && pc.omit[1]);  // pure inputs
  EXPECT_TRUE(pc.plan.exact);
}

TEST(Plan, IdOrRunIdGetsOneRunAndAttemptNumberItsAttempt) {
  EXPECT_EQ(method_name(choose_plan(runs(), {eq("owner"), eq("repo"), eq("id")}, ~0ull)), "get_workflow_run");
  EXPECT_EQ(method_name(choose_plan(runs(), {eq("run_id"), eq("owner"), eq("repo")}, ~0ull)), "get_workflow_run");
  PlanChoice pc = choose_plan(runs(), {eq("owner"), eq("repo"), eq("id"), eq("attempt_number")}, ~0ull);
  EXPECT_EQ(method_name(pc), "get_workflow_run_attempt");
  EXPECT_FALSE(pc.omit[2]);  // id is a real column: SQLite re-checks it
  EXPECT_TRUE(pc.omit[3]);
}

TEST(Plan, WorkflowSelectsTheWorkflowListing) {
  EXPECT_EQ(method_name(choose_plan(runs(), {eq("owner"), eq("repo"), eq("workflow")}, ~0ull)), "list_workflow_runs");
  EXPECT_EQ(method_name(choose_plan(runs(), {eq("owner"), eq("repo"), eq("workflow_id")}, ~0ull)),
            "list_workflow_runs");
  // A workflow filter the get-by-id request cannot send must not be dropped: list instead.
  EXPECT_EQ(method_name(choose_plan(runs(), {eq("owner"), eq("repo"), eq("id"), eq("workflow")}, ~0ull)),
            "list_workflow_runs");
}

TEST(Plan, WorkflowIdIsTheTablesToCheckSinceItMayBeAName) {
  PlanChoice pc = choose_plan(runs(), {eq("owner"), eq("repo"), eq("workflow_id")}, 0);
  EXPECT_EQ(method_name(pc), "list_workflow_runs");
  EXPECT_TRUE(pc.omit[2]);  // SQLite would compare 'ci.yml' with the numeric workflow_id
  EXPECT_NE(pc.plan.columns_needed & column_bit(col("workflow_id")), 0u);  // checked on each row
  // A method that cannot send it does not answer: the run is looked for in the workflow.
  EXPECT_EQ(method_name(choose_plan(runs(), {eq("owner"), eq("repo"), eq("id"), eq("workflow_id")}, ~0ull)),
            "list_workflow_runs");
}

TEST(Plan, TimeBoundsAreTheTablesToCheck) {
  PlanChoice pc = choose_plan(runs(), {eq("owner"), eq("repo"), op("created_at", Op::Gt), op("created_at", Op::Le)}, 0);
  EXPECT_EQ(method_name(pc), "list_workflow_runs_for_repo");
  EXPECT_TRUE(pc.omit[2] && pc.omit[3]);  // SQLite would compare them as text
  EXPECT_NE(pc.plan.columns_needed & column_bit(col("created_at")), 0u);
  // A get by id cannot send the bound, and still checks it as time.
  PlanChoice one = choose_plan(runs(), {eq("owner"), eq("repo"), eq("id"), op("created_at", Op::Ge)}, 0);
  EXPECT_EQ(method_name(one), "get_workflow_run");
  EXPECT_GT(one.argv_index[3], 0);
  EXPECT_TRUE(one.omit[3]);
  // Other timestamp columns ("time" in the spec) no parameter sends: checked as time too.
  PlanChoice other = choose_plan(runs(), {eq("owner"), eq("repo"), op("updated_at", Op::Ge)}, 0);
  EXPECT_GT(other.argv_index[2], 0);
  EXPECT_TRUE(other.omit[2]);
  EXPECT_NE(other.plan.columns_needed & column_bit(col("updated_at")), 0u);
  // A column that holds no timestamps stays SQLite's to compare.
  PlanChoice text = choose_plan(runs(), {eq("owner"), eq("repo"), op("display_title", Op::Ge)}, 0);
  EXPECT_EQ(text.argv_index[2], 0);
  EXPECT_FALSE(text.omit[2]);
}

TEST(Plan, FiltersBecomeArgumentsAndSqliteRechecksLooseOnes) {
  PlanChoice pc = choose_plan(runs(), {eq("owner"), eq("repo"), eq("head_branch"), eq("status")}, ~0ull);
  EXPECT_EQ(pc.argv_index, (std::vector<int>{1, 2, 3, 4}));
  EXPECT_FALSE(pc.omit[2]);
  EXPECT_FALSE(pc.omit[3]);
  EXPECT_FALSE(pc.plan.exact);  // status also matches conclusions
  PlanChoice exact = choose_plan(runs(), {eq("owner"), eq("repo"), eq("head_branch"), eq("event")}, ~0ull);
  EXPECT_TRUE(exact.plan.exact);
  // status and conclusion feed one parameter: only the first is sent.
  PlanChoice both = choose_plan(runs(), {eq("owner"), eq("repo"), eq("conclusion"), eq("status")}, ~0ull);
  EXPECT_EQ((both.argv_index[2] > 0) + (both.argv_index[3] > 0), 1);
  EXPECT_FALSE(both.omit[2] || both.omit[3]);
}

TEST(Plan, UnsendableConstraintsMakeThePlanInexact) {
  ConstraintInfo like{col("name"), Op::Other, true};
  EXPECT_FALSE(choose_plan(runs(), {eq("owner"), eq("repo"), like}, ~0ull).plan.exact);
  EXPECT_FALSE(choose_plan(runs(), {eq("owner"), eq("repo"), eq("name")}, ~0ull).plan.exact);
  ConstraintInfo limit{-1, Op::Limit, true};
  PlanChoice pc = choose_plan(runs(), {eq("owner"), eq("repo"), limit}, ~0ull);
  EXPECT_TRUE(pc.plan.exact);
  EXPECT_EQ(pc.argv_index[2], 3);
}

TEST(Plan, OrderByIsConsumedOnlyWhenTheApiDeliversIt) {
  ConstraintInfo limit{-1, Op::Limit, true};
  std::vector<ConstraintInfo> cs = {eq("owner"), eq("repo"), limit};
  PlanChoice newest = choose_plan(runs(), cs, ~0ull, {{col("created_at"), true}});
  EXPECT_TRUE(newest.order_consumed);
  EXPECT_TRUE(newest.plan.exact);
  PlanChoice oldest = choose_plan(runs(), cs, ~0ull, {{col("created_at"), false}});
  EXPECT_FALSE(oldest.order_consumed);
  EXPECT_FALSE(oldest.plan.exact);  // SQLite sorts every row, so LIMIT cannot size pages
  EXPECT_FALSE(choose_plan(runs(), cs, ~0ull, {{col("created_at"), true}, {col("id"), true}}).order_consumed);
  ConstraintInfo repos = eq("repo");
  repos.is_in = true;
  EXPECT_FALSE(choose_plan(runs(), {eq("owner"), repos}, ~0ull, {{col("created_at"), true}}).order_consumed);
  EXPECT_TRUE(choose_plan(runs(), {eq("owner"), eq("repo"), eq("id")}, ~0ull, {{col("name"), false}}).order_consumed);
}

TEST(Plan, MissingOwnerOrRepoIsAnErrorPlanUnlessAJoinCanSupplyIt) {
  PlanChoice none = choose_plan(runs(), {eq("owner")}, ~0ull);
  EXPECT_EQ(none.plan.method, -1);
  EXPECT_FALSE(none.unusable);
  ConstraintInfo later = eq("repo");
  later.usable = false;
  PlanChoice join = choose_plan(runs(), {eq("owner"), later}, ~0ull);
  EXPECT_TRUE(join.unusable);
  std::string msg = missing_inputs_message(runs());
  EXPECT_NE(msg.find("owner and repo are required"), std::string::npos) << msg;
  EXPECT_NE(msg.find("WHERE owner = 'octo-org' AND repo = 'octo-repo'"), std::string::npos) << msg;
}

TEST(Plan, EncodesAndDecodes) {
  PlanChoice pc = choose_plan(runs(), {eq("owner"), eq("repo"), op("created_at", Op::Ge)}, 0x5ull);
  pc.plan.args[0].in_list = true;
  Plan back = Plan::decode(runs(), pc.plan.encode(runs()));
  EXPECT_EQ(back.method, pc.plan.method);
  EXPECT_EQ(back.exact, pc.plan.exact);
  EXPECT_EQ(back.columns_needed, pc.plan.columns_needed);
  ASSERT_EQ(back.args.size(), 3u);
  EXPECT_TRUE(back.args[0].in_list);
  EXPECT_EQ(back.args[2].op, Op::Ge);
  EXPECT_THROW(Plan::decode(runs(), "nonsense"), Error);
}

// idxStr is what EXPLAIN QUERY PLAN shows: the method, what each argv slot feeds, and what
// the table checks on each row; xFilter reads the same text back.
TEST(Plan, IdxStrNamesTheMethodAndWhatEachArgumentFeeds) {
  ConstraintInfo limit{-1, Op::Limit, true};
  PlanChoice pc = choose_plan(runs(), {eq("owner"), eq("repo"), eq("head_branch"), limit}, 0x1);
  std::string text = pc.plan.encode(runs());
  EXPECT_EQ(text.substr(0, text.find(" columns=")),
            "list_workflow_runs_for_repo(owner=?1,repo=?2,branch=?3) limit=?4 exact");
  ConstraintInfo repos = eq("repo");
  repos.is_in = true;
  ConstraintInfo branches = eq("head_branch");
  branches.is_in = true;  // a query parameter: SQLite loops over the values itself
  PlanChoice in = choose_plan(runs(), {eq("owner"), repos, branches, op("created_at", Op::Ge)}, 0x1);
  text = in.plan.encode(runs());
  EXPECT_EQ(text.substr(0, text.find(" columns=")),
            "list_workflow_runs_for_repo(owner=?1,repo IN ?2,branch=?3,created>=?4)");
  EXPECT_TRUE(in.plan.args[1].in_list);
  EXPECT_FALSE(in.plan.args[2].in_list);
  PlanChoice one = choose_plan(runs(), {eq("owner"), eq("repo"), eq("id"), op("created_at", Op::Lt)}, 0x1);
  text = one.plan.encode(runs());
  EXPECT_EQ(text.substr(0, text.find(" columns=")),
            "get_workflow_run(owner=?1,repo=?2,run_id(id)=?3) check(created_at<?4)");
  EXPECT_TRUE(one.one_row);
  EXPECT_EQ(choose_plan(runs(), {eq("owner")}, 0).plan.encode(runs()), "(required inputs missing)");
}

TEST(Plan, EveryPlanReadsBackAsItWasMade) {
  ConstraintInfo limit{-1, Op::Limit, true}, offset{-1, Op::Offset, true};
  ConstraintInfo ids = eq("id");
  ids.is_in = true;
  std::vector<std::vector<ConstraintInfo>> queries = {
      {eq("owner"), eq("repo")},
      {eq("owner"), eq("repo"), eq("conclusion"), eq("event"), eq("exclude_pull_requests"), limit, offset},
      {eq("owner"), eq("repo"), eq("workflow"), op("created_at", Op::Gt), op("created_at", Op::Le)},
      {eq("owner"), eq("repo"), eq("workflow_id"), eq("head_sha"), eq("check_suite_id")},
      {eq("owner"), eq("repo"), ids, eq("attempt_number"), op("created_at", Op::Eq)},
      {eq("run_id"), eq("repo"), eq("owner")},
  };
  for (const auto& cs : queries) {
    Plan plan = choose_plan(runs(), cs, 0x8000000000000401ull).plan;
    std::string text = plan.encode(runs());
    Plan back = Plan::decode(runs(), text);
    EXPECT_EQ(back.method, plan.method) << text;
    EXPECT_EQ(back.exact, plan.exact) << text;
    EXPECT_EQ(back.columns_needed, plan.columns_needed) << text;
    ASSERT_EQ(back.args.size(), plan.args.size()) << text;
    for (size_t i = 0; i < plan.args.size(); ++i) {
      EXPECT_EQ(back.args[i].column, plan.args[i].column) << text << " ?" << i + 1;
      EXPECT_EQ(back.args[i].op, plan.args[i].op) << text << " ?" << i + 1;
      EXPECT_EQ(back.args[i].in_list, plan.args[i].in_list) << text << " ?" << i + 1;
      EXPECT_EQ(back.args[i].role, plan.args[i].role) << text << " ?" << i + 1;
      EXPECT_EQ(back.args[i].param, plan.args[i].param) << text << " ?" << i + 1;
    }
  }
  for (const char* bad : {"", "list_workflow_runs_for_repo(", "no_such_method() columns=0x0000000000000000",
                          "list_workflow_runs_for_repo(owner=?1,repo=?3) columns=0x0000000000000000",
                          "list_workflow_runs_for_repo(owner=?1,owner=?1) columns=0x0000000000000000",
                          "list_workflow_runs_for_repo(nope=?1) columns=0x0000000000000000",
                          "list_workflow_runs_for_repo(owner=?1) check(name>?2) columns=0x0000000000000000"})
    EXPECT_THROW(Plan::decode(runs(), bad), Error) << bad;
}

std::vector<ReadRequest> targets(std::vector<ConstraintInfo> cs, std::vector<std::vector<SqlValue>> values) {
  PlanChoice pc = choose_plan(runs(), cs, ~0ull);
  EXPECT_EQ(pc.plan.args.size(), values.size());
  return build_read_requests(runs(), pc.plan, values);
}
SqlValue T(const char* s) { return SqlValue::of_text(s); }
SqlValue I(int64_t v) { return SqlValue::of_int(v); }

TEST(Request, EncodesPathSegmentsAndQueryValues) {
  auto ts = targets({eq("owner"), eq("repo"), eq("head_branch")}, {{T("a b")}, {T("r%2F")}, {T("x&status=y")}});
  ASSERT_EQ(ts.size(), 1u);
  EXPECT_EQ(ts[0].first_page(), "/repos/a%20b/r%252F/actions/runs?branch=x%26status%3Dy&per_page=100");
  EXPECT_THROW(targets({eq("owner"), eq("repo")}, {{T("..")}, {T("r")}}), Error);
  EXPECT_THROW(targets({eq("owner"), eq("repo")}, {{T("o")}, {T("")}}), Error);
}

TEST(Request, DateRangesAreSentInclusiveAndTightest) {
  auto ts =
      targets({eq("owner"), eq("repo"), op("created_at", Op::Gt), op("created_at", Op::Lt), op("created_at", Op::Le)},
              {{T("o")}, {T("r")}, {T("2025-01-01")}, {T("2025-03-01")}, {T("2025-02-01T10:00:00Z")}});
  EXPECT_EQ(ts[0].first_page(),
            "/repos/o/r/actions/runs?created=2025-01-01T00%3A00%3A01Z..2025-02-01T10%3A00%3A00Z&per_page=100");
  ASSERT_EQ(ts[0].time_bounds.size(), 1u);
  EXPECT_EQ(ts[0].time_bounds[0].column, col("created_at"));
  // A date alone is midnight UTC, as in SQLite's date functions.
  auto lower = targets({eq("owner"), eq("repo"), op("created_at", Op::Ge)}, {{T("o")}, {T("r")}, {T("2025-01-01")}});
  EXPECT_EQ(lower[0].first_page(), "/repos/o/r/actions/runs?created=%3E%3D2025-01-01T00%3A00%3A00Z&per_page=100");
  auto upper = targets({eq("owner"), eq("repo"), op("created_at", Op::Lt)}, {{T("o")}, {T("r")}, {T("2025-01-01")}});
  EXPECT_EQ(upper[0].first_page(), "/repos/o/r/actions/runs?created=%3C%3D2024-12-31T23%3A59%3A59Z&per_page=100");
}

// The whole seconds a bound admits, as sent in `created=`.
std::string created_for(Op o, SqlValue bound) {
  auto ts = targets({eq("owner"), eq("repo"), op("created_at", o)}, {{T("o")}, {T("r")}, {std::move(bound)}});
  if (ts.empty()) return "(nothing)";
  return (ts[0].range_lower.empty() ? "*" : ts[0].range_lower) + ".." +
         (ts[0].range_upper.empty() ? "*" : ts[0].range_upper);
}

TEST(Request, TimeBoundsInEveryFormBecomeWholeSeconds) {
  // What datetime(), date() and strftime() produce, with T, offsets and fractions.
  EXPECT_EQ(created_for(Op::Ge, T("2026-11-16 12:00:00")), "2026-11-16T12:00:00Z..*");
  EXPECT_EQ(created_for(Op::Gt, T("2026-11-16 12:00")), "2026-11-16T12:00:01Z..*");
  EXPECT_EQ(created_for(Op::Ge, T("2026-11-16T12:00:00+02:00")), "2026-11-16T10:00:00Z..*");
  EXPECT_EQ(created_for(Op::Le, T("2026-11-16T23:30:00-01:00")), "*..2026-11-17T00:30:00Z");
  EXPECT_EQ(created_for(Op::Ge, T("2026-11-16T12:00:00.000Z")), "2026-11-16T12:00:00Z..*");
  // Runs have whole seconds: past a fraction, > and >= start at the next second, and
  // < and <= end at the second before.
  EXPECT_EQ(created_for(Op::Gt, T("2026-11-16 12:00:00.5")), "2026-11-16T12:00:01Z..*");
  EXPECT_EQ(created_for(Op::Ge, T("2026-11-16 12:00:00.5")), "2026-11-16T12:00:01Z..*");
  EXPECT_EQ(created_for(Op::Lt, T("2026-11-16 12:00:00.5")), "*..2026-11-16T12:00:00Z");
  EXPECT_EQ(created_for(Op::Le, T("2026-11-16 12:00:00.5")), "*..2026-11-16T12:00:00Z");
  EXPECT_EQ(created_for(Op::Lt, T("2026-11-16 12:00:00")), "*..2026-11-16T11:59:59Z");
  // = is both bounds; a fraction matches no run.
  EXPECT_EQ(created_for(Op::Eq, T("2026-11-16 12:00:00")), "2026-11-16T12:00:00Z..2026-11-16T12:00:00Z");
  EXPECT_EQ(created_for(Op::Eq, T("2026-11-16 12:00:00.25")), "(nothing)");
  // unixepoch() integers and julianday() reals.
  EXPECT_EQ(created_for(Op::Ge, I(1735689600)), "2025-01-01T00:00:00Z..*");
  SqlValue jd;
  jd.kind = SqlValue::Kind::Real;
  jd.d = 2460676.5;
  EXPECT_EQ(created_for(Op::Ge, jd), "2025-01-01T00:00:00Z..*");
  // Bounds that contradict each other ask for nothing.
  EXPECT_TRUE(targets({eq("owner"), eq("repo"), op("created_at", Op::Gt), op("created_at", Op::Lt)},
                      {{T("o")}, {T("r")}, {T("2025-01-02")}, {T("2025-01-01 12:00:00")}})
                  .empty());
}

TEST(Request, ANonTimeBoundIsAnErrorThatShowsTheForms) {
  for (SqlValue bad :
       {T("11/01/2026"), T("yesterday"), T("2025-02-30"), T("2025-01-01 25:00"), T("1763251200"), T("")}) {
    try {
      targets({eq("owner"), eq("repo"), op("created_at", Op::Ge)}, {{T("o")}, {T("r")}, {bad}});
      ADD_FAILURE() << bad.text << " was accepted";
    } catch (const Error& e) {
      std::string msg = e.what();
      EXPECT_NE(msg.find("created_at is compared as a time"), std::string::npos) << msg;
      EXPECT_NE(msg.find("'YYYY-MM-DD HH:MM:SS'"), std::string::npos) << msg;
      EXPECT_NE(msg.find("unixepoch()"), std::string::npos) << msg;
    }
  }
  try {
    targets({eq("owner"), eq("repo"), op("created_at", Op::Ge)}, {{T("o")}, {T("r")}, {T("1763251200")}});
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("as an INTEGER"), std::string::npos) << e.what();
  }
}

TEST(Request, RowsAreCheckedAsTime) {
  auto ts = targets({eq("owner"), eq("repo"), op("created_at", Op::Ge), op("created_at", Op::Lt)},
                    {{T("o")}, {T("r")}, {T("2026-11-16 12:00:00")}, {T("2026-11-16 13:00:00")}});
  ASSERT_EQ(ts.size(), 1u);
  Row row;
  row.cells.resize(runs().columns.size());
  Cell& created = row.cells[col("created_at")];
  created.kind = Cell::Kind::Text;
  auto admits = [&](std::string_view when) {
    created.text = when;
    return ts[0].admits(runs(), row);
  };
  // As text, "2026-11-16T03:00:00Z" >= "2026-11-16 12:00:00" ('T' sorts after ' ').
  EXPECT_FALSE(admits("2026-11-16T03:00:00Z"));
  EXPECT_FALSE(admits("2026-11-16T11:59:59Z"));
  EXPECT_TRUE(admits("2026-11-16T12:00:00Z"));
  EXPECT_TRUE(admits("2026-11-16T12:59:59Z"));
  EXPECT_FALSE(admits("2026-11-16T13:00:00Z"));
  EXPECT_THROW(admits("soon"), Error);
  created.kind = Cell::Kind::Null;
  EXPECT_FALSE(ts[0].admits(runs(), row));
}

TEST(Request, WorkflowIdTakesAFileNameOrAPath) {
  for (const char* name : {"ci.yml", ".github/workflows/ci.yml"}) {
    auto ts = targets({eq("owner"), eq("repo"), eq("workflow_id")}, {{T("o")}, {T("r")}, {T(name)}});
    ASSERT_EQ(ts.size(), 1u);
    EXPECT_EQ(ts[0].path, "/repos/o/r/actions/workflows/ci.yml/runs") << name;
    EXPECT_TRUE(ts[0].equal_checks.empty());
    ASSERT_TRUE(ts[0].inputs[col("workflow")].has_value());
    EXPECT_EQ(ts[0].inputs[col("workflow")]->text, name);
  }
  for (SqlValue id : {I(12), T("12")}) {
    auto ts = targets({eq("owner"), eq("repo"), eq("workflow_id")}, {{T("o")}, {T("r")}, {id}});
    EXPECT_EQ(ts[0].path, "/repos/o/r/actions/workflows/12/runs");
    EXPECT_EQ(ts[0].equal_checks, (std::vector<std::pair<int, int64_t>>{{col("workflow_id"), 12}}));
  }
}

TEST(Request, EnumeratedParametersRefuseUnknownValues) {
  // The API's status parameter takes conclusions as well as statuses.
  for (const char* ok : {"queued", "success", "failure", "completed"})
    EXPECT_NO_THROW(targets({eq("owner"), eq("repo"), eq("status")}, {{T("o")}, {T("r")}, {T(ok)}})) << ok;
  try {
    targets({eq("owner"), eq("repo"), eq("status")}, {{T("o")}, {T("r")}, {T("failed")}});
    ADD_FAILURE() << "status = 'failed' was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "status = 'failed' is not a value the API's status parameter takes; valid values: completed, "
              "action_required, cancelled, failure, neutral, skipped, stale, success, timed_out, in_progress, queued, "
              "requested, waiting, pending");
  }
  EXPECT_THROW(targets({eq("owner"), eq("repo"), eq("conclusion")}, {{T("o")}, {T("r")}, {T("Failure")}}), Error);
  // Events are an open set: anything goes.
  EXPECT_NO_THROW(targets({eq("owner"), eq("repo"), eq("event")}, {{T("o")}, {T("r")}, {T("merge_group")}}));
}

TEST(Request, BooleansNullsAndLimit) {
  auto ts = targets({eq("owner"), eq("repo"), eq("exclude_pull_requests")}, {{T("o")}, {T("r")}, {I(1)}});
  EXPECT_EQ(ts[0].first_page(), "/repos/o/r/actions/runs?exclude_pull_requests=true&per_page=100");
  EXPECT_THROW(targets({eq("owner"), eq("repo"), eq("exclude_pull_requests")}, {{T("o")}, {T("r")}, {T("maybe")}}),
               Error);
  EXPECT_TRUE(targets({eq("owner"), eq("repo")}, {{T("o")}, {SqlValue{}}}).empty());
  ConstraintInfo limit{-1, Op::Limit, true};
  auto limited =
      targets({eq("owner"), eq("repo"), eq("head_branch"), limit}, {{T("o")}, {T("r")}, {T("main")}, {I(20)}});
  EXPECT_EQ(limited[0].first_page(), "/repos/o/r/actions/runs?branch=main&per_page=20");
  // status may drop rows in SQLite, so a LIMIT does not shrink pages.
  auto loose = targets({eq("owner"), eq("repo"), eq("status"), limit}, {{T("o")}, {T("r")}, {T("queued")}, {I(20)}});
  EXPECT_EQ(loose[0].first_page(), "/repos/o/r/actions/runs?status=queued&per_page=100");
}

TEST(Request, InListsFanOutOneTargetPerCombination) {
  auto ts = targets({eq("owner"), eq("repo")}, {{T("a"), T("b")}, {T("x"), T("y")}});
  ASSERT_EQ(ts.size(), 4u);
  std::set<std::string> paths;
  for (const auto& t : ts) paths.insert(t.path);
  EXPECT_EQ(paths, (std::set<std::string>{"/repos/a/x/actions/runs", "/repos/a/y/actions/runs",
                                          "/repos/b/x/actions/runs", "/repos/b/y/actions/runs"}));
  EXPECT_EQ(ts[0].inputs[col("owner")]->text, "a");
  auto ids = targets({eq("owner"), eq("repo"), eq("id")}, {{T("o")}, {T("r")}, {I(1), I(2)}});
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[1].first_page(), "/repos/o/r/actions/runs/2");
}

}  // namespace
}  // namespace stacklite
