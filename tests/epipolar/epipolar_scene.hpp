// Seeded synthetic two-view scenes for the epipolar tests and benchmarks.
#pragma once

#include <crossview/camera/rigid3.hpp>
#include <crossview/core/points.hpp>
#include <crossview_test/points.hpp>
#include <crossview_test/random.hpp>

#include <Eigen/Core>

#include <vector>

namespace crossview_test {

inline Eigen::Matrix3d skew(const Eigen::Vector3d& v) {
  Eigen::Matrix3d m;
  m << 0, -v.z(), v.y(), v.z(), 0, -v.x(), -v.y(), v.x(), 0;
  return m;
}

/// Distance between two matrices up to scale and sign (both scaled to unit Frobenius
/// norm): min(|A/|A| - B/|B||, |A/|A| + B/|B||).
inline double distance_up_to_scale(const Eigen::Matrix3d& a, const Eigen::Matrix3d& b) {
  const Eigen::Matrix3d an = a / a.norm();
  const Eigen::Matrix3d bn = b / b.norm();
  return std::min((an - bn).norm(), (an + bn).norm());
}

struct TwoViewScene {
  crossview::camera::Rigid3d cam2_from_cam1;
  Eigen::Matrix3d K1 = Eigen::Matrix3d::Identity();
  Eigen::Matrix3d K2 = Eigen::Matrix3d::Identity();
  // Point sets in the library's layout: column i = point i.
  crossview::Points3d points_in_cam1;
  crossview::Points2d normalized1, normalized2;  // (x/z, y/z)
  crossview::Points3d bearings1, bearings2;      // unit rays
  crossview::Points2d pixels1, pixels2;
  Eigen::Matrix3d E() const {
    return skew(cam2_from_cam1.translation) * cam2_from_cam1.rotation_matrix();
  }
  Eigen::Matrix3d F() const { return K2.transpose().inverse() * E() * K1.inverse(); }
};

struct SceneOptions {
  int num_points = 100;
  double max_rotation_rad = 0.5;
  double baseline = 1.0;
  double min_depth = 4.0, max_depth = 8.0;
  double half_width = 2.0;  // points spread in x, y (cam1 frame)
  double focal1 = 1000.0, focal2 = 1000.0;
  double pixel_noise = 0.0;
  bool forward_motion = false;  // translation mostly along z
};

/// Points in front of both cameras; camera 1 at the origin, camera 2 = random rotation
/// (angle <= max_rotation_rad) and translation of norm `baseline`. K: f, (640, 480).
inline TwoViewScene make_two_view_scene(Rng& rng, const SceneOptions& options = {}) {
  TwoViewScene scene;
  const Eigen::Vector3d axis = rng.unit_vector();
  const double angle = rng.uniform(0.0, options.max_rotation_rad);
  Eigen::Vector3d t = rng.unit_vector();
  if (options.forward_motion) t = (Eigen::Vector3d(0, 0, 1) + 0.2 * rng.unit_vector()).normalized();
  scene.cam2_from_cam1 = crossview::camera::Rigid3d::from_angle_axis(angle * axis, options.baseline * t);
  scene.K1 << options.focal1, 0, 640, 0, options.focal1, 480, 0, 0, 1;
  scene.K2 << options.focal2, 0, 620, 0, options.focal2, 500, 0, 0, 1;
  std::vector<Eigen::Vector3d> points, b1, b2;
  std::vector<Eigen::Vector2d> n1s, n2s, p1s, p2s;
  while (static_cast<int>(points.size()) < options.num_points) {
    const Eigen::Vector3d X(rng.uniform(-options.half_width, options.half_width),
                            rng.uniform(-options.half_width, options.half_width),
                            rng.uniform(options.min_depth, options.max_depth));
    const Eigen::Vector3d X2 = scene.cam2_from_cam1 * X;
    if (X2.z() < 0.5) continue;
    points.push_back(X);
    Eigen::Vector2d n1 = X.hnormalized();
    Eigen::Vector2d n2 = X2.hnormalized();
    Eigen::Vector2d p1 = (scene.K1 * n1.homogeneous()).hnormalized();
    Eigen::Vector2d p2 = (scene.K2 * n2.homogeneous()).hnormalized();
    if (options.pixel_noise > 0.0) {
      p1 += Eigen::Vector2d(rng.normal(options.pixel_noise), rng.normal(options.pixel_noise));
      p2 += Eigen::Vector2d(rng.normal(options.pixel_noise), rng.normal(options.pixel_noise));
      n1 = (scene.K1.inverse() * p1.homogeneous()).hnormalized();
      n2 = (scene.K2.inverse() * p2.homogeneous()).hnormalized();
    }
    p1s.push_back(p1);
    p2s.push_back(p2);
    n1s.push_back(n1);
    n2s.push_back(n2);
    b1.push_back(n1.homogeneous().normalized());
    b2.push_back(n2.homogeneous().normalized());
  }
  scene.points_in_cam1 = to_points(points);
  scene.pixels1 = to_points(p1s);
  scene.pixels2 = to_points(p2s);
  scene.normalized1 = to_points(n1s);
  scene.normalized2 = to_points(n2s);
  scene.bearings1 = to_points(b1);
  scene.bearings2 = to_points(b2);
  return scene;
}

}  // namespace crossview_test
