// Fuzz target: any bytes as a time bound (text, and the first 8 bytes as a REAL and an
// INTEGER). Besides never crashing, a parsed time is within years 0000-9999, its canonical
// form reads back as the same second, surrounding spaces change nothing, and anything not
// a time is an Error that names the column.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "util/text.hpp"
#include "util/time_value.hpp"

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

void check_point(const stacklite::TimePoint& t) {
  using namespace stacklite;
  check(t.seconds >= -62167219200 && t.seconds <= 253402300799);
  check(t.first_second_from() - t.last_second_until() == (t.fraction ? 1 : 0));
  std::string canonical = format_utc(t.seconds);
  check(canonical.size() == 20 && canonical[10] == 'T' && canonical[19] == 'Z');
  auto back = parse_time_text(canonical);
  check(back && back->seconds == t.seconds && !back->fraction);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace stacklite;
  std::string_view input(reinterpret_cast<const char*>(data), size);

  auto parsed = parse_time_text(input);
  if (parsed) {
    check_point(*parsed);
    auto padded = parse_time_text(" " + std::string(input) + " ");
    check(padded && padded->seconds == parsed->seconds && padded->fraction == parsed->fraction);
  }
  try {
    TimePoint t = time_of("created_at", SqlValue::of_text(std::string(input)));
    check(parsed && t.seconds == parsed->seconds);
  } catch (const Error& e) {
    check(!parsed && std::string_view(e.what()).rfind("created_at is compared as a time", 0) == 0);
  }

  if (size >= 8) {
    double real;
    int64_t integer;
    std::memcpy(&real, data, 8);
    std::memcpy(&integer, data, 8);
    if (auto t = time_from_real(real)) check_point(*t);
    if (auto t = time_from_unix_seconds(integer)) {
      check_point(*t);
      check(t->seconds == integer && !t->fraction);
    }
  }
  return 0;
}
