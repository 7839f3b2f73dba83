// Small text helpers shared by every layer: errors as values, trimming, case folding.
// Kept free of SQLite and curl so the unit tests link it alone.
#include "util/text.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstring>

namespace stacklite {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

std::optional<int64_t> parse_int64(std::string_view s) {
  int64_t v = 0;
  if (s.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string quote_for_message(std::string_view s) {
  constexpr size_t kMax = 200;
  std::string out = "'";
  const std::string_view shown = utf8_prefix(s, kMax);
  for (size_t i = 0; i < shown.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (shown.size() < s.size()) out += "...";
  out += "'";
  return out;
}

std::string_view utf8_prefix(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t end = max_bytes;
  // Back off over continuation bytes (10xxxxxx) to the lead byte, which is cut off too;
  // a UTF-8 character is at most 4 bytes, so stop looking after that.
  for (size_t back = 0; end > 0 && back < 4; ++back) {
    unsigned char c = static_cast<unsigned char>(s[end]);
    if ((c & 0xC0) != 0x80) break;
    --end;
  }
  return s.substr(0, end);
}

std::string replace_secrets(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    if (secret.size() < 4) continue;
    for (size_t pos = 0; (pos = text.find(secret, pos)) != std::string::npos; pos += 7)
      text.replace(pos, secret.size(), "[token]");
  }
  return text;
}

std::string message_excerpt(std::string_view text, const std::vector<std::string>& secrets, size_t max_bytes) {
  std::string clean = replace_secrets(std::string(text), secrets);
  std::string_view kept = utf8_prefix(clean, max_bytes);
  if (kept.size() == clean.size()) return clean;
  return std::string(kept) + "...";
}

namespace {
// Whether any byte of the 8 in `word` equals the byte repeated in `pattern` (exact as a yes/no).
inline bool has_byte(uint64_t word, uint64_t pattern) {
  const uint64_t x = word ^ pattern;
  return ((x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL) != 0;
}
}  // namespace

bool json_closes(std::string_view text) {
  text = trim(text);
  if (text.empty() || (text.front() != '{' && text.front() != '[')) return true;
  const char* p = text.data();
  const char* end = p + text.size();
  size_t depth = 0;
  while (p < end) {
    char c = *p++;
    if (c == '"') {
      // Inside a string only a quote or a backslash matters: 8 bytes with neither are passed
      // at once (strings are short and many, so this beats a library search per string), a
      // backslash takes the character after it along.
      while (true) {
        while (end - p >= 8) {
          uint64_t word;
          std::memcpy(&word, p, 8);
          if (has_byte(word, 0x2222222222222222ULL) || has_byte(word, 0x5c5c5c5c5c5c5c5cULL)) break;
          p += 8;
        }
        if (p >= end) return false;
        const char s = *p++;
        if (s == '"') break;
        if (s == '\\' && p++ >= end) return false;
      }
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0 || --depth == 0) return p == end;
    }
  }
  return false;
}

void append_json_string(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  size_t plain_from = 0;  // runs of characters that need no escape are appended at once
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s, plain_from, i - plain_from);
    plain_from = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 15];
    }
  }
  out.append(s, plain_from, std::string_view::npos);
  out += '"';
}

namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string did_you_mean(std::string_view given, const std::vector<std::string>& names) {
  std::string wanted = to_lower(given);
  if (wanted.empty()) return std::string();
  const std::string* best = nullptr;
  size_t best_distance = 0;
  for (const auto& name : names) {
    std::string candidate = to_lower(name);
    size_t d = edit_distance(wanted, candidate);
    bool part = wanted.size() >= 3 && candidate.find(wanted) != std::string::npos;
    if (d > std::max<size_t>(1, candidate.size() / 5) && !part) continue;
    if (part) d = std::min(d, size_t{1});
    if (!best || d < best_distance) {
      best = &name;
      best_distance = d;
    }
  }
  return best ? " (did you mean " + *best + "?)" : std::string();
}

}  // namespace stacklite
