// The 4-point homography minimal solver of estimate_fundamental's dominant-plane check
// (Gauss-Jordan null space of the 8x9 system): exact on noise-free samples, rejects
// rank-deficient and non-finite samples.
#include <crossview/epipolar/detail/homography.hpp>

#include <Eigen/Geometry>
#include <catch2/catch.hpp>
#include <crossview_test/random.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

using crossview::epipolar::detail::homography_4point;
using crossview::epipolar::detail::homography_transfer_error_squared;

namespace {

// Noise-free minimal problems reproduce the true model to this relative accuracy
// (issue 3, same bar as the 7- and 8-point solvers).
constexpr double kExactModelTolerance = 1e-8;
// Transfer error of the 4 sample points (px) after the exact fit: rounding of O(1e3 px).
constexpr double kTransferTolerancePx = 1e-7;

double distance_up_to_sign(const Eigen::Matrix3d& a, const Eigen::Matrix3d& b) {
  const Eigen::Matrix3d an = a / a.norm();
  const Eigen::Matrix3d bn = b / b.norm();
  return std::min((an - bn).norm(), (an + bn).norm());
}

/// A random plane-induced homography between two 1280x960 pinhole views, and four
/// image-1 pixels (one per quadrant, so no three are collinear) with their images.
Eigen::Matrix3d random_homography(crossview_test::Rng& rng, Eigen::Vector2d* x1,
                                  Eigen::Vector2d* x2) {
  Eigen::Matrix3d K;
  K << 1000.0, 0.0, 640.0, 0.0, 1000.0, 480.0, 0.0, 0.0, 1.0;
  const Eigen::Vector3d axis = Eigen::Vector3d(rng.uniform(-1, 1), rng.uniform(-1, 1),
                                               rng.uniform(-1, 1)).normalized();
  const Eigen::Matrix3d R = Eigen::AngleAxisd(rng.uniform(0.0, 0.3), axis).toRotationMatrix();
  const Eigen::Vector3d t(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-0.3, 0.3));
  const Eigen::Vector3d n = Eigen::Vector3d(rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5),
                                            -1.0).normalized();
  const double d = rng.uniform(4.0, 10.0);  // plane n.X + d = 0 in camera 1
  const Eigen::Matrix3d H = K * (R - t * n.transpose() / d) * K.inverse();
  for (int k = 0; k < 4; ++k) {
    const double u0 = (k % 2 == 0) ? 0.0 : 640.0;
    const double v0 = (k < 2) ? 0.0 : 480.0;
    x1[k] = Eigen::Vector2d(u0 + rng.uniform(50.0, 590.0), v0 + rng.uniform(50.0, 430.0));
    x2[k] = (H * x1[k].homogeneous()).hnormalized();
  }
  return H;
}

}  // namespace

TEST_CASE("4-point homography reproduces the true H on noise-free samples",
          "[epipolar][homography]") {
  const int idx[4] = {0, 1, 2, 3};
  double worst = 0.0;
  for (int seed = 0; seed < 300; ++seed) {
    INFO("seed " << seed);
    crossview_test::Rng rng(seed);
    Eigen::Vector2d x1[4], x2[4];
    const Eigen::Matrix3d H_true = random_homography(rng, x1, x2);
    Eigen::Matrix3d H;
    REQUIRE(homography_4point(x1, x2, idx, &H));
    CHECK(std::abs(H.norm() - 1.0) < 1e-12);
    const double error = distance_up_to_sign(H, H_true);
    worst = std::max(worst, error);
    CHECK(error < kExactModelTolerance);
    for (int k = 0; k < 4; ++k) {
      CHECK(std::sqrt(homography_transfer_error_squared(H, x1[k], x2[k])) < kTransferTolerancePx);
    }
  }
  WARN("4-point homography worst relative model error over 300 samples: " << worst);
}

TEST_CASE("4-point homography rejects degenerate and non-finite samples",
          "[epipolar][homography]") {
  crossview_test::Rng rng(7);
  Eigen::Vector2d x1[4], x2[4];
  random_homography(rng, x1, x2);
  Eigen::Matrix3d H = Eigen::Matrix3d::Identity();
  SECTION("two coincident correspondences") {
    const int idx[4] = {0, 1, 2, 2};
    CHECK_FALSE(homography_4point(x1, x2, idx, &H));
  }
  SECTION("all four points coincide") {
    const int idx[4] = {3, 3, 3, 3};
    CHECK_FALSE(homography_4point(x1, x2, idx, &H));
  }
  SECTION("NaN and Inf coordinates") {
    const int idx[4] = {0, 1, 2, 3};
    x1[2].x() = std::numeric_limits<double>::quiet_NaN();
    CHECK_FALSE(homography_4point(x1, x2, idx, &H));
    x1[2].x() = 100.0;
    x2[1].y() = std::numeric_limits<double>::infinity();
    CHECK_FALSE(homography_4point(x1, x2, idx, &H));
  }
  CHECK(H == Eigen::Matrix3d::Identity());  // untouched on failure
}
