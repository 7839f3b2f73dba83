// Introspection functions: stacklite_version(), stacklite_debug() and, for one connection,
// stacklite_rate_limit() (the rate limits its requests last saw, without a request) and
// stacklite_stats() (the requests it sent).
#include "vtab/functions.hpp"

#include <curl/curl.h>
#include <simdjson.h>

#include <string>

#include "spec/spec.hpp"
#include "util/text.hpp"

namespace stacklite {

namespace {

void version_function(sqlite3_context* ctx, int, sqlite3_value**) {
  sqlite3_result_text(ctx, STACKLITE_VERSION, -1, SQLITE_STATIC);
}

void debug_function(sqlite3_context* ctx, int, sqlite3_value**) {
  guarded_call(ctx, [ctx] {
    std::string out = "{\"version\":";
    append_json_string(out, STACKLITE_VERSION);
    out += ",\"sqlite\":";
    append_json_string(out, sqlite3_libversion());
    out += ",\"curl\":";
    append_json_string(out, curl_version_info(CURLVERSION_NOW)->version);
    out += ",\"simdjson\":";
    append_json_string(out, SIMDJSON_STRINGIFY(SIMDJSON_VERSION));
    out += ",\"simdjson_implementation\":";
    append_json_string(out, simdjson::get_active_implementation()->name());
    out += ",\"interrupt_check\":";
    append_json_string(out, interrupt_check_kind());
    out += ",\"providers\":[";
    bool first = true;
    for (const auto& p : bundled_providers()) {
      out += first ? "" : ",";
      first = false;
      append_json_string(out, p.name);
    }
    out += "]}";
    sqlite3_result_text(ctx, out.c_str(), static_cast<int>(out.size()), SQLITE_TRANSIENT);
    sqlite3_result_subtype(ctx, 'J');
  });
}

// {"https://api.github.com":{"limit":5000,"remaining":4987,"used":13,"reset":1767225600,"resource":"core"}}
void rate_limit_function(sqlite3_context* ctx, int, sqlite3_value**) {
  auto& conn = *static_cast<std::shared_ptr<ConnectionContext>*>(sqlite3_user_data(ctx));
  guarded_call(ctx, [&] {
    std::string out = conn->client_settings->rate_limits->to_json();
    sqlite3_result_text(ctx, out.c_str(), static_cast<int>(out.size()), SQLITE_TRANSIENT);
    sqlite3_result_subtype(ctx, 'J');
  });
}

// {"requests":12,"not_modified":3,"writes":0,"skipped":1}: what the connection's requests
// cost since it opened, or since stacklite_stats('reset'), which returns the counts and
// starts them again from zero.
void stats_function_body(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  auto& conn = *static_cast<std::shared_ptr<ConnectionContext>*>(sqlite3_user_data(ctx));
  bool reset = false;
  if (argc == 1) {
    const unsigned char* v = sqlite3_value_type(argv[0]) == SQLITE_TEXT ? sqlite3_value_text(argv[0]) : nullptr;
    if (!v || std::string(reinterpret_cast<const char*>(v)) != "reset") {
      sqlite3_result_error(ctx,
                           "stacklite_stats([action]): the only action is 'reset' (returns the counts, then starts "
                           "them from zero); without it the counts are only read",
                           -1);
      return;
    }
    reset = true;
  }
  RequestStats& s = *conn->client_settings->stats;
  auto read = [reset](std::atomic<int64_t>& n) { return reset ? n.exchange(0) : n.load(); };
  std::string out = "{\"requests\":" + std::to_string(read(s.requests)) +
                    ",\"not_modified\":" + std::to_string(read(s.not_modified)) +
                    ",\"writes\":" + std::to_string(read(s.writes)) +
                    ",\"skipped\":" + std::to_string(read(s.skipped)) + "}";
  sqlite3_result_text(ctx, out.c_str(), static_cast<int>(out.size()), SQLITE_TRANSIENT);
  sqlite3_result_subtype(ctx, 'J');
}

void stats_function(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  guarded_call(ctx, [&] { stats_function_body(ctx, argc, argv); });
}

}  // namespace

int register_rate_limit_function(sqlite3* db, std::shared_ptr<ConnectionContext> ctx) {
  auto* ref = new std::shared_ptr<ConnectionContext>(ctx);
  auto release = [](void* p) { delete static_cast<std::shared_ptr<ConnectionContext>*>(p); };
  int rc = sqlite3_create_function_v2(db, "stacklite_rate_limit", 0, SQLITE_UTF8 | SQLITE_INNOCUOUS, ref,
                                      rate_limit_function, nullptr, nullptr, release);
  // Reading the counts changes nothing; resetting them is for top-level SQL only.
  for (int argc : {0, 1}) {
    if (rc != SQLITE_OK) return rc;
    auto* stats_ref = new std::shared_ptr<ConnectionContext>(ctx);
    rc = sqlite3_create_function_v2(db, "stacklite_stats", argc,
                                    SQLITE_UTF8 | (argc == 0 ? SQLITE_INNOCUOUS : SQLITE_DIRECTONLY), stats_ref,
                                    stats_function, nullptr, nullptr, release);
  }
  return rc;
}

int register_info_functions(sqlite3* db) {
  int rc = sqlite3_create_function_v2(db, "stacklite_version", 0, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                      nullptr, version_function, nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK)
    rc = sqlite3_create_function_v2(db, "stacklite_debug", 0, SQLITE_UTF8 | SQLITE_INNOCUOUS, nullptr, debug_function,
                                    nullptr, nullptr, nullptr);
  return rc;
}

}  // namespace stacklite
