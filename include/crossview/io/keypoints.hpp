// crossview::io: 2D keypoint files of the common detectors and trackers, read
// into one layout: per frame, per person, 2 x J pixels + J scores
// (docs/conventions.md; a missing joint is a NaN column with score 0).
//
//   OpenPose JSON ................ io/openpose.hpp (to_keypoint_sequence converts)
//   MMPose / RTMPose JSON ........ read_mmpose_json
//   DeepLabCut HDF5 .............. read_deeplabcut_h5   (needs HDF5, see below)
//   SLEAP analysis HDF5 .......... read_sleap_analysis_h5 (needs HDF5)
//
// HDF5: crossview::io reads HDF5 with the HDF5 C library when it was found at
// build time (Debian: libhdf5-dev); has_hdf5_support() tells. Without it the
// two HDF5 readers throw IoError("... built without HDF5 ...").
//
// Each reader records what the file says about its joints (names, a skeleton
// name, limbs) so that skeleton_query() + io::resolve_skeleton
// (io/skeleton_file.hpp) can choose the skeleton without guessing.
//
// Failure modes: IoError naming the file, the field (e.g.
// `instance_info[3].instances[1].keypoint_scores`, `df_with_missing/table`,
// `tracks`) and what was expected, on malformed or truncated files, wrong
// types or shapes, joint counts that differ between people or frames,
// non-finite coordinates of a detected joint, negative scores.
#pragma once

#include <crossview/io/error.hpp>
#include <crossview/io/openpose.hpp>
#include <crossview/io/skeleton_file.hpp>

#include <Eigen/Core>

#include <string>
#include <utility>
#include <vector>

namespace crossview::io {

struct KeypointPerson {
  int track_id = -1;          ///< Identity given by the file (-1: none).
  std::string track_name;     ///< E.g. DeepLabCut's individual, SLEAP's track name.
  Eigen::Matrix2Xd keypoints_px;  ///< 2 x J; NaN columns for missing joints.
  Eigen::VectorXd scores;         ///< J scores >= 0; 0 for missing joints.
  int num_joints() const { return static_cast<int>(scores.size()); }
};

struct KeypointFrame {
  long long frame_number = 0;  ///< As the file numbers it (see each reader).
  std::vector<KeypointPerson> people;
};

/// The content of one keypoint file (one camera view).
struct KeypointSequence {
  std::string source;                    ///< The file.
  std::string format;                    ///< "openpose", "mmpose", "deeplabcut", "sleap".
  int num_joints = 0;                    ///< J, the same for every person.
  std::vector<std::string> joint_names;  ///< From the file; empty when it names none.
  std::vector<std::pair<int, int>> file_limbs;  ///< Limbs the file defines (SLEAP edges).
  std::string skeleton_name;             ///< A skeleton the file's metadata names, or empty.
  std::string skeleton_name_origin;      ///< Where that name comes from.
  std::vector<KeypointFrame> frames;     ///< In file order.
  std::vector<std::string> notes;        ///< What the reader skipped or assumed.

  /// A query for io::resolve_skeleton with this file's joints, names, limbs
  /// and metadata; `explicit_skeleton` (a name or a skeleton file) wins.
  SkeletonQuery skeleton_query(const std::string& explicit_skeleton = {}) const;
};

/// OpenPose frames (one folder of one camera) in the common layout.
KeypointSequence to_keypoint_sequence(const std::vector<OpenPoseFrame>& frames, const std::string& source);

// ---------------------------------------------------------------------------
// MMPose / RTMPose prediction JSON. Read:
//  * demo/topdown_demo_with_mmdet.py, demo/bottomup_demo.py and
//    RTMPose's demos (--save-predictions):
//      {"meta_info": {"dataset_name": "coco", "keypoint_id2name": {...}, ...},
//       "instance_info": [{"frame_id": 1, "instances": [INSTANCE, ...]}, ...]}
//    or, for one image, "instance_info": [INSTANCE, ...];
//  * MMPoseInferencer (--pred-out-dir): one file per image, [INSTANCE, ...],
//    or per video, [{"frame_id": 0, "instances": [INSTANCE, ...]}, ...].
// INSTANCE = {"keypoints": [[x, y], ...], "keypoint_scores": [s, ...],
//             "bbox": ..., "bbox_score": ...} (other members ignored;
// "keypoints" may also be [[x, y, s], ...], then "keypoint_scores" is optional).
// Frame numbers are the files' frame_id (a single image: 0). A joint whose
// score is <= 0 is missing. Metadata: meta_info.dataset_name ("coco" ->
// COCO_17, "coco_wholebody" -> COCO_133, "halpe26" -> HALPE_26, "h36m" ->
// H36M_17; others are kept as names for the error message) and
// meta_info.keypoint_id2name (joint names).
KeypointSequence read_mmpose_json(const std::string& path);
KeypointSequence parse_mmpose_json(const std::string& text, const std::string& source_name = "<string>");

// ---------------------------------------------------------------------------
// DeepLabCut HDF5: the pandas DataFrame DeepLabCut writes with
// DataFrame.to_hdf(path, key="df_with_missing", ...): columns a MultiIndex
// (scorer, bodyparts, coords) for single-animal projects or (scorer,
// individuals, bodyparts, coords) for multi-animal ones, coords x, y,
// likelihood (labelled data: x, y only, score 1); one row per frame, the row
// index is the frame number. Both pandas layouts are read: "table"
// (PyTables table `table` with an `index` column and one float64
// `values_block_0`, column labels in the pickled attribute
// `values_block_0_kind`, which is read by a small protocol-0 unpickler that
// accepts only lists, tuples, strings and numbers) as DeepLabCut writes
// predictions, and "fixed" (`block0_values`, `axis0_level*` / `axis0_label*`,
// `axis1`) as it writes labelled data. Individuals are people (track_id =
// their order, track_name = their name); an individual whose body parts
// differ from the first one's (maDLC's "single" unique body parts) is skipped
// with a note. The group is `df_with_missing` or else the only group holding
// a pandas frame. A NaN coordinate is a missing joint.
KeypointSequence read_deeplabcut_h5(const std::string& path);

// ---------------------------------------------------------------------------
// SLEAP analysis HDF5 (sleap-convert --format analysis / "Export Analysis
// HDF5"), datasets stored transposed for MATLAB as SLEAP documents:
//   tracks (tracks x 2 x nodes x frames), track_occupancy (frames x tracks),
//   point_scores (tracks x nodes x frames, optional), node_names, track_names,
//   edge_inds (2 x edges, optional: the skeleton's limbs).
// Frame number = frame index in the file. A track not occupied at a frame, or
// a NaN point, is missing; a labelled point without a score (user-labelled
// instance, NaN point score) gets score 1.
KeypointSequence read_sleap_analysis_h5(const std::string& path);

/// True when crossview::io was built with HDF5 (DeepLabCut / SLEAP readers).
bool has_hdf5_support();

}  // namespace crossview::io
