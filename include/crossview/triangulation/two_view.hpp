// crossview: optimal two-view correction and triangulation.
//
// Conventions: pixels are *undistorted* pixels (pinhole image of the same K, see
// camera::Camera::undistort_pixel), F satisfies x2^T F x1 = 0 with x = (u, v, 1)
// (Hartley & Zisserman's x'^T F x = 0, image 1 = x, image 2 = x').
//
// Two correction methods, both returning the pair (x1_hat, x2_hat) that lies
// exactly on corresponding epipolar lines:
//   * correct_matches_optimal: Hartley-Sturm. Minimises |x1 - x1_hat|^2 +
//     |x2 - x2_hat|^2 globally: the stationary points of the cost over the
//     pencil of epipolar lines are the real roots of a degree-6 polynomial,
//     found with a Sturm sequence + bracketed Newton (no eigensolver), plus
//     the line through the epipole at t = infinity. ~0.3-0.6 us.
//   * correct_matches_niter2: Lindstrom's iterative correction ("Triangulation
//     made easy", CVPR 2010) with two iterations; each iteration moves both
//     points along the current epipolar-constraint gradients and solves the
//     constraint exactly along them (a quadratic). Reaches the same optimum as
//     the polynomial for all but extreme noise; ~30-60 ns. More iterations
//     are allowed (bounded by the caller's count).
//
// Definitions: src/triangulation/two_view.cpp.
#pragma once

#include <crossview/camera/camera.hpp>
#include <crossview/triangulation/detail/polynomial.hpp>

#include <Eigen/Core>

#include <limits>

namespace crossview::triangulation {

/// Corrected pair of observations (undistorted pixels).
struct CorrectedMatch {
  Eigen::Vector2d x1_px = Eigen::Vector2d::Constant(std::numeric_limits<double>::quiet_NaN());
  Eigen::Vector2d x2_px = Eigen::Vector2d::Constant(std::numeric_limits<double>::quiet_NaN());
  /// |x1 - x1_px|^2 + |x2 - x2_px|^2 in px^2, computed from the returned points.
  double squared_error_px2 = std::numeric_limits<double>::quiet_NaN();
  /// False on NaN/Inf input or when no finite correction exists (e.g. F = 0).
  bool valid = false;
  /// Iterative methods: the reprojection error is within ~1e-8 px of the
  /// stationary point's, estimated from the stationarity (Lagrange) residual
  /// at the result. Always true for the polynomial method.
  bool converged = false;
};

/// Fundamental matrix between two calibrated cameras in undistorted pixels:
/// F = K2^-T [t]x R K1^-1 with (R, t) = cam2_from_cam1, so x2^T F x1 = 0.
/// Scaled to unit Frobenius norm (zero when the camera centres coincide).
Eigen::Matrix3d fundamental_from_cameras(const camera::Camera& camera1,
                                         const camera::Camera& camera2);

/// Hartley-Sturm optimal correction (global minimum of the two-view squared
/// reprojection error subject to the epipolar constraint x2^T F x1 = 0).
/// Units: the pixels of x1, x2 (any common unit works). O(1): one degree-6
/// Sturm root isolation; no allocation. Failure: `valid == false` on non-finite
/// input or F with no usable epipolar geometry. When an observation coincides
/// exactly with its epipole the inputs are returned unchanged (cost 0).
CorrectedMatch correct_matches_optimal(const Eigen::Matrix3d& F, const Eigen::Vector2d& x1,
                                       const Eigen::Vector2d& x2);

/// Lindstrom's iterative optimal correction with `iterations` steps (2 =
/// niter2). Same conventions and units as correct_matches_optimal. O(1), no
/// allocation, ~25 flops per iteration. A local method: it converges
/// (linearly) to the stationary point next to the observations, which is the
/// global optimum unless the noise is a sizeable fraction of the distance to
/// the epipoles; two iterations reach it to 1e-9 px except for points close
/// to an epipole (forward motion). `converged` reports whether the last
/// iteration still moved the points: triangulate() falls back to
/// correct_matches_optimal when it is false.
CorrectedMatch correct_matches_niter2(const Eigen::Matrix3d& F, const Eigen::Vector2d& x1,
                                      const Eigen::Vector2d& x2, int iterations = 2);

/// Closest point to two rays c_i + s_i d_i (world frame). Returns false when
/// the rays are parallel (|d1 x d2| <= 1e-12 |d1||d2|). For rays that
/// intersect (e.g. after optimal correction) this is their intersection.
/// `depth1`, `depth2` (optional) receive s_1, s_2 along the given directions.
bool intersect_two_rays(const Eigen::Vector3d& center1, const Eigen::Vector3d& dir1,
                        const Eigen::Vector3d& center2, const Eigen::Vector3d& dir2,
                        Eigen::Vector3d* point, double* depth1 = nullptr,
                        double* depth2 = nullptr);

}  // namespace crossview::triangulation
