// The array layout of the pose API (docs/conventions.md#array-layouts) and the
// one definition of the Human3.6M joint order (pose::h36m).
#include <crossview/metrics/types.hpp>
#include <crossview/pose/heatmaps.hpp>
#include <crossview/pose/skeleton.hpp>

#include <crossview_test/points.hpp>
#include <crossview_test/pose_scene.hpp>
#include <crossview_test/random.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace crossview;
using crossview_test::require_invalid_argument;
using crossview_test::transposed;

TEST_CASE("render_gaussian_heatmaps and estimate_limb_lengths reject transposed point sets", "[pose][layout]") {
  const pose::Affine2d a = pose::image_from_heatmap_for_box(-0.5, -0.5, 640.0, 480.0, 64, 48);
  Points2d kp(2, 5);
  for (int j = 0; j < 5; ++j) kp.col(j) = Eigen::Vector2d(100.0 + 50.0 * j, 200.0 + 10.0 * j);
  const Eigen::VectorXd conf = Eigen::VectorXd::Ones(5);
  require_invalid_argument([&] { pose::render_gaussian_heatmaps(transposed(kp), conf, 48, 64, a, 2.0); },
                           {"render_gaussian_heatmaps", "keypoints_px", "5 x 2", "transposed"});
  require_invalid_argument([&] { pose::render_gaussian_heatmaps(kp, Eigen::VectorXd::Ones(4), 48, 64, a, 2.0); },
                           {"render_gaussian_heatmaps", "confidences"});
  CHECK(pose::render_gaussian_heatmaps(kp, conf, 48, 64, a, 2.0).num_joints() == 5);

  const pose::Skeleton sk = pose::human36m_17();
  crossview_test::Rng rng(4);
  const std::vector<Eigen::Matrix3Xd> poses = {crossview_test::synthetic_h36m_pose(rng, sk),
                                               crossview_test::synthetic_h36m_pose(rng, sk)};
  const Points3d packed = crossview_test::pack(poses);  // 3 x 34
  require_invalid_argument([&] { pose::estimate_limb_lengths(sk, transposed(packed), 10.0); },
                           {"estimate_limb_lengths", "poses", "34 x 3", "transposed"});
  require_invalid_argument([&] { pose::estimate_limb_lengths(sk, packed.leftCols(30), 10.0); },
                           {"estimate_limb_lengths", "poses", "not a multiple of 17"});
  // The packed sequence gives the median of the two poses' lengths.
  const auto priors = pose::estimate_limb_lengths(sk, packed, 10.0);
  const double a0 = (poses[0].col(2) - poses[0].col(1)).norm(), a1 = (poses[1].col(2) - poses[1].col(1)).norm();
  CHECK(priors[2].mean == Approx(0.5 * (a0 + a1)).epsilon(1e-12));
}

TEST_CASE("the Human3.6M joint order is defined once, in pose::h36m", "[pose][h36m]") {
  const pose::Skeleton sk = pose::human36m_17();
  REQUIRE(sk.num_joints() == pose::h36m::kNumJoints);
  for (int j = 0; j < pose::h36m::kNumJoints; ++j) {
    CHECK(sk.name(j) == pose::h36m::kJointNames[static_cast<std::size_t>(j)]);
    CHECK(sk.parent(j) == pose::h36m::kParents[static_cast<std::size_t>(j)]);
  }
  CHECK(sk.joint_index("neck") == pose::h36m::kNeck);
  CHECK(sk.joint_index("rwri") == pose::h36m::kRWrist);
  // The metrics' names are the same constants, not a copy.
  static_assert(metrics::h36m::kRoot == pose::h36m::kRoot);
  static_assert(metrics::h36m::kNumJoints == pose::h36m::kNumJoints);
  const metrics::Limbs limbs = metrics::h36m::limbs();
  REQUIRE(limbs.size() == 16u);
  for (const auto& [parent, child] : limbs) CHECK(sk.parent(child) == parent);
  CHECK(metrics::h36m::head_segment() == metrics::Limb{pose::h36m::kNeck, pose::h36m::kHead});
}
