// crossview: linear multi-view triangulation (weighted DLT) and the midpoint method.
//
// These are the building blocks; most users call triangulate() (triangulate.hpp),
// which handles distortion, missing views, confidences and bad input.
// Definitions: src/triangulation/linear.cpp.
#pragma once

#include <crossview/triangulation/types.hpp>

#include <Eigen/Core>

#include <vector>

namespace crossview::triangulation {

using Matrix34d = Eigen::Matrix<double, 3, 4>;

/// Weighted homogeneous DLT. For each view i with projection P_i (3x4, maps
/// homogeneous world points to homogeneous *undistorted* pixels, e.g.
/// camera::Camera::projection_matrix()) and pixel x_i = (u, v), the rows
///   w_i (u P_i.row(2) - P_i.row(0)),  w_i (v P_i.row(2) - P_i.row(1))
/// form A (2n x 4); the result is the unit right singular vector of A with
/// the smallest singular value (the same solution as OpenCV's
/// triangulatePoints when all w_i = 1). `weights` may be null (all 1).
///
/// Implementation: A^T A is accumulated (no allocation) and its smallest
/// eigenvector found by inverse iteration on the Jacobi-scaled matrix (at most
/// 6 steps), falling back to a full symmetric eigensolver when the smallest
/// eigenvalue is not well separated. O(n).
/// Returns false when fewer than 2 views or non-finite input.
bool triangulate_dlt_homogeneous(const Matrix34d* projections, const Eigen::Vector2d* points_px,
                                 const double* weights, int num_views,
                                 Eigen::Vector4d* point_homogeneous);

/// Euclidean DLT: as triangulate_dlt_homogeneous, dehomogenised. Status:
/// kTooFewViews (< 2 views), kInvalidInput (non-finite data),
/// kPointAtInfinity (|w| <= 1e-12 |X|: parallel rays), else kSuccess.
Status triangulate_dlt(const Matrix34d* projections, const Eigen::Vector2d* points_px,
                       const double* weights, int num_views, Eigen::Vector3d* point_in_world);

/// Convenience overload on std::vectors; `weights` empty = all 1. Throws
/// std::invalid_argument on mismatched sizes.
Status triangulate_dlt(const std::vector<Matrix34d>& projections,
                       const std::vector<Eigen::Vector2d>& points_px,
                       const std::vector<double>& weights, Eigen::Vector3d* point_in_world);

/// Multi-view midpoint: the point minimising sum_i w_i d(X, ray_i)^2 where
/// ray_i = center_i + s dir_i (world frame; dir_i need not be unit; weights
/// may be null). O(n), one 3x3 solve. Status: kTooFewViews, kInvalidInput,
/// kPointAtInfinity when all rays are parallel (normal matrix rank < 3).
Status triangulate_midpoint(const Eigen::Vector3d* centers_in_world,
                            const Eigen::Vector3d* directions_in_world, const double* weights,
                            int num_views, Eigen::Vector3d* point_in_world);

}  // namespace crossview::triangulation
