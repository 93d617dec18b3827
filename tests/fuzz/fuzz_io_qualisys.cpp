// Fuzzes io::parse_qualisys_qca (the XML reader and the conversion): any text
// either throws io::IoError or yields valid cameras (fuzz::check_camera).
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
    rig = io::parse_qualisys_qca(text, "fuzz.qca.txt");
  } catch (const io::IoError&) {
    return 0;
  }
  CROSSVIEW_FUZZ_CHECK(!rig.empty());
  for (const auto& cam : rig.cameras) fuzz::check_camera(cam);
  return 0;
}
