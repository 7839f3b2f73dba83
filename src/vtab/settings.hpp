// Per-connection state shared by the tables and functions the extension registers:
// the settings stacklite_config() reads and writes, with their defaults and bounds.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "http/api_client.hpp"
#include "vtab/sqlite_api.hpp"

namespace stacklite {

struct ConnectionContext {
  std::shared_ptr<ClientSettings> client = std::make_shared<ClientSettings>();
};

// Registers stacklite_config(key [, value]) on the connection.
int register_config_function(sqlite3* db, std::shared_ptr<ConnectionContext> ctx);

// Scrubs every token the providers could send from a message.
std::string without_secrets(std::string message);

}  // namespace stacklite
