// Time values: every form SQLite's date functions produce or accept names the instant it
// should, checked by example and against the C library's timegm() on random instants.
#include "util/time_value.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <random>

#include "util/text.hpp"

namespace stacklite {
namespace {

constexpr int64_t k2025 = 1735689600;  // 2025-01-01T00:00:00Z

int64_t seconds_of(std::string_view text) {
  auto t = parse_time_text(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t ? t->seconds : 0;
}

TEST(TimeValue, SqliteFormsNameTheirInstant) {
  EXPECT_EQ(seconds_of("2025-01-01"), k2025);
  EXPECT_EQ(seconds_of("2025-01-01 10:20"), k2025 + 10 * 3600 + 20 * 60);
  EXPECT_EQ(seconds_of("2025-01-01 10:20:30"), k2025 + 37230);
  EXPECT_EQ(seconds_of("2025-01-01T10:20:30"), k2025 + 37230);
  EXPECT_EQ(seconds_of("2025-01-01T10:20:30Z"), k2025 + 37230);
  EXPECT_EQ(seconds_of("2025-01-01T10:20:30z"), k2025 + 37230);
  EXPECT_EQ(seconds_of("2025-01-01 10:20:30.123"), k2025 + 37230);
  EXPECT_EQ(seconds_of("2025-01-01T10:20:30.123456789Z"), k2025 + 37230);
  // An offset says the time is local there: 12:00+02:00 is 10:00 UTC.
  EXPECT_EQ(seconds_of("2025-01-01T12:20:30+02:00"), k2025 + 37230);
  EXPECT_EQ(seconds_of("2024-12-31T23:20:30-11:00"), k2025 + 37230);
  EXPECT_EQ(seconds_of("2025-01-01 10:20:30 +00:00"), k2025 + 37230);
  EXPECT_EQ(seconds_of("  2025-01-01 10:20:30  "), k2025 + 37230);
  EXPECT_EQ(seconds_of("2024-02-29"), k2025 - 307 * 86400);
  EXPECT_EQ(seconds_of("1970-01-01"), 0);
  EXPECT_EQ(seconds_of("1969-12-31 23:59:59"), -1);
  EXPECT_EQ(seconds_of("0000-01-01"), -62167219200);
  EXPECT_EQ(seconds_of("9999-12-31T23:59:59Z"), 253402300799);
}

TEST(TimeValue, FractionsAreKeptAsAFlag) {
  EXPECT_FALSE(parse_time_text("2025-01-01 10:00:00")->fraction);
  EXPECT_FALSE(parse_time_text("2025-01-01 10:00:00.000")->fraction);
  EXPECT_TRUE(parse_time_text("2025-01-01 10:00:00.001")->fraction);
  EXPECT_TRUE(parse_time_text("2025-01-01 10:00:00.0000001")->fraction);
  TimePoint half = *parse_time_text("2025-01-01 10:00:00.5");
  EXPECT_EQ(half.last_second_until(), k2025 + 36000);
  EXPECT_EQ(half.first_second_from(), k2025 + 36001);
  TimePoint whole = *parse_time_text("2025-01-01 10:00:00");
  EXPECT_EQ(whole.first_second_from(), whole.last_second_until());
}

TEST(TimeValue, AnythingElseIsNotATime) {
  for (const char* bad : {"",
                          "yesterday",
                          "now",
                          "11/01/2026",
                          "2025-1-01",
                          "2025-01-1",
                          "2025/01/01",
                          "20250101",
                          "2025-13-01",
                          "2025-00-10",
                          "2025-02-29",
                          "2025-04-31",
                          "2025-01-01T",
                          "2025-01-01 24:00",
                          "2025-01-01 10:60",
                          "2025-01-01 10:00:60",
                          "2025-01-01 10",
                          "2025-01-01 10:00:00.",
                          "2025-01-01Z",
                          "2025-01-01 10:00+0200",
                          "2025-01-01 10:00:00+15:00",
                          "2025-01-01 10:00:00 UTC",
                          "2025-01-01 10:00:00Zjunk",
                          "10:00",
                          "10:00:00",
                          "2460676.5",
                          "1735689600",
                          "-2025-01-01",
                          "2025-01-01t10:00",
                          "0000-01-01T00:00:00+00:01",
                          "9999-12-31T23:59:59-00:01"})
    EXPECT_FALSE(parse_time_text(bad).has_value()) << bad;
}

TEST(TimeValue, NumbersAreUnixSecondsOrJulianDays) {
  EXPECT_EQ(time_from_unix_seconds(k2025)->seconds, k2025);
  EXPECT_FALSE(time_from_unix_seconds(253402300800).has_value());
  EXPECT_FALSE(time_from_unix_seconds(-62167219201).has_value());
  // julianday('2025-01-01') and julianday('2025-01-01 00:00:01'), which a double cannot hold exactly.
  EXPECT_EQ(time_from_real(2460676.5)->seconds, k2025);
  TimePoint one = *time_from_real(2460676.5 + 1.0 / 86400);
  EXPECT_EQ(one.seconds, k2025 + 1);
  EXPECT_FALSE(one.fraction);
  TimePoint half = *time_from_real(2460676.5 + 0.5 / 86400);
  EXPECT_EQ(half.seconds, k2025);
  EXPECT_TRUE(half.fraction);
  // Beyond Julian days, a REAL is unix seconds with a fraction.
  TimePoint subsec = *time_from_real(static_cast<double>(k2025) + 0.25);
  EXPECT_EQ(subsec.seconds, k2025);
  EXPECT_TRUE(subsec.fraction);
  EXPECT_FALSE(time_from_real(100.0).has_value());  // a Julian day millennia before year 0
  EXPECT_FALSE(time_from_real(std::nan("")).has_value());
}

TEST(TimeValue, TimeOfNamesTheColumnAndTheForms) {
  EXPECT_EQ(time_of("created_at", SqlValue::of_text("2025-01-01")).seconds, k2025);
  EXPECT_EQ(time_of("created_at", SqlValue::of_int(k2025)).seconds, k2025);
  try {
    time_of("created_at", SqlValue::of_text("11/01/2026"));
    FAIL();
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_EQ(msg.rfind("created_at is compared as a time, and '11/01/2026' is not one. Accepted: 'YYYY-MM-DD'", 0), 0u)
        << msg;
    EXPECT_NE(msg.find("datetime(), date() and strftime()"), std::string::npos) << msg;
  }
  try {
    time_of("created_at", SqlValue::of_int(99999999999999));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("outside years 0000-9999"), std::string::npos) << e.what();
  }
}

TEST(TimeValue, FormatsUtc) {
  EXPECT_EQ(format_utc(k2025 + 37230), "2025-01-01T10:20:30Z");
  EXPECT_EQ(format_utc(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(format_utc(-62167219200), "0000-01-01T00:00:00Z");
  EXPECT_EQ(format_utc(253402300799), "9999-12-31T23:59:59Z");
}

// Random instants written in random SQLite forms parse to what timegm() says, and
// format_utc() writes what strftime() writes.
TEST(TimeValue, RandomFormsAgreeWithTheCLibrary) {
  std::mt19937_64 rng(20261123);
  std::uniform_int_distribution<int64_t> instant(-2208988800, 4102444799);  // 1900..2099
  std::uniform_int_distribution<int> form(0, 5), offset_minutes(-14 * 60, 14 * 60), millis(0, 999);
  for (int i = 0; i < 20000; ++i) {
    int64_t utc = instant(rng);
    int off = form(rng) < 2 ? offset_minutes(rng) : 0;
    // The wall clock at offset `off` that names `utc`.
    time_t local = static_cast<time_t>(utc + off * 60);
    std::tm tm{};
    gmtime_r(&local, &tm);
    char date[16], clock[16];
    std::strftime(date, sizeof date, "%Y-%m-%d", &tm);
    std::strftime(clock, sizeof clock, "%H:%M:%S", &tm);
    const int64_t time_of_day = tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
    std::string text = date;
    int64_t want = utc;
    bool fraction = false;
    switch (form(rng)) {
      case 0:
        want = timegm(&tm) - time_of_day;
        break;  // a date alone: midnight UTC, no zone
      case 1:
        text += std::string(" ") + clock;
        break;
      case 2:
        text += std::string("T") + clock;
        break;
      case 3:
        text += " " + std::string(clock, 5), want -= tm.tm_sec;
        break;
      default: {
        int ms = millis(rng);
        char frac[8];
        std::snprintf(frac, sizeof frac, ".%03d", ms);
        text += std::string("T") + clock + frac;
        fraction = ms != 0;
      }
    }
    if (text.size() > 10) {
      int zone = form(rng) % 3;
      if (off != 0 || zone == 1) {
        char written[16];
        std::snprintf(written, sizeof written, "%c%02d:%02d", off < 0 ? '-' : '+', std::abs(off) / 60,
                      std::abs(off) % 60);
        text += written;
      } else if (zone == 2) {
        text += "Z";
      }
    }
    auto got = parse_time_text(text);
    ASSERT_TRUE(got.has_value()) << text;
    ASSERT_EQ(got->seconds, want) << text;
    ASSERT_EQ(got->fraction, fraction) << text;
    char expect[32];
    time_t u = static_cast<time_t>(utc);
    std::tm utm{};
    gmtime_r(&u, &utm);
    std::strftime(expect, sizeof expect, "%Y-%m-%dT%H:%M:%SZ", &utm);
    ASSERT_EQ(format_utc(utc), expect);
  }
}

}  // namespace
}  // namespace stacklite
