// The real-data bar: the Pose2Sim demo capture (4 cameras, 100 frames,
// OpenPose BODY_25B, 1-2 people per image) from intrinsics only, compared with
// Calib_qualisys.toml.
#include <crossview/calibration/calibrate.hpp>
#include <crossview/io/openpose.hpp>
#include <crossview/io/rig.hpp>
#include <crossview/triangulation/triangulate.hpp>

#include "calibration_scene.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

using namespace crossview;
using crossview_test::shared_data;

namespace {

calibration::RigDetections load_pose2sim_detections() {
  calibration::RigDetections d;
  for (int v = 1; v <= 4; ++v) {
    const auto frames = io::read_openpose_folder(shared_data("pose2sim_demo/pose/cam0" + std::to_string(v) + "_json"), 25);
    std::vector<std::vector<calibration::PersonDetection>> cam;
    for (const auto& f : frames) {
      std::vector<calibration::PersonDetection> people;
      for (const auto& p : f.people) people.push_back({p.keypoints_px, p.scores});
      cam.push_back(std::move(people));
    }
    d.push_back(std::move(cam));
  }
  return d;
}

/// RMS (px) of the inlier observations when every (frame, joint) is
/// triangulated (least squares through the camera model) with `rig` from those
/// same observations.
double rms_on_inliers(const std::vector<camera::Camera>& rig, const calibration::Observations& obs,
                      const std::vector<std::vector<char>>& inliers) {
  const int nc = obs.num_cameras;
  triangulation::TriangulationOptions to;
  to.method = triangulation::Method::kDlt;
  to.weight_by_confidence = false;
  double ss = 0.0;
  long n = 0;
  Points2d px(2, nc);  // column c = camera c
  for (int i = 0; i < obs.num_frames * obs.num_joints; ++i) {
    int views = 0;
    for (int c = 0; c < nc; ++c) {
      px.col(c) = inliers[c][i] ? Eigen::Vector2d(obs.pixels[c].col(i)) : Eigen::Vector2d::Constant(std::nan(""));
      views += inliers[c][i];
    }
    if (views < 2) continue;
    const auto t = triangulation::triangulate(rig, px, to);
    REQUIRE(t.ok());
    for (int c = 0; c < nc; ++c) {
      if (!inliers[c][i]) continue;
      ss += t.reprojection_error_px[c] * t.reprojection_error_px[c];
      ++n;
    }
  }
  return std::sqrt(ss / static_cast<double>(n));
}

}  // namespace

TEST_CASE("calibrate_rig: Pose2Sim demo capture from intrinsics only") {
  const double kMaxMedianRotationDeg = 1.0;     // the bars
  const double kMaxPositionFraction = 0.03;
  const double kMaxRmsRatio = 1.10;
  const io::Rig truth = io::read_pose2sim_toml(shared_data("pose2sim_demo/Calib_qualisys.toml"));
  const calibration::RigDetections det = load_pose2sim_detections();
  calibration::CalibrationOptions o;  // defaults: BODY_25B, 0.3 confidence, 3 px, 1.70 m
  const auto r = calibration::calibrate_rig(crossview_test::intrinsics_only(truth.cameras), det, o);
  INFO(r.message);
  REQUIRE(r.ok());
  for (const auto& pd : r.pairs) {
    INFO("pair " << pd.camera_a << "-" << pd.camera_b << ": " << pd.num_inliers << "/" << pd.num_correspondences
                 << " inliers, residual " << pd.rotation_residual_deg << " deg; " << pd.message);
    CHECK(pd.used);
  }
  const auto e = crossview_test::compare_rigs(r.cameras, truth.cameras);
  calibration::Observations obs;
  std::string msg;
  REQUIRE(calibration::gather_observations(det, o, &obs, &msg) == calibration::Status::kSuccess);
  const double rms_est = rms_on_inliers(r.cameras, obs, r.inliers);
  const double rms_gt = rms_on_inliers(truth.cameras, obs, r.inliers);
  const double baseline_gt = (truth.cameras[1].center_in_world() - truth.cameras[0].center_in_world()).norm();
  const double baseline_est = (r.cameras[1].center_in_world() - r.cameras[0].center_in_world()).norm();
  std::string per_camera;
  for (int c = 0; c < 4; ++c) {
    per_camera += " cam" + std::to_string(c + 1) + ": " + std::to_string(e.rotation_deg[c]) + " deg, " +
                  std::to_string(1000.0 * e.position[c]) + " mm (" + std::to_string(100.0 * e.position[c] / e.rig_size) +
                  "%), RMS " + std::to_string(r.per_camera[c].reprojection_rms_px) + " px, " +
                  std::to_string(r.per_camera[c].num_observations) + " obs;";
  }
  WARN("Pose2Sim demo:" << per_camera << " rig size " << 1000.0 * e.rig_size << " mm; median rotation "
                        << e.median_rotation_deg() << " deg; RMS on the same " << r.num_observations_used
                        << " inlier detections: recovered " << rms_est << " px vs calibrated " << rms_gt
                        << " px (ratio " << rms_est / rms_gt << "); BA iterations " << r.ba_iterations << " (" << "sigma_hat " << r.noise_sigma_px << " px" << "); metric scale error "
                        << 100.0 * (baseline_est / baseline_gt - 1.0) << "% (" << r.scale_note << ")");
  CHECK(e.median_rotation_deg() <= kMaxMedianRotationDeg);
  CHECK(e.max_position_fraction() <= kMaxPositionFraction);
  CHECK(rms_est <= kMaxRmsRatio * rms_gt);
  // The false positives (a second, static "person" in cameras 1 and 2) are
  // never chosen: the main person has the higher mean score in every frame.
  CHECK(r.moving_track_fraction > o.min_moving_track_fraction);
}
