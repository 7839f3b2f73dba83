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
// Quotes a value for an error message: control characters shown as \xNN, long values cut.
std::string quote_for_message(std::string_view s);
// " (did you mean base_url?)" when one of `names` is close to `given` (a typo, a prefix, a
// part of it); "" when none is.
std::string did_you_mean(std::string_view given, const std::vector<std::string>& names);
// Appends s to out as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view s);

}  // namespace stacklite
