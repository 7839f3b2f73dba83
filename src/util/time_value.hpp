// Points in time from the values SQLite's date functions produce and accept, so a bound on a
// timestamp column compares as time (not text) and goes to the API in one canonical form.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/sql_value.hpp"

namespace stacklite {

// An instant between 0000-01-01 and 9999-12-31 UTC: the whole second at or before it, and
// whether a fraction of a second follows (`2025-01-01 10:00:00.5` is 10:00:00 plus a fraction).
struct TimePoint {
  int64_t seconds = 0;  // since 1970-01-01T00:00:00Z
  bool fraction = false;

  // The whole seconds s with s >= this, and with s <= this.
  int64_t first_second_from() const { return seconds + (fraction ? 1 : 0); }
  int64_t last_second_until() const { return seconds; }
};

// Text in SQLite's time-value formats: YYYY-MM-DD, then optionally ` ` or `T` and HH:MM,
// HH:MM:SS or HH:MM:SS.F… (any number of fraction digits), then optionally `Z` or ±HH:MM
// (UTC when absent; an offset means local time at that offset). Surrounding spaces are
// ignored. nullopt for anything else, including impossible dates (2025-02-30), hours past 23,
// and instants outside years 0000-9999.
std::optional<TimePoint> parse_time_text(std::string_view text);

// Unix seconds (what unixepoch() returns); nullopt outside years 0000-9999.
std::optional<TimePoint> time_from_unix_seconds(int64_t seconds);

// A REAL as SQLite's 'auto' modifier reads it: a Julian day number (what julianday()
// returns) up to 5373484.5, unix seconds with a fraction beyond. Rounded to milliseconds,
// as SQLite does. nullopt outside years 0000-9999 or for NaN.
std::optional<TimePoint> time_from_real(double value);

// The instant a bound on `column` names: text as parse_time_text, an INTEGER as unix
// seconds, a REAL as time_from_real. Throws Error naming the column, the value and the
// accepted forms for anything else (NULL is the caller's to handle).
TimePoint time_of(std::string_view column, const SqlValue& value);

// "YYYY-MM-DDTHH:MM:SSZ" for unix seconds within years 0000-9999.
std::string format_utc(int64_t seconds);

}  // namespace stacklite
