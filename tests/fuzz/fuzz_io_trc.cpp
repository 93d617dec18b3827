// Fuzzes io::parse_trc: any text either throws io::IoError or yields a TrcData
// with consistent sizes, finite rates and times, and coordinates that are
// finite or NaN (missing), which survives a format -> parse round trip.
#include "fuzz_common.hpp"

#include <crossview/io/trc.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace crossview;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  io::TrcData trc;
  try {
    trc = io::parse_trc(text, "fuzz.trc");
  } catch (const io::IoError&) {
    return 0;
  }
  const std::size_t n = trc.times_s.size();
  CROSSVIEW_FUZZ_CHECK(trc.frame_numbers.size() == n);
  // Packed 3 x (F*M), column f*M + m.
  CROSSVIEW_FUZZ_CHECK(trc.positions.cols() == static_cast<Eigen::Index>(n) * trc.num_markers());
  CROSSVIEW_FUZZ_CHECK(std::isfinite(trc.data_rate_hz) && std::isfinite(trc.camera_rate_hz));
  for (std::size_t f = 0; f < n; ++f) CROSSVIEW_FUZZ_CHECK(std::isfinite(trc.times_s[f]));
  for (Eigen::Index i = 0; i < trc.positions.size(); ++i) {
    const double v = trc.positions.data()[i];
    CROSSVIEW_FUZZ_CHECK(std::isfinite(v) || std::isnan(v));
  }
  const io::TrcData again = io::parse_trc(io::format_trc(trc), "roundtrip.trc");
  CROSSVIEW_FUZZ_CHECK(again.num_frames() == trc.num_frames());
  CROSSVIEW_FUZZ_CHECK(again.marker_names == trc.marker_names);
  return 0;
}
