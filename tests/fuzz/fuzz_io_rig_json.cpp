// Fuzzes io::parse_rig_json: any text either throws io::IoError or yields a rig
// of valid cameras that survives a format -> parse round trip unchanged.
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
    rig = io::parse_rig_json(text, "fuzz.json");
  } catch (const io::IoError&) {
    return 0;
  }
  for (const auto& cam : rig.cameras) fuzz::check_camera(cam);
  const io::Rig again = io::parse_rig_json(io::format_rig_json(rig), "roundtrip.json");
  CROSSVIEW_FUZZ_CHECK(again.size() == rig.size());
  for (std::size_t i = 0; i < rig.size(); ++i) {
    CROSSVIEW_FUZZ_CHECK(again.cameras[i].model() == rig.cameras[i].model());
    CROSSVIEW_FUZZ_CHECK(again.cameras[i].params() == rig.cameras[i].params());
    CROSSVIEW_FUZZ_CHECK(again.cameras[i].name() == rig.cameras[i].name());
  }
  return 0;
}
