// crossview CLI: a sequence of 3D poses on disk. Written as crossview JSON
// (world frame, the calibration's length unit, per-joint reprojection errors)
// and as OpenSim / Pose2Sim `.trc` (Y-up axes like Pose2Sim's, see io/trc.hpp);
// read back from either for `crossview eval`.
//
// JSON layout, one person ("format": "crossview.poses", "version": 1):
//   { "format": "crossview.poses", "version": 1, "unit": "m", "frame": "world",
//     "method": "robust", "rate_hz": 60, "skeleton": "BODY_25B",
//     "joint_names": ["Nose", ...],
//     "frames": [ { "frame": 0, "joints": [[x, y, z] | null, ...],
//                   "reprojection_error_px": [e | null, ...],
//                   "views_used": [n, ...] }, ... ] }
// Several people (version 2; same header, "people" instead of "frames"):
//   { ..., "version": 2, "people": [ { "id": 0, "frames": [ FRAME, ... ] }, ... ] }
// where a person lists only the frames it was reconstructed in. A null joint
// is a joint that could not be triangulated; rate_hz 0 = unknown; "skeleton"
// (optional) names the skeleton of joint_names. Frame numbers are the input
// files' (OpenPose: the number in the file name, from 0). A TRC holds one
// person; its Frame# is frame number + 1 (Pose2Sim's numbering, time =
// Frame# / rate), and reading a TRC gives frame number = Frame# - 1.
#pragma once

#include <crossview/core/points.hpp>

#include <Eigen/Core>

#include <string>
#include <utility>
#include <vector>

namespace crossview::cli {

struct PoseSequence {
  std::vector<std::string> joint_names;
  std::string unit = "m";  ///< "m" or "mm".
  std::string method;      ///< How the poses were obtained (informative).
  std::string skeleton;    ///< Skeleton of joint_names (model name; "" = not recorded).
  int person_id = -1;      ///< Identity in a multi-person file (-1: none).
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

/// Largest frame number a poses file may hold (a .trc stores Frame# = frame
/// number + 1 as an int).
inline constexpr long long kMaxFrameNumber = 2147483646;

/// Parses a crossview poses JSON document (`name` for messages), version 1
/// (one person) or 2 (several). Strict: "frame" is a JSON integer in
/// [0, kMaxFrameNumber] (not 1.7, 1e30 or true); version 1's frame numbers
/// increase strictly, a version-2 person lists a frame at most once; joints are
/// null or three finite numbers; joint names are unique non-empty strings;
/// "unit" is "m" or "mm"; "rate_hz" (optional) a finite number >= 0; person
/// ids are distinct integers in [0, 1e9]. Every person comes over the union of
/// the frame numbers (NaN where it is absent). Throws std::runtime_error
/// naming the document and the problem.
std::vector<PoseSequence> parse_people_json(const std::string& text, const std::string& name);
/// parse_people_json of a document that holds exactly one person.
PoseSequence parse_poses_json(const std::string& text, const std::string& name);
/// Reads a crossview poses JSON (bounded: io::FileKind::kSequence) or a `.trc`
/// (converted back to world axes). A multi-person JSON (version 2) is read
/// when it holds one person, or when `person_id` >= 0 names one; otherwise
/// std::runtime_error lists the ids. Throws std::runtime_error / io::IoError
/// naming the file and the problem.
PoseSequence read_poses(const std::string& path, int person_id = -1);

/// Several people over the same frames (every PoseSequence has the same
/// frame_numbers, joint_names, unit, method, rate and a distinct person_id).
std::string format_people_json(const std::vector<PoseSequence>& people);
/// The files of the people and their content: `.json` -> one version-2 file
/// at `path`; `.trc` -> one TRC per person, people_trc_name(path, id) (`path`
/// itself is not written). The caller writes them (RunOutputs).
std::vector<std::pair<std::string, std::string>> format_people(const std::vector<PoseSequence>& people,
                                                               const std::string& path);
/// `<stem>_P<id>.trc` beside `path` (a name ending in .trc).
std::string people_trc_name(const std::string& path, int person_id);
/// Every person of a poses JSON (a version-1 file gives one, person_id -1) or a TRC.
std::vector<PoseSequence> read_people(const std::string& path);

}  // namespace crossview::cli
