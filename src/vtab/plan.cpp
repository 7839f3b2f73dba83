// Query planning without SQLite types: which read method answers a WHERE clause, which
// constraints feed which parameters (in argv order), and what SQLite must still check.
#include "vtab/plan.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <optional>
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
  std::vector<bool> taken(cs.size(), false);
  std::vector<bool> consumed_column(res.columns.size(), false);
  auto use = [&](int ci, ArgRole role, int param) {
    taken[ci] = true;
    // owner IN (...), repo IN (...), id IN (...): every value at once, one listing each. An
    // IN list on a query parameter is left to SQLite, which calls xFilter once per value.
    bool in_list = role == ArgRole::PathParam && cs[ci].is_in;
    pc.plan.args.push_back({cs[ci].column, cs[ci].op, in_list, role, param});
    pc.argv_index[ci] = static_cast<int>(pc.plan.args.size());
    if (cs[ci].column >= 0) {
      consumed_column[cs[ci].column] = true;
      // Inputs have no value of their own in the response: SQLite cannot re-check them.
      pc.omit[ci] = res.columns[cs[ci].column].input;
    }
  };

  for (size_t pi = 0; pi < m.path_params.size(); ++pi) {
    const ParamBinding& p = m.path_params[pi];
    int ci = find_eq(cs, p.columns, taken);
    if (ci < 0) return a;
    use(ci, ArgRole::PathParam, static_cast<int>(pi));
    // workflow_id = 'ci.yml' selects the workflow by name: SQLite would compare the name with
    // the rows' numeric ids and drop them all, so the table checks this column itself.
    if (takes_names(res, p)) pc.omit[ci] = true;
  }
  // A second `=` on a column of a path parameter that takes names, already fed (workflow =
  // 'ci.yml' AND id = 12; id IN (…) AND workflow = …): the table checks it against the
  // value sent, as SQLite could not (a name compared with the numeric id).
  for (size_t pi = 0; pi < m.path_params.size(); ++pi) {
    const ParamBinding& p = m.path_params[pi];
    if (!takes_names(res, p)) continue;
    for (size_t i = 0; i < cs.size(); ++i)
      if (!taken[i] && cs[i].usable && cs[i].op == Op::Eq &&
          std::find(p.columns.begin(), p.columns.end(), cs[i].column) != p.columns.end()) {
        use(static_cast<int>(i), ArgRole::NameCheck, static_cast<int>(pi));
        pc.omit[i] = true;
      }
  }
  bool exact = true;
  int filters = 0;
  std::set<std::string> sent;
  for (size_t qi = 0; qi < m.query_params.size(); ++qi) {
    const ParamBinding& q = m.query_params[qi];
    if (q.style == ParamStyle::DateRange) {
      // Bounds are compared as time by the table (SQLite would compare text): omitted.
      for (int column : q.columns)
        for (size_t i = 0; i < cs.size(); ++i)
          if (!taken[i] && cs[i].usable && cs[i].column == column && is_time_bound(cs[i].op)) {
            use(static_cast<int>(i), ArgRole::DateRange, static_cast<int>(qi));
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
    use(ci, ArgRole::QueryParam, static_cast<int>(qi));
    sent.insert(q.param);
    exact = exact && q.exact;
    ++filters;
  }

  // A time bound this method cannot send is still the table's to check, as time.
  for (size_t i = 0; i < cs.size(); ++i)
    if (!taken[i] && cs[i].usable && cs[i].column >= 0 && is_time_bound(cs[i].op) &&
        is_time_column(res, cs[i].column)) {
      use(static_cast<int>(i), ArgRole::TimeCheck, -1);
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
    if (!taken[i] && cs[i].usable && (cs[i].op == Op::Limit || cs[i].op == Op::Offset))
      use(static_cast<int>(i), cs[i].op == Op::Limit ? ArgRole::Limit : ArgRole::Offset, -1);

  pc.plan.method = method_index;
  pc.plan.exact = exact;
  bool several_reads = false;  // an IN list, ours or one SQLite loops over
  for (size_t i = 0; i < cs.size(); ++i) several_reads |= pc.argv_index[i] > 0 && cs[i].is_in;
  pc.one_row = m.response == ResponseKind::Object && !several_reads;
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
    // A value checked against another naming the same item is compared with the row's id.
    for (const auto& arg : pc.plan.args)
      if (arg.role == ArgRole::NameCheck)
        for (int c : res.read_methods[mi].path_params.at(arg.param).columns)
          if (!res.columns[c].input) needed |= column_bit(c);
    pc.plan.columns_needed = needed;
    return pc;
  }
  PlanChoice pc;
  pc.argv_index.assign(cs.size(), 0);
  pc.omit.assign(cs.size(), false);
  // If the required inputs are constrained but not usable yet (the other side of a join),
  // ask SQLite for another join order.
  bool all_present = true;
  for (int column : res.required_columns()) all_present &= any_constraint_on(cs, {column});
  pc.unusable = all_present;
  pc.plan.method = -1;
  pc.cost = 1e12;
  pc.rows = 1000000;
  return pc;
}

bool is_time_column(const ResourceSpec& res, int column) {
  if (column >= 0 && static_cast<size_t>(column) < res.columns.size() && res.columns[column].time) return true;
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
  std::vector<std::string> names, examples;
  for (int column : res.required_columns()) {
    const ColumnSpec& col = res.columns[column];
    names.push_back(col.name);
    // A number's example goes unquoted, as a user writes it (run_id = 30433642).
    const bool numeric = col.type == ColumnType::Integer || col.type == ColumnType::Real;
    if (numeric && !col.example.empty())
      examples.push_back(col.name + " = " + col.example);
    else
      examples.push_back(col.name + " = '" + (col.example.empty() ? "..." : col.example) + "'");
  }
  std::string list, where;
  for (size_t i = 0; i < names.size(); ++i) {
    list += (i == 0 ? "" : (i + 1 == names.size() ? " and " : ", ")) + names[i];
    where += (i == 0 ? "" : " AND ") + examples[i];
  }
  return list + (names.size() == 1 ? " is" : " are") + " required: add " + (names.size() == 1 ? "it" : "them") +
         " to the WHERE clause, e.g. SELECT * FROM " + res.name + " WHERE " + where;
}

namespace {

const char* op_text(Op op) {
  switch (op) {
    case Op::Gt:
      return ">";
    case Op::Ge:
      return ">=";
    case Op::Lt:
      return "<";
    case Op::Le:
      return "<=";
    default:
      return "=";
  }
}

[[noreturn]] void bad_plan(std::string_view text) {
  throw Error("internal error: bad plan " + quote_for_message(text));
}

// "name(column)" when the binding has several columns, else "name".
std::string binding_label(const ResourceSpec& res, const ParamBinding& b, int column) {
  if (b.columns.size() < 2) return b.param;
  return b.param + "(" + res.columns.at(column).name + ")";
}

// Reads "<name>[(<column>)]<op>?<n>" or "<name>[(<column>)] IN ?<n>" from an entry.
struct Entry {
  std::string_view name, column;
  Op op = Op::Eq;
  bool in_list = false;
  size_t slot = 0;  // 1-based
};

std::optional<Entry> read_entry(std::string_view e) {
  Entry out;
  size_t q = e.rfind('?');
  if (q == std::string_view::npos) return std::nullopt;
  auto n = parse_int64(e.substr(q + 1));
  if (!n || *n < 1) return std::nullopt;
  out.slot = static_cast<size_t>(*n);
  std::string_view head = e.substr(0, q);
  if (head.size() > 4 && head.substr(head.size() - 4) == " IN ") {
    out.in_list = true;
    head.remove_suffix(4);
  } else {
    size_t op_at = head.find_first_of("=<>");
    if (op_at == std::string_view::npos) return std::nullopt;
    std::string_view op = head.substr(op_at);
    head = head.substr(0, op_at);
    if (op == "=")
      out.op = Op::Eq;
    else if (op == ">")
      out.op = Op::Gt;
    else if (op == ">=")
      out.op = Op::Ge;
    else if (op == "<")
      out.op = Op::Lt;
    else if (op == "<=")
      out.op = Op::Le;
    else
      return std::nullopt;
  }
  if (size_t open = head.find('('); open != std::string_view::npos) {
    if (head.back() != ')') return std::nullopt;
    out.column = head.substr(open + 1, head.size() - open - 2);
    head = head.substr(0, open);
  }
  out.name = head;
  return out;
}

}  // namespace

std::string Plan::encode(const ResourceSpec& res) const {
  if (method < 0) return "(required inputs missing)";
  const ReadMethod& m = res.read_methods.at(method);
  std::string params, after;
  for (size_t i = 0; i < args.size(); ++i) {
    const PlanArg& a = args[i];
    const std::string slot = "?" + std::to_string(i + 1);
    switch (a.role) {
      case ArgRole::PathParam:
      case ArgRole::QueryParam:
      case ArgRole::DateRange: {
        const ParamBinding& b = a.role == ArgRole::PathParam ? m.path_params.at(a.param) : m.query_params.at(a.param);
        params += (params.empty() ? "" : ",") + binding_label(res, b, a.column) +
                  (a.in_list ? std::string(" IN ") : std::string(op_text(a.op))) + slot;
        break;
      }
      case ArgRole::TimeCheck:
        after += " check(" + res.columns.at(a.column).name + op_text(a.op) + slot + ")";
        break;
      case ArgRole::NameCheck:
        after += " same(" + m.path_params.at(a.param).param + "(" + res.columns.at(a.column).name + ")=" + slot + ")";
        break;
      case ArgRole::Limit:
        after += " limit=" + slot;
        break;
      case ArgRole::Offset:
        after += " offset=" + slot;
        break;
    }
  }
  char mask[32];
  std::snprintf(mask, sizeof mask, "%016" PRIx64, columns_needed);
  return m.name + "(" + params + ")" + after + (exact ? " exact" : "") + " columns=0x" + mask;
}

Plan Plan::decode(const ResourceSpec& res, std::string_view text) {
  Plan p;
  if (text == "(required inputs missing)") return p;
  size_t open = text.find('('), close = std::string_view::npos;
  for (size_t i = open, depth = 0; open != std::string_view::npos && i < text.size(); ++i) {
    if (text[i] == '(') ++depth;
    if (text[i] == ')' && --depth == 0) {
      close = i;
      break;
    }
  }
  if (close == std::string_view::npos) bad_plan(text);
  std::string_view name = text.substr(0, open);
  for (size_t i = 0; i < res.read_methods.size(); ++i)
    if (res.read_methods[i].name == name) p.method = static_cast<int>(i);
  if (p.method < 0) bad_plan(text);
  const ReadMethod& m = res.read_methods[p.method];
  std::vector<std::optional<PlanArg>> slots;
  auto place = [&](const Entry& e, PlanArg arg) {
    if (e.slot > 64) bad_plan(text);
    if (slots.size() < e.slot) slots.resize(e.slot);
    if (slots[e.slot - 1]) bad_plan(text);
    arg.op = e.op;
    arg.in_list = e.in_list;
    slots[e.slot - 1] = arg;
  };
  auto column_of = [&](const ParamBinding& b, std::string_view column) {
    if (column.empty()) return b.columns.front();
    for (int c : b.columns)
      if (res.columns[c].name == column) return c;
    bad_plan(text);
  };
  for (auto piece : split(text.substr(open + 1, close - open - 1), ',')) {
    if (piece.empty()) continue;
    auto e = read_entry(piece);
    if (!e) bad_plan(text);
    PlanArg arg;
    for (size_t i = 0; i < m.path_params.size() && arg.param < 0; ++i)
      if (m.path_params[i].param == e->name) {
        arg.role = ArgRole::PathParam;
        arg.param = static_cast<int>(i);
        arg.column = column_of(m.path_params[i], e->column);
      }
    for (size_t i = 0; i < m.query_params.size() && arg.param < 0; ++i)
      if (m.query_params[i].param == e->name) {
        const ParamBinding& q = m.query_params[i];
        arg.role = q.style == ParamStyle::DateRange ? ArgRole::DateRange : ArgRole::QueryParam;
        arg.param = static_cast<int>(i);
        arg.column = column_of(q, e->column);
      }
    if (arg.param < 0) bad_plan(text);
    place(*e, arg);
  }
  for (auto word : split(text.substr(close + 1), ' ')) {
    if (word.empty()) continue;
    if (word == "exact") {
      p.exact = true;
    } else if (starts_with(word, "columns=0x") && word.size() == 26) {
      p.columns_needed = std::stoull(std::string(word.substr(10)), nullptr, 16);
    } else if (starts_with(word, "limit=") || starts_with(word, "offset=")) {
      auto e = read_entry(word);
      if (!e || e->op != Op::Eq) bad_plan(text);
      PlanArg arg;
      arg.role = word[0] == 'l' ? ArgRole::Limit : ArgRole::Offset;
      place(*e, arg);
      slots[e->slot - 1]->op = word[0] == 'l' ? Op::Limit : Op::Offset;
    } else if (starts_with(word, "check(") && word.back() == ')') {
      auto e = read_entry(word.substr(6, word.size() - 7));
      if (!e || !e->column.empty() || e->in_list) bad_plan(text);
      PlanArg arg;
      arg.role = ArgRole::TimeCheck;
      arg.column = res.column_index(e->name);
      if (arg.column < 0 || !is_time_column(res, arg.column)) bad_plan(text);
      place(*e, arg);
    } else if (starts_with(word, "same(") && word.back() == ')') {
      auto e = read_entry(word.substr(5, word.size() - 6));
      if (!e || e->op != Op::Eq || e->in_list) bad_plan(text);
      PlanArg arg;
      arg.role = ArgRole::NameCheck;
      for (size_t i = 0; i < m.path_params.size() && arg.param < 0; ++i)
        if (m.path_params[i].param == e->name && takes_names(res, m.path_params[i])) {
          arg.param = static_cast<int>(i);
          arg.column = column_of(m.path_params[i], e->column);
        }
      if (arg.param < 0) bad_plan(text);
      place(*e, arg);
    } else {
      bad_plan(text);
    }
  }
  for (auto& slot : slots) {
    if (!slot) bad_plan(text);
    p.args.push_back(*slot);
  }
  return p;
}

}  // namespace stacklite
