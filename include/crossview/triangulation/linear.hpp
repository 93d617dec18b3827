// crossview: linear multi-view triangulation (weighted DLT) and the midpoint method.
//
// These are the building blocks; most users call triangulate() (triangulate.hpp),
// which handles distortion, missing views, confidences and bad input.
// Definitions: src/triangulation/linear.cpp.
#pragma once

#include <crossview/core/points.hpp>
#include <crossview/triangulation/types.hpp>

#include <Eigen/Core>

#include <vector>

namespace crossview::triangulation {

using Matrix34d = Eigen::Matrix<double, 3, 4>;

/// Weighted homogeneous DLT. For each view i with projection P_i =
/// projections[i] (3x4, maps homogeneous world points to homogeneous
/// *undistorted* pixels, e.g. camera::Camera::projection_matrix()) and pixel
/// x_i = (u, v) = column i of `points_px` (2 x V, docs/conventions.md#array-layouts),
/// the rows
///   w_i (u P_i.row(2) - P_i.row(0)),  w_i (v P_i.row(2) - P_i.row(1))
/// form A (2V x 4); the result is the unit right singular vector of A with
/// the smallest singular value (the same solution as OpenCV's
/// triangulatePoints when all w_i = 1). `weights`: empty (all 1) or V entries.
///
/// Implementation: A^T A is accumulated (no allocation for V <= 16) and its
/// smallest eigenvector found by inverse iteration on the Jacobi-scaled matrix
/// (at most 6 steps), falling back to a full symmetric eigensolver when the
/// smallest eigenvalue is not well separated. O(V).
/// Returns false when fewer than 2 views or non-finite input. Throws
/// std::invalid_argument when points_px is not 2 x V (e.g. transposed) or the
/// weights have another size.
bool triangulate_dlt_homogeneous(const std::vector<Matrix34d>& projections, const ConstPointsRef& points_px,
                                 const ConstScoresRef& weights, Eigen::Vector4d* point_homogeneous);

/// Euclidean DLT: as triangulate_dlt_homogeneous, dehomogenised. Status:
/// kTooFewViews (< 2 views), kInvalidInput (non-finite data),
/// kPointAtInfinity (|w| <= 1e-12 |X|: parallel rays), else kSuccess. Throws
/// like triangulate_dlt_homogeneous.
Status triangulate_dlt(const std::vector<Matrix34d>& projections, const ConstPointsRef& points_px,
                       const ConstScoresRef& weights, Eigen::Vector3d* point_in_world);

/// Multi-view midpoint: the point minimising sum_i w_i d(X, ray_i)^2 where
/// ray_i = center_i + s dir_i, center_i and dir_i the columns i of the 3 x V
/// `centers_in_world` and `directions_in_world` (world frame; dir_i need not be
/// unit); `weights` empty (all 1) or V entries. O(V), one 3x3 solve. Status:
/// kTooFewViews, kInvalidInput, kPointAtInfinity when all rays are parallel
/// (normal matrix rank < 3). Throws std::invalid_argument when a point set is
/// not 3 x V or the weights have another size.
Status triangulate_midpoint(const ConstPointsRef& centers_in_world, const ConstPointsRef& directions_in_world,
                            const ConstScoresRef& weights, Eigen::Vector3d* point_in_world);

}  // namespace crossview::triangulation
