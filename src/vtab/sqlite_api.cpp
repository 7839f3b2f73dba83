// SQLite's extension API for every translation unit of the loadable module except the
// entry point, which owns the sqlite3_api pointer; and values crossing that boundary.
#include "vtab/sqlite_api.hpp"

namespace stacklite {

SqlValue sql_value_of(sqlite3_value* v) {
  switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
      return SqlValue::of_int(sqlite3_value_int64(v));
    case SQLITE_FLOAT: {
      SqlValue s;
      s.kind = SqlValue::Kind::Real;
      s.d = sqlite3_value_double(v);
      return s;
    }
    case SQLITE_NULL:
      return SqlValue{};
    default: {
      const unsigned char* text = sqlite3_value_text(v);
      return SqlValue::of_text(text ? std::string(reinterpret_cast<const char*>(text), sqlite3_value_bytes(v)) : "");
    }
  }
}

void result_sql_value(sqlite3_context* ctx, const SqlValue& v) {
  switch (v.kind) {
    case SqlValue::Kind::Null:
      sqlite3_result_null(ctx);
      break;
    case SqlValue::Kind::Int:
      sqlite3_result_int64(ctx, v.i);
      break;
    case SqlValue::Kind::Real:
      sqlite3_result_double(ctx, v.d);
      break;
    case SqlValue::Kind::Text:
      sqlite3_result_text(ctx, v.text.data(), static_cast<int>(v.text.size()), SQLITE_TRANSIENT);
      break;
  }
}

}  // namespace stacklite
