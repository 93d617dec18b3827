// crossview::io: custom skeleton files (TOML or JSON) and the resolution of
// the skeleton of a keypoint file ("never guess between candidates").
//
// Skeleton file (TOML shown; the JSON form has the same keys, see
// examples/skeletons/ and docs/pose.md):
//
//   format = "crossview.skeleton"      # optional; when present must be this
//   version = 1                        # optional; when present must be 1
//   name = "mouse_4"                   # optional: model_name() (default: file stem)
//   joints = ["snout", "ear_l", "ear_r", "tail_base"]
//   limbs = [["snout", "ear_l"], ["snout", "ear_r"], ["ear_l", "ear_r"],
//            {joints = ["snout", "tail_base"], length = 80.0, tolerance = 10.0}]
//   root = "tail_base"                 # optional: root when the limbs form a tree
//   length_unit = "mm"                 # required when a limb has a length: "mm" | "m"
//   default_tolerance = 10.0           # optional: tolerance of lengths given without one
//   left_right = [["ear_l", "ear_r"]]  # optional
//   feet = ["..."]                     # optional: joints on the soles (floor detection)
//   height_segments = [{joints = ["hip", "knee"], fraction = 0.245}]  # optional
//
// A limb is a pair of joint names or a table {joints, length, tolerance}. When
// the limbs form a spanning tree the skeleton is a tree (rooted at `root`, or
// at the first joint); otherwise it is a limb list (is_tree() == false: fine
// for triangulation, limb-length consistency and calibration, refused by RPSM).
// A joint may have no limb at all (a marker). Lengths are >= 0 (0 = unknown)
// and must be given for every limb or none (has_limb_priors()).
//
// Failure modes: IoError naming the file, the field (e.g. `limbs[2][1]`) and
// what was expected: malformed TOML/JSON, wrong types, unknown joint names,
// duplicate joints or limbs, a length without a unit, a fraction outside
// (0, 1], a format/version that is not crossview.skeleton 1, unknown keys
// (a typo such as `limb` is an error, not silently ignored).
#pragma once

#include <crossview/io/error.hpp>
#include <crossview/pose/skeleton.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crossview::io {

/// Reads a skeleton file; TOML or JSON is told by content (a JSON file starts
/// with '{'). model_name() is the file's `name`, else the file stem.
pose::Skeleton read_skeleton_file(const std::string& path);
pose::Skeleton parse_skeleton_toml(std::string_view text, const std::string& source_name = "<string>");
pose::Skeleton parse_skeleton_json(std::string_view text, const std::string& source_name = "<string>");

/// The JSON object of a skeleton (format, version, name, joints, limbs with
/// lengths when known, root for trees, left_right, feet, height_segments,
/// length_unit): parse_skeleton_json(format_skeleton_json(s)) gives back the
/// same skeleton (names, limbs, tree, priors bit for bit, metadata). Throws
/// std::invalid_argument when the priors have no unit ("mm" or "m").
std::string format_skeleton_json(const pose::Skeleton& skeleton);
void write_skeleton_file(const pose::Skeleton& skeleton, const std::string& path);

/// A built-in name (pose::builtin_skeleton, case-insensitive) or the path of
/// a skeleton file (anything containing '/' or ending in .toml / .json).
/// Unknown names throw std::invalid_argument listing the built-ins; file
/// problems throw IoError.
pose::Skeleton load_skeleton(const std::string& name_or_path);

/// What is known about the skeleton of a keypoint / pose file.
struct SkeletonQuery {
  /// Given by the user (a name or a skeleton file path); empty = none.
  std::string explicit_skeleton;
  /// From the file's own metadata (crossview's files, Pose2Sim Config.toml
  /// pose_model, MMPose dataset_name, ...); empty = none.
  std::string metadata_skeleton;
  /// Where metadata_skeleton comes from (for messages), e.g. "Config.toml pose.pose_model".
  std::string metadata_origin;
  /// Joints per person in the file (> 0).
  int num_joints = 0;
  /// Joint names stored in the file (DeepLabCut body parts, SLEAP nodes, MMPose
  /// keypoint names, ...); empty when the file has none.
  std::vector<std::string> joint_names;
  /// Limbs the file itself defines over joint_names (e.g. SLEAP's edges); used
  /// when the file's joint names become the skeleton.
  std::vector<std::pair<int, int>> file_limbs;
  /// The file (for messages and IoError::file()).
  std::string source;
  /// When nothing names a skeleton and no built-in has num_joints joints,
  /// return pose::unnamed_skeleton (joints "0".."J-1", or the file's names)
  /// instead of an error. Never used to break a tie between candidates.
  bool allow_unnamed = false;
};

struct ResolvedSkeleton {
  pose::Skeleton skeleton;
  /// How it was chosen, e.g. "explicit (--skeleton body_25)",
  /// "file metadata (Config.toml pose.pose_model = BODY_25B)", "the only
  /// built-in skeleton with 26 joints", "the file's joint names".
  std::string origin;
};

/// Resolves in this order: the explicit skeleton > the file's metadata > the
/// file's joint names when they are exactly a built-in's names > the unique
/// built-in with num_joints joints > the file's joint names as an unnamed
/// skeleton (with file_limbs, if any) > (allow_unnamed) generic names. A chosen skeleton
/// must have num_joints joints and, when the file names its joints, the same
/// names in the same order. Otherwise throws IoError(source, "skeleton", ...)
/// listing the candidates, e.g. "17 joints and nothing names the skeleton:
/// candidates COCO_17, H36M_17; name one (--skeleton) or record it in the
/// file's metadata". Invalid query (num_joints <= 0): std::invalid_argument.
ResolvedSkeleton resolve_skeleton(const SkeletonQuery& query);

}  // namespace crossview::io
