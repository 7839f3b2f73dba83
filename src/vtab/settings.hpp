// Per-connection state shared by the tables and functions the extension registers: the
// settings stacklite_config() reads and writes (with the rate limits and response cache
// every client of the connection shares), write pacing, the functions' client.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "http/api_client.hpp"
#include "spec/endpoint.hpp"
#include "vtab/sqlite_api.hpp"
#include "vtab/write_log.hpp"

namespace stacklite {

struct ConnectionContext {
  // The settings every client of the connection reads (stacklite_config), with the rate
  // limits and response cache they share.
  std::shared_ptr<ClientSettings> client_settings = std::make_shared<ClientSettings>();
  long dry_run = 0;               // 1: writes report what they would send and send nothing
  long write_interval_ms = 1000;  // GitHub asks for at least a second between writes
  long trust_schema = 0;          // 1: tables stored in database files may choose host and token
  long progress = -1;             // the progress line on stderr: -1 when stderr is a terminal, 0 never, 1 always
  // Tables created by a statement of this connection with options that choose the host,
  // the token variable or a spec file ("schema\x1ftable\x1foptions"): trusted when
  // SQLite connects them again (after a schema change) with the same options.
  std::set<std::string> created_tables;
  WriteLog writes;  // every write sent, for listings that the writes change
  // The write methods registered as SQL functions: lower-case name -> provider name.
  std::map<std::string, std::string> write_functions;
  // The SQL functions the connection had when the extension was loaded (lower case): a
  // write method may not take one's name.
  std::set<std::string> builtin_functions;

  // Waits until write_interval_ms has passed since the previous write on this connection.
  void pace_write();
  // The client the write functions use: the provider's default base URL and token
  // (GITHUB_API_URL, GITHUB_TOKEN), rebuilt when the base URL changes.
  ApiClient& default_client(const ProviderSpec& provider);

 private:
  std::chrono::steady_clock::time_point last_write_{};
  bool wrote_ = false;
  const ProviderSpec* default_provider_ = nullptr;  // the provider default_client_ is for
  std::unique_ptr<ApiClient> default_client_;
};

// Whether the statement now running on `db` was interrupted (sqlite3_interrupt): for
// ClientSettings::interrupted. Uses sqlite3_is_interrupted where the library has it.
std::function<bool()> interrupt_check(sqlite3* db);
// How interrupt_check() asks: "sqlite3_is_interrupted" or "blank prepare" (SQLite < 3.41).
const char* interrupt_check_kind();

// Registers stacklite_config(key [, value]) and stacklite_rate_limit() on the connection,
// and hands the connection's interrupt check to its clients.
int register_config_function(sqlite3* db, std::shared_ptr<ConnectionContext> ctx);

// A table SQLite connects from a database file, rather than one this connection created,
// may not choose where requests go or which variable is the token: a file someone else
// wrote could send a secret anywhere. `stored_options` lists such options of the table
// ("" when it has none, or was created here); unless trust_schema is on, throws an Error
// that names them and the two ways to go on. Called before anything is sent.
void check_stored_options(const ConnectionContext& ctx, const std::string& stored_options);

}  // namespace stacklite
