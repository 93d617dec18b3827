// Rotation averaging and position recovery (see rotation_averaging.hpp).
#include <crossview/calibration/rotation_averaging.hpp>
#include <crossview/camera/rigid3.hpp>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <Eigen/SVD>

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>
#include <stdexcept>
#include <string>

namespace crossview::calibration {
namespace {

constexpr double kRadToDeg = 180.0 / 3.14159265358979323846;

Eigen::Matrix3d project_to_rotation(const Eigen::Matrix3d& M) {
  Eigen::JacobiSVD<Eigen::Matrix3d> svd(M, Eigen::ComputeFullU | Eigen::ComputeFullV);
  Eigen::Matrix3d D = Eigen::Matrix3d::Identity();
  if ((svd.matrixU() * svd.matrixV().transpose()).determinant() < 0.0) D(2, 2) = -1.0;
  return svd.matrixU() * D * svd.matrixV().transpose();
}

void check_pairs(const char* fn, int n, const std::vector<RelativePose>& pairs) {
  for (std::size_t k = 0; k < pairs.size(); ++k) {
    const RelativePose& p = pairs[k];
    if (p.camera_a < 0 || p.camera_a >= n || p.camera_b < 0 || p.camera_b >= n ||
        p.camera_a == p.camera_b) {
      throw std::invalid_argument(std::string(fn) + ": pair " + std::to_string(k) + " has cameras (" +
                                  std::to_string(p.camera_a) + ", " + std::to_string(p.camera_b) +
                                  "), need two distinct indices in [0, " + std::to_string(n) + ")");
    }
  }
}

bool pair_finite(const RelativePose& p) {
  return p.rotation_b_from_a.allFinite() && p.translation_b_from_a.allFinite() &&
         std::isfinite(p.weight) && p.weight > 0.0;
}

/// Cameras reachable from camera 0 through the given pairs.
std::vector<char> reachable_from_zero(int n, const std::vector<RelativePose>& pairs) {
  std::vector<std::vector<int>> adj(n);
  for (const auto& p : pairs) {
    adj[p.camera_a].push_back(p.camera_b);
    adj[p.camera_b].push_back(p.camera_a);
  }
  std::vector<char> seen(n, 0);
  std::queue<int> q;
  q.push(0);
  seen[0] = 1;
  while (!q.empty()) {
    const int u = q.front();
    q.pop();
    for (int v : adj[u]) {
      if (!seen[v]) {
        seen[v] = 1;
        q.push(v);
      }
    }
  }
  return seen;
}

std::string unreachable_list(const std::vector<char>& seen) {
  std::string s;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    if (!seen[i]) s += (s.empty() ? "" : ", ") + std::to_string(i);
  }
  return s;
}

}  // namespace

void RotationAveragingOptions::validate() const {
  if (max_iterations < 0) {
    throw std::invalid_argument("RotationAveragingOptions::max_iterations must be >= 0, got " +
                                std::to_string(max_iterations));
  }
  if (!(robust_scale_deg > 0.0) || !std::isfinite(robust_scale_deg)) {
    throw std::invalid_argument("RotationAveragingOptions::robust_scale_deg must be finite and > 0, got " +
                                std::to_string(robust_scale_deg));
  }
  if (!(convergence_deg > 0.0) || !std::isfinite(convergence_deg)) {
    throw std::invalid_argument("RotationAveragingOptions::convergence_deg must be finite and > 0, got " +
                                std::to_string(convergence_deg));
  }
}

RotationAveragingResult average_rotations(int n, const std::vector<RelativePose>& pairs,
                                          const RotationAveragingOptions& options) {
  options.validate();
  RotationAveragingResult r;
  r.rotations.assign(std::max(n, 0), Eigen::Matrix3d::Identity());
  r.residual_deg.assign(pairs.size(), std::numeric_limits<double>::quiet_NaN());
  r.weight_factor.assign(pairs.size(), 1.0);
  if (n < 2) {
    r.message = "average_rotations: need at least 2 cameras, got " + std::to_string(n);
    return r;
  }
  check_pairs("average_rotations", n, pairs);
  for (const auto& p : pairs) {
    if (!pair_finite(p) || !camera::is_rotation_matrix(p.rotation_b_from_a, 1e-6)) {
      r.message = "average_rotations: pair (" + std::to_string(p.camera_a) + ", " +
                  std::to_string(p.camera_b) + ") has a non-finite value, a weight <= 0 or a non-rotation";
      return r;
    }
  }
  const std::vector<char> seen = reachable_from_zero(n, pairs);
  if (std::find(seen.begin(), seen.end(), 0) != seen.end()) {
    r.status = AveragingStatus::kDisconnected;
    r.message = "average_rotations: cameras " + unreachable_list(seen) +
                " are not connected to camera 0 by any pair";
    return r;
  }
  const int m = 3 * (n - 1);
  const double scale_rad = options.robust_scale_deg / kRadToDeg;
  std::vector<double> w(pairs.size(), 1.0);
  auto solve = [&]() {
    Eigen::MatrixXd H = Eigen::MatrixXd::Zero(3 * n, 3 * n);
    for (std::size_t k = 0; k < pairs.size(); ++k) {
      const RelativePose& p = pairs[k];
      const double wk = p.weight * w[k];
      const int a = 3 * p.camera_a, b = 3 * p.camera_b;
      H.block<3, 3>(a, a).diagonal().array() += wk;
      H.block<3, 3>(b, b).diagonal().array() += wk;
      H.block<3, 3>(a, b) -= wk * p.rotation_b_from_a.transpose();
      H.block<3, 3>(b, a) -= wk * p.rotation_b_from_a;
    }
    const Eigen::MatrixXd Hff = H.bottomRightCorner(m, m);
    const Eigen::MatrixXd rhs = -H.block(3, 0, m, 3);  // R_0 = I
    const Eigen::MatrixXd X = Hff.ldlt().solve(rhs);
    for (int i = 1; i < n; ++i) r.rotations[i] = project_to_rotation(X.block<3, 3>(3 * (i - 1), 0));
  };
  auto residuals = [&]() {
    for (std::size_t k = 0; k < pairs.size(); ++k) {
      const RelativePose& p = pairs[k];
      r.residual_deg[k] = camera::rotation_angle_between(
                              Eigen::Matrix3d(p.rotation_b_from_a * r.rotations[p.camera_a]),
                              r.rotations[p.camera_b]) *
                          kRadToDeg;
    }
  };
  solve();
  residuals();
  int it = 0;
  for (; it < options.max_iterations; ++it) {
    for (std::size_t k = 0; k < pairs.size(); ++k) {
      const double t = r.residual_deg[k] / kRadToDeg / scale_rad;
      w[k] = 1.0 / (1.0 + t * t);
    }
    const std::vector<Eigen::Matrix3d> prev = r.rotations;
    solve();
    residuals();
    double moved = 0.0;
    for (int i = 0; i < n; ++i) {
      moved = std::max(moved, camera::rotation_angle_between(prev[i], r.rotations[i]) * kRadToDeg);
    }
    if (moved < options.convergence_deg) {
      ++it;
      break;
    }
  }
  r.iterations = it;
  r.weight_factor = w;
  for (const auto& R : r.rotations) {
    if (!R.allFinite()) {
      r.status = AveragingStatus::kDegenerate;
      r.message = "average_rotations: the linear system is singular";
      return r;
    }
  }
  r.status = AveragingStatus::kSuccess;
  r.message = "averaged " + std::to_string(pairs.size()) + " pairs in " + std::to_string(it) +
              " reweighting iterations";
  return r;
}

PositionResult recover_positions(int n, const std::vector<RelativePose>& pairs,
                                 const std::vector<Eigen::Matrix3d>& rotations,
                                 const RotationAveragingOptions& options) {
  options.validate();
  PositionResult r;
  // Computed in a list of vectors, returned as a 3 x n point set.
  std::vector<Eigen::Vector3d> centers(static_cast<std::size_t>(std::max(n, 0)), Eigen::Vector3d::Zero());
  r.centers.setZero(3, std::max(n, 0));
  auto store_centers = [&]() {
    for (int i = 0; i < n; ++i) r.centers.col(i) = centers[static_cast<std::size_t>(i)];
  };
  r.residual_deg.assign(pairs.size(), std::numeric_limits<double>::quiet_NaN());
  if (n < 2 || static_cast<int>(rotations.size()) != n) {
    r.message = "recover_positions: need >= 2 cameras and one rotation per camera";
    return r;
  }
  check_pairs("recover_positions", n, pairs);
  for (const auto& p : pairs) {
    if (!pair_finite(p) || !(p.translation_b_from_a.norm() > 0.0)) {
      r.message = "recover_positions: a pair has a non-finite or zero translation";
      return r;
    }
  }
  const std::vector<char> seen = reachable_from_zero(n, pairs);
  if (std::find(seen.begin(), seen.end(), 0) != seen.end()) {
    r.status = AveragingStatus::kDisconnected;
    r.message = "recover_positions: cameras " + unreachable_list(seen) + " are not connected to camera 0";
    return r;
  }
  // World direction of c_a - c_b: R_b^T t_ab.
  std::vector<Eigen::Vector3d> d(pairs.size());
  for (std::size_t k = 0; k < pairs.size(); ++k) {
    d[k] = (rotations[pairs[k].camera_b].transpose() * pairs[k].translation_b_from_a).normalized();
  }
  const int m = 3 * (n - 1);
  const double scale_rad = options.robust_scale_deg / kRadToDeg;
  std::vector<double> w(pairs.size(), 1.0);
  auto skew = [](const Eigen::Vector3d& v) {
    Eigen::Matrix3d s;
    s << 0, -v.z(), v.y(), v.z(), 0, -v.x(), -v.y(), v.x(), 0;
    return s;
  };
  double ratio = 0.0;
  auto solve = [&]() {
    Eigen::MatrixXd H = Eigen::MatrixXd::Zero(3 * n, 3 * n);
    for (std::size_t k = 0; k < pairs.size(); ++k) {
      const Eigen::Matrix3d S = skew(d[k]);
      const Eigen::Matrix3d StS = S.transpose() * S;
      const double wk = pairs[k].weight * w[k];
      const int a = 3 * pairs[k].camera_a, b = 3 * pairs[k].camera_b;
      H.block<3, 3>(a, a) += wk * StS;
      H.block<3, 3>(b, b) += wk * StS;
      H.block<3, 3>(a, b) -= wk * StS;
      H.block<3, 3>(b, a) -= wk * StS;
    }
    const Eigen::MatrixXd Hff = H.bottomRightCorner(m, m);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(Hff);
    const Eigen::VectorXd ev = es.eigenvalues();
    ratio = ev.size() > 1 ? ev(0) / std::max(ev(1), 1e-300) : 0.0;
    const double rel = ev.size() > 1 ? ev(1) / std::max(ev(ev.size() - 1), 1e-300) : 1.0;
    const Eigen::VectorXd x = es.eigenvectors().col(0);
    for (int i = 1; i < n; ++i) centers[i] = x.segment<3>(3 * (i - 1));
    double s = 0.0;
    for (std::size_t k = 0; k < pairs.size(); ++k) {
      s += d[k].dot(centers[pairs[k].camera_a] - centers[pairs[k].camera_b]);
    }
    if (s < 0.0) {
      for (auto& c : centers) c = -c;
    }
    return rel;
  };
  double rel = solve();
  auto residuals = [&]() {
    for (std::size_t k = 0; k < pairs.size(); ++k) {
      const Eigen::Vector3d e = centers[pairs[k].camera_a] - centers[pairs[k].camera_b];
      r.residual_deg[k] = std::atan2(e.cross(d[k]).norm(), e.dot(d[k])) * kRadToDeg;
    }
  };
  residuals();
  for (int it = 0; it < options.max_iterations; ++it) {
    for (std::size_t k = 0; k < pairs.size(); ++k) {
      const double len = (centers[pairs[k].camera_a] - centers[pairs[k].camera_b]).norm();
      const double t = std::min(r.residual_deg[k], 90.0) / kRadToDeg / scale_rad;
      w[k] = 1.0 / ((1.0 + t * t) * std::max(len * len, 1e-6));
    }
    const std::vector<Eigen::Vector3d> prev = centers;
    rel = solve();
    residuals();
    double moved = 0.0;
    for (int i = 0; i < n; ++i) moved = std::max(moved, (prev[i] - centers[i]).norm());
    if (moved < 1e-9) break;
  }
  // Second-smallest eigenvalue tiny relative to the largest: more than one
  // solution (e.g. every camera on one line) -> positions undetermined.
  if (!(rel > 1e-10)) {
    r.status = AveragingStatus::kDegenerate;
    r.message = "recover_positions: translation directions do not determine the positions "
                "(collinear cameras or too few pairs)";
    store_centers();
    return r;
  }
  double rms = 0.0;
  for (const auto& c : centers) rms += c.squaredNorm();
  rms = std::sqrt(rms / (n - 1));
  if (!(rms > 0.0) || !std::isfinite(rms)) {
    r.status = AveragingStatus::kDegenerate;
    r.message = "recover_positions: zero solution";
    store_centers();
    return r;
  }
  for (auto& c : centers) c /= rms;
  residuals();
  store_centers();
  (void)ratio;
  r.status = AveragingStatus::kSuccess;
  r.message = "positions from " + std::to_string(pairs.size()) + " directions";
  return r;
}

}  // namespace crossview::calibration
