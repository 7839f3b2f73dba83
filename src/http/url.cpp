// URL building and parsing: the one place that percent-encodes path segments and query
// values, compares origins (where the token may go), and reads `Link` headers.
#include "http/url.hpp"

#include "util/text.hpp"

namespace stacklite {

std::string percent_encode(std::string_view value) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (char ch : value) {
    unsigned char c = static_cast<unsigned char>(ch);
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += ch;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

void check_path_segment(std::string_view what, std::string_view value) {
  if (value.empty()) throw Error(std::string(what) + " must not be empty");
  if (value == "." || value == "..")
    throw Error(std::string(what) + " must not be " + quote_for_message(value) +
                ": a dot segment would change the request path");
}

void add_path_value(PathParams& values, const std::string& param, std::string_view value, std::string_view what) {
  check_path_segment(what, value);
  values.emplace_back(param, percent_encode(value));
}

std::string expand_path(const std::vector<PathPiece>& pieces, const PathParams& values) {
  std::string out;
  for (const auto& piece : pieces) {
    if (!piece.is_param) {
      out += piece.text;
      continue;
    }
    for (const auto& [name, value] : values)
      if (name == piece.text) out += value;
  }
  return out;
}

std::string ParsedUrl::origin() const { return scheme + "://" + host + ":" + std::to_string(port); }

std::optional<ParsedUrl> parse_url(std::string_view url) {
  ParsedUrl out;
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  out.scheme = to_lower(url.substr(0, scheme_end));
  if (out.scheme != "http" && out.scheme != "https") return std::nullopt;
  std::string_view rest = url.substr(scheme_end + 3);
  size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  std::string_view host = authority;
  out.port = out.scheme == "https" ? 443 : 80;
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view after = host.substr(close + 1);
    host = host.substr(0, close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      auto port = parse_int64(after.substr(1));
      if (!port || *port <= 0 || *port > 65535) return std::nullopt;
      out.port = static_cast<int>(*port);
    }
  } else if (size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    auto port = parse_int64(host.substr(colon + 1));
    if (!port || *port <= 0 || *port > 65535) return std::nullopt;
    out.port = static_cast<int>(*port);
    host = host.substr(0, colon);
  }
  if (host.empty()) return std::nullopt;
  out.host = to_lower(host);
  size_t hash = tail.find('#');
  if (hash != std::string_view::npos) tail = tail.substr(0, hash);
  size_t q = tail.find('?');
  out.path = std::string(tail.substr(0, q));
  if (out.path.empty()) out.path = "/";
  if (q != std::string_view::npos) out.query = std::string(tail.substr(q + 1));
  return out;
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "[::1]") return true;
  std::vector<std::string_view> octets = split(host, '.');
  if (octets.size() != 4) return false;
  for (std::string_view o : octets) {
    if (o.empty() || o.size() > 3) return false;
    for (char c : o)
      if (c < '0' || c > '9') return false;
    if (*parse_int64(o) > 255) return false;
  }
  return octets[0] == "127";
}

namespace {

// [start, end) of the user information before '@' in the URL's authority; start == end when none.
std::pair<size_t, size_t> credentials_span(std::string_view url) {
  size_t scheme_end = url.find("://");
  size_t start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  size_t authority_end = url.find_first_of("/?#", start);
  std::string_view authority =
      url.substr(start, authority_end == std::string_view::npos ? std::string_view::npos : authority_end - start);
  size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return {start, start};
  return {start, start + at};
}

}  // namespace

bool has_credentials(std::string_view url) {
  size_t scheme_end = url.find("://");
  size_t start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  size_t authority_end = url.find_first_of("/?#", start);
  return url.substr(start, authority_end == std::string_view::npos ? std::string_view::npos : authority_end - start)
             .find('@') != std::string_view::npos;
}

std::string without_credentials(std::string_view url) {
  if (!has_credentials(url)) return std::string(url);
  auto [start, end] = credentials_span(url);
  return std::string(url.substr(0, start)) + "[credentials]" + std::string(url.substr(end));
}

std::string with_query(std::string path, const std::vector<std::pair<std::string, std::string>>& query) {
  char sep = path.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [key, value] : query) {
    path += sep;
    path += percent_encode(key);
    path += '=';
    path += percent_encode(value);
    sep = '&';
  }
  return path;
}

std::optional<std::string> link_target(std::string_view header, std::string_view rel) {
  // Entries look like: <https://host/path?page=2>; rel="next", <...>; rel="last"
  size_t pos = 0;
  while (pos < header.size()) {
    size_t open = header.find('<', pos);
    if (open == std::string_view::npos) return std::nullopt;
    size_t close = header.find('>', open + 1);
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view target = header.substr(open + 1, close - open - 1);
    size_t next_entry = header.find('<', close + 1);
    std::string_view params = header.substr(
        close + 1, next_entry == std::string_view::npos ? std::string_view::npos : next_entry - close - 1);
    for (std::string_view param : split(params, ';')) {
      param = trim(param);
      size_t eq = param.find('=');
      if (eq == std::string_view::npos) continue;
      if (!iequals(trim(param.substr(0, eq)), "rel")) continue;
      std::string_view value = trim(param.substr(eq + 1));
      while (!value.empty() && (value.back() == ',' || value.back() == ' ')) value.remove_suffix(1);
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      value = trim(value);
      // rel may hold several space-separated relation types.
      for (std::string_view one : split(value, ' '))
        if (iequals(one, rel)) return std::string(trim(target));
    }
    if (next_entry == std::string_view::npos) return std::nullopt;
    pos = next_entry;
  }
  return std::nullopt;
}

}  // namespace stacklite

namespace stacklite {

std::optional<std::pair<size_t, size_t>> page_number_span(std::string_view url, std::string_view param) {
  size_t query = url.find('?');
  if (query == std::string_view::npos) return std::nullopt;
  std::optional<std::pair<size_t, size_t>> found;
  size_t pos = query + 1;
  while (pos <= url.size()) {
    size_t end = url.find_first_of("&#", pos);
    if (end == std::string_view::npos) end = url.size();
    std::string_view pair = url.substr(pos, end - pos);
    if (pair.size() > param.size() && pair.substr(0, param.size()) == param && pair[param.size()] == '=') {
      if (found) return std::nullopt;
      found = std::make_pair(pos + param.size() + 1, pair.size() - param.size() - 1);
    }
    if (end >= url.size() || url[end] == '#') break;
    pos = end + 1;
  }
  return found;
}

std::optional<std::string> numbered_page_url(std::string_view page_two, int64_t n, std::string_view param) {
  auto span = page_number_span(page_two, param);
  if (!span || page_two.substr(span->first, span->second) != "2") return std::nullopt;
  return std::string(page_two.substr(0, span->first)) + std::to_string(n) +
         std::string(page_two.substr(span->first + span->second));
}

}  // namespace stacklite
