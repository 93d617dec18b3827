// crossview: a procedural multi-camera scene with a moving person, for demos,
// examples, tests and benchmarks that need a known answer.
//
// Units: millimetres; world frame Z-up, the person moves on the floor (Z = 0).
// Joints: the 17-joint Human3.6M order of the RPSM reference (pose::human36m_17())
//   0 root(pelvis) 1 rhip 2 rkne 3 rank 4 lhip 5 lkne 6 lank 7 belly 8 neck
//   9 nose 10 head 11 lsho 12 lelb 13 lwri 14 rsho 15 relb 16 rwri
// Cameras: OpenCV radial-tangential model, cam_from_world extrinsics, looking
// at the capture volume from a ring around it.
// Detections: pixel = projection + Gaussian noise; some joints missed (NaN,
// confidence 0); some replaced by gross outliers. Everything is seeded.
//
// Definitions: src/sim/scene.cpp.
#pragma once

#include <crossview/camera/camera.hpp>
#include <crossview/pose/skeleton.hpp>

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace crossview::sim {

constexpr int kNumH36MJoints = 17;

/// A pose: one row per joint, (X, Y, Z) in the world frame.
using Pose3d = Eigen::Matrix<double, Eigen::Dynamic, 3, Eigen::RowMajor>;
/// 2D keypoints of one view: one row per joint, (u, v, confidence); a missed
/// joint is (NaN, NaN, 0).
using Keypoints2d = Eigen::Matrix<double, Eigen::Dynamic, 3, Eigen::RowMajor>;

struct MotionOptions {
  double walk_radius_mm = 900.0;     ///< The pelvis walks on a circle of this radius.
  double walk_speed_mm_s = 700.0;    ///< Tangential walking speed.
  double step_frequency_hz = 0.9;    ///< Gait cycles per second.
  double wave_frequency_hz = 1.3;    ///< Right-forearm waving frequency.
  double body_scale = 1.0;           ///< Multiplies every segment length (1 = ~1.75 m adult).
};

/// The procedural walking-and-waving person at time `t_seconds`: 17 x 3, mm,
/// Z-up. Segment lengths are constant over time (bone lengths hold exactly).
Pose3d walking_pose(double t_seconds, const MotionOptions& motion = {});

struct SceneOptions {
  int num_cameras = 4;
  int num_frames = 60;
  double fps = 30.0;
  int image_width = 1920;
  int image_height = 1080;
  double focal_px = 1400.0;          ///< Mean focal length; each camera varies by a few %.
  bool distortion = true;            ///< Give cameras realistic radial-tangential distortion.
  double camera_ring_radius_mm = 4500.0;
  double camera_height_mm = 1900.0;  ///< Mean camera height above the floor.
  double noise_px = 1.5;             ///< Std-dev of the Gaussian 2D detection noise.
  double missing_rate = 0.04;        ///< Probability that a joint is not detected in a view.
  double outlier_rate = 0.03;        ///< Probability that a detection is a gross outlier.
  double outlier_radius_px = 250.0;  ///< Outliers land uniformly within this radius of the truth.
  MotionOptions motion;
  std::uint64_t seed = 1;

  /// Throws std::invalid_argument naming the first out-of-range option.
  void validate() const;
};

struct Scene {
  std::vector<camera::Camera> cameras;
  std::vector<Pose3d> poses_in_world;  ///< Ground truth per frame, mm.
  /// detections[frame][view]: 17 x (u, v, confidence) in pixels of that view.
  std::vector<std::vector<Keypoints2d>> detections;
  /// is_outlier[frame][view][joint]: true where the detection is a planted outlier.
  std::vector<std::vector<std::vector<char>>> is_outlier;
};

/// A ring of cameras looking at the capture volume centre (0, 0, 900 mm).
std::vector<camera::Camera> make_camera_ring(const SceneOptions& options);

/// The full scene: cameras, ground-truth poses and noisy detections.
Scene make_scene(const SceneOptions& options = {});

}  // namespace crossview::sim
