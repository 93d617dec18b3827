// crossview: a small homography estimator used by estimate_fundamental's
// DEGENSAC-style dominant-plane check (x2 ~ H x1). Internal (namespace detail):
// declarations only; compiled in src/epipolar/homography.cpp (the RANSAC
// estimator over them lives in src/epipolar/internal.hpp).
#pragma once

#include <Eigen/Core>
#include <Eigen/Geometry>  // homogeneous()

#include <cmath>
#include <limits>

namespace crossview::epipolar::detail {

/// Hartley-normalized DLT over `num` >= 4 correspondences x1[indices[k]],
/// x2[indices[k]] (indices may be nullptr = 0..num-1), optional non-negative
/// weights (indexed by k). Returns false on a degenerate system or non-finite
/// output; *H (unit Frobenius norm) is written only on success.
bool homography_dlt(const Eigen::Vector2d* x1, const Eigen::Vector2d* x2, const int* indices, int num,
                    const double* weights, Eigen::Matrix3d* H);

/// Minimal 4-point homography on the correspondences `indices[0..4)`: the same
/// normalization as homography_dlt, then the exact null space of the 8x9 system by
/// Gauss-Jordan elimination (no eigensolver, no allocation). Returns false for a
/// rank-deficient sample (coincident / collinear points) or non-finite output.
bool homography_4point(const Eigen::Vector2d* x1, const Eigen::Vector2d* x2, const int* indices,
                       Eigen::Matrix3d* H);

/// |x2 - dehomogenize(H x1)|^2 (pixels^2); +inf when H x1 is at infinity. Inline:
/// it is RANSAC's residual, evaluated per point and hypothesis.
inline double homography_transfer_error_squared(const Eigen::Matrix3d& H, const Eigen::Vector2d& x1,
                                                const Eigen::Vector2d& x2) {
  const Eigen::Vector3d p = H * x1.homogeneous();
  if (!(std::abs(p.z()) > 1e-300)) return std::numeric_limits<double>::infinity();
  return (p.head<2>() / p.z() - x2).squaredNorm();
}

}  // namespace crossview::epipolar::detail
