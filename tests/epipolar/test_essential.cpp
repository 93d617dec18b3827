// 5-point essential solver and E/F conversions: exactness on thousands of seeded
// noise-free scenes, the found-true-pose rate, properties, degenerate and bad input.
#include <crossview/epipolar/essential.hpp>
#include <crossview/epipolar/fundamental.hpp>

#include <catch2/catch.hpp>

#include "epipolar_scene.hpp"

#include <Eigen/SVD>

#include <algorithm>
#include <limits>

using crossview::epipolar::closest_essential;
using crossview::epipolar::essential_5point;
using crossview::epipolar::essential_from_fundamental;
using crossview::epipolar::essential_from_pose;
using crossview::epipolar::fundamental_from_essential;
using crossview_test::distance_up_to_scale;
using crossview_test::make_two_view_scene;
using crossview_test::Rng;
using crossview_test::SceneOptions;

namespace {

constexpr double kExactModelTolerance = 1e-8;   // issue 3, relative, noise-free
constexpr double kFoundTolerance = 1e-6;        // "true pose found" in a scene
constexpr double kRequiredFoundRate = 0.995;    // issue 3
// Tighter bar on the same scenes for the 1e-8 rate (measured 100 %): it guards the
// solver's Gauss-Newton polish and its stopping rules, which the bar does
// not see (a polish that always stops after its first step: 99.76 % here).
constexpr double kRequiredExactRate = 0.999;
// The solver keeps only solutions whose cubic constraints vanish to 1e-8 (unit-norm
// E); singular-value gaps and det follow at that order.
constexpr double kPropertyTolerance = 1e-7;

}  // namespace

TEST_CASE("5-point finds the true E in random scenes", "[epipolar][essential]") {
  constexpr int kNumScenes = 5000;
  std::vector<Eigen::Matrix3d> solutions;
  int found = 0;
  int exact = 0;
  int total_solutions = 0;
  std::vector<double> errors;
  for (int seed = 0; seed < kNumScenes; ++seed) {
    INFO("seed " << seed);
    Rng rng(seed);
    SceneOptions options;
    options.num_points = 5;
    options.forward_motion = (seed % 4 == 0);
    const auto scene = make_two_view_scene(rng, options);
    // Alternate bearing vectors and homogeneous normalized points.
    crossview::Points3d rays1(3, 5), rays2(3, 5);
    for (int i = 0; i < 5; ++i) {
      rays1.col(i) = seed % 2 ? Eigen::Vector3d(scene.bearings1.col(i))
                              : Eigen::Vector3d(scene.normalized1.col(i).homogeneous());
      rays2.col(i) = seed % 2 ? Eigen::Vector3d(scene.bearings2.col(i))
                              : Eigen::Vector3d(scene.normalized2.col(i).homogeneous());
    }
    const int n = essential_5point(rays1, rays2, &solutions);
    REQUIRE(n == static_cast<int>(solutions.size()));
    REQUIRE(n <= 10);
    total_solutions += n;
    double best = std::numeric_limits<double>::infinity();
    for (const auto& E : solutions) {
      REQUIRE(E.allFinite());
      best = std::min(best, distance_up_to_scale(E, scene.E()));
      const Eigen::Vector3d s = E.jacobiSvd().singularValues();
      CHECK(std::abs(s(0) - s(1)) < kPropertyTolerance);
      CHECK(s(2) < kPropertyTolerance);
      for (int i = 0; i < 5; ++i) {
        CHECK(std::abs(scene.bearings2.col(i).dot(E * scene.bearings1.col(i))) < kPropertyTolerance);
      }
    }
    errors.push_back(best);
    if (best < kFoundTolerance) ++found;
    if (best < kExactModelTolerance) ++exact;
  }
  std::sort(errors.begin(), errors.end());
  const double found_rate = double(found) / kNumScenes;
  const double exact_rate = double(exact) / kNumScenes;
  WARN("5-point over " << kNumScenes << " scenes: found (err < 1e-6) " << found_rate
       << ", err < 1e-8 " << exact_rate << ", median error " << errors[kNumScenes / 2]
       << ", 99th percentile " << errors[kNumScenes * 99 / 100] << ", mean #solutions "
       << double(total_solutions) / kNumScenes);
  CHECK(found_rate >= kRequiredFoundRate);
  CHECK(exact_rate >= kRequiredFoundRate);
  CHECK(exact_rate >= kRequiredExactRate);
}

TEST_CASE("5-point rejects degenerate and bad input", "[epipolar][essential]") {
  Rng rng(11);
  SceneOptions options;
  options.num_points = 5;
  const auto scene = make_two_view_scene(rng, options);
  std::vector<Eigen::Matrix3d> solutions(3, Eigen::Matrix3d::Identity());
  auto rays1 = scene.bearings1;
  auto rays2 = scene.bearings2;
  SECTION("NaN, Inf and zero rays") {
    rays1(0, 2) = std::numeric_limits<double>::quiet_NaN();
    CHECK(essential_5point(rays1, rays2, &solutions) == 0);
    CHECK(solutions.empty());
    rays1(0, 2) = std::numeric_limits<double>::infinity();
    CHECK(essential_5point(rays1, rays2, &solutions) == 0);
    rays1.col(2).setZero();
    CHECK(essential_5point(rays1, rays2, &solutions) == 0);
  }
  SECTION("coincident correspondences") {
    rays1.col(1) = rays1.col(0);
    rays2.col(1) = rays2.col(0);
    CHECK(essential_5point(rays1, rays2, &solutions) == 0);
    rays1 = scene.bearings1.col(0).replicate(1, 5);
    rays2 = scene.bearings2.col(0).replicate(1, 5);
    CHECK(essential_5point(rays1, rays2, &solutions) == 0);
  }
  SECTION("wrong count throws") {
    rays1.conservativeResize(3, 4);
    CHECK_THROWS_AS(essential_5point(rays1, rays2, &solutions), std::invalid_argument);
  }
  SECTION("pure rotation gives only finite essential-shaped models") {
    // x2 = R x1 for every point: E is not determined (any [t]x R fits); the solver
    // must not return NaN.
    const Eigen::Matrix3d R = scene.cam2_from_cam1.rotation_matrix();
    for (int i = 0; i < 5; ++i) rays2.col(i) = R * rays1.col(i);
    const int n = essential_5point(rays1, rays2, &solutions);
    CHECK(n == static_cast<int>(solutions.size()));
    for (const auto& E : solutions) CHECK(E.allFinite());
  }
}

TEST_CASE("E and F conversions", "[epipolar][essential]") {
  for (int seed = 0; seed < 20; ++seed) {
    INFO("seed " << seed);
    Rng rng(300 + seed);
    SceneOptions options;
    options.num_points = 20;
    options.focal2 = 700.0;  // K1 != K2
    const auto scene = make_two_view_scene(rng, options);
    const Eigen::Matrix3d E = essential_from_pose(scene.cam2_from_cam1);
    CHECK(distance_up_to_scale(E, scene.E()) < 1e-14);
    const Eigen::Matrix3d F = fundamental_from_essential(E, scene.K1, scene.K2);
    CHECK(distance_up_to_scale(F, scene.F()) < 1e-12);
    CHECK(distance_up_to_scale(essential_from_fundamental(F, scene.K1, scene.K2), E) < 1e-12);
    for (int i = 0; i < 20; ++i) {
      const double r = scene.pixels2.col(i).homogeneous().dot(F * scene.pixels1.col(i).homogeneous());
      CHECK(std::abs(r) / F.norm() < 1e-9);
    }
    // From an 8-point F on pixels to E: the round trip matches the true E.
    Eigen::Matrix3d F8;
    REQUIRE(crossview::epipolar::fundamental_8point(scene.pixels1, scene.pixels2, &F8) == 1);
    const Eigen::Matrix3d E8 = closest_essential(essential_from_fundamental(F8, scene.K1, scene.K2));
    CHECK(distance_up_to_scale(E8, scene.E()) < 1e-8);
    const Eigen::Vector3d s = E8.jacobiSvd().singularValues();
    CHECK(std::abs(s(0) - s(1)) < 1e-12);
    CHECK(s(2) < 1e-12);
  }
  CHECK(closest_essential(Eigen::Matrix3d::Zero()).isZero());
  Eigen::Matrix3d bad = Eigen::Matrix3d::Identity();
  bad(1, 1) = std::numeric_limits<double>::quiet_NaN();
  CHECK(closest_essential(bad).isZero());
}
