// Turns a plan and the values SQLite bound to it into concrete requests ("targets"):
// encoded path, query parameters, the date range, and the input values each row reports.
#include "vtab/request.hpp"

#include <cmath>
#include <cstdio>

#include "http/url.hpp"
#include "util/text.hpp"

namespace stacklite {

bool is_api_date(const std::string& v) {
  auto digits = [&](size_t from, size_t n) {
    for (size_t k = from; k < from + n; ++k)
      if (k >= v.size() || v[k] < '0' || v[k] > '9') return false;
    return true;
  };
  bool date = digits(0, 4) && v.size() >= 10 && v[4] == '-' && digits(5, 2) && v[7] == '-' && digits(8, 2);
  if (!date) return false;
  if (v.size() == 10) return true;
  return v.size() == 20 && v[10] == 'T' && digits(11, 2) && v[13] == ':' && digits(14, 2) && v[16] == ':' &&
         digits(17, 2) && v[19] == 'Z';
}

std::string Target::first_page(const std::string& upper_override) const {
  auto q = query;
  if (!range_param.empty()) {
    std::string upper = upper_override.empty() ? range_upper : upper_override;
    std::string value;
    if (!range_lower.empty() && !upper.empty()) value = range_lower + ".." + upper;
    else if (!range_lower.empty()) value = ">=" + range_lower;
    else if (!upper.empty()) value = "<=" + upper;
    if (!value.empty()) q.emplace_back(range_param, value);
  }
  if (method->paginated && !method->per_page_param.empty() && per_page > 0)
    q.emplace_back(method->per_page_param, std::to_string(per_page));
  return with_query(path, q);
}

namespace {

const ParamBinding* binding_for(const std::vector<ParamBinding>& bindings, int column, bool ranged) {
  for (const auto& b : bindings)
    if ((b.style == ParamStyle::DateRange) == ranged)
      for (int c : b.columns)
        if (c == column) return &b;
  return nullptr;
}

std::string boolean_text(const ColumnSpec& col, const SqlValue& v) {
  std::string t = to_lower(v.to_text());
  if (t == "1" || t == "true") return "true";
  if (t == "0" || t == "false") return "false";
  throw Error(col.name + " takes 1 or 0 (true or false), not " + quote_for_message(v.to_text()));
}

}  // namespace

TargetGenerator::TargetGenerator(const ResourceSpec& resource, const Plan& plan, std::vector<std::vector<SqlValue>> argv)
    : resource_(resource), plan_(plan), argv_(std::move(argv)), pick_(argv_.size(), 0) {
  for (const auto& values : argv_) done_ |= values.empty();
  if (done_) return;
  // Every value of every list is checked now, before any request: a bad value late in a
  // list is an error up front, not after the targets before it were fetched.
  for (size_t a = 0; a < argv_.size(); ++a) {
    for (size_t k = 1; k < argv_[a].size(); ++k) {
      pick_[a] = k;
      build(pick_);
    }
    pick_[a] = 0;
  }
}

std::optional<Target> TargetGenerator::next() {
  while (!done_) {
    std::optional<Target> t = build(pick_);
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

std::optional<Target> TargetGenerator::build(const std::vector<size_t>& pick) const {
  const ResourceSpec& res = resource_;
  const Plan& plan = plan_;
  const auto& argv = argv_;
  const ReadMethod& m = res.read_methods.at(plan.method);
  int64_t limit = -1, offset = 0;
  std::optional<Target> out;
  {
    Target t;
    t.method = &m;
    t.inputs.assign(res.columns.size(), std::nullopt);
    std::vector<std::pair<std::string, std::string>> path_values;
    bool empty = false;
    for (size_t a = 0; a < plan.args.size(); ++a) {
      const PlanArg& arg = plan.args[a];
      const SqlValue& v = argv[a][pick[a]];
      if (arg.op == Op::Limit || arg.op == Op::Offset) {
        if (v.kind == SqlValue::Kind::Int) (arg.op == Op::Limit ? limit : offset) = v.i;
        continue;
      }
      if (v.kind == SqlValue::Kind::Null) {  // `x = NULL` and `x > NULL` match nothing
        empty = true;
        break;
      }
      const ColumnSpec& col = res.columns[arg.column];
      if (col.input) t.inputs[arg.column] = v;
      if (arg.op == Op::Eq) {
        if (const ParamBinding* p = binding_for(m.path_params, arg.column, false)) {
          std::string text = v.to_text();
          check_path_segment(col.name, text);
          path_values.emplace_back(p->param, percent_encode(text));
          continue;
        }
        if (const ParamBinding* q = binding_for(m.query_params, arg.column, false)) {
          t.query.emplace_back(q->param, q->style == ParamStyle::Boolean ? boolean_text(col, v) : v.to_text());
          continue;
        }
        continue;
      }
      // A range bound. Sent inclusive (the API's `>` on a date skips that whole day, while
      // SQL compares text), so the API answers a superset and SQLite trims it exactly.
      const ParamBinding* r = binding_for(m.query_params, arg.column, true);
      std::string text = v.to_text();
      if (!r || !is_api_date(text)) continue;  // not sendable: SQLite alone filters it
      t.range_param = r->param;
      if (arg.op == Op::Gt || arg.op == Op::Ge) {
        if (t.range_lower.empty() || text > t.range_lower) t.range_lower = text;
      } else {
        if (t.range_upper.empty() || text < t.range_upper) t.range_upper = text;
      }
    }
    if (!empty) {
      for (const auto& piece : m.pieces) {
        if (!piece.is_param) {
          t.path += piece.text;
          continue;
        }
        for (const auto& [name, value] : path_values)
          if (name == piece.text) t.path += value;
      }
      if (m.cap.max_results > 0 && t.range_param.empty()) t.range_param = m.cap.continue_param;
      t.per_page = m.max_per_page;
      if (plan.exact && limit >= 0) {
        int64_t wanted = limit + (offset > 0 ? offset : 0);
        if (wanted >= 1 && wanted < t.per_page) t.per_page = static_cast<int>(wanted);
      }
      out = std::move(t);
    }
  }
  return out;
}

std::vector<Target> build_targets(const ResourceSpec& res, const Plan& plan,
                                  const std::vector<std::vector<SqlValue>>& argv) {
  TargetGenerator targets(res, plan, argv);
  std::vector<Target> out;
  while (auto t = targets.next()) out.push_back(std::move(*t));
  return out;
}

}  // namespace stacklite
