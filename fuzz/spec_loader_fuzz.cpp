// Fuzz target: any bytes as a provider spec. Loading must give a spec or an Error that
// names what is wrong: never a crash, a leak or a hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "spec/spec.hpp"
#include "util/text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace stacklite;
  try {
    ProviderSpec spec = load_provider_spec(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.json");
    // A loaded spec is usable: every method's pieces and every column name can be read.
    volatile size_t sink = 0;
    for (const auto& resource : spec.resources) {
      for (const auto& column : resource.columns) sink = sink + column.name.size();
      for (const auto& method : resource.read_methods) sink = sink + method.pieces.size();
      for (const auto& method : resource.write_methods) sink = sink + method.signature().size();
    }
  } catch (const Error&) {
  }
  return 0;
}
