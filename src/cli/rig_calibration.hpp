// crossview CLI: calibrating a rig from the people it sees (crossview::calibration)
// on keypoints loaded by the CLI, shared by `calibrate` and `demo --data`.
#pragma once

#include "common.hpp"

#include <crossview/calibration/calibrate.hpp>
#include <crossview/calibration/compare.hpp>

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

/// "cam_01: rotation 0.65 deg, position 37 mm (0.56 %) ..." for a report note.
std::string describe_comparison(const std::vector<camera::Camera>& cameras, const calibration::RigComparison& c,
                                const std::string& unit);

}  // namespace crossview::cli
