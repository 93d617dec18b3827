// crossview: essential-matrix solvers and conversions.
//
// Convention: for bearing vectors / homogeneous normalized points x1 (camera 1) and
// x2 (camera 2) of one 3D point, x2^T E x1 = 0 with E = [t]x R, where
// cam2_from_cam1 = (R, t) maps camera-1 coordinates to camera-2 coordinates
// (x_in_cam2 = R x_in_cam1 + t). Returned essential matrices have unit Frobenius norm
// (sign arbitrary). The solvers are compiled in src/epipolar/essential.cpp.
#pragma once

#include <crossview/camera/rigid3.hpp>
#include <crossview/core/points.hpp>

#include <Eigen/Core>

#include <vector>

namespace crossview::epipolar {

/// 5-point essential-matrix solver (Nister 2004 hidden-variable formulation):
/// 1. the 4-dimensional null space {X, Y, Z, W} of the 5x9 epipolar system
///    (Gauss-Jordan elimination, then an orthonormal, generic basis);
/// 2. the 10 cubic constraints det(E) = 0 and 2 E E^T E - tr(E E^T) E = 0 on
///    E = x X + y Y + z Z + W, eliminated (10x10 LU) to a 3x3 polynomial matrix B(z);
/// 3. the real roots of the degree-10 polynomial det B(z) by Sturm-sequence bisection
///    (no eigen-decomposition), then (x, y) from the null vector of B(z).
///
/// rays1, rays2: 3 x 5, column i = correspondence i, as bearing vectors or homogeneous
///   normalized points (x, y, 1) (any non-zero scale per ray; camera frames).
///   std::invalid_argument for another shape (docs/conventions.md#array-layouts).
/// essentials: cleared, then filled with up to 10 real solutions (unit Frobenius norm;
///   each has singular values (s, s, 0) up to rounding).
/// Returns the number of solutions; 0 for NaN/Inf or zero rays, or a rank-deficient
/// epipolar system (coincident correspondences, ...).
/// Complexity: constant, a few microseconds (~35k instructions).
int essential_5point(const ConstPointsRef& rays1, const ConstPointsRef& rays2,
                     std::vector<Eigen::Matrix3d>* essentials);

/// E = K2^T F K1 (K1 != K2 allowed): F on pixels -> E on normalized coordinates.
/// Not rescaled; project onto the essential manifold with `closest_essential` if F is
/// noisy.
inline Eigen::Matrix3d essential_from_fundamental(const Eigen::Matrix3d& F,
                                                  const Eigen::Matrix3d& K1,
                                                  const Eigen::Matrix3d& K2) {
  return K2.transpose() * F * K1;
}

/// F = K2^-T E K1^-1, the inverse of essential_from_fundamental (K upper triangular,
/// invertible). Not rescaled.
Eigen::Matrix3d fundamental_from_essential(const Eigen::Matrix3d& E,
                                           const Eigen::Matrix3d& K1,
                                           const Eigen::Matrix3d& K2);

/// Closest essential matrix in Frobenius norm: singular values (s1, s2, s3) become
/// ((s1 + s2) / 2, (s1 + s2) / 2, 0). Scaled to unit Frobenius norm; returns the zero
/// matrix if E is zero or not finite.
Eigen::Matrix3d closest_essential(const Eigen::Matrix3d& E);

/// E = [t]x R of cam2_from_cam1 = (R, t) (not normalized: |E| = sqrt(2) |t|).
inline Eigen::Matrix3d essential_from_pose(const camera::Rigid3d& cam2_from_cam1) {
  const Eigen::Vector3d& t = cam2_from_cam1.translation;
  Eigen::Matrix3d tx;
  tx << 0.0, -t.z(), t.y(), t.z(), 0.0, -t.x(), -t.y(), t.x(), 0.0;
  return tx * cam2_from_cam1.rotation_matrix();
}

}  // namespace crossview::epipolar
