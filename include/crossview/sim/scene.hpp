// crossview: a procedural multi-camera scene with a moving person, for demos,
// examples, tests and benchmarks that need a known answer.
//
// Units: millimetres; world frame Z-up, the person moves on the floor (Z = 0).
// Joints: the 17-joint Human3.6M order (pose::h36m, pose::human36m_17())
//   0 root(pelvis) 1 rhip 2 rkne 3 rank 4 lhip 5 lkne 6 lank 7 belly 8 neck
//   9 nose 10 head 11 lsho 12 lelb 13 lwri 14 rsho 15 relb 16 rwri
// Layout (docs/conventions.md#array-layouts): a pose is 3 x 17, the sequence is
// packed 3 x (F*17) (column f*17 + j); one frame's detections are packed
// view-major 2 x (V*17) (column v*17 + j) with V*17 scores, the input of
// triangulation::triangulate_skeleton.
// Cameras: OpenCV radial-tangential model, cam_from_world extrinsics, looking
// at the capture volume from a ring around it.
// Detections: pixel = projection + Gaussian noise; some joints missed (NaN,
// confidence 0); some replaced by gross outliers. Everything is seeded.
//
// Definitions: src/sim/scene.cpp.
#pragma once

#include <crossview/camera/camera.hpp>
#include <crossview/core/points.hpp>
#include <crossview/pose/skeleton.hpp>

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace crossview::sim {

struct MotionOptions {
  double walk_radius_mm = 900.0;     ///< The pelvis walks on a circle of this radius.
  double walk_speed_mm_s = 700.0;    ///< Tangential walking speed.
  double step_frequency_hz = 0.9;    ///< Gait cycles per second.
  double wave_frequency_hz = 1.3;    ///< Right-forearm waving frequency.
  double body_scale = 1.0;           ///< Multiplies every segment length (1 = ~1.75 m adult).
};

/// The procedural walking-and-waving person at time `t_seconds`: 3 x 17
/// (column j = joint j, pose::h36m order), mm, Z-up. Segment lengths are
/// constant over time (bone lengths hold exactly).
Points3d walking_pose(double t_seconds, const MotionOptions& motion = {});

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

/// The detections of one frame in every view, packed view-major.
struct FrameDetections {
  /// 2 x (V*17) pixels, column v*17 + j = joint j in view v; NaN for a missed joint.
  Points2d keypoints_px;
  /// V*17 confidences aligned with the columns; 0 for a missed joint.
  Eigen::VectorXd scores;
  /// V*17 flags aligned with the columns: 1 where the detection is a planted outlier.
  std::vector<char> is_outlier;
};

struct Scene {
  std::vector<camera::Camera> cameras;
  /// Ground truth of every frame packed 3 x (F*17), mm: column f*17 + j.
  Points3d poses_in_world;
  /// detections[frame]: every view's 2D joints, packed view-major.
  std::vector<FrameDetections> detections;

  int num_frames() const { return static_cast<int>(detections.size()); }
  int num_views() const { return static_cast<int>(cameras.size()); }
  /// The 3 x 17 ground truth of frame f (a view into poses_in_world).
  Eigen::Block<const Points3d, 3, Eigen::Dynamic, true> pose(int f) const {
    return poses_in_world.middleCols(static_cast<Eigen::Index>(f) * pose::h36m::kNumJoints, pose::h36m::kNumJoints);
  }
};

/// A ring of cameras looking at the capture volume centre (0, 0, 900 mm).
std::vector<camera::Camera> make_camera_ring(const SceneOptions& options);

/// The full scene: cameras, ground-truth poses and noisy detections.
Scene make_scene(const SceneOptions& options = {});

}  // namespace crossview::sim
