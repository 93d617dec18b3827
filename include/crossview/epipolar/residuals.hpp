// crossview: residuals of the epipolar constraint x2^T F x1 = 0.
//
// Convention: point x1 in image 1, x2 in image 2, homogeneous (x, y, 1); F maps
// image-1 points to epipolar lines in image 2 (l2 = F x1). The same functions
// serve essential matrices on normalized image points (x = X / Z, y = Y / Z).
// The residuals are in the units of the points: pixels for F on pixel
// coordinates, normalized units (radians near the axis) for E.
//
//  - algebraic error        x2^T F x1 (no geometric meaning, scale dependent)
//  - Sampson error          first-order approximation of the reprojection
//                           (gold-standard) error of the correspondence:
//                           (x2^T F x1)^2 / (|(F x1)_12|^2 + |(F^T x2)_12|^2)
//  - symmetric epipolar     d(x2, F x1)^2 + d(x1, F^T x2)^2 (point-to-line
//    distance               distances in both images, summed)
//
// Templated on the scalar (ceres::Jet works: only +, *, / and sqrt). A
// degenerate correspondence (both epipolar lines undefined, e.g. x at an
// epipole) gives a zero denominator: the squared residuals then return +inf
// (an outlier) unless the numerator is exactly 0 too, in which case they return 0.
// Cost: ~30 flops each. Only Eigen is included.
#pragma once

#include <crossview/core/points.hpp>

#include <Eigen/Core>

#include <cmath>
#include <limits>

// Forces inlining of the residuals into RANSAC's scoring loops (GCC/Clang).
#if defined(__GNUC__)
#define CROSSVIEW_EPIPOLAR_INLINE __attribute__((always_inline)) inline
#else
#define CROSSVIEW_EPIPOLAR_INLINE inline
#endif

namespace crossview::epipolar {

/// x2^T F x1 with homogeneous (x, y, 1).
template <typename T>
T algebraic_error(const Eigen::Matrix<T, 3, 3>& F, const Eigen::Matrix<T, 2, 1>& x1,
                  const Eigen::Matrix<T, 2, 1>& x2) {
  const Eigen::Matrix<T, 3, 1> Fx1 = F * x1.homogeneous();
  return x2(0) * Fx1(0) + x2(1) * Fx1(1) + Fx1(2);
}

/// Squared Sampson error (units of the points, squared). Always inlined: in a
/// scoring loop the model's entries then stay in registers (~25 instead of ~50
/// instructions per call, measured in estimate_fundamental).
template <typename T>
CROSSVIEW_EPIPOLAR_INLINE T sampson_error_squared(const Eigen::Matrix<T, 3, 3>& F, const Eigen::Matrix<T, 2, 1>& x1,
                        const Eigen::Matrix<T, 2, 1>& x2) {
  // Only the entries used: F x1 (3), the first two of F^T x2, written out (the
  // function sits in RANSAC's innermost loop).
  const T a0 = F(0, 0) * x1(0) + F(0, 1) * x1(1) + F(0, 2);
  const T a1 = F(1, 0) * x1(0) + F(1, 1) * x1(1) + F(1, 2);
  const T a2 = F(2, 0) * x1(0) + F(2, 1) * x1(1) + F(2, 2);
  const T b0 = F(0, 0) * x2(0) + F(1, 0) * x2(1) + F(2, 0);
  const T b1 = F(0, 1) * x2(0) + F(1, 1) * x2(1) + F(2, 1);
  const T c = x2(0) * a0 + x2(1) * a1 + a2;
  const T d = a0 * a0 + a1 * a1 + b0 * b0 + b1 * b1;
  if (!(d > T(0))) return c == T(0) ? T(0) : T(std::numeric_limits<double>::infinity());
  return c * c / d;
}

/// Sampson error (units of the points).
template <typename T>
T sampson_error(const Eigen::Matrix<T, 3, 3>& F, const Eigen::Matrix<T, 2, 1>& x1,
                const Eigen::Matrix<T, 2, 1>& x2) {
  using std::sqrt;
  return sqrt(sampson_error_squared(F, x1, x2));
}

/// d(x2, F x1)^2 + d(x1, F^T x2)^2 (units of the points, squared).
template <typename T>
T symmetric_epipolar_distance_squared(const Eigen::Matrix<T, 3, 3>& F,
                                      const Eigen::Matrix<T, 2, 1>& x1,
                                      const Eigen::Matrix<T, 2, 1>& x2) {
  const Eigen::Matrix<T, 3, 1> Fx1 = F * x1.homogeneous();
  const Eigen::Matrix<T, 3, 1> Ftx2 = F.transpose() * x2.homogeneous();
  const T c = x2(0) * Fx1(0) + x2(1) * Fx1(1) + Fx1(2);
  const T d1 = Fx1(0) * Fx1(0) + Fx1(1) * Fx1(1);
  const T d2 = Ftx2(0) * Ftx2(0) + Ftx2(1) * Ftx2(1);
  if (!(d1 > T(0)) || !(d2 > T(0))) {
    return c == T(0) ? T(0) : T(std::numeric_limits<double>::infinity());
  }
  return c * c * (T(1) / d1 + T(1) / d2);
}

/// sqrt of symmetric_epipolar_distance_squared (units of the points).
template <typename T>
T symmetric_epipolar_distance(const Eigen::Matrix<T, 3, 3>& F, const Eigen::Matrix<T, 2, 1>& x1,
                              const Eigen::Matrix<T, 2, 1>& x2) {
  using std::sqrt;
  return sqrt(symmetric_epipolar_distance_squared(F, x1, x2));
}

/// Squared Sampson errors of all correspondences: points1, points2 are 2 x N
/// (column i = correspondence i); the result has N entries aligned with the
/// columns. Throws std::invalid_argument for another shape (e.g. transposed) or
/// different column counts.
inline Eigen::VectorXd sampson_errors_squared(const Eigen::Matrix3d& F, const ConstPointsRef& points1,
                                              const ConstPointsRef& points2) {
  require_points(points1, 2, "sampson_errors_squared: points1");
  require_points(points2, 2, "sampson_errors_squared: points2", points1.cols());
  Eigen::VectorXd out(points1.cols());
  for (Eigen::Index i = 0; i < points1.cols(); ++i) {
    out(i) = sampson_error_squared<double>(F, points1.col(i), points2.col(i));
  }
  return out;
}

}  // namespace crossview::epipolar
