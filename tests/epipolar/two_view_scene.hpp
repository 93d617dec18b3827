// Seeded synthetic two-view scenes for the robust epipolar tests and benchmarks.
#pragma once

#include <crossview/camera/camera.hpp>
#include <crossview/core/points.hpp>
#include <crossview_test/points.hpp>
#include <crossview_test/random.hpp>

#include <Eigen/Core>

#include <vector>

namespace crossview_test {

struct TwoViewScene {
  crossview::camera::Camera camera1, camera2;
  crossview::camera::Rigid3d cam2_from_cam1;  ///< |t| = 1 (unit baseline).
  crossview::Points2d points1_px, points2_px;  ///< 2 x N, noisy, with outliers.
  std::vector<char> is_inlier;
  crossview::Points2d clean1_px, clean2_px;  ///< Noise-free projections (all points).
  Eigen::Matrix3d E_true, F_true;  ///< x2^T F x1 = 0 on pixels, unit Frobenius norm.
};

struct TwoViewSceneOptions {
  int num_points = 1000;
  double outlier_ratio = 0.5;
  double noise_px = 0.5;
  double focal_px = 1000.0;
  double baseline = 1.0;  ///< 0 = pure rotation (t is then reported as 0).
  bool planar = false;    ///< All points on one (tilted) plane.
  int num_off_plane = 0;  ///< With planar: this many inliers off the plane.
};

inline Eigen::Matrix3d skew_matrix(const Eigen::Vector3d& v) {
  Eigen::Matrix3d m;
  m << 0.0, -v.z(), v.y(), v.z(), 0.0, -v.x(), -v.y(), v.x(), 0.0;
  return m;
}

/// Camera 1 at the origin (world = cam1), points filling image 1 (depth 3..9), camera 2
/// at a random position `baseline` away looking at the point cloud's centre.
inline TwoViewScene make_two_view_scene(std::uint64_t seed, const TwoViewSceneOptions& o = {}) {
  using crossview::camera::Camera;
  Rng rng(seed);
  TwoViewScene s;
  const double f = o.focal_px;
  s.camera1 = Camera::pinhole(f, f, 640.0, 480.0, 1280, 960);
  s.camera2 = Camera::pinhole(f * 1.05, f * 1.05, 630.0, 470.0, 1280, 960);
  const Eigen::Vector3d target(rng.uniform(-0.3, 0.3), rng.uniform(-0.3, 0.3), 6.0);
  Eigen::Vector3d dir = rng.unit_vector();
  dir.z() *= 0.3;  // mostly sideways motion
  const Eigen::Vector3d c2 = o.baseline * dir.normalized();
  s.cam2_from_cam1 = look_at(c2, target, -Eigen::Vector3d::UnitY());
  if (o.baseline == 0.0) {
    // Pure rotation about the camera centre.
    s.cam2_from_cam1.translation.setZero();
  }
  const Eigen::Matrix3d R = s.cam2_from_cam1.rotation_matrix();
  const Eigen::Vector3d t = s.cam2_from_cam1.translation;
  s.E_true = skew_matrix(t) * R;
  const Eigen::Matrix3d K1 = s.camera1.calibration_matrix(), K2 = s.camera2.calibration_matrix();
  s.F_true = K2.inverse().transpose() * s.E_true * K1.inverse();
  if (s.F_true.norm() > 0) s.F_true /= s.F_true.norm();
  // Plane through the target with a random tilt.
  Eigen::Vector3d plane_n(rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5), 1.0);
  plane_n.normalize();
  const int num_outliers = static_cast<int>(o.outlier_ratio * o.num_points + 0.5);
  std::vector<Eigen::Vector2d> points1_px, points2_px, clean1_px, clean2_px;
  int made = 0;
  while (made < o.num_points) {
    // A pixel uniform in image 1 at a depth uniform in [3, 9].
    const Eigen::Vector2d u(rng.uniform(0.0, 1279.0), rng.uniform(0.0, 959.0));
    const double depth = rng.uniform(3.0, 9.0);
    Eigen::Vector3d X(depth * (u.x() - 640.0) / f, depth * (u.y() - 480.0) / f, depth);
    const bool on_plane = o.planar && made >= o.num_off_plane;
    if (on_plane) {
      // Move X along z onto the plane n . (X - target) = 0.
      // Intersect the ray of pixel u with the plane n . (X - target) = 0.
      const Eigen::Vector3d ray((u.x() - 640.0) / f, (u.y() - 480.0) / f, 1.0);
      X = ray * (plane_n.dot(target) / plane_n.dot(ray));
    }
    Eigen::Vector2d p1, p2;
    if (s.camera1.project(X, &p1) != crossview::camera::ProjectionStatus::kSuccess) continue;
    if (s.camera2.project(s.cam2_from_cam1 * X, &p2) != crossview::camera::ProjectionStatus::kSuccess)
      continue;
    if (!s.camera1.is_in_image(p1) || !s.camera2.is_in_image(p2)) continue;
    clean1_px.push_back(p1);
    clean2_px.push_back(p2);
    p1 += Eigen::Vector2d(rng.normal(o.noise_px), rng.normal(o.noise_px));
    p2 += Eigen::Vector2d(rng.normal(o.noise_px), rng.normal(o.noise_px));
    points1_px.push_back(p1);
    points2_px.push_back(p2);
    s.is_inlier.push_back(1);
    ++made;
  }
  // Outliers: the second point replaced by a random pixel, at random positions.
  for (int k = 0; k < num_outliers; ++k) {
    int i;
    do {
      i = rng.integer(0, o.num_points - 1);
    } while (!s.is_inlier[i]);
    points2_px[i] = Eigen::Vector2d(rng.uniform(0.0, 1279.0), rng.uniform(0.0, 959.0));
    s.is_inlier[i] = 0;
  }
  s.points1_px = to_points(points1_px);
  s.points2_px = to_points(points2_px);
  s.clean1_px = to_points(clean1_px);
  s.clean2_px = to_points(clean2_px);
  return s;
}

/// Angle (deg) between two rotations, and between two directions (sign-aware).
inline double rotation_error_deg(const Eigen::Matrix3d& a, const Eigen::Matrix3d& b) {
  return crossview::camera::rotation_angle_between(a, b) * 180.0 / M_PI;
}
inline double direction_error_deg(const Eigen::Vector3d& a, const Eigen::Vector3d& b) {
  const double c = std::clamp(a.normalized().dot(b.normalized()), -1.0, 1.0);
  return std::atan2(a.normalized().cross(b.normalized()).norm(), c) * 180.0 / M_PI;
}

}  // namespace crossview_test

namespace crossview_test {
/// RMS Sampson error (px) of the noise-free inlier correspondences w.r.t. F.
inline double clean_epipolar_rms_px(const TwoViewScene& s, const Eigen::Matrix3d& F) {
  double sum = 0.0;
  int n = 0;
  for (Eigen::Index i = 0; i < s.clean1_px.cols(); ++i) {
    if (!s.is_inlier[static_cast<std::size_t>(i)]) continue;
    const Eigen::Vector3d l2 = F * s.clean1_px.col(i).homogeneous();
    const Eigen::Vector3d l1 = F.transpose() * s.clean2_px.col(i).homogeneous();
    const double c = s.clean2_px.col(i).homogeneous().dot(l2);
    sum += c * c / (l2.head<2>().squaredNorm() + l1.head<2>().squaredNorm());
    ++n;
  }
  return std::sqrt(sum / std::max(n, 1));
}
}  // namespace crossview_test
