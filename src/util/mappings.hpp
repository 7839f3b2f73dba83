// Memory mappings for response bodies, kept for the next body instead of given back at once.
// A page of 100 runs (about 1.2 MiB) lives in a mapping of its own so that a long scan's
// memory stays flat (from the heap, pages freed by other threads crept up); mapping and
// unmapping one per page made the kernel fault in and zero every 4 KiB of every page, which
// cost more CPU than parsing it. Bodies now take a kept mapping when one fits: a scan maps
// about as many as it holds pages at once, then reuses them.
#pragma once

#include <cstddef>

namespace stacklite::mappings {

constexpr size_t kGranule = 256 * 1024;           // mapping lengths are multiples of this
constexpr size_t kKeptAtMost = 12 * 1024 * 1024;  // bytes of free mappings kept for reuse

// `bytes` rounded up to a mapping length.
size_t length_for(size_t bytes);
// A readable, writable mapping of `length` (from length_for) bytes: a kept one when one is at
// least that long (its length returned through `length`), else a new one. Throws std::bad_alloc.
char* acquire(size_t& length);
// Gives a mapping from acquire back: kept for reuse while the kept ones stay under
// kKeptAtMost bytes, unmapped otherwise.
void release(char* p, size_t length);
// Bytes of free mappings kept now (for tests and benchmarks).
size_t kept_bytes();

}  // namespace stacklite::mappings
