// The progress line: while a statement has been reading a table for more than a second and
// stderr is a terminal (or the 'progress' setting forces it), one line on stderr says how
// far the scan is. It is drawn while the scan waits for the network and erased before rows
// go back to SQLite, so it never shares a line with what the shell prints.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace stacklite {

struct ProgressCounts {
  int64_t pages = 0;            // pages received
  int64_t pages_expected = -1;  // pages the listings have, as their totals say (-1: unknown)
  int64_t rows = 0;             // rows handed to SQLite
  int64_t rows_expected = -1;   // the listings' total_count (-1: unknown)
  int64_t rate_remaining = -1;  // the API's x-ratelimit-remaining (-1: not reported)
  int64_t rate_limit = -1;      // x-ratelimit-limit
};

// "workflow_runs: page 3/9, 300/842 rows, 2.1s, rate limit 4957/5000 left"
std::string format_progress(const std::string& table, const ProgressCounts& counts, double elapsed_s);

// When the line is drawn: not before the statement has run this long, and redrawn at most
// this often; a wait for the network shorter than kProgressShortWait does not bring back a
// line erased a moment ago (no flicker while pages arrive quickly).
constexpr std::chrono::milliseconds kProgressQuiet{1000};
constexpr std::chrono::milliseconds kProgressRedraw{250};
constexpr std::chrono::milliseconds kProgressShortWait{50};

class ProgressLine {
 public:
  // `enabled`: whether to draw at all (the setting, or stderr being a terminal). Timed from
  // construction: make it when the statement opens the table.
  ProgressLine(std::string table, bool enabled);
  ~ProgressLine();  // erases the line
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // While the scan has waited `waited` for a response: whether to draw now.
  bool due(std::chrono::milliseconds waited) const;
  void draw(const ProgressCounts& counts);
  // Erases the line if it is drawn: before a row, the end or an error goes back to SQLite.
  void erase() noexcept;

 private:
  std::string table_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point since_;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace stacklite
