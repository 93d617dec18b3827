// crossview: weighted DLT and midpoint triangulation (see linear.hpp).
#include <crossview/triangulation/linear.hpp>

#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <Eigen/LU>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace crossview::triangulation {

bool triangulate_dlt_homogeneous(const Matrix34d* projections, const Eigen::Vector2d* points_px,
                                 const double* weights, int num_views,
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

Status triangulate_dlt(const Matrix34d* projections, const Eigen::Vector2d* points_px,
                       const double* weights, int num_views, Eigen::Vector3d* point_in_world) {
  if (num_views < 2) return Status::kTooFewViews;
  Eigen::Vector4d X;
  if (!triangulate_dlt_homogeneous(projections, points_px, weights, num_views, &X)) {
    return Status::kInvalidInput;
  }
  if (!(std::abs(X[3]) > 1e-12 * X.head<3>().norm())) return Status::kPointAtInfinity;
  *point_in_world = X.head<3>() / X[3];
  return point_in_world->allFinite() ? Status::kSuccess : Status::kPointAtInfinity;
}

Status triangulate_dlt(const std::vector<Matrix34d>& projections,
                       const std::vector<Eigen::Vector2d>& points_px,
                       const std::vector<double>& weights, Eigen::Vector3d* point_in_world) {
  if (points_px.size() != projections.size() || (!weights.empty() && weights.size() != projections.size())) {
    throw std::invalid_argument("triangulate_dlt: projections (" + std::to_string(projections.size()) +
                                "), points_px (" + std::to_string(points_px.size()) +
                                ") and weights (" + std::to_string(weights.size()) +
                                ", or empty) must have the same size");
  }
  return triangulate_dlt(projections.data(), points_px.data(), weights.empty() ? nullptr : weights.data(),
                         static_cast<int>(projections.size()), point_in_world);
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
}  // namespace crossview::triangulation
