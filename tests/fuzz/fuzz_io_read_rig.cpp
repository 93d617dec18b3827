// Fuzzes io::read_rig on a file: format detection by content and every
// calibration reader behind it (TOML, JSON, H36M, Qualisys XML, OpenCV YAML,
// COLMAP). The input is written as intri.yml, extri.yml (same bytes) and as
// calib (single-file formats); COLMAP inputs are split at a line "====" into
// cameras.txt and images.txt. Only io::IoError may escape; an accepted rig
// holds valid cameras.
#include "fuzz_common.hpp"
#include "fuzz_temp_file.hpp"

#include <crossview/io/rig.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace crossview;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> paths;
  paths.push_back(fuzz::write_scratch("calib", text));
  fuzz::write_scratch("intri.yml", text);
  paths.push_back(fuzz::write_scratch("extri.yml", text));
  const std::size_t sep = text.find("\n====\n");
  fuzz::write_scratch("cameras.txt", text.substr(0, sep));
  paths.push_back(fuzz::write_scratch("images.txt", sep == std::string_view::npos ? text : text.substr(sep + 6)));
  io::RigReadOptions options;
  options.h36m_subject = "S1";
  for (const std::string& p : paths) {
    io::Rig rig;
    try {
      rig = io::read_rig(p, options);
    } catch (const io::IoError&) {
      continue;
    }
    for (const auto& cam : rig.cameras) fuzz::check_camera(cam);
  }
  return 0;
}
