// A SQL value detached from SQLite, so planning, requests and write arguments can be
// built and tested without a database connection.
#include "util/sql_value.hpp"

#include <cmath>
#include <cstdio>

#include "util/text.hpp"

namespace stacklite {

std::string SqlValue::to_text() const {
  switch (kind) {
    case Kind::Null:
      return std::string();
    case Kind::Int:
      return std::to_string(i);
    case Kind::Real: {
      if (std::floor(d) == d && std::fabs(d) < 9e15) return std::to_string(static_cast<int64_t>(d));
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.17g", d);
      return buf;
    }
    case Kind::Text:
      return text;
  }
  return std::string();
}

std::optional<bool> boolean_value(const SqlValue& v) {
  if (v.kind == SqlValue::Kind::Null) return std::nullopt;
  std::string t = to_lower(trim(v.to_text()));
  if (t == "1" || t == "true") return true;
  if (t == "0" || t == "false") return false;
  return std::nullopt;
}

}  // namespace stacklite
