// crossview: relative pose from an essential matrix; see
// include/crossview/epipolar/pose.hpp for the documentation.
#include <crossview/epipolar/pose.hpp>

#include "internal.hpp"

#include <Eigen/SVD>

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace crossview::epipolar {

void decompose_essential(const Eigen::Matrix3d& E,
                         std::array<camera::Rigid3d, 4>* cam2_from_cam1_candidates) {
  Eigen::JacobiSVD<Eigen::Matrix3d> svd(E, Eigen::ComputeFullU | Eigen::ComputeFullV);
  Eigen::Matrix3d U = svd.matrixU();
  Eigen::Matrix3d V = svd.matrixV();
  if (U.determinant() < 0.0) U.col(2) *= -1.0;
  if (V.determinant() < 0.0) V.col(2) *= -1.0;
  Eigen::Matrix3d W;
  W << 0.0, -1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0;
  const Eigen::Matrix3d R1 = U * W * V.transpose();
  const Eigen::Matrix3d R2 = U * W.transpose() * V.transpose();
  const Eigen::Vector3d t = U.col(2).normalized();
  auto& c = *cam2_from_cam1_candidates;
  c[0] = camera::Rigid3d::from_matrix(R1, t);
  c[1] = camera::Rigid3d::from_matrix(R1, -t);
  c[2] = camera::Rigid3d::from_matrix(R2, t);
  c[3] = camera::Rigid3d::from_matrix(R2, -t);
}

namespace detail {

bool triangulate_depths(const Eigen::Matrix3d& R, const Eigen::Vector3d& t,
                        const Eigen::Vector3d& x1, const Eigen::Vector3d& x2, double* d1,
                        double* d2) {
  const Eigen::Vector3d a = R * x1;
  // Normal equations of [a, -x2] [d1; d2] = -t.
  const double aa = a.dot(a);
  const double ab = a.dot(x2);
  const double bb = x2.dot(x2);
  const double det = aa * bb - ab * ab;
  constexpr double kParallelTolerance = 1e-14;
  if (!(det > kParallelTolerance * aa * bb)) return false;
  const double at = a.dot(t);
  const double bt = x2.dot(t);
  *d1 = (-bb * at + ab * bt) / det;
  *d2 = (ab * -at + aa * bt) / det;
  return std::isfinite(*d1) && std::isfinite(*d2);
}

}  // namespace detail

void RecoverPoseOptions::validate() const {
  auto fail = [](const std::string& what) { throw std::invalid_argument("RecoverPoseOptions: " + what); };
  if (!(max_depth_in_baselines > 0.0)) fail("max_depth_in_baselines must be > 0");
  if (!(min_triangulation_angle_deg >= 0.0 && min_triangulation_angle_deg < 90.0))
    fail("min_triangulation_angle_deg must be in [0, 90)");
  if (!(max_low_parallax_fraction > 0.0 && max_low_parallax_fraction <= 1.0))
    fail("max_low_parallax_fraction must be in (0, 1]");
  if (!(min_in_front_fraction >= 0.0 && min_in_front_fraction <= 1.0))
    fail("min_in_front_fraction must be in [0, 1]");
  if (!(ambiguity_ratio > 0.0 && ambiguity_ratio <= 1.0)) fail("ambiguity_ratio must be in (0, 1]");
  if (!(rank_tolerance > 0.0 && rank_tolerance < 1.0)) fail("rank_tolerance must be in (0, 1)");
  if (!(equal_singular_values_tolerance > 0.0 && equal_singular_values_tolerance < 1.0))
    fail("equal_singular_values_tolerance must be in (0, 1)");
}

namespace detail {

RecoverPoseResult recover_pose(const Eigen::Matrix3d& E, const Eigen::Vector2d* normalized1,
                               const Eigen::Vector2d* normalized2, int n, const RecoverPoseOptions& options) {
  RecoverPoseResult result;
  result.in_front_mask.assign(n, 0);
  if (n == 0) {
    result.message = "no points";
    return result;
  }
  if (!E.allFinite()) {
    result.message = "E has NaN/Inf entries";
    return result;
  }
  for (int i = 0; i < n; ++i) {
    if (!normalized1[i].allFinite() || !normalized2[i].allFinite()) {
      result.message = "point " + std::to_string(i) + " has NaN/Inf coordinates";
      return result;
    }
  }
  const Eigen::Vector3d s = E.jacobiSvd().singularValues();
  if (!(s(0) > 0.0) || s(2) > options.rank_tolerance * s(0) ||
      std::abs(s(0) - s(1)) > options.equal_singular_values_tolerance * s(0)) {
    result.status = RecoverPoseStatus::kDegenerateEssential;
    result.message = "E is not an essential matrix (singular values " + std::to_string(s(0)) + ", " +
                     std::to_string(s(1)) + ", " + std::to_string(s(2)) + ")";
    return result;
  }
  std::array<camera::Rigid3d, 4> candidates;
  decompose_essential(E, &candidates);
  std::array<int, 4> counts{};
  std::array<Eigen::Matrix3d, 4> rotations;
  for (int c = 0; c < 4; ++c) rotations[c] = candidates[c].rotation_matrix();
  for (int c = 0; c < 4; ++c) {
    const Eigen::Vector3d& t = candidates[c].translation;
    for (int i = 0; i < n; ++i) {
      double d1 = 0.0;
      double d2 = 0.0;
      if (!detail::triangulate_depths(rotations[c], t, normalized1[i].homogeneous(),
                                      normalized2[i].homogeneous(), &d1, &d2)) {
        continue;
      }
      if (d1 > 0.0 && d2 > 0.0 && d1 < options.max_depth_in_baselines &&
          d2 < options.max_depth_in_baselines) {
        ++counts[c];
      }
    }
  }
  int best = 0;
  for (int c = 1; c < 4; ++c) {
    if (counts[c] > counts[best]) best = c;
  }
  int second = 0;
  for (int c = 0; c < 4; ++c) {
    if (c != best) second = std::max(second, counts[c]);
  }
  result.best_candidate = best;
  result.cam2_from_cam1 = candidates[best];
  result.num_in_front = counts[best];
  result.second_best_in_front = second;
  // Mask and triangulation angles of the winner.
  std::vector<double> angles;
  angles.reserve(n);
  const Eigen::Matrix3d& R = rotations[best];
  const Eigen::Vector3d& t = candidates[best].translation;
  int low_parallax = 0;
  for (int i = 0; i < n; ++i) {
    const Eigen::Vector3d x1 = normalized1[i].homogeneous();
    const Eigen::Vector3d x2 = normalized2[i].homogeneous();
    double d1 = 0.0;
    double d2 = 0.0;
    const bool ok = detail::triangulate_depths(R, t, x1, x2, &d1, &d2);
    if (ok && d1 > 0.0 && d2 > 0.0 && d1 < options.max_depth_in_baselines &&
        d2 < options.max_depth_in_baselines) {
      result.in_front_mask[i] = 1;
      // Angle at the point between the rays from the two centres (camera-2 frame).
      const Eigen::Vector3d point_in_cam2 = R * (d1 * x1) + t;
      const Eigen::Vector3d ray1 = point_in_cam2 - t;  // from centre 1 (at t)
      const double cos_angle = ray1.dot(point_in_cam2) / (ray1.norm() * point_in_cam2.norm());
      const double angle = std::acos(std::clamp(cos_angle, -1.0, 1.0)) * (180.0 / 3.14159265358979323846);
      angles.push_back(angle);
      if (angle < options.min_triangulation_angle_deg) ++low_parallax;
    }
  }
  if (!angles.empty()) {
    std::nth_element(angles.begin(), angles.begin() + angles.size() / 2, angles.end());
    result.median_triangulation_angle_deg = angles[angles.size() / 2];
  }
  // Parallax from the ray directions alone (angle between R x1 and x2), valid even when
  // every point is beyond max_depth (pure rotation): use the winner's rotation, or, if
  // no candidate has a point in front, the rotation with the smaller angles.
  auto count_low_parallax = [&](const Eigen::Matrix3d& Rc) {
    int low = 0;
    const double cos_threshold = std::cos(options.min_triangulation_angle_deg * (3.14159265358979323846 / 180.0));
    for (int i = 0; i < n; ++i) {
      const Eigen::Vector3d a = Rc * normalized1[i].homogeneous();
      const Eigen::Vector3d b = normalized2[i].homogeneous();
      if (a.dot(b) / (a.norm() * b.norm()) > cos_threshold) ++low;
    }
    return low;
  };
  int low_parallax_rays = count_low_parallax(R);
  if (counts[best] == 0) {
    const int other = (best < 2) ? 2 : 0;
    const int low_other = count_low_parallax(rotations[other]);
    if (low_other > low_parallax_rays) {
      low_parallax_rays = low_other;
      result.best_candidate = other;
      result.cam2_from_cam1 = candidates[other];
    }
  }
  if (low_parallax_rays > options.max_low_parallax_fraction * n) {
    low_parallax = std::max(low_parallax, low_parallax_rays);
  }
  const bool is_low_parallax = low_parallax_rays > options.max_low_parallax_fraction * n ||
                               (counts[best] > 0 && low_parallax > options.max_low_parallax_fraction * counts[best]);
  const std::string counts_text = std::to_string(counts[best]) + " of " + std::to_string(n) +
                                  " points in front (runner-up " + std::to_string(second) + ")";
  if (is_low_parallax) {
    result.status = RecoverPoseStatus::kLowParallax;
    result.message = "low parallax (pure rotation?): median triangulation angle " +
                     std::to_string(result.median_triangulation_angle_deg) + " deg; " + counts_text;
  } else if (counts[best] < options.min_in_front_fraction * n || counts[best] == 0) {
    result.status = RecoverPoseStatus::kTooFewInFront;
    result.message = "too few points in front of both cameras: " + counts_text;
  } else if (second >= options.ambiguity_ratio * counts[best]) {
    result.status = RecoverPoseStatus::kAmbiguous;
    result.message = "ambiguous: " + counts_text;
  } else {
    result.status = RecoverPoseStatus::kSuccess;
    result.message = counts_text;
  }
  return result;
}

}  // namespace detail

RecoverPoseResult recover_pose(const Eigen::Matrix3d& E, const ConstPointsRef& normalized1,
                               const ConstPointsRef& normalized2, const RecoverPoseOptions& options) {
  options.validate();
  require_points(normalized1, 2, "recover_pose: normalized1");
  require_points(normalized2, 2, "recover_pose: normalized2", normalized1.cols());
  std::vector<Eigen::Vector2d> x1(static_cast<std::size_t>(normalized1.cols()));
  std::vector<Eigen::Vector2d> x2(x1.size());
  detail::copy_columns(normalized1, x1.data());
  detail::copy_columns(normalized2, x2.data());
  return detail::recover_pose(E, x1.data(), x2.data(), static_cast<int>(x1.size()), options);
}

}  // namespace crossview::epipolar
