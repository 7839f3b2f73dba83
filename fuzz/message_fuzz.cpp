// Fuzz target: what a server says, on its way into an error message or a write result.
// A secret is never left in an excerpt, whole or as a fragment at the cut; a cut never
// splits a UTF-8 character; and the check for a 200 whose JSON stops short never calls a
// document that simdjson reads whole incomplete (nor the reverse).
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/text.hpp"

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool valid_utf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace stacklite;
  std::string_view input(reinterpret_cast<const char*>(data), size);

  // Layout: [max bytes][secret length][secret][text].
  if (size >= 2) {
    size_t max_bytes = static_cast<unsigned char>(input[0]) * 4u;
    size_t secret_size = std::min<size_t>(static_cast<unsigned char>(input[1]) % 48, size - 2);
    std::string secret(input.substr(2, secret_size));
    std::string_view text = input.substr(2 + secret_size);

    std::string_view prefix = utf8_prefix(text, max_bytes);
    check(text.substr(0, prefix.size()) == prefix);
    check(prefix.size() <= max_bytes || prefix.size() == text.size());
    if (text.size() > max_bytes) check(prefix.size() + 4 >= max_bytes);  // a character is at most 4 bytes
    if (valid_utf8(text)) check(valid_utf8(prefix));

    std::string excerpt = message_excerpt(text, {secret}, max_bytes);
    if (valid_utf8(text) && valid_utf8(secret)) check(valid_utf8(excerpt));
    // Scrubbed first, then cut: so no fragment of a secret can be left at the cut.
    std::string scrubbed = replace_secrets(std::string(text), {secret});
    check(excerpt == scrubbed || excerpt == std::string(utf8_prefix(scrubbed, max_bytes)) + "...");
    if (excerpt != scrubbed) check(excerpt.size() <= max_bytes + 3);
    // A secret that the replacement "[token]" or the cut mark "..." cannot spell is gone.
    bool distinct = secret.size() >= 4 && secret.find_first_of("[]. ") == std::string::npos &&
                    secret.find_first_not_of("tokenTOKEN") != std::string::npos;
    if (distinct) check(excerpt.find(secret) == std::string::npos);
    std::string quoted = quote_for_message(text);
    if (valid_utf8(text)) check(valid_utf8(quoted));
  }

  // json_closes against a full parse: a document simdjson accepts is whole.
  if (!input.empty()) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    std::string padded(input);
    bool parsed = !parser.parse(padded).get(root);
    std::string_view t = trim(input);
    bool opens = !t.empty() && (t.front() == '{' || t.front() == '[');
    if (parsed && opens) check(json_closes(input));
  }
  return 0;
}
