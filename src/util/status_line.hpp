// One status line on stderr, redrawn in place ("\r…\x1b[K") and erased before anything
// else is written there, so that messages and the line never share a row of the terminal.
#pragma once

#include <string>

namespace stacklite {

// Draws `text` as the status line of `owner` (cut to the terminal's width), replacing
// whatever status line is drawn.
void draw_status_line(const void* owner, const std::string& text);
// Erases the status line if `owner` drew it and it is still there.
void erase_status_line(const void* owner);
// Writes a whole message line to stderr, erasing any status line first.
void print_stderr_line(const std::string& line);

}  // namespace stacklite
