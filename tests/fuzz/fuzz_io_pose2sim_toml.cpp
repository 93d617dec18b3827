// Fuzzes io::parse_pose2sim_toml: any text either throws io::IoError or yields a
// rig of valid cameras (finite parameters, unit rotations, positive sizes) that
// survives a format -> parse round trip.
#include "fuzz_common.hpp"

#include <crossview/io/rig.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace crossview;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  io::Rig rig;
  try {
    rig = io::parse_pose2sim_toml(text, "fuzz.toml");
  } catch (const io::IoError&) {
    return 0;
  }
  for (const auto& cam : rig.cameras) fuzz::check_camera(cam);
  // Whatever was accepted can be written back and read again.
  const io::Rig again = io::parse_pose2sim_toml(io::format_pose2sim_toml(rig), "roundtrip.toml");
  CROSSVIEW_FUZZ_CHECK(again.size() == rig.size());
  for (std::size_t i = 0; i < rig.size(); ++i) {
    CROSSVIEW_FUZZ_CHECK(again.cameras[i].params().size() == rig.cameras[i].params().size() ||
                         rig.cameras[i].model() == camera::CameraModel::kPinhole);
  }
  return 0;
}
