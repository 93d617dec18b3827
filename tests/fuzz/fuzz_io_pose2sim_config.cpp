// Fuzzes io::parse_pose2sim_config: only io::IoError escapes; accepted values
// are in range (rate > 0, start < end, heights in (0.3, 3) m).
#include "fuzz_common.hpp"

#include <crossview/io/pose2sim_config.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace crossview;
  io::Pose2SimConfig c;
  try {
    c = io::parse_pose2sim_config(std::string_view(reinterpret_cast<const char*>(data), size), "Config.toml");
  } catch (const io::IoError&) {
    return 0;
  }
  if (c.frame_rate_hz) CROSSVIEW_FUZZ_CHECK(*c.frame_rate_hz > 0.0);
  if (c.frame_range) CROSSVIEW_FUZZ_CHECK(c.frame_range->first >= 0 && c.frame_range->first < c.frame_range->second);
  for (double h : c.participant_heights_m) CROSSVIEW_FUZZ_CHECK(h > 0.3 && h < 3.0);
  return 0;
}
