// crossview: a small homography estimator used by estimate_fundamental's
// DEGENSAC-style dominant-plane check (x2 ~ H x1). Internal.
#pragma once

#include <Eigen/Core>
#include <Eigen/Eigenvalues>

#include <cmath>
#include <vector>

namespace crossview::epipolar::detail {

/// Hartley-normalized DLT over `num` >= 4 correspondences (indices may be
/// nullptr = 0..num-1), optional non-negative weights. Returns false on a
/// degenerate system or non-finite output.
inline bool homography_dlt(const Eigen::Vector2d* x1, const Eigen::Vector2d* x2, const int* indices,
                           int num, const double* weights, Eigen::Matrix3d* H) {
  if (num < 4) return false;
  auto at = [&](int k) { return indices ? indices[k] : k; };
  Eigen::Vector2d c1 = Eigen::Vector2d::Zero(), c2 = Eigen::Vector2d::Zero();
  for (int k = 0; k < num; ++k) {
    c1 += x1[at(k)];
    c2 += x2[at(k)];
  }
  c1 /= num;
  c2 /= num;
  double d1 = 0.0, d2 = 0.0;
  for (int k = 0; k < num; ++k) {
    d1 += (x1[at(k)] - c1).norm();
    d2 += (x2[at(k)] - c2).norm();
  }
  if (!(d1 > 0.0) || !(d2 > 0.0)) return false;
  const double s1 = std::sqrt(2.0) * num / d1, s2 = std::sqrt(2.0) * num / d2;
  Eigen::Matrix<double, 9, 9> AtA = Eigen::Matrix<double, 9, 9>::Zero();
  for (int k = 0; k < num; ++k) {
    const Eigen::Vector2d p = s1 * (x1[at(k)] - c1), q = s2 * (x2[at(k)] - c2);
    const double w = weights ? weights[k] : 1.0;
    Eigen::Matrix<double, 9, 1> r1, r2;
    r1 << p.x(), p.y(), 1.0, 0.0, 0.0, 0.0, -q.x() * p.x(), -q.x() * p.y(), -q.x();
    r2 << 0.0, 0.0, 0.0, p.x(), p.y(), 1.0, -q.y() * p.x(), -q.y() * p.y(), -q.y();
    AtA.noalias() += w * (r1 * r1.transpose() + r2 * r2.transpose());
  }
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix<double, 9, 9>> es(AtA);
  if (es.info() != Eigen::Success) return false;
  const Eigen::Matrix<double, 9, 1> h = es.eigenvectors().col(0);
  Eigen::Matrix3d Hn;
  Hn << h(0), h(1), h(2), h(3), h(4), h(5), h(6), h(7), h(8);
  Eigen::Matrix3d T1, T2inv;
  T1 << s1, 0.0, -s1 * c1.x(), 0.0, s1, -s1 * c1.y(), 0.0, 0.0, 1.0;
  T2inv << 1.0 / s2, 0.0, c2.x(), 0.0, 1.0 / s2, c2.y(), 0.0, 0.0, 1.0;
  const Eigen::Matrix3d out = T2inv * Hn * T1;
  if (!out.allFinite() || out.norm() == 0.0) return false;
  *H = out / out.norm();
  return true;
}

/// |x2 - dehomogenize(H x1)|^2 (pixels^2); +inf when H x1 is at infinity.
/// Minimal 4-point homography on the correspondences `indices[0..4)`: the same
/// normalization as homography_dlt, then the exact null space of the 8x9 system by
/// Gauss-Jordan elimination (no eigensolver, no allocation). Returns false for a
/// rank-deficient sample (coincident / collinear points) or non-finite output.
/// Compiled in src/epipolar/homography.cpp.
bool homography_4point(const Eigen::Vector2d* x1, const Eigen::Vector2d* x2, const int* indices,
                       Eigen::Matrix3d* H);

inline double homography_transfer_error_squared(const Eigen::Matrix3d& H, const Eigen::Vector2d& x1,
                                                const Eigen::Vector2d& x2) {
  const Eigen::Vector3d p = H * x1.homogeneous();
  if (!(std::abs(p.z()) > 1e-300)) return std::numeric_limits<double>::infinity();
  return (p.head<2>() / p.z() - x2).squaredNorm();
}

/// RANSAC estimator for robust::ransac over a subset of correspondences.
struct HomographyEstimator {
  using Model = Eigen::Matrix3d;
  static constexpr int kMinSampleSize = 4;
  const Eigen::Vector2d* x1;
  const Eigen::Vector2d* x2;
  const int* subset;  ///< data point k is correspondence subset[k]
  int num;

  int num_data() const { return num; }
  int minimal_solve(const int* sample, std::vector<Model>* models) const {
    int idx[4];
    for (int k = 0; k < 4; ++k) idx[k] = subset[sample[k]];
    Eigen::Matrix3d H;
    if (!homography_4point(x1, x2, idx, &H)) return 0;
    models->push_back(H);
    return 1;
  }
  bool refit(const int* indices, int n, const double* weights, Model* H) const {
    std::vector<int> idx(n);
    for (int k = 0; k < n; ++k) idx[k] = subset[indices[k]];
    return homography_dlt(x1, x2, idx.data(), n, weights, H);
  }
  double squared_residual(const Model& H, int k) const {
    return homography_transfer_error_squared(H, x1[subset[k]], x2[subset[k]]);
  }
};

}  // namespace crossview::epipolar::detail
