// Query planning without SQLite types: which read method answers a WHERE clause, which
// constraints feed which parameters (in argv order), and what SQLite must still check.
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

// What xFilter's argv[i] holds.
struct PlanArg {
  int column = -1;
  Op op = Op::Eq;
  bool in_list = false;  // argv holds every value of an IN (...) at once
};

struct Plan {
  int method = -1;  // index into the resource's read_methods; -1: required inputs missing
  std::vector<PlanArg> args;
  // SQLite drops none of the rows the API returns and receives them in the order it asked
  // for, so a LIMIT may size the pages.
  bool exact = false;
  uint64_t columns_needed = 0;

  std::string encode() const;
  static Plan decode(std::string_view text);  // throws Error on text it did not produce
};

struct PlanChoice {
  Plan plan;
  std::vector<int> argv_index;   // per constraint: 0 unused, else 1-based argv position
  std::vector<bool> omit;        // per constraint: SQLite need not re-check it
  std::vector<bool> path_param;  // per constraint: feeds a path parameter (IN may fan out)
  double cost = 0;
  int64_t rows = 0;
  bool unusable = false;        // a required input exists but is not usable in this join order
  bool order_consumed = false;  // rows come in the ORDER BY's order: SQLite need not sort
};

PlanChoice choose_plan(const ResourceSpec& resource, const std::vector<ConstraintInfo>& constraints,
                       uint64_t columns_used, const std::vector<OrderTerm>& order_by = {});

// A column some date_range parameter of the resource takes (created_at): the table compares
// bounds on it as time, and SQLite does not re-check them as text.
bool is_time_column(const ResourceSpec& resource, int column);

// A path parameter fed by a real column and an input column takes values beyond the real
// column's (workflow_id: a numeric id, or a file name the input column stands for).
bool takes_names(const ResourceSpec& resource, const ParamBinding& path_param);

// "owner and repo are required: ... e.g. WHERE owner = 'octo-org' AND repo = 'octo-repo'"
std::string missing_inputs_message(const ResourceSpec& resource);

}  // namespace stacklite
