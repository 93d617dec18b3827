// crossview CLI: calibrating a rig from the people it sees (crossview::calibration)
// on keypoints loaded by the CLI, shared by `calibrate` and `demo --data`.
#pragma once

#include "common.hpp"
#include "inputs.hpp"

#include <crossview/calibration/calibrate.hpp>
#include <crossview/calibration/compare.hpp>
#include <crossview/temporal/world_frame.hpp>

#include <optional>
#include <string>
#include <vector>

namespace crossview::cli {

/// Defaults for `num_joints`-joint detections: BODY_25B (25 joints) uses the
/// library's layout and the person-height scale; any other skeleton the CLI
/// knows (skeleton_for) uses its limbs and keeps an arbitrary scale unless a
/// limb length is given later.
calibration::CalibrationOptions calibration_options_for(int num_joints);

struct RigCalibrationRun {
  calibration::CalibrationResult result;
  /// Against the cameras' given extrinsics, when they are a real rig (not all
  /// at the origin) and the calibration produced one.
  std::optional<calibration::RigComparison> comparison;
};

/// Calibrates `cameras` (their intrinsics; extrinsics only for the
/// comparison) from the main person of every view and frame.
RigCalibrationRun calibrate_from_keypoints(const std::vector<camera::Camera>& cameras,
                                           const MultiViewKeypoints& keypoints,
                                           const calibration::CalibrationOptions& options);

/// Calibration from multi-person keypoints (every detected person per view).
///
/// Selection (which detection of a view is "the" person of a frame): a
/// detection is confident when it has >= options.min_detected_joints joints
/// scored above options.min_confidence. A view whose frame holds exactly one
/// confident detection gives it; a view with several gives nothing in that
/// frame, unless the view has fewer than `min_frames` unambiguous frames in
/// the whole capture: then its most confident detection (the library's main
/// person rule) is used in its ambiguous frames and the view is listed in
/// `main_person_views`. Verification (after calibrating): every frame is
/// associated again with the calibrated rig (association::associate on all
/// detections); a frame is consistent when the selected detections of its
/// views all belong to one associated person. The rig is `verified` when at
/// least `min_consistency` of the frames are, and each camera's selections
/// agree with the frame's majority in at least min_consistency / 2 of its
/// frames; otherwise `verification_message` names the cameras.
struct PeopleCalibrationRun {
  RigCalibrationRun run;
  int frames_total = 0;
  int frames_selected = 0;                   ///< Frames with a selection in >= 2 views.
  std::vector<int> ambiguous_frames;         ///< Per view: frames with several confident people.
  std::vector<int> selected_frames;          ///< Per view: frames with a selected detection.
  std::vector<std::string> main_person_views;
  bool verified = false;
  int frames_checked = 0;
  int frames_consistent = 0;
  std::vector<double> camera_consistency;    ///< Per view, in [0, 1] (NaN: no frame checked).
  std::string verification_message;
  /// Metric scale set here (not by the library) from `scale_skeleton`'s
  /// height segments, and how.
  bool metric_scale_from_skeleton = false;
  std::string scale_note;
};

/// `scale_skeleton` (optional): when options.scale.source is kNone and it has
/// height segments, the calibrated rig is scaled so that the person's height
/// estimated from them (median over segments of the median segment length
/// over frames / its fraction of the height, on the selected detections
/// triangulated with the calibrated rig) is `person_height_m`.
PeopleCalibrationRun calibrate_from_people(const std::vector<camera::Camera>& cameras, const PeopleKeypoints& keypoints,
                                           const calibration::CalibrationOptions& options, int min_frames = 20,
                                           double min_consistency = 0.7,
                                           const pose::Skeleton* scale_skeleton = nullptr,
                                           double person_height_m = 0.0);

/// Calibration options for a resolved skeleton: BODY_25B and H36M_17 use the
/// library's layouts (metric scale from the person's height); any other
/// skeleton uses its limbs (kCustom) and the scale stays arbitrary.
calibration::CalibrationOptions calibration_options_for_skeleton(const pose::Skeleton& skeleton);

/// Floor options for a skeleton's feet() joints (any skeleton that names
/// them, not only BODY_25B / H36M_17): each joint's typical height above the
/// floor from its name (case and separators ignored): "heel" 0.04 m, "toe"
/// (big / small) 0.03 m, "ankle" or a name ending in "ank" (lank, r_ank)
/// 0.08 m, as temporal::FloorOptions::body25b(); any other foot joint 0.05 m
/// (between a toe and an ankle), named in *unrecognised. Empty feet when the
/// skeleton names none. Metres (length_unit_m = 1).
temporal::FloorOptions floor_options_for_skeleton(const pose::Skeleton& skeleton,
                                                  std::vector<std::string>* unrecognised = nullptr);

/// The floor under the people a calibrated rig sees (`calibrate --align-floor`).
struct FloorRun {
  temporal::FloorResult floor;
  int people = 0;       ///< tracks with at least one triangulated pose
  int poses = 0;        ///< triangulated poses (person x frame)
  double rate_hz = 0.0;
};

/// Tracks every person over all frames with the calibrated rig
/// (association::Tracker, joints scored above min_confidence), concatenates
/// the tracks (a NaN frame between two tracks, so that no foot speed is taken
/// across them) and runs temporal::estimate_floor on their feet at rate_hz
/// (the heading from cameras[0]). `cameras` and `options` share a unit
/// (options.length_unit_m).
FloorRun estimate_floor_from_people(const std::vector<camera::Camera>& cameras, const PeopleKeypoints& keypoints,
                                    const pose::Skeleton& skeleton, double min_confidence, double rate_hz,
                                    const temporal::FloorOptions& options);

/// "cam_01: rotation 0.65 deg, position 37 mm (0.56 %) ..." for a report note.
std::string describe_comparison(const std::vector<camera::Camera>& cameras, const calibration::RigComparison& c,
                                const std::string& unit);

}  // namespace crossview::cli
