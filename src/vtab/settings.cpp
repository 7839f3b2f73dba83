// Per-connection state shared by the tables and functions the extension registers: the
// settings stacklite_config() reads and writes (with the rate limits and response cache
// every client of the connection shares), write pacing, the functions' client.
#include "vtab/settings.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <thread>

#include "spec/spec.hpp"
#include "util/text.hpp"
#include "vtab/functions.hpp"

namespace stacklite {

void ConnectionContext::pace_write() {
  if (wrote_) {
    auto due = last_write_ + std::chrono::milliseconds(write_interval_ms);
    for (auto now = std::chrono::steady_clock::now(); due > now; now = std::chrono::steady_clock::now()) {
      if (client_settings->interrupted && client_settings->interrupted()) throw Interrupted();
      std::this_thread::sleep_for(
          std::min<std::chrono::steady_clock::duration>(due - now, std::chrono::milliseconds(kInterruptCheckMs)));
    }
  }
  wrote_ = true;
  last_write_ = std::chrono::steady_clock::now();
}

ApiClient& ConnectionContext::default_client(const ProviderSpec& provider) {
  Endpoint endpoint = resolve_endpoint(provider, "", "");
  if (!default_client_ || default_client_->endpoint().base_url != endpoint.base_url || default_provider_ != &provider) {
    default_provider_ = &provider;
    default_client_ = std::make_unique<ApiClient>(std::move(endpoint), client_settings);
  }
  return *default_client_;
}

namespace {

// One integer setting: its key, bounds, where it lives, what it means, and what a new
// value must change at once (if anything).
struct IntSetting {
  const char* key;
  long min, max;
  std::function<long&(ConnectionContext&)> field;
  const char* meaning;
  std::function<void(ConnectionContext&)> changed = nullptr;
};

const std::vector<IntSetting>& int_settings() {
  static const std::vector<IntSetting> settings = {
      {"timeout_ms", 1, 3600000, [](ConnectionContext& c) -> long& { return c.client_settings->timeout_ms; },
       "a request that receives no data for this long fails; one that takes 4 times as long in all fails"},
      {"connect_timeout_ms", 1, 3600000,
       [](ConnectionContext& c) -> long& { return c.client_settings->connect_timeout_ms; },
       "connecting for longer than this fails"},
      {"max_retries", 0, 20, [](ConnectionContext& c) -> long& { return c.client_settings->max_retries; },
       "retries and rate-limit waits per request; a write is retried only when it was not sent or was rate limited"},
      {"retry_backoff_ms", 0, 600000, [](ConnectionContext& c) -> long& { return c.client_settings->retry_base_ms; },
       "first wait before retrying a failed read; doubles per retry"},
      {"max_wait_s", 0, 86400, [](ConnectionContext& c) -> long& { return c.client_settings->max_wait_s; },
       "longest wait for a rate limit (Retry-After, or the primary limit's reset) before giving up"},
      {"cache", 0, 1, [](ConnectionContext& c) -> long& { return c.client_settings->cache; },
       "1: GETs send If-None-Match for remembered responses and reuse them on 304; 0: off (and emptied)",
       [](ConnectionContext& c) {
         if (!c.client_settings->cache) c.client_settings->response_cache->clear();
       }},
      {"cache_max_mb", 1, 65536, [](ConnectionContext& c) -> long& { return c.client_settings->cache_max_mb; },
       "the most memory the response cache holds, in MiB",
       [](ConnectionContext& c) {
         c.client_settings->response_cache->trim(static_cast<size_t>(c.client_settings->cache_max_mb) << 20);
       }},
      {"max_concurrency", 1, kMaxConcurrency,
       [](ConnectionContext& c) -> long& { return c.client_settings->max_concurrency; },
       "reads of one statement in flight at once (pages of a listing, listings of an IN list); 1: one at a time, "
       "the next page still fetched while SQLite reads the current one"},
      {"dry_run", 0, 1, [](ConnectionContext& c) -> long& { return c.dry_run; },
       "1: writes report what they would send and send nothing"},
      {"write_interval_ms", 0, 600000, [](ConnectionContext& c) -> long& { return c.write_interval_ms; },
       "the least time between two writes"},
      {"progress", -1, 1, [](ConnectionContext& c) -> long& { return c.progress; },
       "the progress line on stderr for statements that read for more than a second: -1 when stderr is a terminal, "
       "0 never, 1 always"},
      {"trust_schema", 0, 1, [](ConnectionContext& c) -> long& { return c.trust_schema; },
       "1: tables stored in this connection's database files may choose their host, token variable and spec file"},
  };
  return settings;
}

std::string known_keys() {
  std::string out;
  for (const auto& s : int_settings()) out += std::string(out.empty() ? "" : ", ") + s.key;
  return out + ", user_agent, on_missing";
}

void config_function_body(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  auto& conn = *static_cast<std::shared_ptr<ConnectionContext>*>(sqlite3_user_data(ctx));
  if (argc < 1 || sqlite3_value_type(argv[0]) != SQLITE_TEXT) {
    sqlite3_result_error(ctx, ("stacklite_config(key [, value]): key must be text, one of: " + known_keys()).c_str(),
                         -1);
    return;
  }
  std::string key = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  for (const auto& setting : int_settings()) {
    if (key != setting.key) continue;
    long& field = setting.field(*conn);
    if (argc == 2) {
      if (sqlite3_value_type(argv[1]) != SQLITE_INTEGER || sqlite3_value_int64(argv[1]) < setting.min ||
          sqlite3_value_int64(argv[1]) > setting.max) {
        std::string msg = "stacklite_config('" + key + "', value): value must be an integer from " +
                          std::to_string(setting.min) + " to " + std::to_string(setting.max) + " (" + setting.meaning +
                          ")";
        sqlite3_result_error(ctx, msg.c_str(), -1);
        return;
      }
      field = static_cast<long>(sqlite3_value_int64(argv[1]));
      if (setting.changed) setting.changed(*conn);
    }
    sqlite3_result_int64(ctx, field);
    return;
  }
  if (key == "user_agent") {
    std::string& ua = conn->client_settings->user_agent;
    if (argc == 2) {
      const unsigned char* v = sqlite3_value_text(argv[1]);
      std::string value = v ? reinterpret_cast<const char*>(v) : "";
      bool clean = !value.empty();
      for (char c : value) clean &= static_cast<unsigned char>(c) >= 0x20 && c != 0x7f;
      if (sqlite3_value_type(argv[1]) != SQLITE_TEXT || !clean) {
        sqlite3_result_error(
            ctx, "stacklite_config('user_agent', value): value must be non-empty text without control characters", -1);
        return;
      }
      ua = value;
    }
    sqlite3_result_text(ctx, ua.c_str(), -1, SQLITE_TRANSIENT);
    return;
  }
  if (key == "on_missing") {
    bool& skip = conn->client_settings->skip_missing;
    if (argc == 2) {
      const unsigned char* v = sqlite3_value_type(argv[1]) == SQLITE_TEXT ? sqlite3_value_text(argv[1]) : nullptr;
      std::string value = v ? reinterpret_cast<const char*>(v) : "";
      if (value != "error" && value != "skip") {
        sqlite3_result_error(ctx,
                             "stacklite_config('on_missing', value): value must be 'error' (the default: a repository "
                             "of a fan-out that answers 404 or 403 fails the statement) or 'skip' (it is left out, "
                             "with a line on stderr naming it)",
                             -1);
        return;
      }
      skip = value == "skip";
    }
    sqlite3_result_text(ctx, skip ? "skip" : "error", -1, SQLITE_STATIC);
    return;
  }
  std::vector<std::string> keys{"user_agent", "on_missing"};
  for (const auto& s : int_settings()) keys.push_back(s.key);
  sqlite3_result_error(ctx,
                       ("stacklite_config: unknown key " + quote_for_message(key) + did_you_mean(key, keys) +
                        "; known keys: " + known_keys())
                           .c_str(),
                       -1);
}

void config_function(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  guarded_call(ctx, [&] { config_function_body(ctx, argc, argv); });
}

}  // namespace

// Whether the statement running on `db` was interrupted. SQLite 3.41 and later say so with
// sqlite3_is_interrupted(), which the 3.40 headers we build against cannot name: it is
// looked up at run time in the very library whose API we were handed (a different SQLite
// in the same process must never see our handle). Older libraries are asked by preparing
// a blank statement: while a statement runs, sqlite3_interrupt() leaves a flag that the
// tokenizer checks at every space, so the prepare fails with SQLITE_INTERRUPT exactly when
// the running statement will; it compiles nothing, runs nothing, and calls no authorizer
// or trace callback.
namespace {

using IsInterrupted = int (*)(sqlite3*);

IsInterrupted find_is_interrupted() {
  void* libversion = reinterpret_cast<void*>(sqlite3_libversion);
  Dl_info ours{};
  if (!dladdr(libversion, &ours) || !ours.dli_fbase) return nullptr;
  void* found = nullptr;
  if (ours.dli_fname && *ours.dli_fname)
    if (void* lib = dlopen(ours.dli_fname, RTLD_LAZY | RTLD_NOLOAD)) {
      found = dlsym(lib, "sqlite3_is_interrupted");
      dlclose(lib);  // NOLOAD added a reference; the library stays loaded by its owner
    }
  if (!found) found = dlsym(RTLD_DEFAULT, "sqlite3_is_interrupted");
  Dl_info theirs{};
  if (found && dladdr(found, &theirs) && theirs.dli_fbase == ours.dli_fbase)
    return reinterpret_cast<IsInterrupted>(found);
  return nullptr;
}

}  // namespace

const char* interrupt_check_kind() { return find_is_interrupted() ? "sqlite3_is_interrupted" : "blank prepare"; }

std::function<bool()> interrupt_check(sqlite3* db) {
  if (IsInterrupted is_interrupted = find_is_interrupted())
    return [db, is_interrupted] { return is_interrupted(db) != 0; };
  return [db] {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db, " ", -1, &stmt, nullptr);
    if (stmt) sqlite3_finalize(stmt);
    return rc == SQLITE_INTERRUPT;
  };
}

int register_config_function(sqlite3* db, std::shared_ptr<ConnectionContext> ctx) {
  ctx->client_settings->interrupted = interrupt_check(db);
  // Each registration owns a reference, released when SQLite drops the function.
  auto release = [](void* p) { delete static_cast<std::shared_ptr<ConnectionContext>*>(p); };
  int rc = SQLITE_OK;
  for (int argc : {1, 2}) {
    auto* ref = new std::shared_ptr<ConnectionContext>(ctx);
    rc = sqlite3_create_function_v2(db, "stacklite_config", argc, SQLITE_UTF8 | SQLITE_DIRECTONLY, ref, config_function,
                                    nullptr, nullptr, release);
    if (rc != SQLITE_OK) return rc;
  }
  return register_rate_limit_function(db, ctx);
}

void check_stored_options(const ConnectionContext& ctx, const std::string& stored_options) {
  if (stored_options.empty() || ctx.trust_schema) return;
  throw Error(
      "nothing was sent: this table comes from a database file, not from a CREATE VIRTUAL TABLE run on this "
      "connection, and a stored table may not choose where requests go or which environment variable is the "
      "token (it asks for " +
      stored_options +
      "). If you wrote this file, create the table again yourself "
      "with the host and token you mean (DROP TABLE, then CREATE VIRTUAL TABLE), or trust the tables stored in "
      "this connection's database files: SELECT stacklite_config('trust_schema', 1)");
}

}  // namespace stacklite
