// crossview: fundamental-matrix solvers (normalized 8-point, 7-point); see
// include/crossview/epipolar/fundamental.hpp for the documentation.
#include <crossview/epipolar/fundamental.hpp>

#include <crossview/epipolar/detail/polynomial.hpp>

#include "internal.hpp"

#include <Eigen/Eigenvalues>
#include <Eigen/SVD>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace crossview::epipolar {

namespace detail {
namespace {

/// Hartley's isotropic normalization: translate the centroid to the origin and scale
/// so that the mean distance to it is sqrt(2). Returns false (T untouched) if the
/// points are non-finite or all coincide. T maps pixels to normalized coordinates.
bool hartley_normalization(const Eigen::Vector2d* points, int num_points,
                           Eigen::Matrix3d* T) {
  Eigen::Vector2d centroid = Eigen::Vector2d::Zero();
  for (int i = 0; i < num_points; ++i) centroid += points[i];
  centroid /= num_points;
  double mean_distance = 0.0;
  for (int i = 0; i < num_points; ++i) mean_distance += (points[i] - centroid).norm();
  mean_distance /= num_points;
  if (!std::isfinite(mean_distance) || !(mean_distance > 0.0) || !centroid.allFinite()) {
    return false;
  }
  const double s = std::sqrt(2.0) / mean_distance;
  *T << s, 0.0, -s * centroid.x(), 0.0, s, -s * centroid.y(), 0.0, 0.0, 1.0;
  return true;
}

/// Row of the linear epipolar system: kron(x2, x1) so that row . vec_rowmajor(F) = x2^T F x1.
Eigen::Matrix<double, 9, 1> epipolar_row(const Eigen::Vector3d& x1, const Eigen::Vector3d& x2) {
  Eigen::Matrix<double, 9, 1> row;
  row << x2(0) * x1(0), x2(0) * x1(1), x2(0) * x1(2), x2(1) * x1(0), x2(1) * x1(1),
      x2(1) * x1(2), x2(2) * x1(0), x2(2) * x1(1), x2(2) * x1(2);
  return row;
}

/// T2^T Fn T1 for Hartley transforms T = [s 0 a; 0 s b; 0 0 1], written out
/// (the same sums in the same order as the full products, without the terms
/// that multiply exact zeros).
Eigen::Matrix3d denormalize(const Eigen::Matrix3d& Fn, const Eigen::Matrix3d& T1, const Eigen::Matrix3d& T2) {
  Eigen::Matrix3d A;  // Fn T1
  A.col(0) = T1(0, 0) * Fn.col(0);
  A.col(1) = T1(1, 1) * Fn.col(1);
  A.col(2) = Fn.col(0) * T1(0, 2) + Fn.col(1) * T1(1, 2) + Fn.col(2);
  Eigen::Matrix3d F;
  F.row(0) = T2(0, 0) * A.row(0);
  F.row(1) = T2(1, 1) * A.row(1);
  F.row(2) = T2(0, 2) * A.row(0) + T2(1, 2) * A.row(1) + A.row(2);
  return F;
}

Eigen::Matrix3d matrix_from_rowmajor(const Eigen::Matrix<double, 9, 1>& f) {
  Eigen::Matrix3d F;
  F << f(0), f(1), f(2), f(3), f(4), f(5), f(6), f(7), f(8);
  return F;
}

/// Closest rank-2 matrix in Frobenius norm (zeroes the smallest singular value).
Eigen::Matrix3d enforce_rank2(const Eigen::Matrix3d& F) {
  Eigen::JacobiSVD<Eigen::Matrix3d> svd(F, Eigen::ComputeFullU | Eigen::ComputeFullV);
  Eigen::Vector3d s = svd.singularValues();
  s(2) = 0.0;
  return svd.matrixU() * s.asDiagonal() * svd.matrixV().transpose();
}

/// Relative rank tolerance on the (weighted) epipolar system: if the second-smallest
/// singular value is below this fraction of the largest, the null space is at least
/// two-dimensional (coincident / collinear points, planar scene without noise...) and
/// no unique solution exists.
constexpr double kFundamentalRankTolerance = 1e-9;

/// Below this pivot (relative to the largest entry) partial pivoting hands the
/// 7x9 (or 8x9) system to complete pivoting. Measured on 19 380 7-point samples of
/// noise-free, noisy, outlier and near-planar scenes (Hartley-normalized): 1.7 %
/// fall back, and the partial-pivoting null spaces match the complete-pivoting
/// ones to 9e-14 (largest distance between the spans; median 4e-16). 8x9 systems
/// fall back more often (11.5 % in tests/epipolar/test_null_space.cpp).
constexpr double kPartialPivotRatio = 1e-3;

bool null_space_7x9(double (&A)[7][9], Eigen::Matrix<double, 9, 1>* n1,
                    Eigen::Matrix<double, 9, 1>* n2) {
  Eigen::Matrix<double, 9, 1> basis[2];
  if (!null_space_partial_then_complete<7>(A, kPartialPivotRatio, kFundamentalRankTolerance, basis)) return false;
  *n1 = basis[0];
  *n2 = basis[1];
  return true;
}

}  // namespace

int fundamental_8point(const Eigen::Vector2d* points1, const Eigen::Vector2d* points2,
                       int num_points, Eigen::Matrix3d* F,
                       const double* weights) {
  if (num_points < 8 || points1 == nullptr || points2 == nullptr || F == nullptr) return 0;
  Eigen::Matrix3d T1;
  Eigen::Matrix3d T2;
  if (!detail::hartley_normalization(points1, num_points, &T1) ||
      !detail::hartley_normalization(points2, num_points, &T2)) {
    return 0;
  }
  if (weights != nullptr) {
    for (int i = 0; i < num_points; ++i) {
      if (!(weights[i] >= 0.0) || !std::isfinite(weights[i])) return 0;
    }
  }
  auto row_of = [&](int i) {
    const Eigen::Vector3d x1(T1(0, 0) * points1[i].x() + T1(0, 2),
                             T1(1, 1) * points1[i].y() + T1(1, 2), 1.0);
    const Eigen::Vector3d x2(T2(0, 0) * points2[i].x() + T2(0, 2),
                             T2(1, 1) * points2[i].y() + T2(1, 2), 1.0);
    Eigen::Matrix<double, 9, 1> row = detail::epipolar_row(x1, x2);
    if (weights != nullptr) row *= std::sqrt(weights[i]);
    return row;
  };
  Eigen::Matrix<double, 9, 1> f;
  if (num_points == 8) {
    // Exact null space of the 8x9 system (Gauss-Jordan, partial pivoting with a
    // complete-pivoting redo, as the 7-point).
    double A[8][9];
    for (int i = 0; i < 8; ++i) {
      const Eigen::Matrix<double, 9, 1> row = row_of(i);
      for (int c = 0; c < 9; ++c) A[i][c] = row(c);
    }
    if (!detail::null_space_partial_then_complete<8>(A, detail::kPartialPivotRatio,
                                                     detail::kFundamentalRankTolerance, &f)) {
      return 0;
    }
  } else {
    // A^T A (lower half, all the eigensolver reads) by one symmetric rank update
    // over the sqrt-weighted rows: Eigen's blocked, vectorised kernel (measured:
    // the LO refits of one estimate_fundamental 2.6M -> 1.9M instructions, from
    // 45 scalar sums per point).
    Eigen::Matrix<double, Eigen::Dynamic, 9> rows(num_points, 9);
    for (int i = 0; i < num_points; ++i) {
      const double u1 = T1(0, 0) * points1[i].x() + T1(0, 2);
      const double v1 = T1(1, 1) * points1[i].y() + T1(1, 2);
      const double u2 = T2(0, 0) * points2[i].x() + T2(0, 2);
      const double v2 = T2(1, 1) * points2[i].y() + T2(1, 2);
      const double s = weights != nullptr ? std::sqrt(weights[i]) : 1.0;
      const double su2 = s * u2, sv2 = s * v2;
      rows(i, 0) = su2 * u1;
      rows(i, 1) = su2 * v1;
      rows(i, 2) = su2;
      rows(i, 3) = sv2 * u1;
      rows(i, 4) = sv2 * v1;
      rows(i, 5) = sv2;
      rows(i, 6) = s * u1;
      rows(i, 7) = s * v1;
      rows(i, 8) = s;
    }
    Eigen::Matrix<double, 9, 9> AtA = Eigen::Matrix<double, 9, 9>::Zero();
    AtA.selfadjointView<Eigen::Lower>().rankUpdate(rows.transpose());
    Eigen::SelfAdjointEigenSolver<Eigen::Matrix<double, 9, 9>> eig(AtA);
    if (eig.info() != Eigen::Success) return 0;
    const auto& ev = eig.eigenvalues();  // ascending, = squared singular values
    if (!(ev(1) > detail::kFundamentalRankTolerance * detail::kFundamentalRankTolerance * ev(8))) {
      return 0;
    }
    f = eig.eigenvectors().col(0);
  }
  const Eigen::Matrix3d F_normalized = detail::enforce_rank2(detail::matrix_from_rowmajor(f));
  Eigen::Matrix3d result = detail::denormalize(F_normalized, T1, T2);
  if (!detail::normalize_frobenius(&result)) return 0;
  *F = result;
  return 1;
}

int fundamental_7point(const Eigen::Vector2d* points1, const Eigen::Vector2d* points2,
                       std::vector<Eigen::Matrix3d>* fundamentals) {
  if (fundamentals == nullptr) return 0;
  fundamentals->clear();
  if (points1 == nullptr || points2 == nullptr) return 0;
  Eigen::Matrix3d T1;
  Eigen::Matrix3d T2;
  if (!detail::hartley_normalization(points1, 7, &T1) ||
      !detail::hartley_normalization(points2, 7, &T2)) {
    return 0;
  }
  // Null space of the 7x9 system by Gauss-Jordan elimination (no Householder Q to
  // form, no allocation): A P = [I | B] => the null space is spanned by P [-B; I2].
  // Partial pivoting first, complete pivoting when a pivot is small (null_space_7x9);
  // rank test of the latter: the last pivot relative to the first one.
  double A[7][9];
  for (int i = 0; i < 7; ++i) {
    const double u1 = T1(0, 0) * points1[i].x() + T1(0, 2);
    const double v1 = T1(1, 1) * points1[i].y() + T1(1, 2);
    const double u2 = T2(0, 0) * points2[i].x() + T2(0, 2);
    const double v2 = T2(1, 1) * points2[i].y() + T2(1, 2);
    double* r = A[i];
    r[0] = u2 * u1;
    r[1] = u2 * v1;
    r[2] = u2;
    r[3] = v2 * u1;
    r[4] = v2 * v1;
    r[5] = v2;
    r[6] = u1;
    r[7] = v1;
    r[8] = 1.0;
  }
  Eigen::Matrix<double, 9, 1> n1;
  Eigen::Matrix<double, 9, 1> n2;
  if (!detail::null_space_7x9(A, &n1, &n2)) return 0;
  const Eigen::Matrix3d F1 = detail::matrix_from_rowmajor(n1);
  const Eigen::Matrix3d F2 = detail::matrix_from_rowmajor(n2);
  // det(F2 + a D), D = F1 - F2:  c0 + c1 a + c2 a^2 + c3 a^3 with
  // c0 = det F2, c1 = tr(adj(F2) D), c2 = tr(F2 adj(D)), c3 = det D.
  const Eigen::Matrix3d D = F1 - F2;
  const double c0 = F2.determinant();
  const double c1 = (detail::adjugate(F2) * D).trace();
  const double c2 = (F2 * detail::adjugate(D)).trace();
  const double c3 = D.determinant();
  const double scale = std::max({std::abs(c0), std::abs(c1), std::abs(c2), std::abs(c3)});
  if (!(scale > 0.0) || !std::isfinite(scale)) return 0;
  double roots[3];
  int num_roots = 0;
  bool root_at_infinity = false;
  // The cubic's leading coefficient can vanish (D itself singular): then solve the
  // quadratic and add the solution "a = infinity", i.e. F = D.
  constexpr double kLeadingTolerance = 1e-12;
  if (std::abs(c3) > kLeadingTolerance * scale) {
    num_roots = detail::solve_cubic_real(c0, c1, c2, c3, roots);
  } else {
    num_roots = detail::solve_quadratic_real(c0, c1, c2, roots);
    root_at_infinity = true;
  }
  auto emit = [&](const Eigen::Matrix3d& F_normalized) {
    Eigen::Matrix3d F = detail::denormalize(F_normalized, T1, T2);
    if (!detail::normalize_frobenius(&F)) return;
    fundamentals->push_back(F);
  };
  for (int i = 0; i < num_roots; ++i) emit(F2 + roots[i] * D);
  if (root_at_infinity) emit(D);
  return static_cast<int>(fundamentals->size());
}

bool oriented_epipolar_consistent(const Eigen::Matrix3d& F, const Eigen::Vector2d* points1,
                                  const Eigen::Vector2d* points2, int num_points) {
  if (!F.allFinite() || points1 == nullptr || points2 == nullptr) return true;
  // e2 spans the left null space of F: the null vector of F^T's rows.
  const Eigen::Vector3d e2 = detail::null_vector_of_rows(F.transpose());
  if (!(e2.squaredNorm() > 0.0)) return true;
  constexpr double kRelativeZero = 1e-12;
  int sign = 0;
  for (int i = 0; i < num_points; ++i) {
    const Eigen::Vector3d x1 = points1[i].homogeneous();
    const Eigen::Vector3d x2 = points2[i].homogeneous();
    const Eigen::Vector3d line = F * x1;
    const Eigen::Vector3d through = e2.cross(x2);
    const double s = through.dot(line);
    // |s| > 1e-12 |through| |line|, squared (no square roots per point).
    if (!(s * s > kRelativeZero * kRelativeZero * through.squaredNorm() * line.squaredNorm())) continue;
    const int si = s > 0.0 ? 1 : -1;
    if (sign == 0) {
      sign = si;
    } else if (si != sign) {
      return false;
    }
  }
  return true;
}

}  // namespace detail

int fundamental_8point(const ConstPointsRef& points1, const ConstPointsRef& points2, Eigen::Matrix3d* F,
                       const ConstScoresRef& weights) {
  require_points(points1, 2, "fundamental_8point: points1");
  const Eigen::Index n = points1.cols();
  require_points(points2, 2, "fundamental_8point: points2", n);
  require_scores(weights, n, "fundamental_8point: weights");
  if (n < 8) return 0;
  // Copies into Vector2d storage (the argument may be any strided, unaligned map);
  // on the stack for the minimal and small samples.
  const double* w = weights.size() > 0 ? weights.data() : nullptr;
  constexpr Eigen::Index kSmall = 16;
  if (n <= kSmall) {
    Eigen::Vector2d x1[kSmall], x2[kSmall];
    detail::copy_columns(points1, x1);
    detail::copy_columns(points2, x2);
    return detail::fundamental_8point(x1, x2, static_cast<int>(n), F, w);
  }
  std::vector<Eigen::Vector2d> x1(static_cast<std::size_t>(n)), x2(static_cast<std::size_t>(n));
  detail::copy_columns(points1, x1.data());
  detail::copy_columns(points2, x2.data());
  return detail::fundamental_8point(x1.data(), x2.data(), static_cast<int>(n), F, w);
}

int fundamental_7point(const ConstPointsRef& points1, const ConstPointsRef& points2,
                       std::vector<Eigen::Matrix3d>* fundamentals) {
  require_points(points1, 2, "fundamental_7point: points1", 7);
  require_points(points2, 2, "fundamental_7point: points2", 7);
  Eigen::Vector2d x1[7], x2[7];
  detail::copy_columns(points1, x1);
  detail::copy_columns(points2, x2);
  return detail::fundamental_7point(x1, x2, fundamentals);
}

bool oriented_epipolar_consistent(const Eigen::Matrix3d& F, const ConstPointsRef& points1,
                                  const ConstPointsRef& points2) {
  require_points(points1, 2, "oriented_epipolar_consistent: points1");
  require_points(points2, 2, "oriented_epipolar_consistent: points2", points1.cols());
  std::vector<Eigen::Vector2d> x1(static_cast<std::size_t>(points1.cols()));
  std::vector<Eigen::Vector2d> x2(x1.size());
  detail::copy_columns(points1, x1.data());
  detail::copy_columns(points2, x2.data());
  return detail::oriented_epipolar_consistent(F, x1.data(), x2.data(), static_cast<int>(x1.size()));
}

}  // namespace crossview::epipolar
