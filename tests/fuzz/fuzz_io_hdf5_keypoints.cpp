// Fuzzes io::read_deeplabcut_h5 and io::read_sleap_analysis_h5 on mutated
// HDF5 files (seeds: the fixtures of tests/io/data). Only io::IoError escapes
// crossview's code; accepted files are consistent (joint counts, scores >= 0,
// NaN pixels exactly where the score is 0). Crashes inside libhdf5 itself on
// corrupt files would be findings against the HDF5 library, not crossview.
#include "fuzz_common.hpp"
#include "fuzz_temp_file.hpp"

#include <crossview/io/keypoints.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {
void check(const crossview::io::KeypointSequence& s) {
  for (const auto& f : s.frames) {
    for (const auto& p : f.people) {
      CROSSVIEW_FUZZ_CHECK(p.num_joints() == s.num_joints);
      for (int j = 0; j < p.num_joints(); ++j) {
        CROSSVIEW_FUZZ_CHECK(p.scores[j] >= 0.0);
        CROSSVIEW_FUZZ_CHECK((p.scores[j] > 0.0) == p.keypoints_px.col(j).allFinite());
      }
    }
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace crossview;
  const std::string path = fuzz::write_scratch("fuzz.h5", std::string_view(reinterpret_cast<const char*>(data), size));
  try {
    check(io::read_deeplabcut_h5(path));
  } catch (const io::IoError&) {
  }
  try {
    check(io::read_sleap_analysis_h5(path));
  } catch (const io::IoError&) {
  }
  return 0;
}
