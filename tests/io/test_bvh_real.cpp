// The real CMU clip 131_01.bvh: structure, scale (limb lengths) and the H36M
// 17-joint mapping.
#include <crossview/io/bvh.hpp>

#include <crossview_test/random.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <iostream>

using crossview::io::BvhMotion;
using crossview::Points3d;
using crossview_test::shared_data;

namespace {
const BvhMotion& clip() {
  static const BvhMotion m = crossview::io::read_bvh(shared_data("cmu_mocap/131_01.bvh"));
  return m;
}
double dist(const Eigen::Matrix3Xd& p, int a, int b) { return (p.col(a) - p.col(b)).norm(); }
}  // namespace

TEST_CASE("io bvh real: CMU 131_01 structure", "[io][bvh][real]") {
  const BvhMotion& m = clip();
  const auto joints = std::count_if(m.joints.begin(), m.joints.end(), [](const auto& j) { return !j.is_end_site; });
  CHECK(joints == 31);
  CHECK(m.num_frames == 994);
  CHECK(m.num_channels == 6 + 30 * 3);
  CHECK(m.frame_rate_hz() == Approx(120.0).epsilon(1e-4));
  CHECK(m.find_joint("Head_End") >= 0);
}

TEST_CASE("io bvh real: CMU scale gives human limb lengths, constant over the clip", "[io][bvh][real]") {
  const BvhMotion& m = clip();
  const double s = crossview::io::kCmuBvhUnitMm;
  const int hip = m.find_joint("LeftHip"), knee = m.find_joint("LeftKnee"), ankle = m.find_joint("LeftAnkle");
  const int rhip = m.find_joint("RightHip"), rknee = m.find_joint("RightKnee");
  const int sho = m.find_joint("LeftShoulder"), elb = m.find_joint("LeftElbow"), wri = m.find_joint("LeftWrist");
  const int head_end = m.find_joint("Head_End"), lank = ankle;
  const Eigen::Matrix3Xd p0 = crossview::io::forward_kinematics(m, 0, s);
  const double thigh = dist(p0, hip, knee), shank = dist(p0, knee, ankle);
  const double upper_arm = dist(p0, sho, elb), forearm = dist(p0, elb, wri);
  std::cout << "CMU 131_01 at " << s << " mm/unit: thigh " << thigh << " mm, right thigh " << dist(p0, rhip, rknee)
            << " mm, shank " << shank << " mm, upper arm " << upper_arm << " mm, forearm " << forearm << " mm\n";
  // Adult anthropometry (thigh ~0.40-0.45 m, shank ~0.37-0.43 m, upper arm ~0.25-0.33 m).
  CHECK(thigh > 380.0);
  CHECK(thigh < 460.0);
  CHECK(shank > 350.0);
  CHECK(shank < 440.0);
  CHECK(upper_arm > 200.0);
  CHECK(upper_arm < 340.0);
  double max_height = 0.0;
  for (int f = 0; f < m.num_frames; f += 7) {
    const Eigen::Matrix3Xd p = crossview::io::forward_kinematics(m, f, s);
    // Rigid bones: lengths do not change with the pose (FK rounding only).
    CHECK(std::abs(dist(p, hip, knee) - thigh) < 1e-9);
    CHECK(std::abs(dist(p, elb, wri) - forearm) < 1e-9);
    max_height = std::max(max_height, p(1, head_end) - p(1, lank));
  }
  std::cout << "CMU 131_01: max head-top above left ankle (Y) " << max_height << " mm\n";
  // Sanity range that catches a wrong unit (cm would give ~240 mm, inches
  // ~3400 mm): the CMU skeleton's torso and arms are short, so ankle to head
  // top stays well below stature (measured: 1356 mm on the sampled frames).
  CHECK(max_height > 1200.0);
  CHECK(max_height < 2000.0);
}

TEST_CASE("io bvh real: H36M 17-joint skeleton from CMU", "[io][bvh][real]") {
  const BvhMotion& m = clip();
  const Points3d poses = crossview::io::to_h36m_17(m);  // 3 x (F*17)
  REQUIRE(poses.cols() == 994 * 17);
  crossview::io::BvhToH36mOptions zo;
  zo.z_up = true;
  const Points3d zposes = crossview::io::to_h36m_17(m, zo);
  const auto& parents = crossview::pose::h36m::kParents;
  const auto bone = [&](const Eigen::Ref<const Points3d>& p, int j) {
    return (p.col(j) - p.col(parents[static_cast<std::size_t>(j)])).norm();
  };
  const Points3d pose0 = poses.leftCols(17);
  int head_above = 0;
  for (Eigen::Index f = 0; f < 994; ++f) {
    const Points3d p = poses.middleCols(f * 17, 17);
    const Points3d z = zposes.middleCols(f * 17, 17);
    REQUIRE(p.allFinite());
    // Rigid CMU bones mapped one to one keep their length (belly is an average, skip 7 and 8).
    for (int j : {1, 2, 3, 4, 5, 6, 10, 12, 13, 15, 16}) CHECK(std::abs(bone(p, j) - bone(pose0, j)) < 1e-9);
    // Z-up is the documented rotation of Y-up.
    for (int j = 0; j < 17; ++j) {
      CHECK(z(0, j) == p(0, j));
      CHECK(z(1, j) == -p(2, j));
      CHECK(z(2, j) == p(1, j));
    }
    if (z(2, 10) > z(2, 0) + 300.0) ++head_above;
  }
  // The subject bends down in a few frames; upright (head top > 0.3 m above the
  // pelvis in Z) in the vast majority (measured 982 of 994).
  std::cout << "H36M from CMU, Z-up: head top > 300 mm above the root in " << head_above << " of 994 frames\n";
  CHECK(head_above >= 950);
  // Left/right symmetry of the mapped limbs (within 5 %).
  const Points3d& p = pose0;
  for (auto [l, r] : {std::pair{5, 2}, std::pair{6, 3}, std::pair{12, 15}, std::pair{13, 16}}) {
    INFO("bones " << l << " " << r);
    CHECK(bone(p, l) == Approx(bone(p, r)).epsilon(0.05));
  }
  std::cout << "H36M from CMU frame 0 bone lengths (mm):";
  for (int j = 1; j < 17; ++j) {
    std::cout << " " << crossview::pose::h36m::kJointNames[static_cast<std::size_t>(j)] << "=" << bone(p, j);
  }
  std::cout << "\n";
}
