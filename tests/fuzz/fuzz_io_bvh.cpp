// Fuzzes io::parse_bvh + forward_kinematics + to_h36m_17: any text either throws
// io::IoError or yields a motion whose hierarchy is consistent (parents before
// children, channel columns inside a row, values.size() == frames x channels)
// with finite offsets and values; forward kinematics on it must not crash, and
// the H36M mapping may only throw its documented std::invalid_argument.
#include "fuzz_common.hpp"

#include <crossview/io/bvh.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace crossview;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  io::BvhMotion motion;
  try {
    motion = io::parse_bvh(text, "fuzz.bvh");
  } catch (const io::IoError&) {
    return 0;
  }
  CROSSVIEW_FUZZ_CHECK(motion.num_frames >= 0 && motion.num_channels >= 0);
  CROSSVIEW_FUZZ_CHECK(motion.values.size() == static_cast<std::size_t>(motion.num_frames) *
                                                   static_cast<std::size_t>(motion.num_channels));
  CROSSVIEW_FUZZ_CHECK(std::isfinite(motion.frame_time_s));
  for (double v : motion.values) CROSSVIEW_FUZZ_CHECK(std::isfinite(v));
  for (std::size_t j = 0; j < motion.joints.size(); ++j) {
    const io::BvhJoint& joint = motion.joints[j];
    CROSSVIEW_FUZZ_CHECK(joint.parent >= -1 && joint.parent < static_cast<int>(j));
    CROSSVIEW_FUZZ_CHECK(joint.offset.allFinite());
    CROSSVIEW_FUZZ_CHECK(joint.first_channel >= 0);
    CROSSVIEW_FUZZ_CHECK(joint.first_channel + static_cast<int>(joint.channels.size()) <=
                         motion.num_channels);
  }
  if (motion.num_frames > 0) {
    const Eigen::Matrix3Xd p0 = io::forward_kinematics(motion, 0);
    CROSSVIEW_FUZZ_CHECK(p0.cols() == static_cast<Eigen::Index>(motion.joints.size()));
    (void)io::forward_kinematics(motion, motion.num_frames - 1, 10.0);
    try {
      (void)io::to_h36m_17(motion, 0);
    } catch (const std::invalid_argument&) {
      // Documented: a mapped joint name that the file does not have.
    }
  }
  return 0;
}
