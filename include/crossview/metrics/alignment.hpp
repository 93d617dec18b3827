// crossview::metrics: alignments used before measuring a pose error.
//
// * Similarity Procrustes (Umeyama, "Least-squares estimation of transformation
//   parameters between two point patterns", IEEE TPAMI 13(4), 1991): the
//   rotation R, uniform scale s > 0 and translation t minimising
//   sum_i || s R p_i + t - q_i ||^2, with the reflection fix (det R = +1 always).
// * Optimal scale (Rhodin et al., "Learning Monocular 3D Human Pose Estimation
//   from Multi-view Images", CVPR 2018): s = <p, q> / <p, p> minimises
//   || s p - q ||_F^2 for fixed p, q (already root-centred).
//
// Point sets are D x n, column i = point i (docs/conventions.md#array-layouts).
// Compiled in src/metrics/alignment.cpp. Cost: O(n) plus one 3x3 SVD.
#pragma once

#include <crossview/core/points.hpp>

#include <Eigen/Core>

namespace crossview::metrics {

/// q ~ scale * rotation * p + translation.
struct Similarity3d {
  Eigen::Matrix3d rotation = Eigen::Matrix3d::Identity();
  double scale = 1.0;
  Eigen::Vector3d translation = Eigen::Vector3d::Zero();
  Eigen::Vector3d operator*(const Eigen::Vector3d& p) const { return scale * (rotation * p) + translation; }
};

/// Umeyama similarity from `source` (3 x n, column i = p_i) to `target` (3 x n,
/// q_i). Returns false (and leaves *out untouched) when n < 3, the inputs
/// contain NaN/Inf, or the source points all coincide (zero variance).
/// Collinear sources give a valid but non-unique rotation about their line.
/// Throws std::invalid_argument when a point set is not 3 x n (e.g.
/// transposed) or the two have different sizes.
bool umeyama_similarity(const ConstPointsRef& source, const ConstPointsRef& target, Similarity3d* out);

/// s = <p, q> / <p, p> (Frobenius inner products) of two point sets of the
/// same shape (D x n). Returns false when <p, p> = 0 or the inputs are not
/// finite. Throws std::invalid_argument when the shapes differ.
bool optimal_scale(const ConstPointsRef& p, const ConstPointsRef& q, double* scale);

namespace detail {
/// Umeyama on n x 3 rows (the per-frame form inside the batched metrics).
bool umeyama_rows(const Eigen::Matrix<double, Eigen::Dynamic, 3>& source,
                  const Eigen::Matrix<double, Eigen::Dynamic, 3>& target, Similarity3d* out);
}  // namespace detail

}  // namespace crossview::metrics
