// Small text helpers shared by every layer: errors as values, trimming, case folding.
// Kept free of SQLite and curl so the unit tests link it alone.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace stacklite {

// Every failure that should reach the user as an SQL error is thrown as this; the
// SQLite boundary catches it and copies what() into zErrMsg.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string_view trim(std::string_view s);
std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool starts_with(std::string_view s, std::string_view prefix);
std::vector<std::string_view> split(std::string_view s, char sep);
std::optional<int64_t> parse_int64(std::string_view s);
// Quotes a value for an error message: control characters shown as \xNN, long values cut
// on a character boundary.
std::string quote_for_message(std::string_view s);
// " (did you mean base_url?)" when one of `names` is close to `given` (a typo, a prefix, a
// part of it); "" when none is.
std::string did_you_mean(std::string_view given, const std::vector<std::string>& names);
// The longest prefix of s, at most max_bytes long, that does not end inside a UTF-8
// character (a message cut there still decodes).
std::string_view utf8_prefix(std::string_view s, size_t max_bytes);
// Replaces every occurrence of each secret (those of 4 bytes or more) with "[token]".
std::string replace_secrets(std::string text, const std::vector<std::string>& secrets);
// What a server sent, fit for a message: secrets replaced first (so a cut can never leave a
// fragment of one), then cut to max_bytes on a character boundary, "..." marking the cut.
std::string message_excerpt(std::string_view text, const std::vector<std::string>& secrets, size_t max_bytes);
// Whether text that opens as a JSON object or array also closes it: brackets balanced
// outside strings, no string left open, only whitespace after the end. A cheap test for a
// body cut short although its transfer completed; text that opens otherwise passes (it is
// not JSON at all, which the decoder reports).
bool json_closes(std::string_view text);
// Appends s to out as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view s);

}  // namespace stacklite
