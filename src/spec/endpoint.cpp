// From a provider spec to the plain data the HTTP layer takes: where a table's requests go
// and as whom, and which secrets never appear in a message.
#include "spec/endpoint.hpp"

#include <algorithm>
#include <cstdlib>

#include "util/text.hpp"

namespace stacklite {

namespace {

std::vector<std::string> bundled_token_variables() {
  std::vector<std::string> out;
  for (const auto& p : bundled_providers())
    for (const auto& n : p.token_envs)
      if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  return out;
}

}  // namespace

Endpoint resolve_endpoint(const ProviderSpec& provider, const std::string& base_url_option,
                          const std::string& token_env_option) {
  Endpoint e;
  std::string base = base_url_option;
  if (base.empty() && !provider.base_url_env.empty()) {
    const char* env = std::getenv(provider.base_url_env.c_str());
    if (env && *env) base = env;
  }
  if (base.empty()) base = provider.base_url;
  if (base.empty())
    throw Error("provider '" + provider.name +
                "' has no default base URL: give one, e.g. base_url='https://HOST/api/v1'");
  while (!base.empty() && base.back() == '/') base.pop_back();
  const std::string where =
      base_url_option.empty() && !provider.base_url_env.empty() ? " (check " + provider.base_url_env + ")" : "";
  if (has_credentials(base))
    throw Error("base URL " + quote_for_message(without_credentials(base)) +
                " carries credentials (user:password@), which are neither sent nor shown: give the URL without them "
                "and the token in " +
                (provider.token_envs.empty() ? std::string("token_env") : provider.token_envs.front()) + where);
  auto parsed = parse_url(base);
  if (!parsed || !parsed->query.empty())
    throw Error("base URL " + quote_for_message(base) +
                " is not an http(s) URL without a query; expected e.g. https://api.github.com or "
                "https://ghe.example.com/api/v3" +
                where);
  if (parsed->path == "/") parsed->path.clear();
  e.base_url = base;
  e.base = *parsed;
  e.token_env = token_env_option;
  e.token_envs = provider.token_envs;
  e.auth_header = provider.auth_header;
  e.auth_prefix = provider.auth_prefix;
  e.headers = provider.headers;
  e.error_hints = provider.error_hints;
  e.secret_envs = bundled_token_variables();
  for (const auto& n : provider.token_envs)
    if (std::find(e.secret_envs.begin(), e.secret_envs.end(), n) == e.secret_envs.end()) e.secret_envs.push_back(n);
  return e;
}

std::vector<std::string> secrets_in_use(const std::string& extra) {
  return secret_values(bundled_token_variables(), extra);
}

std::string without_secrets(std::string message, const std::string& extra) {
  return replace_secrets(std::move(message), secrets_in_use(extra));
}

}  // namespace stacklite
