// A SQL value detached from SQLite, so planning, requests and write arguments can be
// built and tested without a database connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace stacklite {

// A SQL value, detached from SQLite.
struct SqlValue {
  enum class Kind { Null, Int, Real, Text };
  Kind kind = Kind::Null;
  int64_t i = 0;
  double d = 0;
  std::string text;

  static SqlValue of_int(int64_t v) {
    SqlValue s;
    s.kind = Kind::Int;
    s.i = v;
    return s;
  }
  static SqlValue of_text(std::string v) {
    SqlValue s;
    s.kind = Kind::Text;
    s.text = std::move(v);
    return s;
  }
  std::string to_text() const;
};

// The value as a boolean: 1, 0, 'true', 'false' (any case, spaces around ignored); nullopt
// for anything else, NULL included. Read filters and write arguments both take booleans so.
std::optional<bool> boolean_value(const SqlValue& v);

}  // namespace stacklite
