// crossview: fundamental-matrix solvers (normalized 8-point, 7-point).
//
// Convention: a correspondence (x1, x2) in pixels of image 1 and image 2 satisfies
//   [x2; 1]^T F [x1; 1] = 0,
// i.e. F maps a point of image 1 to its epipolar line in image 2 (OpenCV's and
// COLMAP's convention). Returned matrices have unit Frobenius norm (sign arbitrary)
// and rank 2. Point sets are 2 x N matrices, column i = point i
// (docs/conventions.md#array-layouts); points1 and points2 have the same number of
// columns, column i of both being one correspondence. Declarations only; the
// solvers are compiled in src/epipolar/fundamental.cpp.
#pragma once

#include <crossview/core/points.hpp>

#include <Eigen/Core>

#include <vector>

namespace crossview::epipolar {

/// Normalized 8-point algorithm (Hartley 1997): Hartley normalization of both point
/// sets, linear least-squares solution of x2^T F x1 = 0 (exact null space of the 8x9
/// system for N = 8, smallest eigenvector of A^T A for N > 8), rank-2 enforcement in
/// normalized coordinates, denormalization F = T2^T F_n T1, unit Frobenius norm.
///
/// points1, points2: 2 x N pixel (or any planar) coordinates, N >= 8.
/// weights: empty, or N non-negative factors multiplying each point's squared
///   algebraic residual (rows of the system are scaled by sqrt(w)); used for the
///   weighted non-minimal refit inside RANSAC. Normalization ignores the weights.
/// Returns 1 and writes *F on success, 0 (F untouched) when N < 8, an input is
/// NaN/Inf, a weight is negative / non-finite, or the system is rank deficient
/// (coincident points, all points collinear, fewer than 8 positive weights...).
/// Throws std::invalid_argument when a point set is not 2 x N (e.g. transposed),
/// the column counts differ or the weights have another size.
/// Complexity: O(N) (81 N flops for A^T A) + a 9x9 symmetric eigensolver.
int fundamental_8point(const ConstPointsRef& points1, const ConstPointsRef& points2, Eigen::Matrix3d* F,
                       const ConstScoresRef& weights = Eigen::VectorXd());

/// 7-point algorithm: the 2-dimensional null space {F1, F2} of the 7x9 epipolar system
/// (Hartley-normalized), then the real roots of the cubic det(a F1 + (1 - a) F2) = 0
/// (closed form + Newton polish). A root at infinity (the cubic degenerating) yields
/// F1 - F2. Each solution is denormalized and scaled to unit Frobenius norm.
///
/// points1, points2: 2 x 7 (pixels or any planar coordinates); std::invalid_argument
///   for another shape.
/// fundamentals: cleared, then filled with the 1 or 3 real solutions.
/// Returns the number of solutions; 0 on NaN/Inf input or a rank-deficient system
/// (coincident points, collinear configurations).
/// Complexity: constant (Gauss-Jordan elimination of the 7x9 system, a cubic, < 1 us).
int fundamental_7point(const ConstPointsRef& points1, const ConstPointsRef& points2,
                       std::vector<Eigen::Matrix3d>* fundamentals);

/// Oriented epipolar constraint (Chum, Werner & Matas 2004): for a scene point in front
/// of both cameras, its image x2 and the epipolar line F x1 are oriented consistently,
/// i.e. s_i = (e2 x [x2_i; 1]) . (F [x1_i; 1]) has one sign for every correspondence,
/// where e2 is the epipole in image 2 (F^T e2 = 0, with either sign). A model whose
/// own sample violates it cannot come from cameras that see those points in front,
/// so RANSAC may drop it before scoring.
///
/// F: rank 2 (x2^T F x1 = 0 convention above). points1, points2: 2 x N pixel pairs
/// (std::invalid_argument for another shape). Correspondences with |s_i| below 1e-12
/// x the scale of its factors (at the epipole, or off their epipolar line by rounding
/// only) carry no sign and are skipped.
/// Returns true when the signs agree (also when F has no well-defined epipole, e.g.
/// rank < 2 or non-finite entries: such a model is not rejected on this ground).
/// Complexity: O(N), ~20 flops each.
bool oriented_epipolar_consistent(const Eigen::Matrix3d& F, const ConstPointsRef& points1,
                                  const ConstPointsRef& points2);

}  // namespace crossview::epipolar
