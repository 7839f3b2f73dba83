// Fuzz target: Link headers, URLs and values through the URL module. Besides never
// crashing, a found link is part of the header, a parsed URL is well formed, and an encoded
// value holds only unreserved characters and %XX escapes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/url.hpp"

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
         c == '~';
}

bool hex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace stacklite;
  std::string_view input(reinterpret_cast<const char*>(data), size);

  for (std::string_view rel : {"next", "last", "prev"}) {
    if (auto target = link_target(input, rel)) {
      check(input.find(*target) != std::string_view::npos);
      check(target->find('>') == std::string::npos);
      if (auto url = parse_url(*target)) {
        check(url->scheme == "http" || url->scheme == "https");
        check(!url->host.empty());
        check(url->port > 0 && url->port <= 65535);
        check(!url->path.empty() && url->path.front() == '/');
      }
    }
  }

  if (auto url = parse_url(input)) {
    check(url->query.find('#') == std::string::npos);
    check(url->origin().rfind(url->scheme + "://", 0) == 0);
  }

  std::string encoded = percent_encode(input);
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] == '%') {
      check(i + 2 < encoded.size() + 0 && hex(encoded[i + 1]) && hex(encoded[i + 2]));
      i += 2;
    } else {
      check(unreserved(encoded[i]));
    }
  }
  // An encoded value appended as a query never adds a parameter or a fragment.
  std::string query = with_query("/p", {{"k", std::string(input)}});
  check(query.find('&') == std::string::npos && query.find('#') == std::string::npos);
  check(query.find('?') == 2 && query.find('?', 3) == std::string::npos);
  return 0;
}
