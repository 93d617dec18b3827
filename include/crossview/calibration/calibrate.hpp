// crossview::calibration: calibrate a whole camera rig (extrinsics, optionally
// focal lengths and distortion) from the body joints of the person it sees.
//
//   using namespace crossview;
//   std::vector<camera::Camera> intrinsics = ...;      // one per camera, extrinsics ignored
//   calibration::RigDetections detections = ...;       // [camera][frame][person]
//   calibration::CalibrationOptions options;           // defaults: BODY_25B, 1.70 m person
//   calibration::CalibrationResult r = calibration::calibrate_rig(intrinsics, detections, options);
//   if (r.ok()) use(r.cameras);                        // else r.status, r.message, r.pairs
//
// Pipeline:
//  1. gather_observations: the main person of every (camera, frame) (highest
//     mean detected score, or the closest to the previous frame's choice), joints
//     with score >= min_confidence only.
//  2. For every camera pair with enough joints seen by both at the same frame:
//     epipolar::estimate_essential on the distorted pixels (undistorted through
//     the camera models inside), Sampson threshold 3 sigma.
//  3. average_rotations (chordal L2 + IRLS) and recover_positions (translation
//     directions), gauge fixed by camera 0 (R = I, centre at the origin).
//  4. Triangulate every (frame, joint) seen by >= 2 cameras, then Ceres bundle
//     adjustment over all extrinsics and 3D joints with a Cauchy loss (scale
//     sigma px); observations farther than 3.5 sigma_hat (sigma_hat estimated
//     robustly from the residuals) are rejected and the problem is solved again.
//     Optional: focal lengths and distortion, bone-length consistency.
//  5. Metric scale from the person's height (default 1.70 m, a mean adult) via
//     segment-to-height ratios (Drillis & Contini), or from one limb's length.
//
// Frames and units: the world frame is camera 0's frame; translations are in
// METRES (after the metric scale) and x_cam = R X + t. Pixels: OpenCV origin.
//
// Failure modes: a Status + message, never a crash and never NaN labelled
// success. Invalid options throw std::invalid_argument (validate()).
// Mismatched sizes (intrinsics vs detection views, frame counts, joint counts)
// give kInvalidInput.
#pragma once

#include <crossview/calibration/rotation_averaging.hpp>
#include <crossview/camera/camera.hpp>
#include <crossview/core/points.hpp>

#include <Eigen/Core>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace crossview::calibration {

/// One person detected in one image: 2 x J pixels (distorted, as detected) and
/// J scores. A missing joint has score <= 0 or a NaN pixel.
struct PersonDetection {
  Eigen::Matrix2Xd keypoints_px;
  Eigen::VectorXd scores;
};

/// detections[camera][frame] = the people detected by that camera at that frame
/// (any number, possibly none). Every camera must have the same frame count.
using RigDetections = std::vector<std::vector<std::vector<PersonDetection>>>;

/// Keypoint layout: fixes the limbs used for bone-length terms and the
/// segments used for the height-based scale.
enum class KeypointLayout : std::uint8_t {
  kOpenPoseBody25b = 0,  ///< 25 joints (io/openpose.hpp order).
  kHuman36m17,           ///< 17 joints (pose::human36m_17 order).
  kCustom,               ///< Limbs from CalibrationOptions::custom_limbs; no height scale.
};

enum class Status : std::uint8_t {
  kSuccess = 0,
  kInvalidInput,        ///< Mismatched sizes, non-finite intrinsics, wrong intrinsics order.
  kTooFewCameras,       ///< Fewer than 2 cameras.
  kNoDetections,        ///< No usable joint in any frame.
  kCameraNotSeen,       ///< A camera never sees the person together with another camera.
  kDisconnected,        ///< The pair graph (successful pairs) is disconnected.
  kWeakGraph,           ///< Pairs exist but too few succeed / rotations inconsistent.
  kDegenerateMotion,    ///< The person barely moves: rig weakly determined (rig still returned).
  kOptimizationFailed,  ///< Bundle adjustment failed or diverged.
};
const char* to_string(Status s);

struct ScaleOptions {
  enum class Source : std::uint8_t {
    kPersonHeight = 0,  ///< From the person's height (segment ratios of the layout).
    kLimbLength,        ///< From the median length of limb (joint_a, joint_b).
    kNone,              ///< Keep the arbitrary scale (|centre of camera 1| = 1).
  };
  Source source = Source::kPersonHeight;
  /// Person height in metres, (0.5, 2.5). Default: a mean adult (1.70 m).
  double person_height_m = 1.70;
  int limb_joint_a = -1;
  int limb_joint_b = -1;
  double limb_length_m = 0.0;  ///< > 0 for kLimbLength.
};

struct CalibrationOptions {
  // --- correspondences -----------------------------------------------------
  /// Joints with a score below this are ignored, in [0, 1). 0.3 is Pose2Sim's
  /// triangulation threshold (ALGORITHMS.md s. 6).
  double min_confidence = 0.3;
  /// A person needs this many joints above min_confidence to be chosen (>= 1).
  int min_detected_joints = 6;
  /// Prefer the person closest to the previous frame's choice (mean joint
  /// distance below max_jump_px, > 0) over the highest mean score.
  bool prefer_previous = false;
  double max_jump_px = 100.0;
  KeypointLayout layout = KeypointLayout::kOpenPoseBody25b;
  /// (parent, child) joint pairs, used when layout == kCustom.
  std::vector<std::pair<int, int>> custom_limbs;

  // --- noise model (all pixel thresholds derive from it) ------------------
  /// Standard deviation (px, > 0) of a detected joint around its true
  /// projection. 3 px: keypoint detectors localise joints of a person a few
  /// hundred px tall to ~1% of their height. Pair Sampson threshold = 3 sigma,
  /// Cauchy scale = sigma; the final outlier cut (3.5 sigma_hat) is estimated
  /// from the residuals themselves.
  double keypoint_noise_px = 3.0;

  // --- pair graph -----------------------------------------------------------
  /// Pairs with fewer common (frame, joint) observations are skipped (>= 8).
  int min_pair_correspondences = 30;
  /// Pairs whose essential matrix has fewer inliers are unusable (>= 8).
  int min_pair_inliers = 20;
  RotationAveragingOptions averaging;

  // --- bundle adjustment ----------------------------------------------------
  int max_ba_iterations = 100;  ///< Per BA solve (> 0).
  bool refine_focal = false;       ///< Refine fx, fy per camera.
  bool refine_distortion = false;  ///< Refine the first two radial terms.
  /// Bone-length consistency: |X_child - X_parent| = L_limb for every frame,
  /// residual (length - L) / (bone_length_sigma * L_init), L a free parameter.
  bool bone_length_terms = false;
  double bone_length_sigma = 0.05;  ///< Relative std of a limb length, > 0.
  /// Degenerate motion when fewer than this fraction of the (camera, joint)
  /// tracks move by more than 3 sigma (RMS about their median), in [0, 1).
  double min_moving_track_fraction = 0.25;

  ScaleOptions scale;
  std::uint64_t seed = 0x63616c6962ULL;  ///< Seeds the pairwise RANSACs.

  /// Throws std::invalid_argument naming the option and its allowed range.
  void validate() const;
};

/// Per (camera, frame, joint) pixel of the main person; NaN where unusable.
struct Observations {
  int num_cameras = 0;
  int num_frames = 0;
  int num_joints = 0;
  /// pixels[c] is 2 x (num_frames * num_joints), column f * num_joints + j.
  std::vector<Eigen::Matrix2Xd> pixels;
  std::vector<Eigen::VectorXd> scores;  ///< same indexing, 0 where unusable
  std::vector<std::vector<int>> main_person;  ///< [camera][frame], -1 = none
  bool has(int c, int f, int j) const {
    return scores[c][f * num_joints + j] > 0.0;
  }
  Eigen::Vector2d pixel(int c, int f, int j) const { return pixels[c].col(f * num_joints + j); }
};

/// Step 1 alone. Returns kSuccess or kInvalidInput / kNoDetections (message).
Status gather_observations(const RigDetections& detections, const CalibrationOptions& options,
                           Observations* out, std::string* message);

struct PairDiagnostics {
  int camera_a = 0, camera_b = 0;
  int num_correspondences = 0;  ///< Joints seen by both at the same frame.
  int num_inliers = 0;          ///< Essential-matrix inliers.
  bool used = false;            ///< Entered rotation averaging.
  std::string message;          ///< The epipolar status / why skipped.
  camera::Rigid3d cam_b_from_cam_a;  ///< Measured (unit translation).
  double rotation_residual_deg = 0.0;   ///< Measured vs final rig (NaN if unused).
  double direction_residual_deg = 0.0;  ///< Translation direction vs final rig.
};

struct CameraDiagnostics {
  int num_observations = 0;      ///< Observations of this camera in the final BA (inliers).
  int num_outliers = 0;          ///< Rejected as outliers.
  double reprojection_rms_px = 0.0;  ///< On its inliers, with the BA points.
};

struct CalibrationResult {
  Status status = Status::kInvalidInput;
  std::string message;
  /// The rig: intrinsics as given (or refined), cam_from_world in metres, world
  /// = camera 0's frame. Extrinsics are identity for cameras not calibrated.
  std::vector<camera::Camera> cameras;
  std::vector<CameraDiagnostics> per_camera;
  std::vector<PairDiagnostics> pairs;
  int num_observations_used = 0;  ///< Inlier observations in the final BA.
  int num_points = 0;             ///< 3D joints (frame, joint) in the final BA.
  double reprojection_rms_px = 0.0;
  double noise_sigma_px = 0.0;    ///< Robust estimate from the residuals.
  /// inliers[c][f * J + j] = 1 when that observation is in the final BA.
  std::vector<std::vector<char>> inliers;
  /// The joints in metres, packed 3 x (F*J): column f * J + j = joint j of
  /// frame f (docs/conventions.md "Array layouts"; frame f =
  /// points_in_world.middleCols(f * J, J)); NaN when not triangulated.
  Points3d points_in_world;
  /// Metric scale: metres per unit of the pre-scale reconstruction, and the
  /// person's estimated height in the final rig (m; NaN when not estimable).
  double metres_per_unit = 1.0;
  double estimated_height_m = 0.0;
  std::string scale_note;
  /// Fraction of (camera, joint) tracks that move by more than 3 sigma.
  double moving_track_fraction = 0.0;
  int ba_iterations = 0;
  bool ok() const { return status == Status::kSuccess; }
};

/// Calibrates the rig (see the file header). `intrinsics[i]` gives camera i's
/// model, parameters and image size (its extrinsics are ignored); detections
/// as RigDetections. Complexity: O(pairs * RANSAC) + BA, ~O(frames * joints *
/// cameras) per BA iteration: the Schur complement over the points, or with
/// bone_length_terms (which couple a frame's points) a sparse Cholesky of the
/// normal equations (docs/calibration.md).
CalibrationResult calibrate_rig(const std::vector<camera::Camera>& intrinsics,
                                const RigDetections& detections,
                                const CalibrationOptions& options = {});

/// The limbs (parent, child) of a layout (custom_limbs for kCustom).
std::vector<std::pair<int, int>> layout_limbs(const CalibrationOptions& options);

}  // namespace crossview::calibration
