// crossview: the homographies of the dominant-plane check (DLT and minimal
// 4-point); see include/crossview/epipolar/detail/homography.hpp.
#include <crossview/epipolar/detail/homography.hpp>

#include "internal.hpp"

#include <Eigen/Eigenvalues>

#include <cmath>

namespace crossview::epipolar::detail {

namespace {
/// Relative pivot tolerance of the 8x9 elimination (rank-deficient sample).
constexpr double kHomographyRankTolerance = 1e-9;
}  // namespace

bool homography_dlt(const Eigen::Vector2d* x1, const Eigen::Vector2d* x2, const int* indices, int num,
                    const double* weights, Eigen::Matrix3d* H) {
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

bool homography_4point(const Eigen::Vector2d* x1, const Eigen::Vector2d* x2, const int* indices,
                       Eigen::Matrix3d* H) {
  Eigen::Vector2d c1 = Eigen::Vector2d::Zero();
  Eigen::Vector2d c2 = Eigen::Vector2d::Zero();
  for (int k = 0; k < 4; ++k) {
    c1 += x1[indices[k]];
    c2 += x2[indices[k]];
  }
  c1 /= 4.0;
  c2 /= 4.0;
  double d1 = 0.0;
  double d2 = 0.0;
  for (int k = 0; k < 4; ++k) {
    d1 += (x1[indices[k]] - c1).norm();
    d2 += (x2[indices[k]] - c2).norm();
  }
  if (!(d1 > 0.0) || !(d2 > 0.0) || !std::isfinite(d1) || !std::isfinite(d2)) return false;
  const double s1 = std::sqrt(2.0) * 4.0 / d1;
  const double s2 = std::sqrt(2.0) * 4.0 / d2;
  double A[8][9];
  for (int k = 0; k < 4; ++k) {
    const Eigen::Vector2d p = s1 * (x1[indices[k]] - c1);
    const Eigen::Vector2d q = s2 * (x2[indices[k]] - c2);
    double* r1 = A[2 * k];
    double* r2 = A[2 * k + 1];
    r1[0] = p.x();
    r1[1] = p.y();
    r1[2] = 1.0;
    r1[3] = 0.0;
    r1[4] = 0.0;
    r1[5] = 0.0;
    r1[6] = -q.x() * p.x();
    r1[7] = -q.x() * p.y();
    r1[8] = -q.x();
    r2[0] = 0.0;
    r2[1] = 0.0;
    r2[2] = 0.0;
    r2[3] = p.x();
    r2[4] = p.y();
    r2[5] = 1.0;
    r2[6] = -q.y() * p.x();
    r2[7] = -q.y() * p.y();
    r2[8] = -q.y();
  }
  Eigen::Matrix<double, 9, 1> h;
  if (!null_space_gauss_jordan<8>(A, kHomographyRankTolerance, &h)) return false;
  Eigen::Matrix3d Hn;
  Hn << h(0), h(1), h(2), h(3), h(4), h(5), h(6), h(7), h(8);
  Eigen::Matrix3d T1;
  Eigen::Matrix3d T2inv;
  T1 << s1, 0.0, -s1 * c1.x(), 0.0, s1, -s1 * c1.y(), 0.0, 0.0, 1.0;
  T2inv << 1.0 / s2, 0.0, c2.x(), 0.0, 1.0 / s2, c2.y(), 0.0, 0.0, 1.0;
  const Eigen::Matrix3d out = T2inv * Hn * T1;
  const double norm = out.norm();
  if (!out.allFinite() || !(norm > 0.0)) return false;
  *H = out / norm;
  return true;
}

}  // namespace crossview::epipolar::detail
