// Fuzzes io::parse_npy and the format_npy round trip.
//
// Contracts checked:
//   * only io::IoError escapes parse_npy;
//   * an accepted array has values.size() == product of the shape <= 2^30,
//     non-negative dimensions;
//   * format_npy of an accepted array parses back to the same shape and the
//     same bits (float32 files; float64 ones are converted once).
#include "fuzz_common.hpp"

#include <crossview/io/npy.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  crossview::io::NpyArray a;
  try {
    a = crossview::io::parse_npy(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.npy");
  } catch (const crossview::io::IoError&) {
    return 0;
  }
  std::int64_t n = 1;
  for (auto s : a.shape) {
    CROSSVIEW_FUZZ_CHECK(s >= 0);
    n *= s;
  }
  CROSSVIEW_FUZZ_CHECK(n == static_cast<std::int64_t>(a.values.size()));
  CROSSVIEW_FUZZ_CHECK(n <= crossview::io::kMaxNpyValues);
  const crossview::io::NpyArray b = crossview::io::parse_npy(crossview::io::format_npy(a.shape, a.values), "again");
  CROSSVIEW_FUZZ_CHECK(b.shape == a.shape);
  CROSSVIEW_FUZZ_CHECK(b.values.size() == a.values.size());
  if (!a.values.empty()) {
    CROSSVIEW_FUZZ_CHECK(std::memcmp(b.values.data(), a.values.data(), a.values.size() * sizeof(float)) == 0);
  }
  return 0;
}
