// URL building and parsing: the one place that percent-encodes path segments and query
// values, compares origins (where the token may go), and reads `Link` headers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stacklite {

// Encodes every byte except RFC 3986 unreserved characters, so a value can never add a
// path segment ('/'), a parameter ('&', '='), a fragment ('#') or a query ('?').
std::string percent_encode(std::string_view value);

// Checks a value bound for a path segment. Throws Error naming `what` when the value is
// empty or is a dot segment ("." or ".."), which HTTP stacks collapse into another path.
void check_path_segment(std::string_view what, std::string_view value);

// A piece of a path template such as /repos/{owner}/{repo}/actions/runs: literal text or
// a parameter's name.
struct PathPiece {
  bool is_param = false;
  std::string text;  // literal text, or the parameter name
};

using PathParams = std::vector<std::pair<std::string, std::string>>;  // name, encoded value

// Adds the value of path parameter `param`: checked as one segment (an Error naming `what`
// when it is empty or a dot segment) and percent-encoded, so it can never add a segment.
void add_path_value(PathParams& values, const std::string& param, std::string_view value, std::string_view what);

// The template with each parameter replaced by its encoded value. Reads and writes build
// every request path here.
std::string expand_path(const std::vector<PathPiece>& pieces, const PathParams& values);

struct ParsedUrl {
  std::string scheme;  // lower case
  std::string host;    // lower case
  int port = 0;        // explicit or the scheme's default
  std::string path;    // starts with '/'; no query
  std::string query;   // without '?'

  // scheme://host:port with the port always explicit, for comparisons.
  std::string origin() const;
};

// Parses an absolute http(s) URL; nullopt when it is not one.
std::optional<ParsedUrl> parse_url(std::string_view url);

// Whether a host (as parse_url gives it) is this machine's loopback interface by name:
// localhost, an IPv4 address in 127.0.0.0/8, or [::1]. Traffic to it never leaves the machine.
bool is_loopback_host(std::string_view host);

// The URL with any user:password@ in its authority replaced by "[credentials]@", for messages.
std::string without_credentials(std::string_view url);
// Whether the URL's authority carries user information (user:password@).
bool has_credentials(std::string_view url);

// Builds "path?k=v&k2=v2" with each key and value percent-encoded.
std::string with_query(std::string path, const std::vector<std::pair<std::string, std::string>>& query);

// Returns the URL of the entry whose rel is `rel` in an RFC 8288 Link header value, or
// nullopt when there is none. Malformed entries are skipped.
std::optional<std::string> link_target(std::string_view link_header, std::string_view rel);

}  // namespace stacklite

namespace stacklite {

// Where the `page` query parameter's value sits in a URL: {start, length}, or nullopt when
// the URL has no such parameter or more than one.
std::optional<std::pair<size_t, size_t>> page_number_span(std::string_view url, std::string_view param = "page");

// The URL of page `n` of the listing whose page-2 URL is `page_two` (as a Link header gives
// it), or nullopt when that URL does not carry page=2. Pages of a listing differ only there.
std::optional<std::string> numbered_page_url(std::string_view page_two, int64_t n, std::string_view param = "page");

}  // namespace stacklite
