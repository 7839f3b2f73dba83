// One status line on stderr, redrawn in place ("\r…\x1b[K") and erased before anything
// else is written there, so that messages and the line never share a row of the terminal.
#include "util/status_line.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <mutex>

namespace stacklite {

namespace {

// stderr belongs to the process: one line and one lock for every connection and thread.
std::mutex& stderr_mutex() {
  static std::mutex mutex;
  return mutex;
}
const void* drawn_by = nullptr;  // under stderr_mutex()

constexpr const char kErase[] = "\r\x1b[K";  // to the line's start, erase to its end

void write_all(const std::string& text) {
  const char* p = text.data();
  size_t left = text.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) return;  // a closed or full stderr is no reason to fail a statement
    p += n;
    left -= static_cast<size_t>(n);
  }
}

// A line as wide as the terminal would wrap, and "\r" then goes back to the wrong row.
size_t terminal_width() {
  struct winsize ws {};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1) return ws.ws_col - 1;
  return 0;  // not a terminal: no width to keep to
}

}  // namespace

void draw_status_line(const void* owner, const std::string& text) {
  std::string out = "\r" + text;
  size_t width = terminal_width();
  if (width > 0 && out.size() > width + 1) {
    size_t cut = width + 1;
    while (cut > 1 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
    out.resize(cut);
  }
  out += "\x1b[K";
  std::lock_guard<std::mutex> lock(stderr_mutex());
  write_all(out);
  drawn_by = owner;
}

void erase_status_line(const void* owner) {
  std::lock_guard<std::mutex> lock(stderr_mutex());
  if (!owner || drawn_by != owner) return;
  write_all(kErase);
  drawn_by = nullptr;
}

void print_stderr_line(const std::string& line) {
  std::lock_guard<std::mutex> lock(stderr_mutex());
  write_all((drawn_by ? std::string(kErase) : std::string()) + line + "\n");
  drawn_by = nullptr;
}

}  // namespace stacklite
