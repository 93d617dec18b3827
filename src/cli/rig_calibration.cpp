// crossview CLI: rig calibration from keypoints (see rig_calibration.hpp).
#include "rig_calibration.hpp"

#include <fmt/core.h>

#include <cmath>

namespace crossview::cli {

calibration::CalibrationOptions calibration_options_for(int num_joints) {
  calibration::CalibrationOptions o;
  if (num_joints == 25) {
    o.layout = calibration::KeypointLayout::kOpenPoseBody25b;
    return o;
  }
  const pose::Skeleton skeleton = skeleton_for("", num_joints);
  o.layout = calibration::KeypointLayout::kCustom;
  o.custom_limbs = skeleton.limbs();
  o.scale.source = calibration::ScaleOptions::Source::kNone;
  return o;
}

RigCalibrationRun calibrate_from_keypoints(const std::vector<camera::Camera>& cameras,
                                           const MultiViewKeypoints& keypoints,
                                           const calibration::CalibrationOptions& options) {
  const int V = keypoints.num_views;
  calibration::RigDetections detections(static_cast<std::size_t>(V));
  for (int v = 0; v < V; ++v) {
    detections[v].resize(static_cast<std::size_t>(keypoints.num_frames()));
    for (int f = 0; f < keypoints.num_frames(); ++f) {
      if (!(keypoints.view_scores(f, v).array() > 0.0).any()) continue;  // nobody detected in that view and frame
      calibration::PersonDetection person;
      person.keypoints_px = keypoints.view(f, v);
      person.scores = keypoints.view_scores(f, v);
      detections[v][static_cast<std::size_t>(f)].push_back(std::move(person));
    }
  }
  std::vector<camera::Camera> intrinsics;
  bool has_reference = false;
  for (const auto& c : cameras) {
    intrinsics.emplace_back(c.model(), c.params(), c.width(), c.height(), camera::Rigid3d(), c.name());
    if ((c.center_in_world() - cameras.front().center_in_world()).norm() > 0.0) has_reference = true;
  }
  RigCalibrationRun run;
  run.result = calibration::calibrate_rig(intrinsics, detections, options);
  const bool has_rig = run.result.ok() || run.result.status == calibration::Status::kDegenerateMotion;
  if (has_reference && has_rig && run.result.cameras.size() == cameras.size()) {
    run.comparison = calibration::compare_rigs(run.result.cameras, cameras);
  }
  return run;
}

std::string describe_comparison(const std::vector<camera::Camera>& cameras, const calibration::RigComparison& c,
                                const std::string& unit) {
  std::string text;
  for (std::size_t i = 0; i < cameras.size(); ++i) {
    text += fmt::format("{}{}: rotation {:.2f} deg, position {:.0f} {} ({:.2f} % of the rig)", i ? "; " : "",
                        cameras[i].name(), c.rotation_error_deg[i], c.position_error[i], unit,
                        100.0 * c.position_error[i] / c.rig_size);
  }
  return text;
}

}  // namespace crossview::cli
