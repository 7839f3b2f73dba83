// Fuzz target: any bytes as a response page for every read method of every bundled
// resource. Decoding must end in rows or an Error: never a crash, a leak or an over-read.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "json/page_decoder.hpp"
#include "spec/spec.hpp"
#include "util/text.hpp"

namespace {

// Reads every byte of every text cell, so a view into freed or foreign memory is caught.
size_t touch(const stacklite::Row& row) {
  size_t sum = 0;
  for (const auto& cell : row.cells)
    if (cell.kind == stacklite::Cell::Kind::Text)
      for (char c : cell.text) sum += static_cast<unsigned char>(c);
  return sum;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace stacklite;
  struct Case {
    const ReadMethod* method;
    std::unique_ptr<PageDecoder> decoder;
  };
  // One decoder per method and column set, reused across inputs as a scan reuses it across pages.
  static std::vector<Case> cases = [] {
    std::vector<Case> out;
    for (const auto& provider : bundled_providers())
      for (const auto& resource : provider.resources)
        for (const auto& method : resource.read_methods)
          for (uint64_t needed : {~uint64_t{0}, uint64_t{1}})  // every column, or the first alone
            out.push_back({&method, std::make_unique<PageDecoder>(resource, needed)});
    return out;
  }();
  PageBuffer body;
  body.assign(std::string_view(reinterpret_cast<const char*>(data), size));
  volatile size_t sink = 0;
  for (auto& c : cases) {
    try {
      c.decoder->open(body, *c.method);
      Row row;
      for (int n = 0; n < 100000 && c.decoder->next(row); ++n) sink = sink + touch(row);
    } catch (const Error&) {
      // A malformed page is an error: what we want.
    }
  }
  return 0;
}
