// Fuzzes io::parse_openpose_json: any text either throws io::IoError or yields
// people with consistent sizes, scores finite and >= 0, detected joints at
// finite pixels and missing joints at NaN with score 0.
#include "fuzz_common.hpp"

#include <crossview/io/openpose.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace crossview;
  // First byte: expected joint count (0 = any, else 1..25 via BODY_25B-sized values).
  const int expected = size > 0 ? (data[0] % 4 == 0 ? 25 : 0) : 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  io::OpenPoseFrame frame;
  try {
    frame = io::parse_openpose_json(text, "fuzz.json", expected);
  } catch (const io::IoError&) {
    return 0;
  }
  int num_joints = -1;
  for (const auto& person : frame.people) {
    CROSSVIEW_FUZZ_CHECK(person.keypoints_px.cols() == person.scores.size());
    if (num_joints < 0) num_joints = person.num_joints();
    CROSSVIEW_FUZZ_CHECK(person.num_joints() == num_joints);
    if (expected > 0) CROSSVIEW_FUZZ_CHECK(person.num_joints() == expected);
    for (int j = 0; j < person.num_joints(); ++j) {
      const double s = person.scores[j];
      CROSSVIEW_FUZZ_CHECK(std::isfinite(s) && s >= 0.0);
      if (person.is_detected(j)) {
        CROSSVIEW_FUZZ_CHECK(person.keypoints_px.col(j).allFinite());
      } else {
        CROSSVIEW_FUZZ_CHECK(s == 0.0 && person.keypoints_px.col(j).hasNaN());
      }
    }
    const double mean = person.mean_detected_score();
    CROSSVIEW_FUZZ_CHECK(std::isfinite(mean));
  }
  if (!frame.people.empty()) {
    std::vector<io::OpenPoseFrame> frames{frame, frame};
    const std::vector<int> main = io::select_main_person(frames);
    CROSSVIEW_FUZZ_CHECK(main.size() == frames.size());
    for (int m : main) CROSSVIEW_FUZZ_CHECK(m >= -1 && m < static_cast<int>(frame.people.size()));
  }
  return 0;
}
