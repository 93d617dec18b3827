// Normalized 8-point and 7-point fundamental solvers: exactness on noise-free scenes,
// properties, noise behaviour, degenerate and bad input.
#include <crossview/epipolar/fundamental.hpp>

#include <catch2/catch.hpp>

#include "epipolar_scene.hpp"

#include <algorithm>
#include <limits>

using crossview::epipolar::fundamental_7point;
using crossview::epipolar::fundamental_8point;
using crossview_test::distance_up_to_scale;
using crossview_test::make_two_view_scene;
using crossview_test::Rng;
using crossview_test::SceneOptions;

namespace {

// Noise-free minimal problems must reproduce the true model to this relative accuracy
// (issue 3); a double solve of a well-conditioned 9x9 system loses ~1e3 eps.
constexpr double kExactModelTolerance = 1e-8;
// Properties hold to rounding of unit-norm matrices built from O(1e3) pixel values.
constexpr double kPropertyTolerance = 1e-10;
constexpr int kNumSeeds = 500;

double algebraic_residual(const Eigen::Matrix3d& F, const Eigen::Vector2d& x1,
                          const Eigen::Vector2d& x2) {
  // Scale-free: residual of unit-norm F on points in units of the image size (1e3 px).
  return std::abs(x2.homogeneous().dot(F * x1.homogeneous())) / (x1.homogeneous().norm() * x2.homogeneous().norm());
}

}  // namespace

TEST_CASE("8-point reproduces the true F on noise-free scenes", "[epipolar][fundamental]") {
  double worst = 0.0;
  for (int seed = 0; seed < kNumSeeds; ++seed) {
    INFO("seed " << seed);
    Rng rng(seed);
    SceneOptions options;
    options.num_points = (seed % 2 == 0) ? 8 : 50;
    options.focal2 = (seed % 3 == 0) ? 800.0 : 1000.0;  // K1 != K2 too
    const auto scene = make_two_view_scene(rng, options);
    Eigen::Matrix3d F;
    REQUIRE(fundamental_8point(scene.pixels1, scene.pixels2, &F) == 1);
    const double error = distance_up_to_scale(F, scene.F());
    worst = std::max(worst, error);
    CHECK(error < kExactModelTolerance);
    CHECK(std::abs(F.determinant()) < kPropertyTolerance);
    CHECK(std::abs(F.norm() - 1.0) < 1e-12);
    for (int i = 0; i < options.num_points; ++i) {
      CHECK(algebraic_residual(F, scene.pixels1.col(i), scene.pixels2.col(i)) < kPropertyTolerance);
    }
  }
  WARN("8-point worst relative model error over " << kNumSeeds << " scenes: " << worst);
}

TEST_CASE("7-point has the true F among its 1 or 3 solutions", "[epipolar][fundamental]") {
  double worst = 0.0;
  std::vector<Eigen::Matrix3d> solutions;
  int total = 0;
  for (int seed = 0; seed < kNumSeeds; ++seed) {
    INFO("seed " << seed);
    Rng rng(1000 + seed);
    SceneOptions options;
    options.num_points = 7;
    options.focal1 = (seed % 3 == 0) ? 700.0 : 1000.0;
    const auto scene = make_two_view_scene(rng, options);
    const int n = fundamental_7point(scene.pixels1, scene.pixels2, &solutions);
    REQUIRE((n == 1 || n == 3));
    REQUIRE(static_cast<int>(solutions.size()) == n);
    total += n;
    double best = std::numeric_limits<double>::infinity();
    for (const auto& F : solutions) {
      best = std::min(best, distance_up_to_scale(F, scene.F()));
      CHECK(std::abs(F.determinant()) < kPropertyTolerance);
      for (int i = 0; i < 7; ++i) {
        CHECK(algebraic_residual(F, scene.pixels1.col(i), scene.pixels2.col(i)) < kPropertyTolerance);
      }
    }
    worst = std::max(worst, best);
    CHECK(best < kExactModelTolerance);
  }
  WARN("7-point worst relative model error over " << kNumSeeds << " scenes: " << worst
       << ", mean solution count " << double(total) / kNumSeeds);
}

TEST_CASE("8-point with noise stays close and weights work", "[epipolar][fundamental]") {
  for (int seed = 0; seed < 20; ++seed) {
    INFO("seed " << seed);
    Rng rng(2000 + seed);
    SceneOptions options;
    options.num_points = 200;
    options.pixel_noise = 0.5;
    auto scene = make_two_view_scene(rng, options);
    Eigen::Matrix3d F;
    REQUIRE(fundamental_8point(scene.pixels1, scene.pixels2, &F) == 1);
    // Mean symmetric epipolar distance of the noisy points to the estimated F should be
    // of the order of the noise (0.5 px); bound it at 2 px.
    double sum = 0.0;
    for (int i = 0; i < options.num_points; ++i) {
      const Eigen::Vector3d l2 = F * scene.pixels1.col(i).homogeneous();
      sum += std::abs(scene.pixels2.col(i).homogeneous().dot(l2)) / l2.head<2>().norm();
    }
    CHECK(sum / options.num_points < 2.0);
    // Gross outliers with weight 0 do not change the weighted fit.
    Eigen::VectorXd weights = Eigen::VectorXd::Ones(options.num_points);
    Eigen::Matrix3d F_ref;
    REQUIRE(fundamental_8point(scene.pixels1, scene.pixels2, &F_ref) == 1);
    for (int i = 0; i < 30; ++i) {
      scene.pixels2.col(i) += Eigen::Vector2d(rng.uniform(-300, 300), rng.uniform(-300, 300));
      weights(i) = 0.0;
    }
    Eigen::Matrix3d F_weighted;
    REQUIRE(fundamental_8point(scene.pixels1, scene.pixels2, &F_weighted, weights) == 1);
    Eigen::Matrix3d F_unweighted;
    REQUIRE(fundamental_8point(scene.pixels1, scene.pixels2, &F_unweighted) == 1);
    // Without the outliers the weighted fit agrees with the clean fit far better than the
    // unweighted fit does (which the outliers corrupt).
    Eigen::Matrix3d F_clean;
    REQUIRE(fundamental_8point(scene.pixels1.rightCols(options.num_points - 30),
                               scene.pixels2.rightCols(options.num_points - 30), &F_clean) == 1);
    // Same equations, different Hartley normalization (over all points): close, not equal.
    CHECK(distance_up_to_scale(F_weighted, F_clean) < 0.05);
    CHECK(distance_up_to_scale(F_unweighted, F_clean) > distance_up_to_scale(F_weighted, F_clean));
  }
}

TEST_CASE("Fundamental solvers reject degenerate and bad input", "[epipolar][fundamental]") {
  Rng rng(7);
  SceneOptions options;
  options.num_points = 8;
  const auto scene = make_two_view_scene(rng, options);
  Eigen::Matrix3d F = Eigen::Matrix3d::Constant(42.0);
  std::vector<Eigen::Matrix3d> solutions;

  SECTION("too few points") {
    CHECK(fundamental_8point(scene.pixels1.leftCols(7), scene.pixels2.leftCols(7), &F) == 0);
    CHECK(F(0, 0) == 42.0);
  }
  SECTION("size mismatch throws") {
    crossview::Points2d shorter = scene.pixels2.leftCols(7);
    CHECK_THROWS_AS(fundamental_8point(scene.pixels1, shorter, &F), std::invalid_argument);
    CHECK_THROWS_AS(fundamental_7point(scene.pixels1, scene.pixels2, &solutions),
                    std::invalid_argument);
    CHECK_THROWS_AS(fundamental_8point(scene.pixels1, scene.pixels2, &F, Eigen::VectorXd::Ones(7)),
                    std::invalid_argument);
  }
  SECTION("NaN and Inf") {
    crossview::Points2d bad = scene.pixels1;
    bad(0, 3) = std::numeric_limits<double>::quiet_NaN();
    CHECK(fundamental_8point(bad, scene.pixels2, &F) == 0);
    CHECK(fundamental_7point(bad.leftCols(7), scene.pixels2.leftCols(7), &solutions) == 0);
    CHECK(solutions.empty());
    bad(0, 3) = std::numeric_limits<double>::infinity();
    CHECK(fundamental_8point(bad, scene.pixels2, &F) == 0);
    CHECK(fundamental_7point(bad.leftCols(7), scene.pixels2.leftCols(7), &solutions) == 0);
  }
  SECTION("coincident points") {
    const crossview::Points2d same1 = scene.pixels1.col(0).replicate(1, 8);
    const crossview::Points2d same2 = scene.pixels2.col(0).replicate(1, 8);
    CHECK(fundamental_8point(same1, same2, &F) == 0);
    CHECK(fundamental_7point(same1.leftCols(7), same2.leftCols(7), &solutions) == 0);
    // Two pairs of duplicates among 8 points: rank 7 at most.
    crossview::Points2d dup1 = scene.pixels1;
    crossview::Points2d dup2 = scene.pixels2;
    dup1.col(1) = dup1.col(0);
    dup2.col(1) = dup2.col(0);
    CHECK(fundamental_8point(dup1, dup2, &F) == 0);
    CHECK(fundamental_7point(dup1.leftCols(7), dup2.leftCols(7), &solutions) == 0);
  }
  SECTION("all points collinear in both images") {
    crossview::Points2d line1(2, 8), line2(2, 8);
    for (int i = 0; i < 8; ++i) {
      line1.col(i) = Eigen::Vector2d(100.0 + 50.0 * i, 200.0 + 20.0 * i);
      line2.col(i) = Eigen::Vector2d(300.0 + 45.0 * i * (1.0 + 0.01 * i), 100.0 - 10.0 * i);
    }
    CHECK(fundamental_8point(line1, line2, &F) == 0);
    CHECK(fundamental_7point(line1.leftCols(7), line2.leftCols(7), &solutions) == 0);
  }
  SECTION("negative or NaN weights") {
    Eigen::VectorXd weights = Eigen::VectorXd::Ones(8);
    weights(2) = -1.0;
    CHECK(fundamental_8point(scene.pixels1, scene.pixels2, &F, weights) == 0);
    weights(2) = std::numeric_limits<double>::quiet_NaN();
    CHECK(fundamental_8point(scene.pixels1, scene.pixels2, &F, weights) == 0);
  }
}

TEST_CASE("oriented epipolar constraint: true models pass, a point mirrored through the epipole fails",
          "[epipolar][fundamental]") {
  using crossview::epipolar::oriented_epipolar_consistent;
  int mirrored_tested = 0;
  for (int seed = 0; seed < 200; ++seed) {
    INFO("seed " << seed);
    Rng rng(seed);
    SceneOptions options;
    options.num_points = 50;
    options.forward_motion = (seed % 2 == 0);
    auto scene = make_two_view_scene(rng, options);
    const Eigen::Matrix3d F = scene.F();
    // Every point is in front of both cameras: one orientation, with F or -F.
    CHECK(oriented_epipolar_consistent(F, scene.pixels1, scene.pixels2));
    CHECK(oriented_epipolar_consistent(-F, scene.pixels1, scene.pixels2));
    // The 7-point solutions of a clean sample include the true F, which passes.
    std::vector<Eigen::Matrix3d> solutions;
    fundamental_7point(scene.pixels1.leftCols(7), scene.pixels2.leftCols(7), &solutions);
    int passing_true = 0;
    for (const auto& G : solutions) {
      if (distance_up_to_scale(G, F) < 1e-6) {
        passing_true += oriented_epipolar_consistent(G, scene.pixels1.leftCols(7), scene.pixels2.leftCols(7));
      }
    }
    CHECK(passing_true == 1);
    // Mirror one image-2 point through the epipole: it stays on its epipolar line
    // (x2^T F x1 = 0 still holds) but lies on the wrong side, i.e. its scene point
    // would be behind a camera.
    const Eigen::Vector3d e2 = scene.K2 * scene.cam2_from_cam1.translation;
    if (std::abs(e2.z()) < 1e-3 * e2.norm()) continue;  // epipole near infinity
    const Eigen::Vector2d epipole = e2.hnormalized();
    scene.pixels2.col(3) = 2.0 * epipole - scene.pixels2.col(3);
    CHECK(std::abs(scene.pixels2.col(3).homogeneous().dot(F * scene.pixels1.col(3).homogeneous())) <
          1e-9 * F.norm() * scene.pixels2.col(3).homogeneous().norm() *
              scene.pixels1.col(3).homogeneous().norm());
    CHECK_FALSE(oriented_epipolar_consistent(F, scene.pixels1, scene.pixels2));
    ++mirrored_tested;
  }
  CHECK(mirrored_tested >= 100);
}

TEST_CASE("oriented epipolar constraint: no epipole, non-finite F and points at the epipole",
          "[epipolar][fundamental]") {
  using crossview::epipolar::oriented_epipolar_consistent;
  Rng rng(5);
  SceneOptions options;
  options.num_points = 10;
  options.forward_motion = true;
  auto scene = make_two_view_scene(rng, options);
  // Rank < 2 (every column parallel): no epipole, not rejected on this ground.
  Eigen::Matrix3d rank1 = Eigen::Vector3d(1, 2, 3) * Eigen::RowVector3d(0.5, -1, 2);
  CHECK(oriented_epipolar_consistent(rank1, scene.pixels1, scene.pixels2));
  Eigen::Matrix3d nan_F = scene.F();
  nan_F(1, 1) = std::numeric_limits<double>::quiet_NaN();
  CHECK(oriented_epipolar_consistent(nan_F, scene.pixels1, scene.pixels2));
  // A correspondence exactly at the epipole has no sign and is skipped.
  const Eigen::Vector3d e2 = scene.K2 * scene.cam2_from_cam1.translation;
  REQUIRE(std::abs(e2.z()) > 1e-3 * e2.norm());
  scene.pixels2.col(0) = e2.hnormalized();
  CHECK(oriented_epipolar_consistent(scene.F(), scene.pixels1, scene.pixels2));
}
