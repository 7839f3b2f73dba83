// From a provider spec to the plain data the HTTP layer takes: where a table's requests go
// and as whom, and which secrets never appear in a message.
#pragma once

#include <string>
#include <vector>

#include "http/api_client.hpp"
#include "spec/spec.hpp"

namespace stacklite {

// The endpoint of a provider: base_url (the option, else the provider's variable, else its
// default), its token variables, auth, headers and error hints. Throws Error for a base URL
// that is not http(s), has a query, or carries credentials.
Endpoint resolve_endpoint(const ProviderSpec& provider, const std::string& base_url_option,
                          const std::string& token_env_option);

// Every token the bundled providers could send now (from the environment), and `extra`.
std::vector<std::string> secrets_in_use(const std::string& extra = std::string());
// Removes from a message every token the bundled providers could send (and `extra`).
std::string without_secrets(std::string message, const std::string& extra = std::string());

}  // namespace stacklite
