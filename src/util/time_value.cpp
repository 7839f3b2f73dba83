// Points in time from the values SQLite's date functions produce and accept, so a bound on a
// timestamp column compares as time (not text) and goes to the API in one canonical form.
#include "util/time_value.hpp"

#include <cmath>
#include <cstdio>

#include "util/text.hpp"

namespace stacklite {

namespace {

constexpr int64_t kSecondsPerDay = 86400;
constexpr int64_t kMinSeconds = -62167219200;  // 0000-01-01T00:00:00Z
constexpr int64_t kMaxSeconds = 253402300799;  // 9999-12-31T23:59:59Z
// Milliseconds from Julian day 0 to the unix epoch (Julian day 2440587.5).
constexpr int64_t kJulianEpochMs = 210866760000000;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = floor_div(y, 400);
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int64_t y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

std::optional<TimePoint> in_range(int64_t seconds, bool fraction) {
  if (seconds < kMinSeconds || seconds > kMaxSeconds) return std::nullopt;
  return TimePoint{seconds, fraction};
}

std::optional<TimePoint> from_unix_ms(int64_t ms) { return in_range(floor_div(ms, 1000), ms % 1000 != 0); }

// Reads exactly n digits at pos into out.
bool digits(std::string_view s, size_t& pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t k = 0; k < n; ++k) {
    char c = s[pos + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  pos += n;
  return true;
}

bool at(std::string_view s, size_t pos, char c) { return pos < s.size() && s[pos] == c; }

}  // namespace

std::optional<TimePoint> parse_time_text(std::string_view text) {
  std::string_view s = trim(text);
  size_t pos = 0;
  int year = 0, month = 0, day = 0;
  if (!digits(s, pos, 4, year) || !at(s, pos++, '-') || !digits(s, pos, 2, month) || !at(s, pos++, '-') ||
      !digits(s, pos, 2, day))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return std::nullopt;
  int64_t seconds = days_from_civil(year, month, day) * kSecondsPerDay;
  if (pos == s.size()) return in_range(seconds, false);

  // The time of day: HH:MM, HH:MM:SS or HH:MM:SS.F…
  if (s[pos] != ' ' && s[pos] != 'T') return std::nullopt;
  ++pos;
  int hour = 0, minute = 0, second = 0;
  if (!digits(s, pos, 2, hour) || !at(s, pos++, ':') || !digits(s, pos, 2, minute)) return std::nullopt;
  if (hour > 23 || minute > 59) return std::nullopt;
  bool fraction = false;
  if (at(s, pos, ':')) {
    ++pos;
    if (!digits(s, pos, 2, second) || second > 59) return std::nullopt;
    if (at(s, pos, '.')) {
      ++pos;
      size_t start = pos;
      for (; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos) fraction |= s[pos] != '0';
      if (pos == start) return std::nullopt;
    }
  }
  seconds += hour * 3600 + minute * 60 + second;

  // The zone: Z, or the offset of the local time given (UTC = local - offset).
  while (at(s, pos, ' ')) ++pos;
  if (pos == s.size()) return in_range(seconds, fraction);
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int sign = s[pos++] == '-' ? -1 : 1;
    int off_hours = 0, off_minutes = 0;
    if (!digits(s, pos, 2, off_hours) || !at(s, pos++, ':') || !digits(s, pos, 2, off_minutes)) return std::nullopt;
    if (off_hours > 14 || off_minutes > 59) return std::nullopt;
    seconds -= sign * (off_hours * 3600 + off_minutes * 60);
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  return in_range(seconds, fraction);
}

std::optional<TimePoint> time_from_unix_seconds(int64_t seconds) { return in_range(seconds, false); }

std::optional<TimePoint> time_from_real(double value) {
  if (std::isnan(value)) return std::nullopt;
  if (value >= 0.0 && value < 5373484.5) {
    // Julian day: milliseconds since Julian day 0, rounded as SQLite rounds them.
    return from_unix_ms(static_cast<int64_t>(value * 86400000.0 + 0.5) - kJulianEpochMs);
  }
  if (value < static_cast<double>(kMinSeconds) || value > static_cast<double>(kMaxSeconds) + 1) return std::nullopt;
  return from_unix_ms(static_cast<int64_t>(std::llround(value * 1000.0)));
}

TimePoint time_of(std::string_view column, const SqlValue& value) {
  std::optional<TimePoint> t;
  std::string shown;
  switch (value.kind) {
    case SqlValue::Kind::Int:
      t = time_from_unix_seconds(value.i);
      shown = std::to_string(value.i);
      break;
    case SqlValue::Kind::Real:
      t = time_from_real(value.d);
      shown = value.to_text();
      break;
    case SqlValue::Kind::Text:
      t = parse_time_text(value.text);
      shown = quote_for_message(value.text);
      break;
    case SqlValue::Kind::Null:
      shown = "NULL";
      break;
  }
  if (t) return *t;
  std::string hint;
  if (value.kind == SqlValue::Kind::Text) {
    std::string_view v = trim(value.text);
    bool numeric = !v.empty();
    for (char c : v) numeric &= (c >= '0' && c <= '9') || c == '.' || c == '-';
    if (numeric)
      hint =
          " (numbers as text are not taken as times: give unix seconds as an INTEGER, e.g. "
          "CAST(strftime('%s', ...) AS INTEGER) or unixepoch(...))";
  } else if (value.kind != SqlValue::Kind::Null) {
    hint = " (outside years 0000-9999)";
  }
  throw Error(std::string(column) + " is compared as a time, and " + shown + " is not one" + hint +
              ". Accepted: 'YYYY-MM-DD' (midnight UTC), 'YYYY-MM-DD HH:MM', 'YYYY-MM-DD HH:MM:SS' and "
              "'YYYY-MM-DD HH:MM:SS.SSS' (or with T), each optionally followed by Z or +HH:MM/-HH:MM (UTC when "
              "absent), as datetime(), date() and strftime() produce; an INTEGER of unix seconds, as unixepoch() "
              "returns; a REAL Julian day, as julianday() returns");
}

std::string format_utc(int64_t seconds) {
  int64_t days = floor_div(seconds, kSecondsPerDay);
  int64_t rest = seconds - days * kSecondsPerDay;
  // H. Hinnant's civil_from_days.
  int64_t z = days + 719468;
  const int64_t era = floor_div(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", static_cast<long long>(year),
                static_cast<long long>(month), static_cast<long long>(day), static_cast<long long>(rest / 3600),
                static_cast<long long>(rest / 60 % 60), static_cast<long long>(rest % 60));
  return buf;
}

}  // namespace stacklite
