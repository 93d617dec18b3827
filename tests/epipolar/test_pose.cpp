// decompose_essential and recover_pose: true pose recovered on seeded scenes, statuses
// for pure rotation, wrong E, NaN and size mismatch.
#include <crossview/epipolar/essential.hpp>
#include <crossview/epipolar/pose.hpp>

#include <catch2/catch.hpp>

#include "epipolar_scene.hpp"

#include <limits>

using namespace crossview::epipolar;
using crossview_test::make_two_view_scene;
using crossview_test::Rng;
using crossview_test::SceneOptions;

namespace {
constexpr double kPoseTolerance = 1e-9;  // noise-free, rotation and unit-t entries
}

TEST_CASE("recover_pose finds the true pose from the true E", "[epipolar][pose]") {
  for (int seed = 0; seed < 200; ++seed) {
    INFO("seed " << seed);
    Rng rng(500 + seed);
    SceneOptions options;
    options.num_points = 50;
    options.forward_motion = (seed % 3 == 0);
    const auto scene = make_two_view_scene(rng, options);
    Eigen::Matrix3d E = essential_from_pose(scene.cam2_from_cam1);
    if (seed % 2) E = -3.0 * E;  // scale and sign do not matter
    const RecoverPoseResult result = recover_pose(E, scene.normalized1, scene.normalized2);
    INFO(result.message);
    CHECK(result.status == RecoverPoseStatus::kSuccess);
    CHECK(result.num_in_front == 50);
    CHECK(result.second_best_in_front < 50);
    const Eigen::Matrix3d R_true = scene.cam2_from_cam1.rotation_matrix();
    const Eigen::Vector3d t_true = scene.cam2_from_cam1.translation.normalized();
    CHECK((result.cam2_from_cam1.rotation_matrix() - R_true).norm() < kPoseTolerance);
    CHECK((result.cam2_from_cam1.translation - t_true).norm() < kPoseTolerance);
    // All four candidates reproduce E up to scale.
    std::array<crossview::camera::Rigid3d, 4> candidates;
    decompose_essential(E, &candidates);
    for (const auto& c : candidates) {
      CHECK(crossview_test::distance_up_to_scale(essential_from_pose(c), E) < 1e-12);
      CHECK(std::abs(c.translation.norm() - 1.0) < 1e-12);
    }
  }
}

TEST_CASE("5-point + recover_pose on 5 points picks the true pose", "[epipolar][pose]") {
  int found = 0;
  constexpr int kScenes = 500;
  for (int seed = 0; seed < kScenes; ++seed) {
    Rng rng(900 + seed);
    SceneOptions options;
    options.num_points = 5;
    const auto scene = make_two_view_scene(rng, options);
    std::vector<Eigen::Matrix3d> essentials;
    essential_5point(scene.bearings1, scene.bearings2, &essentials);
    for (const auto& E : essentials) {
      const auto r = recover_pose(E, scene.normalized1, scene.normalized2);
      if (r.num_in_front == 5 &&
          (r.cam2_from_cam1.rotation_matrix() - scene.cam2_from_cam1.rotation_matrix()).norm() < 1e-6) {
        ++found;
        break;
      }
    }
  }
  WARN("5-point + cheirality: true pose among the solutions in " << found << " of " << kScenes);
  CHECK(found >= 0.995 * kScenes);
}

TEST_CASE("recover_pose statuses", "[epipolar][pose]") {
  Rng rng(77);
  SceneOptions options;
  options.num_points = 40;
  auto scene = make_two_view_scene(rng, options);
  const Eigen::Matrix3d E = essential_from_pose(scene.cam2_from_cam1);
  SECTION("size mismatch and bad options throw") {
    const crossview::Points2d shorter = scene.normalized2.leftCols(39);
    CHECK_THROWS_AS(recover_pose(E, scene.normalized1, shorter), std::invalid_argument);
    RecoverPoseOptions bad;
    bad.ambiguity_ratio = 0.0;
    CHECK_THROWS_AS(recover_pose(E, scene.normalized1, scene.normalized2, bad), std::invalid_argument);
  }
  SECTION("NaN input") {
    crossview::Points2d bad = scene.normalized1;
    bad(1, 4) = std::numeric_limits<double>::quiet_NaN();
    CHECK(recover_pose(E, bad, scene.normalized2).status == RecoverPoseStatus::kInvalidInput);
    Eigen::Matrix3d E_bad = E;
    E_bad(0, 0) = std::numeric_limits<double>::infinity();
    CHECK(recover_pose(E_bad, scene.normalized1, scene.normalized2).status ==
          RecoverPoseStatus::kInvalidInput);
    CHECK(recover_pose(E, crossview::Points2d(2, 0), crossview::Points2d(2, 0)).status ==
          RecoverPoseStatus::kInvalidInput);
  }
  SECTION("not an essential matrix") {
    CHECK(recover_pose(Eigen::Matrix3d::Identity(), scene.normalized1, scene.normalized2).status ==
          RecoverPoseStatus::kDegenerateEssential);
    CHECK(recover_pose(Eigen::Matrix3d::Zero(), scene.normalized1, scene.normalized2).status ==
          RecoverPoseStatus::kDegenerateEssential);
  }
  SECTION("tiny baseline is low parallax") {
    SceneOptions tiny = options;
    tiny.baseline = 1e-4;
    Rng rng2(78);
    const auto s = make_two_view_scene(rng2, tiny);
    const auto r = recover_pose(essential_from_pose(s.cam2_from_cam1), s.normalized1, s.normalized2);
    INFO(r.message);
    CHECK(r.status == RecoverPoseStatus::kLowParallax);
  }
  SECTION("mostly wrong correspondences: too few in front or ambiguous") {
    const crossview::Points2d shuffled = scene.normalized2.rowwise().reverse();
    // Random pairings put ~half the points in front by chance (25 of 40 here), so a
    // strict in-front fraction is what flags them.
    RecoverPoseOptions strict;
    strict.min_in_front_fraction = 0.9;
    const auto r = recover_pose(E, scene.normalized1, shuffled, strict);
    CHECK(r.status == RecoverPoseStatus::kTooFewInFront);
    INFO(r.message);
    CHECK(r.status != RecoverPoseStatus::kSuccess);
  }
}
