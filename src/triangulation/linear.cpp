// crossview: weighted DLT and midpoint triangulation (see linear.hpp).
#include <crossview/triangulation/linear.hpp>

#include "internal.hpp"

#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <Eigen/LU>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace crossview::triangulation {

namespace detail {

namespace {

/// The DLT on `num_views` pixels read as points_px[i] (a Vector2d array or
/// crossview::detail::Columns<2> over the caller's point set, read in place).
template <typename Pixels>
bool dlt_homogeneous(const Matrix34d* projections, const Pixels& points_px, const double* weights, int num_views,
                     Eigen::Vector4d* point_homogeneous) {
  if (num_views < 2) return false;
  Eigen::Matrix4d M = Eigen::Matrix4d::Zero();
  for (int i = 0; i < num_views; ++i) {
    const Matrix34d& P = projections[i];
    const double w = weights != nullptr ? weights[i] : 1.0;
    const Eigen::RowVector4d r1 = w * (points_px[i].x() * P.row(2) - P.row(0));
    const Eigen::RowVector4d r2 = w * (points_px[i].y() * P.row(2) - P.row(1));
    M.noalias() += r1.transpose() * r1;
    M.noalias() += r2.transpose() * r2;
  }
  if (!M.allFinite()) return false;
  // Jacobi scaling: N = D M D has a unit diagonal; M^-1 = D N^-1 D.
  Eigen::Vector4d D;
  for (int k = 0; k < 4; ++k) D[k] = M(k, k) > 0.0 ? 1.0 / std::sqrt(M(k, k)) : 1.0;
  const Eigen::Matrix4d N = D.asDiagonal() * M * D.asDiagonal();
  const Eigen::PartialPivLU<Eigen::Matrix4d> lu(N);
  Eigen::Vector4d X = D.cwiseInverse().normalized();
  bool converged = false;
  constexpr int kMaxInverseIterations = 6;
  for (int it = 0; it < kMaxInverseIterations; ++it) {
    Eigen::Vector4d Y = D.asDiagonal() * lu.solve(D.asDiagonal() * X);
    const double norm = Y.norm();
    if (!(norm > 0.0) || !std::isfinite(norm)) break;
    Y /= norm;
    if (Y.dot(X) < 0.0) Y = -Y;
    const double change = (Y - X).norm();
    X = Y;
    if (change <= 1e-13) {
      converged = true;
      break;
    }
  }
  if (!converged || !X.allFinite()) {
    const Eigen::SelfAdjointEigenSolver<Eigen::Matrix4d> eig(M);
    if (eig.info() != Eigen::Success) return false;
    X = eig.eigenvectors().col(0);
  }
  if (!X.allFinite()) return false;
  *point_homogeneous = X;
  return true;
}

template <typename Pixels>
Status dlt(const Matrix34d* projections, const Pixels& points_px, const double* weights, int num_views,
           Eigen::Vector3d* point_in_world) {
  if (num_views < 2) return Status::kTooFewViews;
  Eigen::Vector4d X;
  if (!dlt_homogeneous(projections, points_px, weights, num_views, &X)) {
    return Status::kInvalidInput;
  }
  if (!(std::abs(X[3]) > 1e-12 * X.head<3>().norm())) return Status::kPointAtInfinity;
  *point_in_world = X.head<3>() / X[3];
  return point_in_world->allFinite() ? Status::kSuccess : Status::kPointAtInfinity;
}

}  // namespace

bool triangulate_dlt_homogeneous(const Matrix34d* projections, const Eigen::Vector2d* points_px,
                                 const double* weights, int num_views, Eigen::Vector4d* point_homogeneous) {
  return dlt_homogeneous(projections, points_px, weights, num_views, point_homogeneous);
}

Status triangulate_dlt(const Matrix34d* projections, const Eigen::Vector2d* points_px, const double* weights,
                       int num_views, Eigen::Vector3d* point_in_world) {
  return dlt(projections, points_px, weights, num_views, point_in_world);
}

Status triangulate_midpoint(const Eigen::Vector3d* centers_in_world,
                            const Eigen::Vector3d* directions_in_world, const double* weights,
                            int num_views, Eigen::Vector3d* point_in_world) {
  if (num_views < 2) return Status::kTooFewViews;
  Eigen::Matrix3d A = Eigen::Matrix3d::Zero();
  Eigen::Vector3d b = Eigen::Vector3d::Zero();
  for (int i = 0; i < num_views; ++i) {
    const double n2 = directions_in_world[i].squaredNorm();
    if (!(n2 > 0.0)) return Status::kInvalidInput;
    const double w = weights != nullptr ? weights[i] : 1.0;
    const Eigen::Matrix3d Q =
        w * (Eigen::Matrix3d::Identity() - directions_in_world[i] * directions_in_world[i].transpose() / n2);
    A += Q;
    b += Q * centers_in_world[i];
  }
  if (!A.allFinite() || !b.allFinite()) return Status::kInvalidInput;
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> eig;
  eig.computeDirect(A);
  const Eigen::Vector3d ev = eig.eigenvalues();
  if (!(ev[0] > 1e-12 * ev[2])) return Status::kPointAtInfinity;
  const Eigen::Vector3d X = eig.eigenvectors() *
                            (eig.eigenvectors().transpose() * b).cwiseQuotient(ev);
  if (!X.allFinite()) return Status::kPointAtInfinity;
  *point_in_world = X;
  return Status::kSuccess;
}

}  // namespace detail

namespace {

/// Checks projections / 2 x V pixels / weights (`points_what`, `weights_what`
/// name them in the messages; literals, no string built per call).
void check_dlt_inputs(const char* points_what, const char* weights_what, const std::vector<Matrix34d>& projections,
                      const ConstPointsRef& points_px, const ConstScoresRef& weights) {
  const Eigen::Index V = static_cast<Eigen::Index>(projections.size());
  require_points(points_px, 2, points_what, V);
  require_scores(weights, V, weights_what);
}

}  // namespace

// The public calls read the caller's 2 x V point set in place.
bool triangulate_dlt_homogeneous(const std::vector<Matrix34d>& projections, const ConstPointsRef& points_px,
                                 const ConstScoresRef& weights, Eigen::Vector4d* point_homogeneous) {
  check_dlt_inputs("triangulate_dlt_homogeneous: points_px (one column per projection)",
                   "triangulate_dlt_homogeneous: weights", projections, points_px, weights);
  return detail::dlt_homogeneous(projections.data(), crossview::detail::columns<2>(points_px),
                                 weights.size() > 0 ? weights.data() : nullptr,
                                 static_cast<int>(projections.size()), point_homogeneous);
}

Status triangulate_dlt(const std::vector<Matrix34d>& projections, const ConstPointsRef& points_px,
                       const ConstScoresRef& weights, Eigen::Vector3d* point_in_world) {
  check_dlt_inputs("triangulate_dlt: points_px (one column per projection)", "triangulate_dlt: weights",
                   projections, points_px, weights);
  return detail::dlt(projections.data(), crossview::detail::columns<2>(points_px),
                     weights.size() > 0 ? weights.data() : nullptr, static_cast<int>(projections.size()),
                     point_in_world);
}

Status triangulate_midpoint(const ConstPointsRef& centers_in_world, const ConstPointsRef& directions_in_world,
                            const ConstScoresRef& weights, Eigen::Vector3d* point_in_world) {
  require_points(centers_in_world, 3, "triangulate_midpoint: centers_in_world");
  const Eigen::Index V = centers_in_world.cols();
  require_points(directions_in_world, 3, "triangulate_midpoint: directions_in_world", V);
  require_scores(weights, V, "triangulate_midpoint: weights");
  std::vector<Eigen::Vector3d> c(static_cast<std::size_t>(V)), d(static_cast<std::size_t>(V));
  detail::copy_columns(centers_in_world, c.data());
  detail::copy_columns(directions_in_world, d.data());
  return detail::triangulate_midpoint(c.data(), d.data(), weights.size() > 0 ? weights.data() : nullptr,
                                      static_cast<int>(V), point_in_world);
}

}  // namespace crossview::triangulation
