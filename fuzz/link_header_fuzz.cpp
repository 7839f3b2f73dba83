// Fuzz target: Link headers, URLs and values through the URL module, and response header
// lines as a server sends them. Besides never crashing, a found link is part of the
// header, a parsed URL is well formed, an encoded value holds only unreserved characters
// and %XX escapes, a Link list split over several header lines still yields its next
// entry, and only an ETag free of control characters is ever accepted for echoing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "http/response_cache.hpp"
#include "http/transport.hpp"
#include "http/url.hpp"

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

bool hex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

// The input as received header lines (split at LF): stored fields are lower-case names
// without ':', values trimmed and free of line breaks, each name once.
void check_header_lines(std::string_view input) {
  stacklite::HttpResponse response;
  size_t lines = 0;
  for (std::string_view line : stacklite::split(input, '\n')) {
    response.add_header_line(line);
    ++lines;
  }
  check(response.headers.size() <= lines);
  for (size_t i = 0; i < response.headers.size(); ++i) {
    const auto& [name, value] = response.headers[i];
    check(!name.empty() && name.find(':') == std::string::npos && name.find('\n') == std::string::npos);
    for (char c : name) check(!(c >= 'A' && c <= 'Z'));
    check(value.find('\n') == std::string::npos);
    check(stacklite::trim(value).size() == value.size());
    for (size_t j = i + 1; j < response.headers.size(); ++j) check(response.headers[j].first != name);
  }
}

// Well-formed Link entries built from the input, spread over header lines at places the
// input picks: combined, the list reads exactly as when sent on one line.
void check_split_link(std::string_view input) {
  static const char* rels[] = {"next", "last", "prev", "first"};
  std::vector<std::string> entries;
  std::string first_next;
  size_t i = 0;
  while (i < input.size() && entries.size() < 8) {
    unsigned char control = static_cast<unsigned char>(input[i++]);
    std::string path;
    while (i < input.size() && path.size() < 12) {
      char c = input[i++];
      if (c == '|') break;
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '=' || c == '&' || c == '?') path += c;
    }
    std::string url = "https://h.test/p" + path;
    const char* rel = rels[control % 4];
    entries.push_back("<" + url + ">; rel=\"" + rel + "\"");
    if (first_next.empty() && std::string_view(rel) == "next") first_next = url;
  }
  if (entries.empty()) return;
  std::string one_line;
  stacklite::HttpResponse split;
  std::string current;
  for (size_t k = 0; k < entries.size(); ++k) {
    one_line += (k ? ", " : "") + entries[k];
    current += (current.empty() ? "" : ", ") + entries[k];
    // The entry's own control byte decides whether a new header line starts after it.
    bool cut = (static_cast<unsigned char>(input[k % input.size()]) & 4) != 0;
    if (cut || k + 1 == entries.size()) {
      split.add_header_line("Link: " + current + "\r\n");
      current.clear();
    }
  }
  auto combined = split.header("link");
  check(combined.has_value());
  auto from_lines = stacklite::link_target(*combined, "next");
  auto from_one = stacklite::link_target(one_line, "next");
  check(from_lines == from_one);
  check(from_one.value_or("") == first_next);
}

// Only an entity-tag without control characters or spaces is accepted for If-None-Match.
void check_entity_tag(std::string_view input) {
  if (!stacklite::is_valid_entity_tag(input)) return;
  for (char ch : input) {
    unsigned char c = static_cast<unsigned char>(ch);
    check(c >= 0x21 && c != 0x7f);
  }
}

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

  check_header_lines(input);
  check_split_link(input);
  check_entity_tag(input);
  check_entity_tag(trim(input));
  return 0;
}
