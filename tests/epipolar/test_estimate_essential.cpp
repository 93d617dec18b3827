// estimate_essential: accuracy with outliers, distorted cameras with K1 != K2,
// bad input, pure rotation, determinism.
#include "two_view_scene.hpp"

#include <crossview/epipolar/estimate.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <thread>

namespace {
using namespace crossview;
using crossview_test::direction_error_deg;
using crossview_test::make_two_view_scene;
using crossview_test::rotation_error_deg;
using crossview_test::TwoViewSceneOptions;
using crossview_test::to_points;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Accuracy bars of the issue (N = 1000, 50 % outliers, 0.5 px noise, f = 1000 px).
constexpr double kMaxMedianRotationErrorDeg = 0.05;
constexpr double kMaxMedianTranslationErrorDeg = 0.3;

/// The scene re-imaged by two OpenCV-model cameras with different intrinsics:
/// each (noisy) pixel is unprojected through the pinhole camera of the scene and
/// projected through the distorted one (the noise is scaled by the focal ratio).
struct DistortedScene {
  camera::Camera camera1, camera2;
  std::vector<Eigen::Vector2d> points1_px, points2_px;
  std::vector<char> is_inlier;
  camera::Rigid3d cam2_from_cam1;
};

DistortedScene make_distorted(const crossview_test::TwoViewScene& s) {
  DistortedScene d;
  Eigen::VectorXd p1(9), p2(9);
  p1 << 1000.0, 1000.0, 640.0, 480.0, -0.12, 0.03, 0.0005, -0.0003, 0.0;
  p2 << 1400.0, 1380.0, 660.0, 500.0, 0.08, -0.02, -0.0004, 0.0002, 0.0;
  d.camera1 = camera::Camera(camera::CameraModel::kOpenCV, p1, 1280, 960);
  d.camera2 = camera::Camera(camera::CameraModel::kOpenCV, p2, 1320, 1000);
  d.cam2_from_cam1 = s.cam2_from_cam1;
  for (Eigen::Index i = 0; i < s.points1_px.cols(); ++i) {
    Eigen::Vector2d n1, n2, q1, q2;
    if (s.camera1.unproject_to_normalized(s.points1_px.col(i), &n1) != camera::ProjectionStatus::kSuccess ||
        s.camera2.unproject_to_normalized(s.points2_px.col(i), &n2) != camera::ProjectionStatus::kSuccess)
      continue;
    if (d.camera1.project_from_cam(n1.homogeneous(), &q1) != camera::ProjectionStatus::kSuccess ||
        d.camera2.project_from_cam(n2.homogeneous(), &q2) != camera::ProjectionStatus::kSuccess)
      continue;
    d.points1_px.push_back(q1);
    d.points2_px.push_back(q2);
    d.is_inlier.push_back(s.is_inlier[static_cast<std::size_t>(i)]);
  }
  return d;
}
}  // namespace

TEST_CASE("estimate_essential with 50 percent outliers", "[epipolar][estimate][essential]") {
  std::vector<double> rot, trans;
  for (std::uint64_t seed = 1; seed <= 7; ++seed) {
    INFO("seed " << seed);
    const auto s = make_two_view_scene(seed, {});
    epipolar::EssentialOptions opt;
    opt.ransac.seed = seed;
    const auto r = epipolar::estimate_essential(s.points1_px, s.points2_px, s.camera1, s.camera2, opt);
    INFO(r.message);
    REQUIRE(r.status == epipolar::EstimateStatus::kSuccess);
    CHECK(r.E.norm() == Approx(1.0));
    CHECK(r.cam2_from_cam1.translation.norm() == Approx(1.0));
    int tp = 0, fp = 0, inl = 0, in_front = 0;
    for (std::size_t i = 0; i < s.is_inlier.size(); ++i) {
      inl += s.is_inlier[i];
      tp += s.is_inlier[i] && r.inlier_mask[i];
      fp += !s.is_inlier[i] && r.inlier_mask[i];
      in_front += r.cheirality_mask[i];
      if (r.cheirality_mask[i]) CHECK(r.inlier_mask[i]);
    }
    // Same gates as estimate_fundamental: ~95 % of 0.5 px noisy inliers pass a
    // 1 px Sampson gate; a random outlier passes with probability ~2e-3 per line.
    CHECK(tp >= 0.9 * inl);
    CHECK(fp <= 0.03 * inl);
    CHECK(r.num_inliers == tp + fp);
    CHECK(r.num_in_front == in_front);
    CHECK(in_front >= 0.95 * r.num_inliers);
    CHECK(r.refinement.success);
    // E agrees with the pose.
    const Eigen::Matrix3d Ep = epipolar::essential_from_pose(r.cam2_from_cam1).normalized();
    CHECK(std::min((Ep - r.E).norm(), (Ep + r.E).norm()) < 1e-9);
    rot.push_back(rotation_error_deg(r.cam2_from_cam1.rotation_matrix(), s.cam2_from_cam1.rotation_matrix()));
    trans.push_back(direction_error_deg(r.cam2_from_cam1.translation, s.cam2_from_cam1.translation));
  }
  std::printf("estimate_essential, 7 seeds: median rotation error %.4f deg, translation %.4f deg\n",
              median(rot), median(trans));
  CHECK(median(rot) < kMaxMedianRotationErrorDeg);
  CHECK(median(trans) < kMaxMedianTranslationErrorDeg);
  // Sign-aware: a flipped t (wrong cheirality) would be ~180 deg.
  CHECK(*std::max_element(trans.begin(), trans.end()) < 10 * kMaxMedianTranslationErrorDeg);
}

TEST_CASE("estimate_essential undistorts OpenCV-model cameras with K1 != K2",
          "[epipolar][estimate][essential]") {
  std::vector<double> rot, trans;
  for (std::uint64_t seed = 11; seed <= 15; ++seed) {
    INFO("seed " << seed);
    const auto d = make_distorted(make_two_view_scene(seed, {}));
    epipolar::EssentialOptions opt;
    opt.ransac.seed = seed;
    const auto r = epipolar::estimate_essential(to_points(d.points1_px), to_points(d.points2_px), d.camera1, d.camera2, opt);
    INFO(r.message);
    REQUIRE(r.success());
    CHECK(r.num_dropped_unprojection == 0);
    rot.push_back(rotation_error_deg(r.cam2_from_cam1.rotation_matrix(), d.cam2_from_cam1.rotation_matrix()));
    trans.push_back(direction_error_deg(r.cam2_from_cam1.translation, d.cam2_from_cam1.translation));
    // Ignoring the distortion (pinhole with the same K) must be clearly worse:
    // this test would not notice a missing undistortion otherwise.
    if (seed == 11) {
      const auto pin1 = camera::Camera::pinhole(1000.0, 1000.0, 640.0, 480.0, 1280, 960);
      const auto pin2 = camera::Camera::pinhole(1400.0, 1380.0, 660.0, 500.0, 1320, 1000);
      const auto w = epipolar::estimate_essential(to_points(d.points1_px), to_points(d.points2_px), pin1, pin2, opt);
      CHECK(w.num_inliers < 0.8 * r.num_inliers);
    }
  }
  std::printf("estimate_essential, distorted K1 != K2, 5 seeds: median rotation error %.4f deg, "
              "translation %.4f deg\n", median(rot), median(trans));
  // The noise is 0.5 px in the scene's f = 1000 cameras, i.e. ~0.5-0.7 px here.
  CHECK(median(rot) < kMaxMedianRotationErrorDeg);
  CHECK(median(trans) < kMaxMedianTranslationErrorDeg);
}

TEST_CASE("estimate_essential_normalized matches the pixel call on pinhole cameras",
          "[epipolar][estimate][essential]") {
  const auto s = make_two_view_scene(3, {});
  // Same focal in both cameras so that the thresholds agree.
  const auto cam = camera::Camera::pinhole(1000.0, 1000.0, 640.0, 480.0, 1280, 960);
  std::vector<Eigen::Vector2d> n1, n2;
  for (Eigen::Index i = 0; i < s.points1_px.cols(); ++i) {
    Eigen::Vector2d a, b;
    REQUIRE(cam.unproject_to_normalized(s.points1_px.col(i), &a) == camera::ProjectionStatus::kSuccess);
    REQUIRE(cam.unproject_to_normalized(s.points2_px.col(i), &b) == camera::ProjectionStatus::kSuccess);
    n1.push_back(a);
    n2.push_back(b);
  }
  epipolar::EssentialOptions opt;
  const auto r1 = epipolar::estimate_essential(s.points1_px, s.points2_px, cam, cam, opt);
  const auto r2 = epipolar::estimate_essential_normalized(to_points(n1), to_points(n2), 1000.0, opt);
  REQUIRE(r1.success());
  REQUIRE(r2.success());
  CHECK(r1.max_error_normalized == Approx(1e-3));
  CHECK(r2.max_error_normalized == Approx(1e-3));
  CHECK(r1.inlier_mask == r2.inlier_mask);
  CHECK(rotation_error_deg(r1.cam2_from_cam1.rotation_matrix(), r2.cam2_from_cam1.rotation_matrix()) < 1e-6);
}

TEST_CASE("estimate_essential bad input", "[epipolar][estimate][essential]") {
  const auto s = make_two_view_scene(5, {});
  const auto& c1 = s.camera1;
  const auto& c2 = s.camera2;
  epipolar::EssentialOptions opt;

  SECTION("mismatched sizes throw") {
    const crossview::Points2d p2 = s.points2_px.leftCols(s.points2_px.cols() - 1);
    CHECK_THROWS_AS(epipolar::estimate_essential(s.points1_px, p2, c1, c2, opt), std::invalid_argument);
    CHECK_THROWS_AS(epipolar::estimate_essential_normalized(s.points1_px, p2, 1000.0, opt),
                    std::invalid_argument);
  }
  SECTION("invalid options throw and name the option") {
    epipolar::EssentialOptions bad;
    bad.max_error_px = 0.0;
    CHECK_THROWS_WITH(epipolar::estimate_essential(s.points1_px, s.points2_px, c1, c2, bad),
                      Catch::Contains("max_error_px"));
    bad = {};
    bad.ransac.confidence = 1.0;
    CHECK_THROWS_WITH(epipolar::estimate_essential(s.points1_px, s.points2_px, c1, c2, bad),
                      Catch::Contains("confidence"));
    bad = {};
    bad.recover_pose.ambiguity_ratio = 0.0;
    CHECK_THROWS_WITH(epipolar::estimate_essential(s.points1_px, s.points2_px, c1, c2, bad),
                      Catch::Contains("ambiguity_ratio"));
    CHECK_THROWS_AS(epipolar::estimate_essential_normalized(s.points1_px, s.points2_px, 0.0, opt),
                    std::invalid_argument);
  }
  SECTION("fewer than 5 points") {
    const crossview::Points2d a = s.points1_px.leftCols(4);
    const crossview::Points2d b = s.points2_px.leftCols(4);
    const auto r = epipolar::estimate_essential(a, b, c1, c2, opt);
    CHECK(r.status == epipolar::EstimateStatus::kTooFewPoints);
    CHECK(r.E.isZero());
    CHECK(r.inlier_mask == std::vector<char>(4, 0));
    const auto e = epipolar::estimate_essential(crossview::Points2d(2, 0), crossview::Points2d(2, 0), c1, c2, opt);
    CHECK(e.status == epipolar::EstimateStatus::kTooFewPoints);
  }
  SECTION("NaN / Inf are dropped and counted") {
    crossview::Points2d a = s.points1_px;
    crossview::Points2d b = s.points2_px;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    a(0, 0) = nan;
    b(1, 1) = inf;
    a.col(2) = Eigen::Vector2d(nan, nan);
    const auto r = epipolar::estimate_essential(a, b, c1, c2, opt);
    INFO(r.message);
    REQUIRE(r.success());
    CHECK(r.num_dropped_non_finite == 3);
    CHECK(r.inlier_mask[0] == 0);
    CHECK(r.inlier_mask[1] == 0);
    CHECK(r.inlier_mask[2] == 0);
    CHECK(r.message.find("NaN") != std::string::npos);
    CHECK(rotation_error_deg(r.cam2_from_cam1.rotation_matrix(), s.cam2_from_cam1.rotation_matrix()) < 0.2);
    // Too few left after dropping.
    crossview::Points2d few1 = s.points1_px.leftCols(6);
    crossview::Points2d few2 = s.points2_px.leftCols(6);
    few1(0, 0) = nan;
    few2(0, 3) = inf;
    const auto f = epipolar::estimate_essential(few1, few2, c1, c2, opt);
    CHECK(f.status == epipolar::EstimateStatus::kTooFewPoints);
    CHECK(f.num_dropped_non_finite == 2);
  }
  SECTION("points the camera model cannot unproject are dropped and counted") {
    Eigen::VectorXd p(9);
    p << 1000.0, 1000.0, 640.0, 480.0, -0.3, 0.0, 0.0, 0.0, 0.0;  // barrel: bounded image radius
    const camera::Camera cd(camera::CameraModel::kOpenCV, p, 1280, 960);
    crossview::Points2d a = s.points1_px.leftCols(20);
    const crossview::Points2d b = s.points2_px.leftCols(20);
    a.col(0) = Eigen::Vector2d(1e7, 1e7);  // beyond the largest distorted radius
    int expected_failures = 0;
    for (Eigen::Index i = 0; i < a.cols(); ++i) {
      Eigen::Vector2d n;
      expected_failures += cd.unproject_to_normalized(a.col(i), &n) != camera::ProjectionStatus::kSuccess ||
                           cd.unproject_to_normalized(b.col(i), &n) != camera::ProjectionStatus::kSuccess;
    }
    REQUIRE(expected_failures >= 1);
    const auto r = epipolar::estimate_essential(a, b, cd, cd, opt);
    CHECK(r.num_dropped_unprojection == expected_failures);
    CHECK(r.num_dropped_non_finite == 0);
    CHECK(r.inlier_mask[0] == 0);
  }
  SECTION("every point an outlier") {
    crossview_test::Rng rng(77);
    std::vector<Eigen::Vector2d> a, b;
    for (int i = 0; i < 400; ++i) {
      a.emplace_back(rng.uniform(0.0, 1279.0), rng.uniform(0.0, 959.0));
      b.emplace_back(rng.uniform(0.0, 1279.0), rng.uniform(0.0, 959.0));
    }
    const auto r = epipolar::estimate_essential(to_points(a), to_points(b), c1, c2, opt);
    INFO(r.message);
    CHECK(r.status == epipolar::EstimateStatus::kNoConsensus);
    CHECK(r.E.isZero());
    CHECK(r.num_inliers == 0);
  }
  SECTION("duplicates and collinear points are degenerate") {
    const crossview::Points2d a = s.points1_px.col(0).replicate(1, 20);
    const crossview::Points2d b = s.points2_px.col(0).replicate(1, 20);
    CHECK(epipolar::estimate_essential(a, b, c1, c2, opt).status == epipolar::EstimateStatus::kDegenerate);
    std::vector<Eigen::Vector2d> l1, l2;
    for (int i = 0; i < 30; ++i) {
      l1.emplace_back(100.0 + 30.0 * i, 200.0 + 10.0 * i);
      l2.emplace_back(120.0 + 29.0 * i, 210.0 + 11.0 * i);
    }
    CHECK(epipolar::estimate_essential(to_points(l1), to_points(l2), c1, c2, opt).status ==
          epipolar::EstimateStatus::kDegenerate);
  }
}

TEST_CASE("estimate_essential reports a pure rotation", "[epipolar][estimate][essential]") {
  for (std::uint64_t seed = 21; seed <= 23; ++seed) {
    INFO("seed " << seed);
    TwoViewSceneOptions so;
    so.baseline = 0.0;
    so.outlier_ratio = 0.3;
    const auto s = make_two_view_scene(seed, so);
    epipolar::EssentialOptions opt;
    opt.ransac.seed = seed;
    const auto r = epipolar::estimate_essential(s.points1_px, s.points2_px, s.camera1, s.camera2, opt);
    INFO(r.message);
    CHECK(r.status == epipolar::EstimateStatus::kPureRotation);
    CHECK(r.recover_pose_status == epipolar::RecoverPoseStatus::kLowParallax);
    CHECK(r.message.find("pure rotation") != std::string::npos);
    CHECK_FALSE(r.success());
  }
}

TEST_CASE("estimate_essential is deterministic", "[epipolar][estimate][essential]") {
  const auto s = make_two_view_scene(9, {});
  epipolar::EssentialOptions opt;
  opt.ransac.seed = 1234;
  auto run = [&] { return epipolar::estimate_essential(s.points1_px, s.points2_px, s.camera1, s.camera2, opt); };
  const auto a = run();
  const auto b = run();
  REQUIRE(a.success());
  CHECK(a.E == b.E);
  CHECK(a.inlier_mask == b.inlier_mask);
  CHECK(a.report.num_iterations == b.report.num_iterations);
  epipolar::EssentialResult t1, t2;
  std::thread th1([&] { t1 = run(); });
  std::thread th2([&] { t2 = run(); });
  th1.join();
  th2.join();
  CHECK(t1.E == a.E);
  CHECK(t2.E == a.E);
  CHECK(t1.cam2_from_cam1.translation == a.cam2_from_cam1.translation);
  CHECK(t2.inlier_mask == a.inlier_mask);
  // A different seed still succeeds (and is allowed to differ).
  opt.ransac.seed = 99;
  CHECK(run().success());
}
