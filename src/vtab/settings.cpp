// Per-connection state shared by the tables and functions the extension registers:
// the settings stacklite_config() reads and writes, with their defaults and bounds.
#include "vtab/settings.hpp"

#include <cstdlib>
#include <functional>

#include "spec/spec.hpp"
#include "util/text.hpp"

namespace stacklite {

namespace {

struct IntSetting {
  const char* key;
  long min, max;
  std::function<long&(ClientSettings&)> field;
  const char* meaning;
};

const std::vector<IntSetting>& int_settings() {
  static const std::vector<IntSetting> settings = {
      {"timeout_ms", 1, 3600000, [](ClientSettings& s) -> long& { return s.timeout_ms; },
       "a request that receives no data for this long fails"},
      {"connect_timeout_ms", 1, 3600000, [](ClientSettings& s) -> long& { return s.connect_timeout_ms; },
       "connecting longer than this fails"},
      {"retry_backoff_ms", 0, 600000, [](ClientSettings& s) -> long& { return s.retry_base_ms; },
       "first wait before retrying a failed read; doubles per retry"},
  };
  return settings;
}

std::string known_keys() {
  std::string out;
  for (const auto& s : int_settings()) out += std::string(out.empty() ? "" : ", ") + s.key;
  out += ", max_retries, user_agent";
  return out;
}

void config_function(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  auto& conn = *static_cast<std::shared_ptr<ConnectionContext>*>(sqlite3_user_data(ctx));
  ClientSettings& s = *conn->client;
  if (argc < 1 || sqlite3_value_type(argv[0]) != SQLITE_TEXT) {
    sqlite3_result_error(ctx, ("stacklite_config(key [, value]): key must be text, one of: " + known_keys()).c_str(), -1);
    return;
  }
  std::string key = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  for (const auto& setting : int_settings()) {
    if (key != setting.key) continue;
    long& field = setting.field(s);
    if (argc == 2) {
      if (sqlite3_value_type(argv[1]) != SQLITE_INTEGER || sqlite3_value_int64(argv[1]) < setting.min ||
          sqlite3_value_int64(argv[1]) > setting.max) {
        std::string msg = "stacklite_config('" + key + "', value): value must be an integer from " +
                          std::to_string(setting.min) + " to " + std::to_string(setting.max) + " (" + setting.meaning + ")";
        sqlite3_result_error(ctx, msg.c_str(), -1);
        return;
      }
      field = static_cast<long>(sqlite3_value_int64(argv[1]));
    }
    sqlite3_result_int64(ctx, field);
    return;
  }
  if (key == "max_retries") {
    if (argc == 2) {
      if (sqlite3_value_type(argv[1]) != SQLITE_INTEGER || sqlite3_value_int64(argv[1]) < 0 ||
          sqlite3_value_int64(argv[1]) > 20) {
        sqlite3_result_error(ctx, "stacklite_config('max_retries', value): value must be an integer from 0 to 20", -1);
        return;
      }
      s.max_retries = static_cast<int>(sqlite3_value_int64(argv[1]));
    }
    sqlite3_result_int64(ctx, s.max_retries);
    return;
  }
  if (key == "user_agent") {
    if (argc == 2) {
      const unsigned char* v = sqlite3_value_text(argv[1]);
      std::string ua = v ? reinterpret_cast<const char*>(v) : "";
      bool clean = !ua.empty();
      for (char c : ua) clean &= static_cast<unsigned char>(c) >= 0x20 && c != 0x7f;
      if (sqlite3_value_type(argv[1]) != SQLITE_TEXT || !clean) {
        sqlite3_result_error(ctx, "stacklite_config('user_agent', value): value must be non-empty text without control characters", -1);
        return;
      }
      s.user_agent = ua;
    }
    sqlite3_result_text(ctx, s.user_agent.c_str(), -1, SQLITE_TRANSIENT);
    return;
  }
  sqlite3_result_error(ctx, ("stacklite_config: unknown key " + quote_for_message(key) + "; known keys: " + known_keys()).c_str(), -1);
}

}  // namespace

int register_config_function(sqlite3* db, std::shared_ptr<ConnectionContext> ctx) {
  // Each registration owns a reference, released when SQLite drops the function.
  auto release = [](void* p) { delete static_cast<std::shared_ptr<ConnectionContext>*>(p); };
  int rc = SQLITE_OK;
  for (int argc : {1, 2}) {
    auto* ref = new std::shared_ptr<ConnectionContext>(ctx);
    rc = sqlite3_create_function_v2(db, "stacklite_config", argc, SQLITE_UTF8 | SQLITE_DIRECTONLY, ref, config_function,
                                    nullptr, nullptr, release);
    if (rc != SQLITE_OK) return rc;
  }
  return rc;
}

std::string without_secrets(std::string message) {
  std::vector<std::string> names;
  for (const auto& p : bundled_providers())
    for (const auto& n : p.token_envs) names.push_back(n);
  for (const auto& name : names) {
    const char* v = std::getenv(name.c_str());
    if (!v || std::string(v).size() < 4) continue;
    std::string token = v;
    for (size_t pos; (pos = message.find(token)) != std::string::npos;) message.replace(pos, token.size(), "[token]");
  }
  return message;
}

char* sqlite_message(const std::string& message) {
  return sqlite3_mprintf("%s", without_secrets(message).c_str());
}

}  // namespace stacklite
