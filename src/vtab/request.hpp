// Turns a plan and the values SQLite bound to it into read requests: encoded path, query
// parameters, the date range, the checks on each row, and the input values each row reports.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "json/page_decoder.hpp"
#include "spec/spec.hpp"
#include "util/sql_value.hpp"
#include "vtab/plan.hpp"
#include "vtab/write_log.hpp"

namespace stacklite {

// One listing (or get) to read: what the API is asked, and what the table checks itself.
struct ReadRequest {
  const ReadMethod* method = nullptr;
  std::string path;        // encoded, below the base URL
  PathParams path_params;  // the values in path, by parameter name: what writes are matched against
  std::vector<std::pair<std::string, std::string>> query;  // not yet encoded
  // The date range parameter that continues past a result cap ("" when the method has none).
  std::string range_param;
  std::string range_lower, range_upper;  // inclusive bounds; "" when open
  int per_page = 0;
  // The rows SQLite will read at most (LIMIT + OFFSET of an exact plan; -1: all), and
  // whether pages may be fetched before they are asked for: not under a LIMIT that SQLite
  // applies after filtering of its own, whose need no one can tell in advance.
  int64_t rows_wanted = -1;
  bool prefetch = true;
  std::vector<std::optional<SqlValue>> inputs;  // per column: the value given for an input column

  // What the table checks on each row itself, because SQLite was told not to: bounds on
  // time columns as whole seconds (inclusive), one entry per column, and integer equalities
  // (workflow_id = 12).
  struct TimeBound {
    int column = -1;
    std::optional<int64_t> lower, upper;
  };
  std::vector<TimeBound> time_bounds;
  std::vector<std::pair<int, int64_t>> equal_checks;  // column, value
  // The same query through the method's on_not_found fallback, taken when this target's
  // first request is a 404; or, when a value cannot go to that method, why not.
  std::shared_ptr<const ReadRequest> fallback;
  std::string fallback_error;
  // A value this method does not take but its fallback does (type = 'owner': a user's
  // listing takes it, an organization's does not): left out of this request, and the error
  // when this method answers instead of handing over to the fallback.
  std::string value_error;

  // Whether a row satisfies those checks. Throws Error for a time the response garbled.
  bool admits(const ResourceSpec& resource, const Row& row) const;

  // Path and query for the first page, with the range narrowed to `upper` when given.
  std::string first_page(const std::string& upper_override = std::string()) const;
};

// Hands out the targets of a plan one at a time: one per combination of the values bound
// to argv (a list of several values stands for an IN processed all at once), made only when
// asked for, so memory does not grow with the number of combinations (an odometer over the
// lists). Skips a combination a value makes empty (e.g. `= NULL`). Whoever fetches targets
// takes the next one from here, so several fetchers could share one generator.
class ReadRequestGenerator {
 public:
  // Throws Error naming the column for a value that cannot be sent (not a time, not among
  // the values a parameter takes, ...), checking every value of every list here, before any
  // target is handed out. A combination is empty also when its time bounds admit no second.
  ReadRequestGenerator(const ResourceSpec& resource, const Plan& plan, std::vector<std::vector<SqlValue>> argv);

  // The next target; nullopt once every combination has been handed out.
  std::optional<ReadRequest> next();

 private:
  std::optional<ReadRequest> build(const std::vector<size_t>& pick, int method) const;

  const ResourceSpec& resource_;
  Plan plan_;
  std::vector<std::vector<SqlValue>> argv_;
  std::vector<size_t> pick_;  // per argv list: the value the next combination takes
  bool done_ = false;
};

// Every target of a generator at once (for tests and small plans).
std::vector<ReadRequest> build_read_requests(const ResourceSpec& resource, const Plan& plan,
                                             const std::vector<std::vector<SqlValue>>& argv);

}  // namespace stacklite
