// The progress line: while a statement has been reading a table for more than a second and
// stderr is a terminal (or the 'progress' setting forces it), one line on stderr says how
// far the scan is.
#include "vtab/progress.hpp"

#include <cstdio>

#include "util/status_line.hpp"

namespace stacklite {

std::string format_progress(const std::string& table, const ProgressCounts& c, double elapsed_s) {
  std::string out = table + ": page " + std::to_string(c.pages);
  if (c.pages_expected >= c.pages && c.pages_expected > 0) out += "/" + std::to_string(c.pages_expected);
  out += ", " + std::to_string(c.rows);
  if (c.rows_expected >= c.rows && c.rows_expected > 0) out += "/" + std::to_string(c.rows_expected);
  out += c.rows == 1 && c.rows_expected < 0 ? " row, " : " rows, ";
  char elapsed[32];
  std::snprintf(elapsed, sizeof elapsed, "%.1fs", elapsed_s);
  out += elapsed;
  if (c.rate_remaining >= 0) {
    out += ", rate limit " + std::to_string(c.rate_remaining);
    if (c.rate_limit > 0) out += "/" + std::to_string(c.rate_limit);
    out += " left";
  }
  return out;
}

ProgressLine::ProgressLine(std::string table, bool enabled)
    : table_(std::move(table)), enabled_(enabled), since_(std::chrono::steady_clock::now()) {}

ProgressLine::~ProgressLine() { erase(); }

bool ProgressLine::due(std::chrono::milliseconds waited) const {
  if (!enabled_) return false;
  auto now = std::chrono::steady_clock::now();
  if (now - since_ < kProgressQuiet) return false;
  return now - last_draw_ >= kProgressRedraw || (!drawn_ && waited >= kProgressShortWait);
}

void ProgressLine::draw(const ProgressCounts& counts) {
  auto now = std::chrono::steady_clock::now();
  draw_status_line(this, format_progress(table_, counts, std::chrono::duration<double>(now - since_).count()));
  drawn_ = true;
  last_draw_ = now;
}

void ProgressLine::erase() noexcept {
  if (!drawn_) return;
  drawn_ = false;
  try {
    erase_status_line(this);
  } catch (...) {
    // A lock that cannot be taken leaves the line: nothing worse.
  }
}

}  // namespace stacklite
