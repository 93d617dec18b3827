#include <crossview/pose/skeleton.hpp>
#include <crossview/sim/scene.hpp>

#include <catch2/catch.hpp>

namespace sim = crossview::sim;
constexpr int kJ = crossview::pose::h36m::kNumJoints;

TEST_CASE("walking pose keeps every bone length constant over time", "[sim]") {
  const crossview::pose::Skeleton skeleton = crossview::pose::human36m_17();
  const auto& parents = skeleton.parents();
  const crossview::Points3d first = sim::walking_pose(0.0);
  REQUIRE(first.cols() == kJ);  // 3 x 17
  for (double t = 0.0; t < 5.0; t += 0.037) {
    const crossview::Points3d pose = sim::walking_pose(t);
    REQUIRE(pose.allFinite());
    for (int j = 1; j < kJ; ++j) {
      const double len0 = (first.col(j) - first.col(parents[j])).norm();
      const double len = (pose.col(j) - pose.col(parents[j])).norm();
      INFO("joint " << skeleton.names()[j] << " t " << t);
      CHECK(std::abs(len - len0) < 1e-9);
      CHECK(len > 50.0);
    }
    // Feet stay near the floor, the head above the shoulders.
    CHECK(pose(2, 3) < 200.0);
    CHECK(pose(2, 6) < 200.0);
    CHECK(pose(2, 10) > pose(2, 11));
  }
}

TEST_CASE("scene detections follow the requested noise, misses and outliers", "[sim]") {
  sim::SceneOptions options;
  options.num_frames = 80;
  options.seed = 5;
  const sim::Scene scene = sim::make_scene(options);
  REQUIRE(scene.cameras.size() == 4);
  REQUIRE(scene.detections.size() == 80);
  REQUIRE(scene.poses_in_world.cols() == 80 * kJ);
  int total = 0, missing = 0, outliers = 0;
  double sum_sq = 0.0;
  int inliers = 0;
  for (int f = 0; f < scene.num_frames(); ++f) {
    const sim::FrameDetections& d = scene.detections[static_cast<size_t>(f)];
    REQUIRE(d.keypoints_px.cols() == 4 * kJ);  // view-major: column v*17 + j
    REQUIRE(d.scores.size() == 4 * kJ);
    for (int c = 0; c < scene.num_views(); ++c) {
      for (int j = 0; j < kJ; ++j) {
        const int column = c * kJ + j;
        ++total;
        if (d.scores(column) == 0.0) {
          CHECK(std::isnan(d.keypoints_px(0, column)));
          ++missing;
          continue;
        }
        if (d.is_outlier[static_cast<size_t>(column)]) {
          ++outliers;
          continue;
        }
        Eigen::Vector2d px;
        REQUIRE(scene.cameras[static_cast<size_t>(c)].project(scene.pose(f).col(j), &px) ==
                crossview::camera::ProjectionStatus::kSuccess);
        sum_sq += (px - d.keypoints_px.col(column)).squaredNorm();
        ++inliers;
      }
    }
  }
  // Empirical rates within 4 standard errors of the requested ones.
  const double n = total;
  CHECK(std::abs(missing / n - options.missing_rate) < 4 * std::sqrt(options.missing_rate / n) + 0.01);
  CHECK(std::abs(outliers / n - options.outlier_rate) < 4 * std::sqrt(options.outlier_rate / n) + 0.01);
  const double rms = std::sqrt(sum_sq / (2.0 * inliers));
  CHECK(std::abs(rms - options.noise_px) < 0.1 * options.noise_px);
}

TEST_CASE("scene is deterministic in its seed and validates options", "[sim]") {
  sim::SceneOptions options;
  options.num_frames = 5;
  const sim::Scene a = sim::make_scene(options);
  const sim::Scene b = sim::make_scene(options);
  for (size_t f = 0; f < a.detections.size(); ++f) {
    const auto& da = a.detections[f].keypoints_px;
    const auto& db = b.detections[f].keypoints_px;
    CHECK((da.array() == db.array() || (da.array().isNaN() && db.array().isNaN())).all());
    CHECK(a.detections[f].scores == b.detections[f].scores);
  }
  options.seed = 2;
  const sim::Scene c = sim::make_scene(options);
  CHECK_FALSE(c.cameras[0].params().isApprox(a.cameras[0].params()));
  options.num_cameras = 1;
  CHECK_THROWS_WITH(sim::make_scene(options), Catch::Contains("num_cameras"));
  options.num_cameras = 4;
  options.missing_rate = 1.0;
  CHECK_THROWS_WITH(sim::make_scene(options), Catch::Contains("missing_rate"));
}

TEST_CASE("every camera of the ring sees the person", "[sim]") {
  const sim::Scene scene = sim::make_scene({});
  for (const auto& cam : scene.cameras) {
    for (int f = 0; f < scene.num_frames(); ++f) {
      const auto pose = scene.pose(f);
      for (int j = 0; j < pose.cols(); ++j) {
        Eigen::Vector2d px;
        REQUIRE(cam.project(pose.col(j), &px) == crossview::camera::ProjectionStatus::kSuccess);
        CHECK(cam.is_in_image(px));
      }
      // Upright cameras: image v grows downwards, so the head is above the ankles.
      Eigen::Vector2d head, ankle;
      cam.project(pose.col(10), &head);
      cam.project(pose.col(3), &ankle);
      CHECK(head.y() < ankle.y() - 200.0);
    }
  }
}
