// Example: the relative pose of two calibrated cameras from point matches
// (5-point RANSAC on the cameras' normalized points, cheirality, refinement).
//
// Matches are synthesized here: random 3D points seen by two cameras with 0.5 px
// noise and 30% wrong matches. With your own data, pass the matched pixels
// (distorted, as detected) as two 2 x N matrices, column i of each being match i
// (numpy (N, 2) arrays map to them without a copy), and the two cameras' intrinsics.
#include <crossview/camera/camera.hpp>
#include <crossview/epipolar/estimate.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

int main() {
  using namespace crossview;
  constexpr double kPi = 3.14159265358979323846;
  const camera::Camera camera1 = camera::Camera::pinhole(1200, 1200, 960, 540, 1920, 1080);
  // Camera 2: 1 m to the right, turned 20 degrees towards camera 1's axis.
  const Eigen::Quaterniond q(Eigen::AngleAxisd(-20.0 * kPi / 180.0, Eigen::Vector3d::UnitY()));
  const camera::Rigid3d cam2_from_cam1(q, Eigen::Vector3d(-1.0, 0.0, 0.2));
  const camera::Camera camera2 = camera::Camera::pinhole(1100, 1100, 960, 540, 1920, 1080, cam2_from_cam1);

  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  std::normal_distribution<double> noise(0.0, 0.5);
  constexpr int kNumMatches = 400;
  Points2d points1_px(2, kNumMatches), points2_px(2, kNumMatches);  // column i = match i
  int n = 0;
  while (n < kNumMatches) {
    const Eigen::Vector3d X(1.5 * uniform(rng), 1.0 * uniform(rng), 5.0 + 1.5 * uniform(rng));
    Eigen::Vector2d p1, p2;
    if (camera1.project(X, &p1) != camera::ProjectionStatus::kSuccess ||
        camera2.project(X, &p2) != camera::ProjectionStatus::kSuccess) {
      continue;
    }
    if (n % 10 < 3) p2 = Eigen::Vector2d(960 + 900 * uniform(rng), 540 + 500 * uniform(rng));  // wrong match
    points1_px.col(n) = p1 + Eigen::Vector2d(noise(rng), noise(rng));
    points2_px.col(n) = p2 + Eigen::Vector2d(noise(rng), noise(rng));
    ++n;
  }

  epipolar::EssentialOptions options;
  options.max_error_px = 1.5;  // ~3 sigma of the detection noise
  options.ransac.seed = 1;     // deterministic
  const epipolar::EssentialResult r = epipolar::estimate_essential(points1_px, points2_px, camera1, camera2, options);
  if (!r.success()) {
    std::printf("no relative pose: %s\n", r.message.c_str());
    return 1;
  }
  const double rotation_error_deg =
      camera::rotation_angle_between(r.cam2_from_cam1.rotation_matrix(), cam2_from_cam1.rotation_matrix()) * 180.0 / kPi;
  const double direction_error_deg =
      std::acos(std::clamp(r.cam2_from_cam1.translation.dot(cam2_from_cam1.translation.normalized()), -1.0, 1.0)) *
      180.0 / kPi;
  std::printf("inliers %d of %d, in front of both cameras %d\n", r.num_inliers, kNumMatches, r.num_in_front);
  std::printf("rotation error %.3f deg, translation direction error %.3f deg (scale is not observable)\n",
              rotation_error_deg, direction_error_deg);
  return rotation_error_deg < 1.0 ? 0 : 1;
}
