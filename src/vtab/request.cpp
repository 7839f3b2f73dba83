// Turns a plan and the values SQLite bound to it into read requests: encoded path, query
// parameters, the date range, the checks on each row, and the input values each row reports.
#include "vtab/request.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "http/url.hpp"
#include "util/text.hpp"
#include "util/time_value.hpp"

namespace stacklite {

namespace {

// Whether the row's time in the bound's column lies within its whole seconds (inclusive).
bool within(const ResourceSpec& res, const Row& row, const ReadRequest::TimeBound& bound) {
  if (!bound.lower && !bound.upper) return true;
  const Cell& cell = row.cells[bound.column];
  std::optional<TimePoint> when;
  if (cell.kind == Cell::Kind::Null) return false;  // NULL satisfies no bound
  if (cell.kind == Cell::Kind::Text)
    when = parse_time_text(cell.text);
  else if (cell.kind == Cell::Kind::Int)
    when = time_from_unix_seconds(cell.i);
  if (!when)
    throw Error("malformed response: an item's " + res.columns[bound.column].name + " " +
                (cell.kind == Cell::Kind::Text ? quote_for_message(cell.text) : std::string("(a number)")) +
                " is not a time");
  // A whole-second bound L holds for t (maybe fractional) when floor(t) >= L; U when ceil(t) <= U.
  if (bound.lower && when->last_second_until() < *bound.lower) return false;
  if (bound.upper && when->first_second_from() > *bound.upper) return false;
  return true;
}

}  // namespace

bool ReadRequest::admits(const ResourceSpec& res, const Row& row) const {
  for (const auto& [column, value] : equal_checks) {
    const Cell& cell = row.cells[column];
    if (cell.kind != Cell::Kind::Int || cell.i != value) return false;
  }
  for (const TimeBound& b : time_bounds)
    if (!within(res, row, b)) return false;
  return true;
}

std::string ReadRequest::first_page(const std::string& upper_override) const {
  auto q = query;
  if (!range_param.empty()) {
    std::string upper = upper_override.empty() ? range_upper : upper_override;
    std::string value;
    if (!range_lower.empty() && !upper.empty())
      value = range_lower + ".." + upper;
    else if (!range_lower.empty())
      value = ">=" + range_lower;
    else if (!upper.empty())
      value = "<=" + upper;
    if (!value.empty()) q.emplace_back(range_param, value);
  }
  if (method->paginated && !method->per_page_param.empty() && per_page > 0)
    q.emplace_back(method->per_page_param, std::to_string(per_page));
  return with_query(path, q);
}

namespace {

// The value as an integer when SQL would compare it equal to one (12, '12', 12.0).
std::optional<int64_t> integer_value(const SqlValue& v) {
  if (v.kind == SqlValue::Kind::Int) return v.i;
  if (v.kind == SqlValue::Kind::Real && std::floor(v.d) == v.d && std::fabs(v.d) < 9e15)
    return static_cast<int64_t>(v.d);
  if (v.kind == SqlValue::Kind::Text) return parse_int64(trim(v.text));
  return std::nullopt;
}

// Whether the value goes to the API: false for a value the column holds but the API cannot
// filter on; an error for one it does not know at all.
bool check_known_value(const ColumnSpec& col, const ParamBinding& q, const std::string& text) {
  if (q.values.empty()) return true;
  for (const auto& known : q.values)
    if (known == text) return true;
  for (const auto& held : q.unfiltered_values)
    if (held == text) return false;
  std::string list;
  for (const auto& known : q.values) list += (list.empty() ? "" : ", ") + known;
  throw Error(col.name + " = " + quote_for_message(text) + " is not a value the API's " + q.param +
              " parameter takes; valid values: " + list);
}

std::string boolean_text(const ColumnSpec& col, const SqlValue& v) {
  if (auto b = boolean_value(v)) return *b ? "true" : "false";
  throw Error(col.name + " takes 1 or 0 (true or false), not " + quote_for_message(v.to_text()));
}

}  // namespace

ReadRequestGenerator::ReadRequestGenerator(const ResourceSpec& resource, const Plan& plan,
                                           std::vector<std::vector<SqlValue>> argv)
    : resource_(resource), plan_(plan), argv_(std::move(argv)), pick_(argv_.size(), 0) {
  for (const auto& values : argv_) done_ |= values.empty();
  if (done_) return;
  // Every value of every list is checked now, before any request: a bad value late in a
  // list is an error up front, not after the targets before it were fetched.
  for (size_t a = 0; a < argv_.size(); ++a) {
    for (size_t k = 1; k < argv_[a].size(); ++k) {
      pick_[a] = k;
      build(pick_, plan_.method);
    }
    pick_[a] = 0;
  }
}

std::optional<ReadRequest> ReadRequestGenerator::next() {
  while (!done_) {
    std::optional<ReadRequest> t = build(pick_, plan_.method);
    // Odometer over the argv lists: one combination per target, the first list fastest.
    size_t a = 0;
    for (; a < argv_.size(); ++a) {
      if (++pick_[a] < argv_[a].size()) break;
      pick_[a] = 0;
    }
    done_ = a == argv_.size();
    if (t) return t;
  }
  return std::nullopt;
}

namespace {

// A plan argument as a fallback method takes it: the parameter fed by the same column there
// (the spec loader made sure there is one, of the same style).
PlanArg for_fallback(const ReadMethod& m, PlanArg arg) {
  auto index_in = [&](const std::vector<ParamBinding>& params) {
    for (size_t i = 0; i < params.size(); ++i)
      if (std::find(params[i].columns.begin(), params[i].columns.end(), arg.column) != params[i].columns.end())
        return static_cast<int>(i);
    throw Error("read method " + m.name + " takes no parameter for this query's column (a spec fault)");
  };
  if (arg.role == ArgRole::PathParam) arg.param = index_in(m.path_params);
  if (arg.role == ArgRole::QueryParam || arg.role == ArgRole::DateRange) arg.param = index_in(m.query_params);
  return arg;
}

}  // namespace

std::optional<ReadRequest> ReadRequestGenerator::build(const std::vector<size_t>& pick, int method) const {
  const ResourceSpec& res = resource_;
  const Plan& plan = plan_;
  const auto& argv = argv_;
  const ReadMethod& m = res.read_methods.at(method);
  int64_t limit = -1, offset = 0;
  std::optional<ReadRequest> out;
  {
    ReadRequest t;
    t.method = &m;
    t.inputs.assign(res.columns.size(), std::nullopt);
    PathParams path_values;
    const ParamBinding* range = nullptr;  // the date-range parameter the time bounds go to
    int range_column = -1;                // and the column whose bounds it sends
    bool empty = false;
    for (size_t a = 0; a < plan.args.size(); ++a) {
      const PlanArg arg = method == plan.method ? plan.args[a] : for_fallback(m, plan.args[a]);
      const SqlValue& v = argv[a][pick[a]];
      if (arg.role == ArgRole::Limit || arg.role == ArgRole::Offset) {
        if (v.kind == SqlValue::Kind::Int) (arg.role == ArgRole::Limit ? limit : offset) = v.i;
        continue;
      }
      if (v.kind == SqlValue::Kind::Null) {  // `x = NULL` and `x > NULL` match nothing
        empty = true;
        break;
      }
      const ColumnSpec& col = res.columns[arg.column];
      if (col.input) t.inputs[arg.column] = v;
      switch (arg.role) {
        case ArgRole::DateRange:
        case ArgRole::TimeCheck: {
          // A bound on a time column, as the whole seconds that satisfy it (runs have second
          // precision): `> '…10:00:00.5'` is `>= …10:00:01`. Checked on every row here.
          TimePoint when = time_of(col.name, v);
          std::optional<int64_t> lower, upper;
          if (arg.op == Op::Gt) lower = when.last_second_until() + 1;
          if (arg.op == Op::Ge || arg.op == Op::Eq) lower = when.first_second_from();
          if (arg.op == Op::Lt) upper = when.first_second_from() - 1;
          if (arg.op == Op::Le || arg.op == Op::Eq) upper = when.last_second_until();
          // Several bounds on one column narrow its entry.
          auto b = std::find_if(t.time_bounds.begin(), t.time_bounds.end(),
                                [&](const ReadRequest::TimeBound& x) { return x.column == arg.column; });
          if (b == t.time_bounds.end()) b = t.time_bounds.insert(b, {arg.column, {}, {}});
          if (lower && (!b->lower || *lower > *b->lower)) b->lower = lower;
          if (upper && (!b->upper || *upper < *b->upper)) b->upper = upper;
          if (arg.role == ArgRole::DateRange) {
            range = &m.query_params.at(arg.param);
            range_column = arg.column;
          }
          break;
        }
        case ArgRole::PathParam: {
          const ParamBinding& p = m.path_params.at(arg.param);
          if (takes_names(res, p) && method == plan.method) {
            // Other values naming the same item (workflow = 'ci.yml' AND id = 12): a name, if
            // any, goes to the path; each number is checked against the row's id, and two
            // names must be the same file. (A NULL among them has made the target empty.)
            std::vector<const SqlValue*> named{&v};
            for (size_t b = 0; b < plan.args.size(); ++b)
              if (plan.args[b].role == ArgRole::NameCheck && plan.args[b].param == arg.param)
                named.push_back(&argv[b][pick[b]]);
            if (named.size() > 1) {
              const SqlValue* sent = &v;
              for (const SqlValue* x : named)
                if (x->kind != SqlValue::Kind::Null && !integer_value(*x)) {
                  sent = x;
                  break;
                }
              int real = -1;
              for (int c : p.columns)
                if (!res.columns[c].input) real = c;
              auto file = [&](const SqlValue& x) {
                std::string text = x.to_text();
                if (!p.strip_prefix.empty() && starts_with(text, p.strip_prefix)) text.erase(0, p.strip_prefix.size());
                return text;
              };
              for (const SqlValue* x : named) {
                if (x == sent) continue;
                if (auto number = integer_value(*x)) {
                  if (real >= 0) t.equal_checks.emplace_back(real, *number);
                } else if (file(*x) != file(*sent)) {
                  empty = true;
                }
              }
              std::string text = file(*sent);
              if (auto number = integer_value(*sent)) {
                if (real >= 0) t.equal_checks.emplace_back(real, *number);
                text = std::to_string(*number);
              } else {
                for (int c : p.columns)
                  if (res.columns[c].input) t.inputs[c] = *sent;
              }
              add_path_value(path_values, p.param, text, col.name);
              break;
            }
          }
          std::string text = v.to_text();
          if (takes_names(res, p) && !col.input) {
            // workflow_id = 12 is checked on each row; workflow_id = 'ci.yml' is a name, which
            // the input column beside it reports.
            if (auto number = integer_value(v)) {
              t.equal_checks.emplace_back(arg.column, *number);
              text = std::to_string(*number);
            } else {
              for (int c : p.columns)
                if (res.columns[c].input) t.inputs[c] = v;
            }
          }
          if (!p.strip_prefix.empty() && starts_with(text, p.strip_prefix)) text.erase(0, p.strip_prefix.size());
          add_path_value(path_values, p.param, text, col.name);
          break;
        }
        case ArgRole::QueryParam: {
          const ParamBinding& q = m.query_params.at(arg.param);
          std::string text = q.style == ParamStyle::Boolean ? boolean_text(col, v) : v.to_text();
          bool send = false;
          try {
            send = check_known_value(col, q, text);
          } catch (const Error& e) {
            if (m.fallback_method < 0) throw;
            t.value_error = e.what();
          }
          if (send) t.query.emplace_back(q.param, std::move(text));
          break;
        }
        case ArgRole::NameCheck:  // with its path parameter, above
        case ArgRole::Limit:
        case ArgRole::Offset:
          break;
      }
    }
    // Bounds that no second satisfies ask for nothing. The date-range parameter's column is
    // sent inclusively in whole seconds (YYYY-MM-DDTHH:MM:SSZ) when the method has it.
    for (const auto& b : t.time_bounds) {
      if (b.lower && b.upper && *b.lower > *b.upper) empty = true;
      if (range && b.column == range_column) {
        t.range_param = range->param;
        if (b.lower) t.range_lower = format_utc(*b.lower);
        if (b.upper) t.range_upper = format_utc(*b.upper);
      }
    }
    if (!empty) {
      t.path = expand_path(m.pieces, path_values);
      t.path_params = std::move(path_values);
      if (m.cap.max_results > 0 && t.range_param.empty()) t.range_param = m.cap.continue_param;
      t.per_page = m.max_per_page;
      if (plan.exact && limit >= 0) {
        int64_t wanted;  // LIMIT + OFFSET, saturated: both may be near INT64_MAX
        if (__builtin_add_overflow(limit, offset > 0 ? offset : 0, &wanted)) wanted = INT64_MAX;
        if (wanted >= 1 && wanted < t.per_page) t.per_page = static_cast<int>(wanted);
        t.rows_wanted = wanted;
      } else if (limit >= 0) {
        t.prefetch = false;
      }
      if (m.fallback_method >= 0) {
        // Built now with the same values; a value the fallback does not take is an error
        // only if the fallback is needed (an owner that is a user, not an organization).
        try {
          if (auto f = build(pick, m.fallback_method)) t.fallback = std::make_shared<const ReadRequest>(std::move(*f));
        } catch (const Error& e) {
          t.fallback_error = e.what();
        }
      }
      // A value neither method takes is an error before any request.
      if (!t.value_error.empty() && !t.fallback) throw Error(t.value_error);
      out = std::move(t);
    }
  }
  return out;
}

std::vector<ReadRequest> build_read_requests(const ResourceSpec& res, const Plan& plan,
                                             const std::vector<std::vector<SqlValue>>& argv) {
  ReadRequestGenerator targets(res, plan, argv);
  std::vector<ReadRequest> out;
  while (auto t = targets.next()) out.push_back(std::move(*t));
  return out;
}

}  // namespace stacklite
