// Query planning without SQLite types: which read method answers a WHERE clause, which
// constraints feed which parameters (in argv order), and what SQLite must still check.
#include "vtab/plan.hpp"

#include <cinttypes>
#include <cstdio>
#include <set>

#include "util/text.hpp"

namespace stacklite {

namespace {

bool is_range(Op op) { return op == Op::Gt || op == Op::Ge || op == Op::Lt || op == Op::Le; }
bool is_time_bound(Op op) { return is_range(op) || op == Op::Eq; }

// A real column that some method's name-taking path parameter is fed by (workflow_id).
bool names_column(const ResourceSpec& res, int column) {
  if (res.columns[column].input) return false;
  for (const auto& m : res.read_methods)
    for (const auto& p : m.path_params)
      for (int c : p.columns)
        if (c == column && takes_names(res, p)) return true;
  return false;
}

// First usable `=` constraint on any of the columns; -1 when none.
int find_eq(const std::vector<ConstraintInfo>& cs, const std::vector<int>& columns, const std::vector<bool>& taken) {
  for (int column : columns)
    for (size_t i = 0; i < cs.size(); ++i)
      if (!taken[i] && cs[i].usable && cs[i].op == Op::Eq && cs[i].column == column) return static_cast<int>(i);
  return -1;
}

bool any_constraint_on(const std::vector<ConstraintInfo>& cs, const std::vector<int>& columns) {
  for (int column : columns)
    for (const auto& c : cs)
      if (c.column == column && c.op == Op::Eq) return true;
  return false;
}

struct Attempt {
  bool ok = false;
  PlanChoice choice;
};

Attempt try_method(const ResourceSpec& res, int method_index, const std::vector<ConstraintInfo>& cs) {
  const ReadMethod& m = res.read_methods[method_index];
  Attempt a;
  PlanChoice& pc = a.choice;
  pc.argv_index.assign(cs.size(), 0);
  pc.omit.assign(cs.size(), false);
  pc.path_param.assign(cs.size(), false);
  std::vector<bool> taken(cs.size(), false);
  std::vector<bool> consumed_column(res.columns.size(), false);
  auto use = [&](int ci) {
    taken[ci] = true;
    pc.plan.args.push_back({cs[ci].column, cs[ci].op});
    pc.argv_index[ci] = static_cast<int>(pc.plan.args.size());
    if (cs[ci].column >= 0) {
      consumed_column[cs[ci].column] = true;
      // Inputs have no value of their own in the response: SQLite cannot re-check them.
      pc.omit[ci] = res.columns[cs[ci].column].input;
    }
  };

  for (const auto& p : m.path_params) {
    int ci = find_eq(cs, p.columns, taken);
    if (ci < 0) return a;
    use(ci);
    pc.path_param[ci] = true;
    // workflow_id = 'ci.yml' selects the workflow by name: SQLite would compare the name with
    // the rows' numeric ids and drop them all, so the table checks this column itself.
    if (takes_names(res, p)) pc.omit[ci] = true;
  }
  bool exact = true;
  int filters = 0;
  std::set<std::string> sent;
  for (const auto& q : m.query_params) {
    if (q.style == ParamStyle::DateRange) {
      // Bounds are compared as time by the table (SQLite would compare text): omitted.
      for (int column : q.columns)
        for (size_t i = 0; i < cs.size(); ++i)
          if (!taken[i] && cs[i].usable && cs[i].column == column && is_time_bound(cs[i].op)) {
            use(static_cast<int>(i));
            pc.omit[i] = true;
            exact = exact && q.exact;
            ++filters;
          }
      continue;
    }
    // One parameter may be fed by several columns (GitHub's status takes a conclusion too);
    // a parameter is sent once, so only the first bound column feeds it.
    if (sent.count(q.param)) continue;
    int ci = find_eq(cs, q.columns, taken);
    if (ci < 0) continue;
    use(ci);
    sent.insert(q.param);
    exact = exact && q.exact;
    ++filters;
  }

  // A time bound this method cannot send is still the table's to check, as time.
  for (size_t i = 0; i < cs.size(); ++i)
    if (!taken[i] && cs[i].usable && cs[i].column >= 0 && is_time_bound(cs[i].op) &&
        is_time_column(res, cs[i].column)) {
      use(static_cast<int>(i));
      pc.omit[i] = true;
      exact = false;
    }

  // An input with no value of its own that this method cannot send would make SQLite
  // compare against NULL and drop every row, and a name given for a column that also takes
  // names (workflow_id = 'ci.yml') would make it compare the name with numbers: such a
  // method does not answer the query.
  for (size_t i = 0; i < cs.size(); ++i) {
    if (cs[i].column < 0 || cs[i].op != Op::Eq || consumed_column[cs[i].column]) continue;
    const ColumnSpec& col = res.columns[cs[i].column];
    if (col.input && col.json_path.empty()) return a;
    if (cs[i].usable && names_column(res, cs[i].column)) return a;
  }
  // Anything left is SQLite's to filter, so the API's answer is no longer the result.
  for (size_t i = 0; i < cs.size(); ++i)
    if (!taken[i] && cs[i].op != Op::Limit && cs[i].op != Op::Offset) exact = false;

  for (size_t i = 0; i < cs.size(); ++i)
    if (!taken[i] && cs[i].usable && (cs[i].op == Op::Limit || cs[i].op == Op::Offset)) use(static_cast<int>(i));

  pc.plan.method = method_index;
  pc.plan.exact = exact;
  if (m.response == ResponseKind::Object) {
    pc.cost = 10;
    pc.rows = 1;
  } else {
    pc.cost = 10000.0 / (1 + filters);
    pc.rows = 1000 / (1 + filters);
  }
  a.ok = true;
  return a;
}

}  // namespace

// Whether the method's rows already come in the ORDER BY's order: one row always does; a
// listing does when the ORDER BY is its documented order and no IN list on a path parameter
// splits it into several listings.
bool delivers_order(const ReadMethod& m, const PlanChoice& pc, const std::vector<ConstraintInfo>& cs,
                    const std::vector<OrderTerm>& order_by) {
  if (order_by.empty()) return true;
  for (size_t i = 0; i < cs.size(); ++i)
    if (pc.argv_index[i] > 0 && cs[i].is_in) return false;
  if (m.response == ResponseKind::Object) return true;
  return order_by.size() == 1 && m.order_column >= 0 && order_by[0].column == m.order_column &&
         order_by[0].descending == m.order_descending;
}

PlanChoice choose_plan(const ResourceSpec& res, const std::vector<ConstraintInfo>& cs, uint64_t columns_used,
                       const std::vector<OrderTerm>& order_by) {
  for (size_t mi = 0; mi < res.read_methods.size(); ++mi) {
    Attempt a = try_method(res, static_cast<int>(mi), cs);
    if (!a.ok) continue;
    PlanChoice pc = std::move(a.choice);
    // SQLite passes LIMIT even when it will sort the rows itself; then every row is needed.
    pc.order_consumed = !order_by.empty() && delivers_order(res.read_methods[mi], pc, cs, order_by);
    if (!order_by.empty() && !pc.order_consumed) pc.plan.exact = false;
    // A time bound or a workflow name whose value is not known yet (the other side of a
    // join) would be compared by SQLite as text: steer it to a join order that gives the
    // value to the table.
    for (const auto& c : cs)
      if (!c.usable && c.column >= 0 &&
          ((is_time_bound(c.op) && is_time_column(res, c.column)) || (c.op == Op::Eq && names_column(res, c.column))))
        pc.cost += 1e13;
    uint64_t needed = columns_used;
    const auto& cap = res.read_methods[mi].cap;
    if (cap.max_results > 0) needed |= column_bit(cap.order_column) | column_bit(cap.key_column);
    // The key is the rowid (DELETE names its rows by it even when no column is read, run_id = N),
    // and a paged listing remembers the ids it returned, to return none twice.
    if (res.key_column >= 0) needed |= column_bit(res.key_column);
    // Columns the table checks itself (SQLite was told not to) are decoded too.
    for (size_t i = 0; i < cs.size(); ++i)
      if (pc.argv_index[i] > 0 && pc.omit[i] && cs[i].column >= 0 && !res.columns[cs[i].column].input)
        needed |= column_bit(cs[i].column);
    pc.plan.columns_needed = needed;
    return pc;
  }
  PlanChoice pc;
  pc.argv_index.assign(cs.size(), 0);
  pc.omit.assign(cs.size(), false);
  pc.path_param.assign(cs.size(), false);
  // The least demanding method names what is required. If those inputs are constrained
  // but not usable yet (the other side of a join), ask SQLite for another join order.
  const ReadMethod& fallback = res.read_methods.back();
  bool all_present = true;
  for (const auto& p : fallback.path_params) all_present &= any_constraint_on(cs, p.columns);
  pc.unusable = all_present;
  pc.plan.method = -1;
  pc.cost = 1e12;
  pc.rows = 1000000;
  return pc;
}

bool is_time_column(const ResourceSpec& res, int column) {
  for (const auto& m : res.read_methods)
    for (const auto& q : m.query_params)
      if (q.style == ParamStyle::DateRange)
        for (int c : q.columns)
          if (c == column) return true;
  return false;
}

bool takes_names(const ResourceSpec& res, const ParamBinding& p) {
  bool real = false, input = false;
  for (int c : p.columns) (res.columns[c].input ? input : real) = true;
  return real && input;
}

std::string missing_inputs_message(const ResourceSpec& res) {
  const ReadMethod& fallback = res.read_methods.back();
  std::vector<std::string> names, examples;
  for (const auto& p : fallback.path_params) {
    const ColumnSpec& col = res.columns[p.columns.front()];
    names.push_back(col.name);
    std::string example = col.example.empty() ? "..." : col.example;
    examples.push_back(col.name + " = '" + example + "'");
  }
  std::string list, where;
  for (size_t i = 0; i < names.size(); ++i) {
    list += (i == 0 ? "" : (i + 1 == names.size() ? " and " : ", ")) + names[i];
    where += (i == 0 ? "" : " AND ") + examples[i];
  }
  return list + (names.size() == 1 ? " is" : " are") + " required: add " + (names.size() == 1 ? "it" : "them") +
         " to the WHERE clause, e.g. SELECT * FROM " + res.name + " WHERE " + where;
}

std::string Plan::encode() const {
  char head[96];
  std::snprintf(head, sizeof head, "%d;%d;%016" PRIx64 ";", method, exact ? 1 : 0, columns_needed);
  std::string out = head;
  for (const auto& a : args)
    out +=
        std::to_string(a.column) + ":" + std::to_string(static_cast<int>(a.op)) + ":" + (a.in_list ? "1" : "0") + ",";
  return out;
}

Plan Plan::decode(std::string_view text) {
  Plan p;
  auto parts = split(text, ';');
  if (parts.size() != 4) throw Error("internal error: bad plan " + quote_for_message(text));
  auto method = parse_int64(parts[0]);
  auto exact = parse_int64(parts[1]);
  if (!method || !exact || parts[2].size() != 16) throw Error("internal error: bad plan " + quote_for_message(text));
  p.method = static_cast<int>(*method);
  p.exact = *exact != 0;
  p.columns_needed = std::stoull(std::string(parts[2]), nullptr, 16);
  for (auto arg : split(parts[3], ',')) {
    if (arg.empty()) continue;
    auto fields = split(arg, ':');
    auto column = fields.size() == 3 ? parse_int64(fields[0]) : std::nullopt;
    auto op = fields.size() == 3 ? parse_int64(fields[1]) : std::nullopt;
    if (!column || !op) throw Error("internal error: bad plan " + quote_for_message(text));
    p.args.push_back({static_cast<int>(*column), static_cast<Op>(*op), fields[2] == "1"});
  }
  return p;
}

}  // namespace stacklite
