// Query planning without SQLite types: which read method answers a WHERE clause, what each
// argv slot feeds (a path or query parameter, a bound checked on each row, LIMIT/OFFSET),
// and what SQLite must still check. The plan is the whole recipe for the requests.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "spec/spec.hpp"

namespace stacklite {

enum class Op : uint8_t { Eq, Gt, Ge, Lt, Le, Limit, Offset, Other };

// One entry of sqlite3_index_info::aConstraint, reduced to what planning needs.
struct ConstraintInfo {
  int column = -1;  // -1 for LIMIT/OFFSET
  Op op = Op::Other;
  bool usable = false;
  bool is_in = false;  // an IN (...) list: used for a path parameter it fans out into targets
};

// One ORDER BY term of sqlite3_index_info::aOrderBy.
struct OrderTerm {
  int column = -1;
  bool descending = false;
};

// What an argv slot feeds.
enum class ArgRole : uint8_t {
  PathParam,   // the path parameter method.path_params[param]
  QueryParam,  // the equals or boolean query parameter method.query_params[param]
  DateRange,   // a bound sent in the date-range parameter method.query_params[param], and checked on each row
  TimeCheck,   // a time bound the method cannot send: checked on each row only
  NameCheck,   // another `=` naming what path parameter method.path_params[param] names
               // (workflow = 'ci.yml' AND id = 12): the table checks that the two agree
  Limit,
  Offset,
};

// What xFilter's argv[i] holds and where it goes.
struct PlanArg {
  int column = -1;  // -1 for LIMIT/OFFSET
  Op op = Op::Eq;
  bool in_list = false;  // argv holds every value of an IN (...) at once: one listing per value
  ArgRole role = ArgRole::PathParam;
  int param = -1;  // index into the method's path_params or query_params; -1 for the others
};

struct Plan {
  int method = -1;  // index into the resource's read_methods; -1: required inputs missing
  std::vector<PlanArg> args;
  // SQLite drops none of the rows the API returns and receives them in the order it asked
  // for, so a LIMIT may size the pages.
  bool exact = false;
  uint64_t columns_needed = 0;

  // The idxStr SQLite keeps, and EXPLAIN QUERY PLAN shows: the method, what each argv slot
  // feeds, and what is checked on each row, e.g.
  //   list_workflow_runs_for_repo(owner=?1,repo IN ?2,branch=?3,created>=?4) limit=?5 exact columns=0x...
  // A parameter fed by several columns names the one used: run_id(id)=?3, status(conclusion)=?3.
  // A time bound the method cannot send reads check(created_at>=?4).
  std::string encode(const ResourceSpec& resource) const;
  // Throws Error on text encode() did not produce for this resource.
  static Plan decode(const ResourceSpec& resource, std::string_view text);
};

struct PlanChoice {
  Plan plan;
  std::vector<int> argv_index;  // per constraint: 0 unused, else 1-based argv position
  std::vector<bool> omit;       // per constraint: SQLite need not re-check it
  double cost = 0;
  int64_t rows = 0;
  bool unusable = false;        // a required input exists but is not usable in this join order
  bool order_consumed = false;  // rows come in the ORDER BY's order: SQLite need not sort
  // One request answers with at most one row (a get by id, with no IN list making it
  // several): SQLite may DELETE in one pass and stop after the first row.
  bool one_row = false;
};

PlanChoice choose_plan(const ResourceSpec& resource, const std::vector<ConstraintInfo>& constraints,
                       uint64_t columns_used, const std::vector<OrderTerm>& order_by = {});

// A column whose bounds the table compares as time (SQLite does not re-check them as text):
// one a date_range parameter of the resource takes (created_at), or one marked "time" in the
// spec (checked on each row only).
bool is_time_column(const ResourceSpec& resource, int column);

// A path parameter fed by a real column and an input column takes values beyond the real
// column's (workflow_id: a numeric id, or a file name the input column stands for).
bool takes_names(const ResourceSpec& resource, const ParamBinding& path_param);

// "owner and repo are required: ... e.g. WHERE owner = 'octo-org' AND repo = 'octo-repo'"
std::string missing_inputs_message(const ResourceSpec& resource);

}  // namespace stacklite
