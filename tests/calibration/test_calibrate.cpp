// calibrate_rig on a synthetic scene (no data files): a moving synthetic person
// in a 4-camera ring with distortion; bad input; options; determinism.
#include <crossview/calibration/calibrate.hpp>
#include <crossview/calibration/compare.hpp>
#include <crossview/pose/skeleton.hpp>
#include <crossview_test/pose_scene.hpp>

#include "calibration_scene.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

using namespace crossview;
using calibration::CalibrationOptions;
using calibration::Status;

namespace {

/// `frames` random H36M poses (mm) with the root wandering over +-1 m.
std::vector<Eigen::Matrix3Xd> wandering_person(crossview_test::Rng& rng, int frames, double root_jitter_mm = 1000.0) {
  const pose::Skeleton sk = pose::human36m_17();
  std::vector<Eigen::Matrix3Xd> poses;
  for (int f = 0; f < frames; ++f) {
    poses.push_back(crossview_test::synthetic_h36m_pose(rng, sk, Eigen::Vector3d(0, 0, 950), root_jitter_mm));
  }
  return poses;
}

CalibrationOptions h36m_options() {
  CalibrationOptions o;
  o.layout = calibration::KeypointLayout::kHuman36m17;
  return o;
}

}  // namespace

TEST_CASE("calibrate_rig recovers a synthetic ring from a moving person") {
  // 2 px noise, 5% outliers, 60 frames: rotation error well below 0.2 deg
  // (the synthetic bar), position below 1% of the rig size.
  const double kMaxRotationDeg = 0.2;
  const double kMaxPositionFraction = 0.01;
  for (std::uint64_t seed : {21u, 22u}) {
    INFO("seed " << seed);
    crossview_test::Rng rng(seed);
    const auto truth = crossview_test::h36m_like_ring();
    const auto poses = wandering_person(rng, 60);
    const auto det = crossview_test::detect(truth, poses, {2.0, 0.05, 0.9}, rng);
    const auto r = calibration::calibrate_rig(crossview_test::intrinsics_only(truth), det, h36m_options());
    INFO(r.message);
    REQUIRE(r.ok());
    const auto e = crossview_test::compare_rigs(r.cameras, truth);
    INFO("max rotation error " << e.max_rotation_deg() << " deg, max position " << e.max_position_fraction());
    CHECK(e.max_rotation_deg() < kMaxRotationDeg);
    CHECK(e.max_position_fraction() < kMaxPositionFraction);
    // sigma_hat estimates the 2 px noise (outliers excluded). Measured: it
    // comes out ~20% low (1.55-1.6 px); bound at 30% (known weakness).
    CHECK(r.noise_sigma_px == Approx(2.0).epsilon(0.3));
    // Gauge: camera 0 is the world frame.
    CHECK(r.cameras[0].cam_from_world.translation.norm() < 1e-12);
    CHECK(camera::rotation_angle_between(r.cameras[0].cam_from_world.rotation, Eigen::Quaterniond::Identity()) < 1e-12);
    for (const auto& pd : r.pairs) CHECK(pd.used);
    CHECK(r.per_camera.size() == 4);
    for (const auto& pc : r.per_camera) {
      CHECK(pc.reprojection_rms_px < 3.0);
      CHECK(pc.num_outliers > 0);  // the 5% outliers are found
    }
  }
}

TEST_CASE("calibrate_rig: metric scale from a known limb length") {
  crossview_test::Rng rng(31);
  const auto truth = crossview_test::h36m_like_ring();
  const pose::Skeleton sk = pose::human36m_17();
  const auto poses = wandering_person(rng, 50);
  const auto det = crossview_test::detect(truth, poses, {1.0, 0.0, 0.9}, rng);
  CalibrationOptions o = h36m_options();
  o.scale.source = calibration::ScaleOptions::Source::kLimbLength;
  o.scale.limb_joint_a = 1;  // rhip -> rkne (thigh)
  o.scale.limb_joint_b = 2;
  o.scale.limb_length_m = sk.limb_prior(2).mean / 1000.0;
  const auto r = calibration::calibrate_rig(crossview_test::intrinsics_only(truth), det, o);
  INFO(r.message);
  REQUIRE(r.ok());
  // Ground truth is in mm, the result in m: the baseline 0-1 must match to
  // 0.5% (1 px noise on a ~450 mm thigh seen from 4.5 m).
  const double b_true = (truth[1].center_in_world() - truth[0].center_in_world()).norm() / 1000.0;
  const double b_est = (r.cameras[1].center_in_world() - r.cameras[0].center_in_world()).norm();
  CHECK(b_est == Approx(b_true).epsilon(0.005));
}

TEST_CASE("calibrate_rig with bone-length terms") {
  crossview_test::Rng rng(41);
  const auto truth = crossview_test::h36m_like_ring();
  const auto poses = wandering_person(rng, 50);
  const auto det = crossview_test::detect(truth, poses, {2.0, 0.0, 0.9}, rng);
  CalibrationOptions o = h36m_options();
  o.bone_length_terms = true;
  const auto r = calibration::calibrate_rig(crossview_test::intrinsics_only(truth), det, o);
  INFO(r.message);
  REQUIRE(r.ok());
  const auto e = crossview_test::compare_rigs(r.cameras, truth);
  CHECK(e.max_rotation_deg() < 0.2);
  // Every limb has one length: the per-frame spread of a limb is small.
  const pose::Skeleton sk = pose::human36m_17();
  for (int j = 1; j < 17; ++j) {
    std::vector<double> len;
    REQUIRE(r.points_in_world.cols() % 17 == 0);
    for (Eigen::Index f = 0; f < r.points_in_world.cols() / 17; ++f) {
      const auto P = r.points_in_world.middleCols(f * 17, 17);
      if (P.col(j).allFinite() && P.col(sk.parent(j)).allFinite()) len.push_back((P.col(j) - P.col(sk.parent(j))).norm());
    }
    REQUIRE(len.size() > 10);
    double mean = 0.0, var = 0.0;
    for (double l : len) mean += l / len.size();
    for (double l : len) var += (l - mean) * (l - mean) / len.size();
    INFO("limb " << j);
    CHECK(std::sqrt(var) / mean < 0.05);  // the bone_length_sigma default
  }
}

TEST_CASE("calibrate_rig: focal refinement reduces a focal error") {
  // The focal length is weakly observed from one person (depth range ~1 m at
  // 4.5 m): we only require that refinement moves every focal towards the
  // truth and lowers the reprojection RMS.
  crossview_test::Rng rng(43);
  const auto truth = crossview_test::h36m_like_ring();
  const auto det = crossview_test::detect(truth, wandering_person(rng, 60), {2.0, 0.0, 0.9}, rng);
  auto start = crossview_test::intrinsics_only(truth);
  for (auto& c : start) {
    Eigen::VectorXd p = c.params();
    p[0] *= 1.02;
    p[1] *= 1.02;
    c = camera::Camera(c.model(), p, c.width(), c.height());
  }
  CalibrationOptions o = h36m_options();
  const auto fixed = calibration::calibrate_rig(start, det, o);
  o.refine_focal = true;
  const auto refined = calibration::calibrate_rig(start, det, o);
  INFO(refined.message);
  REQUIRE(fixed.ok());
  REQUIRE(refined.ok());
  CHECK(refined.reprojection_rms_px < fixed.reprojection_rms_px);
  double err = 0.0;
  for (int c = 0; c < 4; ++c) err += std::abs(refined.cameras[c].fx() / truth[c].fx() - 1.0) / 4.0;
  WARN("mean focal error after refinement " << 100.0 * err << "% (start 2%)");
  CHECK(err < 0.02);
}

TEST_CASE("calibrate_rig is deterministic for a given seed") {
  crossview_test::Rng rng(51);
  const auto truth = crossview_test::h36m_like_ring();
  const auto det = crossview_test::detect(truth, wandering_person(rng, 30), {2.0, 0.05, 0.9}, rng);
  const auto a = calibration::calibrate_rig(crossview_test::intrinsics_only(truth), det, h36m_options());
  const auto b = calibration::calibrate_rig(crossview_test::intrinsics_only(truth), det, h36m_options());
  REQUIRE(a.ok());
  for (int c = 0; c < 4; ++c) {
    CHECK(a.cameras[c].cam_from_world.translation == b.cameras[c].cam_from_world.translation);
    CHECK(a.cameras[c].cam_from_world.rotation.coeffs() == b.cameras[c].cam_from_world.rotation.coeffs());
  }
}

TEST_CASE("calibrate_rig reports bad input with a status") {
  crossview_test::Rng rng(61);
  const auto truth = crossview_test::h36m_like_ring();
  const auto intr = crossview_test::intrinsics_only(truth);
  const auto det = crossview_test::detect(truth, wandering_person(rng, 30), {2.0, 0.0, 0.9}, rng);
  const CalibrationOptions o = h36m_options();

  SECTION("fewer than two cameras") {
    const auto r = calibration::calibrate_rig({intr[0]}, {det[0]}, o);
    CHECK(r.status == Status::kTooFewCameras);
    CHECK_FALSE(r.message.empty());
  }
  SECTION("intrinsics and detections disagree in count") {
    auto d3 = det;
    d3.pop_back();
    CHECK(calibration::calibrate_rig(intr, d3, o).status == Status::kInvalidInput);
  }
  SECTION("cameras with different frame counts") {
    auto d = det;
    d[2].pop_back();
    const auto r = calibration::calibrate_rig(intr, d, o);
    CHECK(r.status == Status::kInvalidInput);
    CHECK(r.message.find("camera 2") != std::string::npos);
  }
  SECTION("keypoints and scores of different lengths") {
    auto d = det;
    d[1][3][0].scores.conservativeResize(5);
    CHECK(calibration::calibrate_rig(intr, d, o).status == Status::kInvalidInput);
  }
  SECTION("wrong joint count for the layout") {
    CalibrationOptions o25;  // BODY_25B expects 25 joints
    CHECK(calibration::calibrate_rig(intr, det, o25).status == Status::kInvalidInput);
  }
  SECTION("all frames empty") {
    calibration::RigDetections d(4, std::vector<std::vector<calibration::PersonDetection>>(30));
    CHECK(calibration::calibrate_rig(intr, d, o).status == Status::kNoDetections);
  }
  SECTION("every joint below the confidence threshold") {
    auto d = det;
    for (auto& cam : d) {
      for (auto& frame : cam) {
        for (auto& p : frame) p.scores *= 0.1;
      }
    }
    CHECK(calibration::calibrate_rig(intr, d, o).status == Status::kNoDetections);
  }
  SECTION("a camera that never sees the person") {
    auto d = det;
    for (auto& frame : d[3]) frame.clear();
    const auto r = calibration::calibrate_rig(intr, d, o);
    CHECK(r.status == Status::kCameraNotSeen);
    CHECK(r.message.find("camera 3") != std::string::npos);
  }
  SECTION("two groups of cameras that never see the person at the same time") {
    auto d = det;
    for (int f = 0; f < 30; ++f) {
      for (int c = 0; c < 4; ++c) {
        if ((f < 15) != (c < 2)) d[c][f].clear();
      }
    }
    CHECK(calibration::calibrate_rig(intr, d, o).status == Status::kDisconnected);
  }
  SECTION("intrinsics in the wrong order (image size of another camera)") {
    auto wrong = intr;
    wrong[1] = camera::Camera(intr[1].model(), intr[1].params(), 500, 400);
    const auto r = calibration::calibrate_rig(wrong, det, o);
    CHECK(r.status == Status::kInvalidInput);
    CHECK(r.message.find("wrong order") != std::string::npos);
  }
  SECTION("NaN and Inf pixels are ignored, not propagated") {
    auto d = det;
    d[0][0][0].keypoints_px(0, 0) = std::nan("");
    d[1][0][0].keypoints_px(1, 3) = std::numeric_limits<double>::infinity();
    const auto r = calibration::calibrate_rig(intr, d, o);
    CHECK(r.ok());
  }
}

TEST_CASE("calibrate_rig detects a person standing still") {
  crossview_test::Rng rng(71);
  const auto truth = crossview_test::h36m_like_ring();
  const pose::Skeleton sk = pose::human36m_17();
  const Eigen::Matrix3Xd still = crossview_test::synthetic_h36m_pose(rng, sk);
  std::vector<Eigen::Matrix3Xd> poses(40, still);
  const auto det = crossview_test::detect(truth, poses, {1.0, 0.0, 0.9}, rng);
  const auto r = calibration::calibrate_rig(crossview_test::intrinsics_only(truth), det, h36m_options());
  INFO(r.message);
  CHECK(r.status == Status::kDegenerateMotion);
  CHECK(r.moving_track_fraction < 0.05);
  CHECK(r.message.find("still") != std::string::npos);
}

TEST_CASE("CalibrationOptions::validate names the option") {
  auto expect_throw = [](CalibrationOptions o, const std::string& name) {
    try {
      o.validate();
      FAIL("no exception for " << name);
    } catch (const std::invalid_argument& e) {
      CHECK(std::string(e.what()).find(name) != std::string::npos);
    }
  };
  CalibrationOptions o;
  o.min_confidence = 1.0;
  expect_throw(o, "min_confidence");
  o = {};
  o.keypoint_noise_px = -1.0;
  expect_throw(o, "keypoint_noise_px");
  o = {};
  o.scale.person_height_m = 3.0;
  expect_throw(o, "person_height_m");
  o = {};
  o.layout = calibration::KeypointLayout::kCustom;
  expect_throw(o, "kPersonHeight");
  o = {};
  o.scale.source = calibration::ScaleOptions::Source::kLimbLength;
  expect_throw(o, "limb_joint");
  o = {};
  o.min_pair_correspondences = 3;
  expect_throw(o, "min_pair_correspondences");
  o = {};
  o.averaging.max_iterations = -1;
  expect_throw(o, "max_iterations");
  CHECK(std::string(calibration::to_string(Status::kDegenerateMotion)).find("motion") != std::string::npos);
}

TEST_CASE("calibrate_rig: points_in_world is packed 3 x (F*J), column f * J + j") {
  // The layout of docs/conventions.md: each column reprojects onto the
  // detection of its (frame, joint) in every camera where it is an inlier.
  crossview_test::Rng rng(51);
  const auto truth = crossview_test::h36m_like_ring();
  const int frames = 30;
  const auto poses = wandering_person(rng, frames);
  const auto det = crossview_test::detect(truth, poses, {1.0, 0.0, 0.9}, rng);
  const auto r = calibration::calibrate_rig(crossview_test::intrinsics_only(truth), det, h36m_options());
  INFO(r.message);
  REQUIRE(r.ok());
  REQUIRE(r.points_in_world.rows() == 3);
  REQUIRE(r.points_in_world.cols() == frames * 17);
  int checked = 0;
  for (std::size_t c = 0; c < r.cameras.size(); ++c) {
    for (int f = 0; f < frames; ++f) {
      if (det[c][f].empty()) continue;
      for (int j = 0; j < 17; ++j) {
        const int i = f * 17 + j;
        if (!r.inliers[c][i] || !r.points_in_world.col(i).allFinite()) continue;
        Eigen::Vector2d px;
        REQUIRE(r.cameras[c].project(r.points_in_world.col(i), &px) == camera::ProjectionStatus::kSuccess);
        CHECK((px - det[c][f][0].keypoints_px.col(j)).norm() < 6.0);  // 1 px noise
        ++checked;
      }
    }
  }
  CHECK(checked > frames * 17 * 3);
}

TEST_CASE("compare_rigs removes the similarity gauge and measures what is left") {
  const auto truth = crossview_test::h36m_like_ring();
  // The same rig in another world frame and unit: x' = s R x + t.
  const Eigen::Matrix3d R = Eigen::AngleAxisd(0.7, Eigen::Vector3d(1, 2, 3).normalized()).toRotationMatrix();
  const Eigen::Vector3d t(120.0, -40.0, 900.0);
  const double s = 0.001;  // mm -> m
  std::vector<camera::Camera> moved;
  for (const auto& c : truth) {
    const Eigen::Matrix3d Rc = c.cam_from_world.rotation_matrix() * R.transpose();
    const Eigen::Vector3d centre = s * (R * c.center_in_world()) + t;
    camera::Rigid3d pose(Eigen::Quaterniond(Rc), -Rc * centre);
    moved.emplace_back(c.model(), c.params(), c.width(), c.height(), pose, c.name());
  }
  const calibration::RigComparison same = calibration::compare_rigs(moved, truth);
  REQUIRE(same.rotation_error_deg.size() == truth.size());
  for (std::size_t i = 0; i < truth.size(); ++i) {
    CHECK(same.rotation_error_deg[i] < 1e-6);
    CHECK(same.position_error[i] < 1e-6 * same.rig_size);
  }
  CHECK(same.scale == Approx(1.0 / s).epsilon(1e-9));
  CHECK(same.rig_size > 1000.0);  // the H36M-like ring spans metres, in mm
  // Turn camera 2 by 2 degrees about its optical axis: the global rotation
  // spreads part of it over the others, camera 2 keeps most of it.
  const Eigen::Matrix3d turn = Eigen::AngleAxisd(2.0 * M_PI / 180.0, Eigen::Vector3d::UnitZ()).toRotationMatrix();
  std::vector<camera::Camera> turned = moved;
  const Eigen::Vector3d centre2 = turned[2].center_in_world();
  const Eigen::Matrix3d R2 = turn * turned[2].cam_from_world.rotation_matrix();
  turned[2] = camera::Camera(turned[2].model(), turned[2].params(), turned[2].width(), turned[2].height(),
                             camera::Rigid3d(Eigen::Quaterniond(R2), -R2 * centre2), turned[2].name());
  const calibration::RigComparison e = calibration::compare_rigs(turned, truth);
  CHECK(e.max_rotation_error_deg() == Approx(e.rotation_error_deg[2]));
  CHECK(e.rotation_error_deg[2] > 1.0);
  CHECK(e.rotation_error_deg[2] < 2.0 + 1e-9);
  for (std::size_t i = 0; i < truth.size(); ++i) CHECK(e.position_error[i] < 1e-6 * e.rig_size);
  // Bad input throws with the reason.
  CHECK_THROWS_WITH(calibration::compare_rigs(turned, {truth[0], truth[1]}), Catch::Contains("4 estimated cameras vs 2"));
  CHECK_THROWS_WITH(calibration::compare_rigs({truth[0]}, {truth[0]}), Catch::Contains("at least 2"));
}
