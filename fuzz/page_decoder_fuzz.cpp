// Fuzz target: any bytes as a response page for every read method of every bundled
// resource, and of a user spec with many dotted columns (nested fields copied into the
// row's own storage). Decoding must end in rows or an Error: never a crash, a leak or an
// over-read.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
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

// A user spec as users write them: many dotted TEXT columns under distinct keys (k0.v,
// k1.v, ...) and under one shared key (a.b, a.c, a.x.y, with `a` itself as JSON), plus
// nested fields of every other type. Its read methods cover the three response shapes.
const stacklite::ProviderSpec& dotted_spec() {
  static const stacklite::ProviderSpec spec = [] {
    std::string columns =
        R"({"name":"id","type":"INTEGER","json":"id"},{"name":"a","type":"JSON","json":"a"},)"
        R"({"name":"a_b","type":"TEXT","json":"a.b"},{"name":"a_c","type":"TEXT","json":"a.c"},)"
        R"({"name":"a_x_y","type":"TEXT","json":"a.x.y"},{"name":"e_i","type":"INTEGER","json":"e.i"},)"
        R"({"name":"e_r","type":"REAL","json":"e.r"},{"name":"e_b","type":"BOOLEAN","json":"e.b"},)"
        R"({"name":"e_j","type":"JSON","json":"e.j"},{"name":"e_t","type":"TEXT","json":"e.t"})";
    for (int k = 0; k < 50; ++k)
      columns += R"(,{"name":"k)" + std::to_string(k) + R"(","type":"TEXT","json":"k)" + std::to_string(k) + R"(.v"})";
    std::string text =
        R"({"provider":"fuzz_dotted","base_url":"https://example.invalid","resources":[{"name":"things",)"
        R"("columns":[)" +
        columns +
        R"(],"read_methods":[)"
        R"({"name":"one","path":"/thing","response":{"kind":"object"}},)"
        R"({"name":"bare","path":"/bare","response":{"kind":"list"}},)"
        R"({"name":"list","path":"/things","response":{"kind":"list","items":"items","total":"total_count"}}]}]})";
    return stacklite::load_provider_spec(text, "fuzz_dotted.json");
  }();
  return spec;
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
    for (const auto& resource : dotted_spec().resources)
      for (const auto& method : resource.read_methods)
        for (uint64_t needed : {~uint64_t{0}, ~uint64_t{0} << 2})  // every column, or all but id and a
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
