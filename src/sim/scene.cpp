// crossview: the procedural multi-camera scene (see scene.hpp).
#include <crossview/sim/scene.hpp>

#include <crossview/camera/camera.hpp>

#include <Eigen/Core>
#include <Eigen/Geometry>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace crossview::sim {

Points3d walking_pose(double t_seconds, const MotionOptions& motion) {
  constexpr double kPi = 3.14159265358979323846;
  const double s = motion.body_scale;
  const double angle = motion.walk_speed_mm_s * t_seconds / motion.walk_radius_mm;
  const Eigen::Vector3d up = Eigen::Vector3d::UnitZ();
  const Eigen::Vector3d centre(motion.walk_radius_mm * std::cos(angle),
                               motion.walk_radius_mm * std::sin(angle), 0.0);
  const Eigen::Vector3d forward(-std::sin(angle), std::cos(angle), 0.0);  // counter-clockwise
  const Eigen::Vector3d right = forward.cross(up);
  const double phase = 2.0 * kPi * motion.step_frequency_hz * t_seconds;
  const double swing = 0.45 * std::sin(phase);  // rad, left leg forward when > 0

  Points3d pose(3, pose::h36m::kNumJoints);
  auto set = [&pose](int j, const Eigen::Vector3d& p) { pose.col(j) = p; };
  auto limb = [&](const Eigen::Vector3d& a, const Eigen::Vector3d& b, double theta) {
    // Unit direction rotated from -b towards a by theta.
    return Eigen::Vector3d(-b * std::cos(theta) + a * std::sin(theta));
  };
  const Eigen::Vector3d root = centre + up * s * (930.0 + 15.0 * std::cos(2.0 * phase));
  set(0, root);
  const double thigh = 440.0 * s, shin = 430.0 * s;
  for (int side = 0; side < 2; ++side) {  // 0 right, 1 left
    const double a = side == 0 ? -swing : swing;
    const double knee_flex = 0.15 + 0.55 * std::max(0.0, std::sin(phase + (side == 0 ? kPi : 0.0) + 1.2));
    const Eigen::Vector3d hip = root + right * ((side == 0 ? 1.0 : -1.0) * 125.0 * s);
    const Eigen::Vector3d knee = hip + thigh * limb(forward, up, a);
    const Eigen::Vector3d ankle = knee + shin * limb(forward, up, a - knee_flex);
    set(side == 0 ? 1 : 4, hip);
    set(side == 0 ? 2 : 5, knee);
    set(side == 0 ? 3 : 6, ankle);
  }
  const Eigen::Vector3d belly = root + s * (up * 230.0 + forward * 15.0);
  const Eigen::Vector3d neck = belly + s * (up * 250.0 + forward * 10.0);
  const Eigen::Vector3d nose = neck + s * (up * 95.0 + forward * 85.0);
  const Eigen::Vector3d head = nose + s * (up * 120.0 - forward * 40.0);
  set(7, belly);
  set(8, neck);
  set(9, nose);
  set(10, head);
  // Left arm swings against the left leg; the right arm waves above the shoulder.
  const double upper = 280.0 * s, fore = 250.0 * s;
  const Eigen::Vector3d lsho = neck + s * (-right * 165.0 - up * 25.0);
  const Eigen::Vector3d lelb = lsho + upper * limb(forward, up, -0.7 * swing);
  const Eigen::Vector3d lwri = lelb + fore * limb(forward, up, -0.7 * swing + 0.35);
  set(11, lsho);
  set(12, lelb);
  set(13, lwri);
  const Eigen::Vector3d rsho = neck + s * (right * 165.0 - up * 25.0);
  const double raise = 2.4;  // upper arm ~137 deg from hanging, out to the side
  const double wave = 0.45 * std::sin(2.0 * kPi * motion.wave_frequency_hz * t_seconds);
  const Eigen::Vector3d relb = rsho + upper * limb(right, up, raise);
  const Eigen::Vector3d rwri = relb + fore * limb(right, up, raise + 0.5 + wave);
  set(14, rsho);
  set(15, relb);
  set(16, rwri);
  return pose;
}

void SceneOptions::validate() const {
  auto fail = [](const std::string& what) { throw std::invalid_argument("SceneOptions: " + what); };
  if (num_cameras < 2) fail("num_cameras must be >= 2");
  if (num_frames < 1) fail("num_frames must be >= 1");
  if (!(fps > 0.0)) fail("fps must be > 0");
  if (image_width < 16 || image_height < 16) fail("image_width and image_height must be >= 16");
  if (!(focal_px > 0.0)) fail("focal_px must be > 0");
  if (!(camera_ring_radius_mm > 1500.0)) fail("camera_ring_radius_mm must be > 1500");
  if (!(noise_px >= 0.0)) fail("noise_px must be >= 0");
  if (!(missing_rate >= 0.0 && missing_rate < 1.0)) fail("missing_rate must be in [0, 1)");
  if (!(outlier_rate >= 0.0 && outlier_rate < 1.0)) fail("outlier_rate must be in [0, 1)");
  if (!(outlier_radius_px > 0.0)) fail("outlier_radius_px must be > 0");
}

std::vector<camera::Camera> make_camera_ring(const SceneOptions& options) {
  options.validate();
  constexpr double kPi = 3.14159265358979323846;
  std::mt19937_64 rng(options.seed ^ 0x9E3779B97F4A7C15ull);
  std::uniform_real_distribution<double> jitter(-1.0, 1.0);
  std::vector<camera::Camera> cameras;
  for (int c = 0; c < options.num_cameras; ++c) {
    const double azimuth = 2.0 * kPi * c / options.num_cameras + 0.35 + 0.1 * jitter(rng);
    const double radius = options.camera_ring_radius_mm * (1.0 + 0.08 * jitter(rng));
    const Eigen::Vector3d centre(radius * std::cos(azimuth), radius * std::sin(azimuth),
                                 options.camera_height_mm + 300.0 * jitter(rng));
    const Eigen::Vector3d target(0.0, 0.0, 900.0);
    const Eigen::Vector3d z = (target - centre).normalized();
    const Eigen::Vector3d x = z.cross(Eigen::Vector3d::UnitZ()).normalized();  // image y points down
    const Eigen::Vector3d y = z.cross(x);
    Eigen::Matrix3d R;
    R.row(0) = x.transpose();
    R.row(1) = y.transpose();
    R.row(2) = z.transpose();
    const double f = options.focal_px * (1.0 + 0.03 * jitter(rng));
    Eigen::VectorXd params(9);
    params << f, f * (1.0 + 0.002 * jitter(rng)), 0.5 * options.image_width + 8.0 * jitter(rng),
        0.5 * options.image_height + 8.0 * jitter(rng), 0.0, 0.0, 0.0, 0.0, 0.0;
    if (options.distortion) {
      params.tail<5>() << -0.12 + 0.03 * jitter(rng), 0.09 + 0.02 * jitter(rng),
          0.0008 * jitter(rng), 0.0008 * jitter(rng), -0.01 * jitter(rng);
    }
    cameras.emplace_back(camera::CameraModel::kOpenCV, params, options.image_width,
                         options.image_height, camera::Rigid3d::from_matrix(R, -R * centre),
                         "cam" + std::to_string(c + 1));
  }
  return cameras;
}

Scene make_scene(const SceneOptions& options) {
  options.validate();
  Scene scene;
  scene.cameras = make_camera_ring(options);
  std::mt19937_64 rng(options.seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  constexpr int J = pose::h36m::kNumJoints;
  const int V = static_cast<int>(scene.cameras.size());
  scene.poses_in_world.resize(3, static_cast<Eigen::Index>(options.num_frames) * J);
  for (int f = 0; f < options.num_frames; ++f) {
    const Points3d pose = walking_pose(f / options.fps, options.motion);
    scene.poses_in_world.middleCols(static_cast<Eigen::Index>(f) * J, J) = pose;
    FrameDetections d;
    d.keypoints_px.resize(2, V * J);
    d.scores.resize(V * J);
    d.is_outlier.assign(static_cast<std::size_t>(V * J), 0);
    for (int v = 0; v < V; ++v) {
      const camera::Camera& cam = scene.cameras[static_cast<std::size_t>(v)];
      for (int j = 0; j < J; ++j) {
        const int column = v * J + j;
        Eigen::Vector2d px;
        const bool visible =
            cam.project(pose.col(j), &px) == camera::ProjectionStatus::kSuccess && cam.is_in_image(px);
        const double u_missing = unit(rng), u_outlier = unit(rng);
        const double nx = noise(rng), ny = noise(rng), angle = unit(rng), dist = unit(rng),
                     conf = unit(rng);
        if (!visible || u_missing < options.missing_rate) {
          d.keypoints_px.col(column) << nan, nan;
          d.scores(column) = 0.0;
          continue;
        }
        if (u_outlier < options.outlier_rate) {
          const double r = options.outlier_radius_px * std::sqrt(0.2 + 0.8 * dist);
          px += r * Eigen::Vector2d(std::cos(6.283185307179586 * angle), std::sin(6.283185307179586 * angle));
          d.keypoints_px.col(column) = px;
          d.scores(column) = 0.3 + 0.5 * conf;
          d.is_outlier[static_cast<std::size_t>(column)] = 1;
          continue;
        }
        d.keypoints_px.col(column) << px.x() + options.noise_px * nx, px.y() + options.noise_px * ny;
        d.scores(column) = 0.6 + 0.4 * conf;
      }
    }
    scene.detections.push_back(std::move(d));
  }
  return scene;
}

}  // namespace crossview::sim
