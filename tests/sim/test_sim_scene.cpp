#include <crossview/pose/skeleton.hpp>
#include <crossview/sim/scene.hpp>

#include <catch2/catch.hpp>

namespace sim = crossview::sim;

TEST_CASE("walking pose keeps every bone length constant over time", "[sim]") {
  const crossview::pose::Skeleton skeleton = crossview::pose::human36m_17();
  const auto& parents = skeleton.parents();
  const sim::Pose3d first = sim::walking_pose(0.0);
  for (double t = 0.0; t < 5.0; t += 0.037) {
    const sim::Pose3d pose = sim::walking_pose(t);
    REQUIRE(pose.allFinite());
    for (int j = 1; j < sim::kNumH36MJoints; ++j) {
      const double len0 = (first.row(j) - first.row(parents[j])).norm();
      const double len = (pose.row(j) - pose.row(parents[j])).norm();
      INFO("joint " << skeleton.names()[j] << " t " << t);
      CHECK(std::abs(len - len0) < 1e-9);
      CHECK(len > 50.0);
    }
    // Feet stay near the floor, the head above the shoulders.
    CHECK(pose(3, 2) < 200.0);
    CHECK(pose(6, 2) < 200.0);
    CHECK(pose(10, 2) > pose(11, 2));
  }
}

TEST_CASE("scene detections follow the requested noise, misses and outliers", "[sim]") {
  sim::SceneOptions options;
  options.num_frames = 80;
  options.seed = 5;
  const sim::Scene scene = sim::make_scene(options);
  REQUIRE(scene.cameras.size() == 4);
  REQUIRE(scene.detections.size() == 80);
  int total = 0, missing = 0, outliers = 0;
  double sum_sq = 0.0;
  int inliers = 0;
  for (size_t f = 0; f < scene.detections.size(); ++f) {
    for (size_t c = 0; c < scene.cameras.size(); ++c) {
      const auto& kp = scene.detections[f][c];
      for (int j = 0; j < kp.rows(); ++j) {
        ++total;
        if (kp(j, 2) == 0.0) {
          CHECK(std::isnan(kp(j, 0)));
          ++missing;
          continue;
        }
        if (scene.is_outlier[f][c][j]) {
          ++outliers;
          continue;
        }
        Eigen::Vector2d px;
        REQUIRE(scene.cameras[c].project(scene.poses_in_world[f].row(j).transpose(), &px) ==
                crossview::camera::ProjectionStatus::kSuccess);
        sum_sq += (px - kp.row(j).head<2>().transpose()).squaredNorm();
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
    for (size_t c = 0; c < a.detections[f].size(); ++c) {
      CHECK((a.detections[f][c].array() == b.detections[f][c].array() ||
             (a.detections[f][c].array().isNaN() && b.detections[f][c].array().isNaN())).all());
    }
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
    for (const auto& pose : scene.poses_in_world) {
      for (int j = 0; j < pose.rows(); ++j) {
        Eigen::Vector2d px;
        REQUIRE(cam.project(pose.row(j).transpose(), &px) == crossview::camera::ProjectionStatus::kSuccess);
        CHECK(cam.is_in_image(px));
      }
      // Upright cameras: image v grows downwards, so the head is above the ankles.
      Eigen::Vector2d head, ankle;
      cam.project(pose.row(10).transpose(), &head);
      cam.project(pose.row(3).transpose(), &ankle);
      CHECK(head.y() < ankle.y() - 200.0);
    }
  }
}
