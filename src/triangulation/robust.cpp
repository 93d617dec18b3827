// crossview: robust triangulation building blocks (see robust.hpp).
#include <crossview/triangulation/robust.hpp>

#include <crossview/core/points.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace crossview::triangulation {

void RobustOptions::validate() const {
  if (!(inlier_threshold_px > 0.0) || !std::isfinite(inlier_threshold_px)) {
    throw std::invalid_argument("RobustOptions::inlier_threshold_px must be finite and > 0, got " +
                                std::to_string(inlier_threshold_px));
  }
  if (!(min_pair_angle_deg >= 0.0 && min_pair_angle_deg < 90.0)) {
    throw std::invalid_argument("RobustOptions::min_pair_angle_deg must be in [0, 90), got " +
                                std::to_string(min_pair_angle_deg));
  }
  if (max_hypotheses < 1) {
    throw std::invalid_argument("RobustOptions::max_hypotheses must be >= 1, got " +
                                std::to_string(max_hypotheses));
  }
  if (min_inlier_views < 0 || min_inlier_views == 1) {
    throw std::invalid_argument("RobustOptions::min_inlier_views must be 0 (automatic) or >= 2, got " +
                                std::to_string(min_inlier_views));
  }
  if (!(outlier_floor_px > 0.0) || !std::isfinite(outlier_floor_px)) {
    throw std::invalid_argument("RobustOptions::outlier_floor_px must be finite and > 0, got " +
                                std::to_string(outlier_floor_px));
  }
  if (!(outlier_scale_factor >= 1.0) || !std::isfinite(outlier_scale_factor)) {
    throw std::invalid_argument("RobustOptions::outlier_scale_factor must be finite and >= 1, got " +
                                std::to_string(outlier_scale_factor));
  }
  if (max_median_iterations < 1 || max_median_iterations > 100000) {
    throw std::invalid_argument("RobustOptions::max_median_iterations must be in [1, 100000], got " +
                                std::to_string(max_median_iterations));
  }
}

Eigen::Vector3d geometric_median(const ConstPointsRef& points_in, int max_iterations) {
  require_points(points_in, 3, "geometric_median: points");
  const int n = static_cast<int>(points_in.cols());
  if (n == 0) return Eigen::Vector3d::Constant(std::numeric_limits<double>::quiet_NaN());
  // Contiguous copy (the iteration reads every point many times).
  std::vector<Eigen::Vector3d> points(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) points[static_cast<std::size_t>(i)] = points_in.col(i);
  if (n <= 2) {
    return n == 1 ? points[0] : Eigen::Vector3d(0.5 * (points[0] + points[1]));
  }
  Eigen::Vector3d y;
  std::vector<double> coord(n);
  for (int k = 0; k < 3; ++k) {
    for (int i = 0; i < n; ++i) coord[i] = points[i][k];
    std::nth_element(coord.begin(), coord.begin() + n / 2, coord.end());
    y[k] = coord[n / 2];
  }
  double spread = 0.0;
  for (const auto& p : points) spread = std::max(spread, (p - y).norm());
  if (!(spread > 0.0)) return y;
  const double tiny = 1e-15 * spread;
  for (int it = 0; it < max_iterations; ++it) {
    Eigen::Vector3d num = Eigen::Vector3d::Zero();
    Eigen::Vector3d r = Eigen::Vector3d::Zero();
    double den = 0.0;
    int coincident = 0;
    for (const auto& p : points) {
      const double d = (p - y).norm();
      if (d <= tiny) {
        ++coincident;
        continue;
      }
      num += p / d;
      den += 1.0 / d;
      r += (p - y) / d;
    }
    if (!(den > 0.0)) break;
    Eigen::Vector3d next = num / den;
    if (coincident > 0) {
      // Vardi-Zhang: y is optimal if |r| <= coincident; else move partway.
      const double rn = r.norm();
      if (rn <= coincident) break;
      const double gamma = std::min(1.0, coincident / rn);
      next = (1.0 - gamma) * next + gamma * y;
    }
    const double step = (next - y).norm();
    y = next;
    if (step <= 1e-12 * spread) break;
  }
  return y;
}

}  // namespace crossview::triangulation
