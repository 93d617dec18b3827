// Fuzzes io::parse_mmpose_json: only io::IoError escapes; an accepted file has
// one joint count, 2 x J keypoints and J scores per person, scores >= 0 and a
// NaN pixel exactly where the score is 0.
#include "fuzz_common.hpp"

#include <crossview/io/keypoints.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace crossview;
  io::KeypointSequence s;
  try {
    s = io::parse_mmpose_json(std::string(reinterpret_cast<const char*>(data), size), "fuzz.json");
  } catch (const io::IoError&) {
    return 0;
  }
  for (const auto& f : s.frames) {
    for (const auto& p : f.people) {
      CROSSVIEW_FUZZ_CHECK(p.num_joints() == s.num_joints);
      CROSSVIEW_FUZZ_CHECK(p.keypoints_px.cols() == s.num_joints);
      for (int j = 0; j < p.num_joints(); ++j) {
        CROSSVIEW_FUZZ_CHECK(p.scores[j] >= 0.0 && std::isfinite(p.scores[j]));
        CROSSVIEW_FUZZ_CHECK((p.scores[j] > 0.0) == p.keypoints_px.col(j).allFinite());
      }
    }
  }
  try {
    io::resolve_skeleton(s.skeleton_query());
  } catch (const io::IoError&) {
  } catch (const std::invalid_argument&) {
    CROSSVIEW_FUZZ_CHECK(s.num_joints == 0);  // nothing to resolve
  }
  return 0;
}
