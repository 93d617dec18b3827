// crossview: synthetic multi-person captures with known identities, for the
// tests and benchmarks of multi-person association and tracking.
//
// The simulator takes the people's 3D motions as input (e.g. CMU motion
// capture mapped to Human3.6M joints by crossview::io, which this core module
// does not depend on) and the cameras, and produces what a 2D detector would
// output in every view and frame: per view a packed 2 x (D*J) pixel matrix
// (column d*J + j) and D*J scores (docs/conventions.md#array-layouts), in a
// shuffled order, with the ground truth beside it.
//
// Detector effects, all seeded (MultiPersonOptions::seed):
//   * Gaussian pixel noise; independent joint misses;
//   * occlusion: a joint hidden behind another person's body from that
//     camera (bodies are capsules around the bones) is missed;
//   * a person is detected in a view only when enough joints are visible;
//   * false-positive people: a plausible pose projected into one view only,
//     a partial body cut by the image border, or a mirror image of a person
//     (a reflection);
//   * left/right swaps (every left/right pair of a detection exchanged) and
//     duplicates (the same person detected twice in one view).
// Units: those of the poses and cameras (the CMU-based tests use mm); the
// world is Z-up (heights and floor offsets are along Z).
//
// Failure modes: invalid options or inconsistent sizes throw
// std::invalid_argument naming the problem. Definitions:
// src/sim/multi_person.cpp.
#pragma once

#include <crossview/camera/camera.hpp>
#include <crossview/core/points.hpp>

#include <Eigen/Core>

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

namespace crossview::sim {

/// The body as capsules around its bones (for occlusion) and its left/right pairs.
struct BodyModel {
  /// parents[j] = parent joint of j (-1 for the root); bone j = (parents[j], j).
  std::vector<int> parents;
  /// Radius of bone j's capsule as a fraction of the person's height (root entry ignored).
  std::vector<double> radius_fraction;
  /// (left, right) joint pairs.
  std::vector<std::pair<int, int>> left_right_pairs;
  int num_joints() const { return static_cast<int>(parents.size()); }
};

/// The 17-joint Human3.6M body (pose::human36m_17() order).
BodyModel h36m_17_body();
/// The 25-joint OpenPose BODY_25 body (0 Nose, 1 Neck, 2-4 right arm, 5-7 left
/// arm, 8 MidHip, 9-11 right leg, 12-14 left leg, 15 REye, 16 LEye, 17 REar,
/// 18 LEar, 19 LBigToe, 20 LSmallToe, 21 LHeel, 22 RBigToe, 23 RSmallToe, 24 RHeel).
BodyModel body25_body();

/// BODY_25-like joints from Human3.6M-17 poses (3 x (F*17) -> 3 x (F*25)):
/// the 15 joints they share are copied, eyes and ears are placed on the head
/// and toes and heels on the feet from the body's orientation (Z up). A
/// synthetic stand-in for BODY_25 detections (same joint count and pairs).
Points3d body25_from_h36m_17(const ConstPointsRef& h36m_poses);

/// How a source clip becomes one person's motion in the scene.
struct MotionPlacement {
  double yaw_rad = 0.0;                           ///< rotation about Z (world origin)
  Eigen::Vector2d offset = Eigen::Vector2d::Zero();  ///< then translation in XY
  double scale = 1.0;         ///< body size about its floor point (> 0)
  double travel_scale = 1.0;  ///< scales the root's horizontal travel (>= 0)
  int first_source_frame = 0;  ///< scene frame 0 shows this source frame (>= 0)
  int source_stride = 1;       ///< source frames per scene frame (>= 1)
};

/// One person's motion over `num_frames` scene frames from a source clip
/// (3 x (S*J), Z-up, floor at z = 0): scene frame f shows source frame
/// first + f * stride, played back and forth when the clip ends; the body is
/// scaled about the floor point under the root joint, its travel relative to
/// the source's first shown frame by travel_scale, then rotated and moved.
/// Returns 3 x (num_frames * J).
Points3d place_motion(const ConstPointsRef& source, int num_joints, int num_frames,
                      const MotionPlacement& placement, int root_joint = 0);

struct ArrangeOptions {
  int num_people = 4;
  int num_frames = 300;
  /// People stay inside a square of this side centred on the origin (units of the sources).
  double area_side = 4000.0;
  /// The roots of two people stay at least this far apart in every frame.
  double min_separation = 600.0;
  /// Body scales, one per person (empty: all 1); e.g. {1.0, 1.1, 0.95, 0.72} puts a child among adults.
  std::vector<double> scales;
  int source_stride = 4;  ///< 120 Hz mocap -> 30 Hz scenes
  int max_attempts = 400;
  std::uint64_t seed = 1;
  void validate() const;
};

/// Places num_people motions (person i plays sources[i % sources.size()])
/// with random yaw, start frame and position such that everyone stays inside
/// the area and apart; when a person cannot be placed in max_attempts, its
/// travel is shrunk (x 0.7) and placement retried. Deterministic for a seed.
/// Throws std::invalid_argument when no placement exists even without travel.
std::vector<Points3d> arrange_people(const std::vector<Points3d>& sources, int num_joints,
                                     const ArrangeOptions& options);

struct MultiPersonOptions {
  double noise_px = 2.0;       ///< std-dev of the pixel noise per axis (>= 0)
  double missing_rate = 0.1;   ///< probability a visible joint is missed (in [0, 1))
  bool occlusion = true;       ///< joints behind another person's body are missed
  /// A person is detected in a view when at least this many joints are
  /// visible (in front, inside the image, not occluded, not missed) (>= 1).
  int min_visible_joints = 4;
  double score_min = 0.4, score_max = 1.0;  ///< detected joints' scores, uniform
  /// False-positive people per view and frame (exact count, >= 0), each a
  /// random kind: a plausible pose (one of the people's, in a random frame,
  /// turned at random) standing at a random place of the square 25 % larger
  /// than the people's area, projected into this view only; a partial body
  /// cut by the image border; or a mirror image of a detected person.
  int false_positives_per_view = 0;
  /// Relative frequencies of the three kinds of false positive: a projected
  /// pose, a partial body at the border, a mirror image (>= 0, not all 0).
  std::array<double, 3> false_positive_kinds = {1.0, 1.0, 1.0};
  double left_right_swap_rate = 0.0;  ///< per (view, person) detection
  double duplicate_rate = 0.0;        ///< per (view, person) detection
  bool shuffle = true;                ///< random order of the detections in a view
  BodyModel body;                     ///< occlusion capsules and swap pairs (J joints)
  std::uint64_t seed = 1;
  void validate(int num_joints) const;
};

/// Ground truth of one detection.
struct DetectionTruth {
  int person = -1;            ///< index of the person, -1 for a false positive
  /// False positives: 0 a pose projected into this view only, 1 a partial
  /// body cut by the image border, 2 a mirror image of a detection; else -1.
  int false_positive_kind = -1;
  bool left_right_swapped = false;
  bool duplicate = false;     ///< a second detection of `person` in this view
};

struct SimView {
  Points2d keypoints_px;   ///< 2 x (D*J), NaN for missing joints
  Eigen::VectorXd scores;  ///< D*J, 0 for missing joints
  std::vector<DetectionTruth> truth;  ///< D
  int num_detections() const { return static_cast<int>(truth.size()); }
};

struct MultiPersonScene {
  std::vector<camera::Camera> cameras;
  int num_joints = 0;
  int num_frames = 0;
  /// Per person, 3 x (F*J); NaN columns where the person is absent.
  std::vector<Points3d> poses_in_world;
  /// frames[f][v]
  std::vector<std::vector<SimView>> frames;
};

/// Simulates the detections of `people` (each 3 x (F*J), NaN columns where
/// absent; all with the same F) seen by `cameras`.
MultiPersonScene make_multi_person_scene(const std::vector<camera::Camera>& cameras,
                                         const std::vector<Points3d>& people, int num_joints,
                                         const MultiPersonOptions& options);

}  // namespace crossview::sim
