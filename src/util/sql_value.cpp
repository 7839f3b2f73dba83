// A SQL value detached from SQLite, so planning, requests and write arguments can be
// built and tested without a database connection.
#include "util/sql_value.hpp"

#include <cmath>
#include <cstdio>

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

}  // namespace stacklite
