// Test helpers: seeded random numbers and real-data paths.
#pragma once

#include <crossview/camera/camera.hpp>

#include <Eigen/Core>

#include <random>
#include <string>

namespace crossview_test {

/// Path to a file under ../shared/data (set by CMake).
inline std::string shared_data(const std::string& relative) {
  return std::string(CROSSVIEW_SHARED_DATA_DIR) + "/" + relative;
}

/// A small seeded RNG wrapper; tests print their seed through Catch's INFO.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}
  double uniform(double lo = 0.0, double hi = 1.0) {
    return std::uniform_real_distribution<double>(lo, hi)(engine_);
  }
  double normal(double sigma = 1.0) { return std::normal_distribution<double>(0.0, sigma)(engine_); }
  int integer(int lo, int hi_inclusive) {
    return std::uniform_int_distribution<int>(lo, hi_inclusive)(engine_);
  }
  Eigen::Vector3d unit_vector() {
    Eigen::Vector3d v(normal(), normal(), normal());
    return v.normalized();
  }
  /// Uniformly distributed rotation (via a random unit quaternion).
  Eigen::Quaterniond rotation() {
    Eigen::Quaterniond q(normal(), normal(), normal(), normal());
    return q.normalized();
  }
  std::mt19937_64& engine() { return engine_; }

 private:
  std::mt19937_64 engine_;
};

/// A camera at `center_in_world` looking at `target_in_world` (y axis of the
/// image roughly along -up).
inline crossview::camera::Rigid3d look_at(const Eigen::Vector3d& center_in_world,
                                          const Eigen::Vector3d& target_in_world,
                                          const Eigen::Vector3d& up = Eigen::Vector3d::UnitZ()) {
  const Eigen::Vector3d z = (target_in_world - center_in_world).normalized();
  Eigen::Vector3d x = z.cross(up);  // so that the image y axis points down (-up)
  if (x.norm() < 1e-9) x = z.unitOrthogonal();
  x.normalize();
  const Eigen::Vector3d y = z.cross(x);
  Eigen::Matrix3d R;  // rows: camera axes in world
  R.row(0) = x.transpose();
  R.row(1) = y.transpose();
  R.row(2) = z.transpose();
  return crossview::camera::Rigid3d::from_matrix(R, -R * center_in_world);
}

}  // namespace crossview_test
