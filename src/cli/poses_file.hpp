// crossview CLI: a sequence of 3D poses on disk. Written as crossview JSON
// (world frame, the calibration's length unit, per-joint reprojection errors)
// and as OpenSim / Pose2Sim `.trc` (Y-up axes like Pose2Sim's, see io/trc.hpp);
// read back from either for `crossview eval`.
//
// JSON layout ("format": "crossview.poses", "version": 1):
//   { "format": "crossview.poses", "version": 1, "unit": "m", "frame": "world",
//     "method": "robust", "rate_hz": 60, "joint_names": ["Nose", ...],
//     "frames": [ { "frame": 0, "joints": [[x, y, z] | null, ...],
//                   "reprojection_error_px": [e | null, ...],
//                   "views_used": [n, ...] }, ... ] }
// A null joint is a joint that could not be triangulated.
#pragma once

#include <crossview/core/points.hpp>

#include <Eigen/Core>

#include <string>
#include <vector>

namespace crossview::cli {

struct PoseSequence {
  std::vector<std::string> joint_names;
  std::string unit = "m";  ///< "m" or "mm".
  std::string method;      ///< How the poses were obtained (informative).
  double rate_hz = 0.0;    ///< Frame rate (0 = unknown; TRC files get 1 Hz times then).
  std::vector<long long> frame_numbers;
  /// Every frame packed 3 x (F*J) in the world frame (docs/conventions.md#array-layouts):
  /// column f*J + j = joint j of frame f; NaN columns are missing joints.
  Points3d poses;
  /// Optional (empty, or F*J entries aligned with the columns of `poses`): the mean
  /// reprojection error (px) and the number of views used of every joint.
  Eigen::VectorXd reprojection_error_px;
  Eigen::VectorXi views_used;

  int num_frames() const { return static_cast<int>(frame_numbers.size()); }
  int num_joints() const { return static_cast<int>(joint_names.size()); }
  /// The 3 x J pose of frame f (a view into `poses`).
  Eigen::Block<const Points3d, 3, Eigen::Dynamic, true> pose(int f) const {
    return poses.middleCols(static_cast<Eigen::Index>(f) * num_joints(), num_joints());
  }
  Eigen::Block<Points3d, 3, Eigen::Dynamic, true> pose(int f) {
    return poses.middleCols(static_cast<Eigen::Index>(f) * num_joints(), num_joints());
  }
};

std::string format_poses_json(const PoseSequence& poses);
/// TRC with world -> Pose2Sim axes (io::world_to_trc); times = frame / rate.
std::string format_poses_trc(const PoseSequence& poses, const std::string& file_name);
/// The content of `path` by its extension: `.json` or `.trc` (case-insensitive;
/// the file itself is written by the caller's RunOutputs). Throws
/// std::runtime_error for another extension.
std::string format_poses(const PoseSequence& poses, const std::string& path);

/// Largest frame number a poses file may hold (the .trc format stores an int).
inline constexpr long long kMaxFrameNumber = 2147483647;

/// Parses a crossview poses JSON document (`name` for messages). Strict:
/// "frame" is a JSON integer in [0, kMaxFrameNumber] (not 1.7, 1e30 or true),
/// frame numbers increase strictly (no duplicates), joints are null or three
/// finite numbers, joint names are unique non-empty strings, "unit" is "m" or
/// "mm", "rate_hz" (optional) a finite number >= 0. Throws std::runtime_error
/// naming the document and the problem.
PoseSequence parse_poses_json(const std::string& text, const std::string& name);
/// Reads a crossview poses JSON (bounded: io::FileKind::kSequence) or a `.trc`
/// (converted back to world axes). Throws std::runtime_error / io::IoError
/// naming the file and the problem.
PoseSequence read_poses(const std::string& path);

}  // namespace crossview::cli
