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
// Only Eigen is included. Cost: O(n) for n points plus one 3x3 SVD.
#pragma once

#include <Eigen/Core>
#include <Eigen/LU>  // MatrixBase::determinant() is defined here, not in Core
#include <Eigen/SVD>

#include <cmath>

namespace crossview::metrics {

/// q ~ scale * rotation * p + translation.
struct Similarity3d {
  Eigen::Matrix3d rotation = Eigen::Matrix3d::Identity();
  double scale = 1.0;
  Eigen::Vector3d translation = Eigen::Vector3d::Zero();
  Eigen::Vector3d operator*(const Eigen::Vector3d& p) const { return scale * (rotation * p) + translation; }
};

/// Umeyama similarity from `source` (n x 3 rows p_i) to `target` (n x 3 rows q_i).
/// Returns false (and leaves *out untouched) when n < 3, the inputs differ in
/// size or contain NaN/Inf, or the source points all coincide (zero variance).
/// Collinear sources give a valid but non-unique rotation about their line.
template <typename DerivedP, typename DerivedQ>
bool umeyama_similarity(const Eigen::MatrixBase<DerivedP>& source,
                        const Eigen::MatrixBase<DerivedQ>& target, Similarity3d* out) {
  const Eigen::Index n = source.rows();
  if (n < 3 || target.rows() != n || source.cols() != 3 || target.cols() != 3) return false;
  if (!source.allFinite() || !target.allFinite()) return false;
  const Eigen::RowVector3d mu_p = source.colwise().mean();
  const Eigen::RowVector3d mu_q = target.colwise().mean();
  const Eigen::Matrix<double, Eigen::Dynamic, 3> x = source.rowwise() - mu_p;
  const Eigen::Matrix<double, Eigen::Dynamic, 3> y = target.rowwise() - mu_q;
  const double var_p = x.squaredNorm() / static_cast<double>(n);
  if (!(var_p > 0.0)) return false;
  const Eigen::Matrix3d sigma = y.transpose() * x / static_cast<double>(n);
  const Eigen::JacobiSVD<Eigen::Matrix3d> svd(sigma, Eigen::ComputeFullU | Eigen::ComputeFullV);
  Eigen::Vector3d d(1.0, 1.0, 1.0);
  if (svd.matrixU().determinant() * svd.matrixV().determinant() < 0.0) d(2) = -1.0;  // reflection fix
  Similarity3d s;
  s.rotation = svd.matrixU() * d.asDiagonal() * svd.matrixV().transpose();
  s.scale = svd.singularValues().dot(d) / var_p;
  s.translation = mu_q.transpose() - s.scale * (s.rotation * mu_p.transpose());
  if (!s.rotation.allFinite() || !std::isfinite(s.scale) || !s.translation.allFinite()) return false;
  *out = s;
  return true;
}

/// s = <p, q> / <p, p> (Frobenius inner products). Returns false when <p, p> = 0,
/// sizes differ or the inputs are not finite.
template <typename DerivedP, typename DerivedQ>
bool optimal_scale(const Eigen::MatrixBase<DerivedP>& p, const Eigen::MatrixBase<DerivedQ>& q,
                   double* scale) {
  if (p.rows() != q.rows() || p.cols() != q.cols()) return false;
  if (!p.allFinite() || !q.allFinite()) return false;
  const double pp = p.squaredNorm();
  if (!(pp > 0.0)) return false;
  *scale = p.cwiseProduct(q).sum() / pp;
  return std::isfinite(*scale);
}

}  // namespace crossview::metrics
