// crossview::metrics: Umeyama similarity and optimal scale (see alignment.hpp).
#include <crossview/metrics/alignment.hpp>

#include <Eigen/Core>
#include <Eigen/LU>  // MatrixBase::determinant() is defined here, not in Core
#include <Eigen/SVD>

#include <cmath>
#include <stdexcept>
#include <string>

namespace crossview::metrics {

namespace detail {

bool umeyama_rows(const Eigen::Matrix<double, Eigen::Dynamic, 3>& source,
                  const Eigen::Matrix<double, Eigen::Dynamic, 3>& target, Similarity3d* out) {
  const Eigen::Index n = source.rows();
  if (n < 3 || target.rows() != n) return false;
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

}  // namespace detail

bool umeyama_similarity(const ConstPointsRef& source, const ConstPointsRef& target, Similarity3d* out) {
  require_points(source, 3, "umeyama_similarity: source");
  require_points(target, 3, "umeyama_similarity: target", source.cols());
  // Rows (n x 3): the arithmetic of the batched PA-MPJPE, result for result.
  return detail::umeyama_rows(source.transpose(), target.transpose(), out);
}

bool optimal_scale(const ConstPointsRef& p, const ConstPointsRef& q, double* scale) {
  if (q.rows() != p.rows() || q.cols() != p.cols()) {
    throw std::invalid_argument("optimal_scale: p is " + std::to_string(p.rows()) + " x " + std::to_string(p.cols()) +
                                " but q is " + std::to_string(q.rows()) + " x " + std::to_string(q.cols()) +
                                " (both D x n, column i = point i)");
  }
  if (!p.allFinite() || !q.allFinite()) return false;
  const double pp = p.squaredNorm();
  if (!(pp > 0.0)) return false;
  *scale = p.cwiseProduct(q).sum() / pp;
  return std::isfinite(*scale);
}

}  // namespace crossview::metrics
