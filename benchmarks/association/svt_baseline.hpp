// A re-implementation (for measurement only) of the grouping that
// EasyMocap and Pose2Sim use after mvpose (Dong et al. 2019): pairwise
// affinities between the detections of every pair of views, a cycle-
// consistent low-rank matrix by singular-value thresholding (ADMM: nuclear
// norm + sparsity, block structure, entries in [0, 1]), then each row's best
// detection per view as a proposal, proposals sorted by size, conflicting
// ones dropped. Parameters as Pose2Sim's defaults (max_iter 20, w_rank 50,
// w_sparse 0.1, tol 1e-4, min_affinity 0.2, min 2 cameras).
//
// The affinity is the same pixel geometry crossview uses (Sampson error
// through undistorted pixels, per-detection threshold max(8 px, 6 % of the
// detection's size)): affinity = max(0, 1 - (weighted mean error) / threshold),
// so that a comparison measures the grouping, not the affinity.
#pragma once

#include <crossview/association/types.hpp>
#include <crossview/camera/camera.hpp>
#include <crossview/triangulation/two_view.hpp>

#include <Eigen/Core>
#include <Eigen/SVD>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

namespace crossview_bench {

namespace as = crossview::association;

inline std::vector<std::vector<as::DetectionRef>> svt_groups(const std::vector<crossview::camera::Camera>& cams,
                                                             const std::vector<as::ViewDetections>& views, int J,
                                                             double min_score = 0.1) {
  const int V = static_cast<int>(cams.size());
  std::vector<int> offset(V + 1, 0);
  for (int v = 0; v < V; ++v) offset[v + 1] = offset[v] + static_cast<int>(views[v].keypoints_px.cols() / J);
  const int N = offset[V];
  std::vector<std::vector<as::DetectionRef>> out;
  if (N == 0) return out;
  // Undistorted pixels, scores, thresholds.
  Eigen::Matrix2Xd und = Eigen::Matrix2Xd::Constant(2, static_cast<Eigen::Index>(N) * J, std::nan(""));
  Eigen::VectorXd w = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(N) * J);
  std::vector<double> tau(N, 8.0);
  std::vector<int> view_of(N);
  for (int v = 0; v < V; ++v) {
    for (int p = 0; p < offset[v + 1] - offset[v]; ++p) {
      const int g = offset[v] + p;
      view_of[g] = v;
      double umin = 1e300, umax = -1e300, vmin = 1e300, vmax = -1e300;
      for (int j = 0; j < J; ++j) {
        const Eigen::Vector2d px = views[v].keypoints_px.col(p * J + j);
        const double s = views[v].scores.size() ? views[v].scores[p * J + j] : 1.0;
        Eigen::Vector2d u;
        if (!px.allFinite() || !(s > min_score) ||
            cams[v].undistort_pixel(px, &u) != crossview::camera::ProjectionStatus::kSuccess) {
          continue;
        }
        und.col(static_cast<Eigen::Index>(g) * J + j) = u;
        w[static_cast<Eigen::Index>(g) * J + j] = s;
        umin = std::min(umin, px.x());
        umax = std::max(umax, px.x());
        vmin = std::min(vmin, px.y());
        vmax = std::max(vmax, px.y());
      }
      if (umax >= umin) tau[g] = std::max(8.0, 0.06 * std::max(umax - umin, vmax - vmin));
    }
  }
  // Pairwise affinity.
  Eigen::MatrixXd A = Eigen::MatrixXd::Zero(N, N);
  for (int v = 0; v < V; ++v) {
    for (int u = v + 1; u < V; ++u) {
      const Eigen::Matrix3d F = crossview::triangulation::fundamental_from_cameras(cams[v], cams[u]);  // x_u^T F x_v
      for (int g = offset[v]; g < offset[v + 1]; ++g) {
        for (int h = offset[u]; h < offset[u + 1]; ++h) {
          double sum = 0.0, sw = 0.0;
          int n = 0;
          for (int j = 0; j < J; ++j) {
            const double wg = w[static_cast<Eigen::Index>(g) * J + j], wh = w[static_cast<Eigen::Index>(h) * J + j];
            if (!(wg > 0.0 && wh > 0.0)) continue;
            const Eigen::Vector3d a(und(0, g * J + j), und(1, g * J + j), 1.0);
            const Eigen::Vector3d b(und(0, h * J + j), und(1, h * J + j), 1.0);
            const Eigen::Vector3d Fa = F * a, Ftb = F.transpose() * b;
            const double e = std::abs(b.dot(Fa)) / std::sqrt(Fa.head<2>().squaredNorm() + Ftb.head<2>().squaredNorm());
            const double ww = std::sqrt(wg * wh);
            sum += ww * e;
            sw += ww;
            ++n;
          }
          if (n < 4) continue;
          const double t = std::max(tau[g], tau[h]);
          A(g, h) = A(h, g) = std::max(0.0, 1.0 - (sum / sw) / t);
        }
      }
    }
  }
  // matchSVT.
  Eigen::MatrixXd X = A;
  X.diagonal().setZero();
  Eigen::MatrixXd Y = Eigen::MatrixXd::Zero(N, N);
  const Eigen::MatrixXd W = (0.1 - A.array()).matrix();
  double mu = 64.0;
  for (int it = 0; it < 20; ++it) {
    const Eigen::MatrixXd X0 = X;
    Eigen::MatrixXd Q = X + Y / mu;
    Eigen::JacobiSVD<Eigen::MatrixXd> svd(Q, Eigen::ComputeFullU | Eigen::ComputeFullV);
    Eigen::VectorXd s = (svd.singularValues().array() - 50.0 / mu).max(0.0);
    Q = svd.matrixU() * s.asDiagonal() * svd.matrixV().transpose();
    X = Q - (W + Y) / mu;
    for (int v = 0; v < V; ++v) {
      X.block(offset[v], offset[v], offset[v + 1] - offset[v], offset[v + 1] - offset[v]).setZero();
    }
    X.diagonal().setOnes();
    X = X.cwiseMax(0.0).cwiseMin(1.0);
    X = 0.5 * (X + X.transpose());
    Y += mu * (X - Q);
    const double p_res = (X - Q).norm() / N, d_res = mu * (X - X0).norm() / N;
    if (p_res < 1e-4 && d_res < 1e-4) break;
    if (p_res > 10 * d_res) mu *= 2.0;
    else if (d_res > 10 * p_res) mu /= 2.0;
  }
  X = (X.array() < 0.2).select(0.0, X);
  // Proposals: per row the best detection of each view.
  std::map<std::vector<int>, int> count;
  for (int r = 0; r < N; ++r) {
    std::vector<int> prop(V, -1);
    for (int v = 0; v < V; ++v) {
      double best = 0.0;
      for (int g = offset[v]; g < offset[v + 1]; ++g) {
        if (X(r, g) > best) {
          best = X(r, g);
          prop[v] = g;
        }
      }
    }
    count[prop] += 1;
  }
  std::vector<std::pair<int, std::vector<int>>> props;
  for (const auto& [p, c] : count) props.push_back({c, p});
  std::stable_sort(props.begin(), props.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  // As Pose2Sim: a proposal sharing a detection with any earlier one (kept
  // or not) is dropped; then those seen by fewer than two views.
  std::vector<char> seen(N, 0);
  for (const auto& [c, p] : props) {
    bool conflict = false;
    int views_n = 0;
    for (int g : p) {
      if (g >= 0) {
        conflict = conflict || seen[g];
        ++views_n;
      }
    }
    for (int g : p) {
      if (g >= 0) seen[g] = 1;
    }
    if (conflict || views_n < 2) continue;
    std::vector<as::DetectionRef> group;
    for (int g : p) {
      if (g >= 0) group.push_back({view_of[g], g - offset[view_of[g]]});
    }
    out.push_back(group);
  }
  return out;
}

}  // namespace crossview_bench
